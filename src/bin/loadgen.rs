//! `loadgen`: drives redis-chat instances with many users and measures delivery.
//!
//! Every message a load user sends carries `lg <sender> <seq> <µs since start>` as its text;
//! each receiver finds it in the frame with a substring search (no JSON parse), so the
//! generator measures end-to-end latency (send → socket read) for every delivery and checks
//! per-sender order, loss and duplicates. Scenarios: `fanout`, `rooms`, `dm`, `idle`,
//! `history`, `login`. Output: a table for people and one JSON line for comparing runs.
//!
//! It only targets the URLs it is given and stops by itself after `--duration`.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};
use futures_util::{stream::SplitSink, SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::{net::TcpStream, sync::Semaphore};
use tokio_tungstenite::{tungstenite, WebSocketStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// One big room (General): every user receives every message.
    Fanout,
    /// Many named rooms of `--room-size` members.
    Rooms,
    /// Pairs of users in their direct rooms.
    Dm,
    /// Many connections, no traffic: memory and CPU per connection.
    Idle,
    /// Paging through a long room's history.
    History,
    /// A storm of logins while `fanout` chat goes on.
    Login,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "loadgen",
    about = "Load generator and benchmark for redis-chat."
)]
struct Args {
    /// Base URL of a server instance; repeat for several (users are spread over them).
    #[arg(long = "url", default_value = "http://127.0.0.1:4000")]
    urls: Vec<String>,
    #[arg(long, value_enum, default_value = "fanout")]
    scenario: Scenario,
    /// Number of users (sockets).
    #[arg(long, default_value_t = 200)]
    users: usize,
    /// Members per room (`rooms`).
    #[arg(long, default_value_t = 10)]
    room_size: usize,
    /// Users that send (`fanout`, `login`; `rooms` and `dm` use one per room).
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    /// Measured time, seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Warm-up before measuring, seconds.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Prefix of the load users' names.
    #[arg(long, default_value = "lg")]
    prefix: String,
    #[arg(long, default_value = "loadgen-password")]
    password: String,
    /// Keep session tokens here between runs (argon2 logins are slow by design).
    #[arg(long)]
    sessions: Option<PathBuf>,
    /// Concurrent connects and logins during set-up.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Spread client sockets over this many source addresses 127.0.0.1, 127.0.0.2, …
    #[arg(long, default_value_t = 1)]
    source_ips: u8,
    /// Processes to measure (CPU, RSS): pids, or `auto` for every redis-chat and redis-server.
    #[arg(long = "pid")]
    pids: Vec<String>,
    /// Sockets to open in the `idle` scenario (spread over the users, like browser tabs).
    #[arg(long)]
    connections: Option<usize>,
    /// Logins per second in the `login` scenario.
    #[arg(long, default_value_t = 20.0)]
    login_rate: f64,
    /// Messages in the room the `history` scenario pages through.
    #[arg(long, default_value_t = 2000)]
    history_messages: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print only the JSON line.
    #[arg(long)]
    json: bool,
    /// The Redis the servers use (e.g. `redis+unix:///tmp/redis.sock`): its `INFO
    /// commandstats` before and after the measured window give Redis commands per message.
    #[arg(long)]
    redis: Option<String>,
}

type Sink = SplitSink<WebSocketStream<TcpStream>, tungstenite::Message>;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(t) = args.threads {
        rt.worker_threads(t.max(1));
    }
    rt.enable_all().build()?.block_on(run(args))
}

/// A signed-in load user.
#[derive(Clone)]
struct LoadUser {
    name: String,
    id: String,
    token: String,
    url: String,
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.urls.is_empty() {
        bail!("give at least one --url");
    }
    for u in &args.urls {
        let host = reqwest::Url::parse(u).with_context(|| format!("--url {u}"))?;
        if !matches!(host.scheme(), "http" | "https") {
            bail!("--url {u}: http(s) URLs only");
        }
    }
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let started = Instant::now();
    let pids = resolve_pids(&args.pids);
    let users = sign_in(&args, args.users).await?;
    let setup_secs = started.elapsed().as_secs_f64();
    let report = match args.scenario {
        Scenario::Idle => idle(&args, &users, &pids).await?,
        Scenario::History => history(&args, &users, &pids).await?,
        Scenario::Fanout | Scenario::Rooms | Scenario::Dm | Scenario::Login => {
            chat(&args, &users, &pids).await?
        }
    };
    let mut report = report;
    report["scenario"] = json!(format!("{:?}", args.scenario).to_lowercase());
    report["instances"] = json!(args.urls.len());
    report["users"] = json!(users.len());
    report["setup_seconds"] = json!(round(setup_secs));
    if !args.json {
        print_table(&report);
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------
// Set-up: users, sessions, sockets.

async fn sign_in(args: &Args, n: usize) -> anyhow::Result<Vec<LoadUser>> {
    let cached: HashMap<String, (String, String)> = args
        .sessions
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let http = reqwest::Client::new();
    let sem = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (http, sem, url) = (
            http.clone(),
            Arc::clone(&sem),
            args.urls[i % args.urls.len()].clone(),
        );
        let name = format!("{}{i}", args.prefix);
        let password = args.password.clone();
        let cached = cached.get(&name).cloned();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await?;
            if let Some((id, token)) = cached {
                let me = http
                    .get(format!("{url}/api/auth/me"))
                    .bearer_auth(&token)
                    .send()
                    .await?;
                if me.status() == 200 {
                    return Ok::<_, anyhow::Error>(LoadUser {
                        name,
                        id,
                        token,
                        url,
                    });
                }
            }
            let creds = json!({"username": name, "password": password});
            let r = post_patiently(&http, &format!("{url}/api/auth/register"), &creds).await?;
            if !matches!(r.status().as_u16(), 201 | 409) {
                bail!(
                    "register {name}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
            }
            let r = post_patiently(&http, &format!("{url}/api/auth/login"), &creds).await?;
            if r.status() != 200 {
                bail!(
                    "login {name}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
            }
            let body: Value = r.json().await?;
            Ok(LoadUser {
                name,
                id: body["id"].as_str().unwrap_or_default().to_owned(),
                token: body["token"].as_str().unwrap_or_default().to_owned(),
                url,
            })
        }));
    }
    let mut users = Vec::with_capacity(n);
    for t in tasks {
        users.push(t.await??);
    }
    if let Some(path) = &args.sessions {
        let map: HashMap<&str, (&str, &str)> = users
            .iter()
            .map(|u| (u.name.as_str(), (u.id.as_str(), u.token.as_str())))
            .collect();
        std::fs::write(path, serde_json::to_string(&map)?)?;
    }
    Ok(users)
}

/// POSTs, waiting and retrying while the server answers 503 (its password hashing queue is
/// full: it refuses rather than queue without bound).
async fn post_patiently(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
) -> anyhow::Result<reqwest::Response> {
    let mut wait = Duration::from_millis(50);
    loop {
        let r = http.post(url).json(body).send().await?;
        if r.status() != 503 {
            return Ok(r);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
    }
}

fn ws_url(base: &str) -> String {
    let rest = base.trim_end_matches('/');
    if let Some(r) = rest.strip_prefix("https://") {
        format!("wss://{r}/ws")
    } else {
        format!("ws://{}/ws", rest.trim_start_matches("http://"))
    }
}

/// Opens a user's socket from source address `source` and waits for `ready`.
async fn connect(user: &LoadUser, source: IpAddr) -> anyhow::Result<WebSocketStream<TcpStream>> {
    let url = ws_url(&user.url);
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(url.as_str())?;
    req.headers_mut()
        .insert("authorization", format!("Bearer {}", user.token).parse()?);
    let host = reqwest::Url::parse(&user.url)?;
    let addr: SocketAddr = tokio::net::lookup_host((
        host.host_str().unwrap_or("127.0.0.1"),
        host.port().unwrap_or(80),
    ))
    .await?
    .next()
    .context("no address")?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    if source.is_ipv4() == addr.is_ipv4() {
        socket.bind(SocketAddr::new(source, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    // Small buffers: the generator holds tens of thousands of sockets in the `idle` scenario.
    let mut config = tungstenite::protocol::WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    config.write_buffer_size = 0;
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(req, stream, Some(config)).await?;
    loop {
        match ws.next().await {
            Some(Ok(tungstenite::Message::Text(t))) if t.starts_with(r#"{"type":"ready""#) => {
                return Ok(ws)
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed before ready"),
        }
    }
}

fn source_ip(args: &Args, i: usize) -> IpAddr {
    let n = args.source_ips.max(1) as usize;
    IpAddr::from([127, 0, 0, 1 + (i % n) as u8])
}

async fn connect_all(
    args: &Args,
    users: &[LoadUser],
) -> anyhow::Result<(Vec<WebSocketStream<TcpStream>>, Histogram<u64>, u64)> {
    let sem = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(users.len());
    for (i, u) in users.iter().enumerate() {
        let (u, sem, src) = (u.clone(), Arc::clone(&sem), source_ip(args, i));
        tasks.push(tokio::spawn(async move {
            let _p = sem.acquire().await?;
            let t = Instant::now();
            let ws = connect(&u, src).await?;
            Ok::<_, anyhow::Error>((ws, t.elapsed()))
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut sockets = Vec::with_capacity(users.len());
    let mut errors = 0;
    for t in tasks {
        match t.await? {
            Ok((ws, took)) => {
                hist.record(took.as_micros() as u64)?;
                sockets.push(ws);
            }
            Err(e) => {
                errors += 1;
                if errors <= 3 {
                    eprintln!("connect failed: {e:#}");
                }
            }
        }
    }
    if sockets.len() < users.len() {
        bail!("{errors} of {} sockets failed to connect", users.len());
    }
    Ok((sockets, hist, errors))
}

// ---------------------------------------------------------------------------------------
// Process measurements from /proc.

#[derive(Clone, Debug)]
struct Proc {
    pid: u32,
    name: String,
}

fn resolve_pids(specs: &[String]) -> Vec<Proc> {
    let mut out = Vec::new();
    for s in specs {
        if s == "auto" {
            if let Ok(dir) = std::fs::read_dir("/proc") {
                for e in dir.flatten() {
                    let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                        continue;
                    };
                    let comm =
                        std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                    let comm = comm.trim();
                    if comm == "redis-chat" || comm == "redis-server" {
                        out.push(Proc {
                            pid,
                            name: format!("{comm}[{pid}]"),
                        });
                    }
                }
            }
        } else if let Ok(pid) = s.parse::<u32>() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            out.push(Proc {
                pid,
                name: format!("{}[{pid}]", comm.trim()),
            });
        }
    }
    out.push(Proc {
        pid: std::process::id(),
        name: "loadgen".into(),
    });
    out
}

/// (CPU seconds used, RSS bytes) of a process.
fn sample(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks / 100.0, rss_kb * 1024))
}

struct Window {
    at: Instant,
    start: Vec<Option<(f64, u64)>>,
}

fn window_start(procs: &[Proc]) -> Window {
    Window {
        at: Instant::now(),
        start: procs.iter().map(|p| sample(p.pid)).collect(),
    }
}

impl Window {
    fn secs(&self) -> f64 {
        self.at.elapsed().as_secs_f64().max(0.001)
    }
}

fn window_end(procs: &[Proc], w: &Window) -> Value {
    let secs = w.at.elapsed().as_secs_f64().max(0.001);
    let mut out = serde_json::Map::new();
    for (p, start) in procs.iter().zip(&w.start) {
        if let (Some((c0, rss0)), Some((c1, rss1))) = (start, sample(p.pid)) {
            out.insert(
                p.name.clone(),
                json!({
                    "cpu_percent": round((c1 - c0) / secs * 100.0),
                    "rss_mb_start": round(*rss0 as f64 / 1048576.0),
                    "rss_mb": round(rss1 as f64 / 1048576.0),
                }),
            );
        }
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------
// Redis's own counts: commands per stored message.

/// A connection to the servers' Redis, for `INFO commandstats`.
struct RedisStats(chat_core::redis::aio::MultiplexedConnection);

impl RedisStats {
    async fn connect(url: &str) -> anyhow::Result<Self> {
        let client =
            chat_core::redis::Client::open(url).with_context(|| format!("--redis {url}"))?;
        Ok(Self(client.get_multiplexed_async_connection().await?))
    }

    /// Calls so far, per command.
    async fn commandstats(&self) -> anyhow::Result<CommandCalls> {
        let text: String = chat_core::redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut self.0.clone())
            .await?;
        Ok(parse_commandstats(&text))
    }
}

/// Calls so far, per Redis command.
type CommandCalls = HashMap<String, u64>;

/// `cmdstat_evalsha:calls=12,usec=…` lines → command → calls.
fn parse_commandstats(text: &str) -> CommandCalls {
    text.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// Server and Redis CPU µs per message, and Redis commands per message (commands run
/// inside scripts count too, as Redis counts them).
///
/// "Per message" means per message *stored* in the window when Redis is given (its `ZADD`
/// calls: one per stored message), else per message sent: a server that falls behind
/// stores fewer than were sent, and dividing by what was sent would flatter it.
fn cost_per_message(
    processes: &Value,
    secs: f64,
    sent: u64,
    stats: Option<(&CommandCalls, &CommandCalls)>,
) -> Value {
    let calls: Vec<(String, u64)> = stats
        .map(|(before, after)| {
            after
                .iter()
                .map(|(k, v)| {
                    let d = v.saturating_sub(before.get(k).copied().unwrap_or(0));
                    (k.clone(), d)
                })
                .filter(|(k, d)| *d > 0 && k != "info")
                .collect()
        })
        .unwrap_or_default();
    let stored = stats.map(|_| {
        calls
            .iter()
            .find(|(k, _)| k == "zadd")
            .map_or(0, |(_, d)| *d)
    });
    let n = stored.unwrap_or(sent).max(1) as f64;
    let cpu_us = |prefix: &str| {
        let total: f64 = processes
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(_, v)| v["cpu_percent"].as_f64().unwrap_or(0.0))
            .sum();
        round(total / 100.0 * secs * 1e6 / n)
    };
    let mut out = json!({
        "sent": sent,
        "stored": stored,
        "server_cpu_us": cpu_us("redis-chat"),
        "redis_cpu_us": cpu_us("redis-server"),
    });
    if stats.is_some() {
        let mut per: Vec<(String, f64)> = calls
            .into_iter()
            .map(|(k, d)| (k, round(d as f64 / n)))
            .collect();
        per.sort_by(|a, b| b.1.total_cmp(&a.1));
        out["redis_commands"] = json!(round(per.iter().map(|(_, v)| v).sum::<f64>()));
        out["redis_commands_by_name"] =
            Value::Object(per.into_iter().map(|(k, v)| (k, json!(v))).collect());
    }
    out
}

// ---------------------------------------------------------------------------------------
// Chat scenarios.

/// What one receiving socket saw.
struct Seen {
    latency: Histogram<u64>,
    /// Deliveries of messages sent inside the measured window.
    measured: u64,
    unique: u64,
    duplicates: u64,
    out_of_order: u64,
    errors: u64,
    bytes: u64,
}

/// Parses `lg <sender> <seq> <micros>` out of a message frame without parsing the JSON.
///
/// Hot path of the generator: runs for every frame received.
fn marker(frame: &str) -> Option<(u32, u64, u64)> {
    if !frame.starts_with(r#"{"type":"message""#) {
        return None;
    }
    let at = frame.find(r#""message":"lg "#)? + 14;
    let rest = &frame[at..];
    let end = rest.find('"')?;
    let mut it = rest[..end].split(' ');
    Some((
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    ))
}

async fn receive(
    mut stream: futures_util::stream::SplitStream<WebSocketStream<TcpStream>>,
    epoch: Instant,
    window: (u64, u64),
    stop: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen {
        latency: Histogram::new_with_bounds(1, 60_000_000, 3).expect("bounds"),
        measured: 0,
        unique: 0,
        duplicates: 0,
        out_of_order: 0,
        errors: 0,
        bytes: 0,
    };
    let mut last: HashMap<u32, u64> = HashMap::new();
    loop {
        let next = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
        let frame = match next {
            Ok(Some(Ok(tungstenite::Message::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_))) | Ok(None) => break,
            Err(_) => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                continue;
            }
        };
        let now = epoch.elapsed().as_micros() as u64;
        seen.bytes += frame.len() as u64;
        if let Some((sender, seq, sent)) = marker(&frame) {
            match last.get(&sender) {
                Some(&l) if seq <= l => {
                    seen.duplicates += 1;
                    continue;
                }
                Some(&l) if seq != l + 1 => seen.out_of_order += 1,
                None if seq != 0 => seen.out_of_order += 1,
                _ => {}
            }
            last.insert(sender, seq);
            seen.unique += 1;
            if sent >= window.0 && sent < window.1 {
                seen.measured += 1;
                let _ = seen.latency.record(now.saturating_sub(sent).max(1));
            }
        } else if frame.starts_with(r#"{"type":"error""#) {
            seen.errors += 1;
        }
    }
    seen
}

/// Sends `count`-paced messages from one socket to `room`.
#[allow(clippy::too_many_arguments)]
async fn send(
    mut sink: Sink,
    run: u32,
    sender: u32,
    room: String,
    interval: Duration,
    offset: Duration,
    epoch: Instant,
    until: Instant,
    sent: Arc<AtomicU64>,
) -> u64 {
    tokio::time::sleep(offset).await;
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut seq = 0u64;
    while Instant::now() < until {
        tick.tick().await;
        let t = epoch.elapsed().as_micros();
        // A clientId on every message, as the browser client sends.
        let frame = format!(
            r#"{{"type":"message","data":{{"roomId":"{room}","message":"lg {sender} {seq} {t}","clientId":"{run}-{sender}-{seq}"}}}}"#
        );
        if sink.send(tungstenite::Message::text(frame)).await.is_err() {
            break;
        }
        seq += 1;
        sent.fetch_add(1, Ordering::Relaxed);
    }
    // Keep the socket open until the receivers are done.
    tokio::time::sleep(Duration::from_secs(3)).await;
    seq
}

/// Puts users in rooms for the scenario: returns each user's room and which users send.
async fn arrange(args: &Args, users: &[LoadUser]) -> anyhow::Result<(Vec<String>, Vec<usize>)> {
    let http = reqwest::Client::new();
    let n = users.len();
    match args.scenario {
        Scenario::Fanout | Scenario::Login => {
            let senders = args.senders.clamp(1, n);
            Ok((
                vec!["0".into(); n],
                (0..senders).map(|i| i * n / senders).collect(),
            ))
        }
        Scenario::Dm => {
            let mut rooms = vec![String::new(); n];
            let mut senders = Vec::new();
            for pair in (0..n / 2 * 2).step_by(2) {
                let (a, b) = (&users[pair], &users[pair + 1]);
                let r: Value = http
                    .post(format!("{}/api/rooms/direct", a.url))
                    .bearer_auth(&a.token)
                    .json(&json!({"userId": b.id}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let id = r["id"].as_str().context("direct room id")?.to_owned();
                rooms[pair] = id.clone();
                rooms[pair + 1] = id;
                senders.push(pair);
            }
            if n % 2 == 1 {
                rooms[n - 1] = rooms[0].clone();
            }
            Ok((rooms, senders))
        }
        Scenario::Rooms => {
            let size = args.room_size.max(2);
            let run: u32 = rand::random();
            let mut rooms = vec![String::new(); n];
            let mut senders = Vec::new();
            for (j, start) in (0..n).step_by(size).enumerate() {
                let owner = &users[start];
                let r: Value = http
                    .post(format!("{}/api/rooms", owner.url))
                    .bearer_auth(&owner.token)
                    .json(&json!({"name": format!("lg-{run:08x}-{j}")}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let id = r["id"].as_str().context("room id")?.to_owned();
                for u in &users[start..(start + size).min(n)] {
                    if u.id != owner.id {
                        let s = http
                            .post(format!("{}/api/rooms/{id}/join", u.url))
                            .bearer_auth(&u.token)
                            .send()
                            .await?;
                        if s.status() != 200 {
                            bail!("join: {}", s.status());
                        }
                    }
                    rooms[users.iter().position(|x| x.id == u.id).unwrap_or(0)] = id.clone();
                }
                senders.push(start);
            }
            Ok((rooms, senders))
        }
        Scenario::Idle | Scenario::History => unreachable!(),
    }
}

async fn chat(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    let (rooms, senders) = arrange(args, users).await?;
    let t = Instant::now();
    let (sockets, connect_hist, _) = connect_all(args, users).await?;
    let connect_secs = t.elapsed().as_secs_f64();
    let mut members: HashMap<&str, u64> = HashMap::new();
    for r in &rooms {
        *members.entry(r.as_str()).or_default() += 1;
    }

    // The storm's users sign in before the clock starts, so the storm logs in during the
    // window however long set-up takes on this machine.
    let storm_users = if args.scenario == Scenario::Login {
        let mut storm_args = args.clone();
        storm_args.prefix = format!("{}storm", args.prefix);
        storm_args.sessions = None;
        sign_in(&storm_args, 20).await?
    } else {
        Vec::new()
    };
    let run: u32 = rand::random();
    let epoch = Instant::now();
    let lead = Duration::from_millis(500);
    let warm_end = lead + Duration::from_secs_f64(args.warmup);
    let send_end = warm_end + Duration::from_secs_f64(args.duration);
    let window = (warm_end.as_micros() as u64, send_end.as_micros() as u64);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let per_sender = Duration::from_secs_f64(senders.len() as f64 / args.rate.max(0.001));

    let mut recv_tasks = Vec::with_capacity(sockets.len());
    let mut send_tasks = Vec::new();
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        recv_tasks.push(tokio::spawn(receive(
            stream,
            epoch,
            window,
            Arc::clone(&stop),
        )));
        if let Some(k) = senders.iter().position(|s| *s == i) {
            let offset = per_sender.mul_f64(k as f64 / senders.len() as f64) + lead;
            send_tasks.push((
                rooms[i].clone(),
                tokio::spawn(send(
                    sink,
                    run,
                    k as u32,
                    rooms[i].clone(),
                    per_sender,
                    offset,
                    epoch,
                    epoch + send_end,
                    Arc::clone(&sent),
                )),
            ));
        } else {
            // Receive-only sockets keep their sink alive until the end.
            tokio::spawn(async move {
                tokio::time::sleep(send_end + Duration::from_secs(4)).await;
                drop(sink);
            });
        }
    }

    let storm = (!storm_users.is_empty())
        .then(|| tokio::spawn(login_storm(args.clone(), storm_users, epoch + send_end)));

    tokio::time::sleep(warm_end).await;
    let redis = match &args.redis {
        Some(url) => Some(RedisStats::connect(url).await?),
        None => None,
    };
    let stats_before = match &redis {
        Some(r) => Some(r.commandstats().await?),
        None => None,
    };
    let sent_before = sent.load(Ordering::Relaxed);
    let measured = window_start(procs);
    tokio::time::sleep(send_end - warm_end).await;
    let resources = window_end(procs, &measured);
    let sent_in_window = sent.load(Ordering::Relaxed).saturating_sub(sent_before);
    let stats_after = match &redis {
        Some(r) => Some(r.commandstats().await?),
        None => None,
    };
    let mut expected = 0u64;
    for (room, task) in send_tasks {
        let n = task.await?;
        expected += n * members.get(room.as_str()).copied().unwrap_or(0);
    }
    stop.store(true, Ordering::Relaxed);
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut measured_n, mut unique, mut dups, mut ooo, mut errors, mut bytes) = (0, 0, 0, 0, 0, 0);
    for t in recv_tasks {
        let s = t.await?;
        latency.add(&s.latency)?;
        measured_n += s.measured;
        unique += s.unique;
        dups += s.duplicates;
        ooo += s.out_of_order;
        errors += s.errors;
        bytes += s.bytes;
    }
    let secs = args.duration;
    let mut report = json!({
        "sent_per_second": round(sent.load(Ordering::Relaxed) as f64 / (secs + args.warmup)),
        "delivered_per_second": round(measured_n as f64 / secs),
        "received_mb_per_second": round(bytes as f64 / 1048576.0 / (secs + args.warmup)),
        "latency_ms": quantiles(&latency),
        "deliveries_expected": expected,
        "deliveries_unique": unique,
        "lost": expected.saturating_sub(unique),
        "duplicated": dups,
        "out_of_order": ooo,
        "errors": errors,
        "senders": senders.len(),
        "rooms": members.len(),
        "connect_ms": quantiles(&connect_hist),
        "connect_seconds": round(connect_secs),
        "processes": resources,
    });
    report["cost_per_message"] = cost_per_message(
        &report["processes"],
        measured.secs(),
        sent_in_window,
        stats_before.as_ref().zip(stats_after.as_ref()),
    );
    if let Some(storm) = storm {
        report["login"] = storm.await??;
    }
    Ok(report)
}

fn quantiles(h: &Histogram<u64>) -> Value {
    let ms = |q: f64| round(h.value_at_quantile(q) as f64 / 1000.0);
    json!({
        "p50": ms(0.5), "p90": ms(0.9), "p99": ms(0.99), "p99.9": ms(0.999),
        "max": round(h.max() as f64 / 1000.0), "count": h.len(),
    })
}

/// Logs `users` in `--login-rate` times a second until `until` (at least once).
async fn login_storm(args: Args, users: Vec<LoadUser>, until: Instant) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let hist = Arc::new(parking_lot::Mutex::new(Histogram::<u64>::new_with_bounds(
        1, 60_000_000, 3,
    )?));
    let failures = Arc::new(AtomicU64::new(0));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.login_rate.max(0.1)));
    let mut tasks = Vec::new();
    let mut i = 0usize;
    while i == 0 || Instant::now() < until {
        tick.tick().await;
        let u = users[i % users.len()].clone();
        i += 1;
        let (http, hist, failures, password) = (
            http.clone(),
            Arc::clone(&hist),
            Arc::clone(&failures),
            args.password.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = http
                .post(format!("{}/api/auth/login", u.url))
                .json(&json!({"username": u.name, "password": password}))
                .send()
                .await;
            match r {
                Ok(r) if r.status() == 200 => {
                    let _ = hist.lock().record(t.elapsed().as_micros() as u64);
                }
                _ => {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let h = hist.lock();
    Ok(
        json!({"logins": h.len(), "failures": failures.load(Ordering::Relaxed), "latency_ms": quantiles(&h)}),
    )
}

// ---------------------------------------------------------------------------------------
// Idle connections.

async fn idle(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before: Vec<Option<(f64, u64)>> = procs.iter().map(|p| sample(p.pid)).collect();
    let t = Instant::now();
    // Several sockets per user when --connections exceeds --users: the server treats each
    // as its own connection, like tabs.
    let wanted = args.connections.unwrap_or(users.len());
    let tabs: Vec<LoadUser> = (0..wanted)
        .map(|i| users[i % users.len()].clone())
        .collect();
    let (sockets, connect_hist, _) = connect_all(args, &tabs).await?;
    let connect_secs = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let w = window_start(procs);
    tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
    let resources = window_end(procs, &w);
    let mut per_conn = serde_json::Map::new();
    for (p, b) in procs.iter().zip(&before) {
        if let (Some((_, rss0)), Some((_, rss1))) = (b, sample(p.pid)) {
            per_conn.insert(
                p.name.clone(),
                json!(round(
                    (rss1 as f64 - *rss0 as f64) / sockets.len() as f64 / 1024.0
                )),
            );
        }
    }
    let n = sockets.len();
    drop(sockets);
    Ok(json!({
        "connections": n,
        "connect_seconds": round(connect_secs),
        "connect_ms": quantiles(&connect_hist),
        "rss_kb_per_connection": per_conn,
        "processes": resources,
    }))
}

// ---------------------------------------------------------------------------------------
// History paging.

async fn history(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let owner = &users[0];
    let run: u32 = rand::random();
    let r: Value = http
        .post(format!("{}/api/rooms", owner.url))
        .bearer_auth(&owner.token)
        .json(&json!({"name": format!("lg-history-{run:08x}")}))
        .send()
        .await?
        .json()
        .await?;
    let room = r["id"].as_str().context("room id")?.to_owned();
    for u in &users[1..] {
        http.post(format!("{}/api/rooms/{room}/join", u.url))
            .bearer_auth(&u.token)
            .send()
            .await?;
    }
    // Fill the room over one socket, as fast as acknowledgements come back.
    let mut ws = connect(owner, source_ip(args, 0)).await?;
    let fill = Instant::now();
    let mut acked = 0;
    let window = 256;
    let mut next = 0;
    while acked < args.history_messages {
        while next < args.history_messages && next - acked < window {
            let f = format!(
                r#"{{"type":"message","data":{{"roomId":"{room}","message":"h {next}","clientId":"h{run}-{next}"}}}}"#
            );
            ws.send(tungstenite::Message::text(f)).await?;
            next += 1;
        }
        match ws.next().await {
            Some(Ok(tungstenite::Message::Text(t))) if t.starts_with(r#"{"type":"ack""#) => {
                acked += 1
            }
            Some(Ok(_)) => {}
            _ => bail!("socket closed while filling"),
        }
    }
    let fill_secs = fill.elapsed().as_secs_f64();
    let w = window_start(procs);
    let until = Instant::now() + Duration::from_secs_f64(args.duration);
    let mut tasks = Vec::new();
    for u in users.iter().cloned() {
        let (http, room, total) = (http.clone(), room.clone(), args.history_messages);
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut passes, mut bad_passes) = (0u64, 0u64);
            while Instant::now() < until {
                let mut cursor: Option<String> = None;
                let mut seen = std::collections::HashSet::new();
                loop {
                    let q = cursor
                        .as_ref()
                        .map_or("limit=50".to_owned(), |c| format!("limit=50&before={c}"));
                    let t = Instant::now();
                    let page: Value = http
                        .get(format!("{}/api/rooms/{room}/messages?{q}", u.url))
                        .bearer_auth(&u.token)
                        .send()
                        .await?
                        .json()
                        .await?;
                    hist.record(t.elapsed().as_micros() as u64)?;
                    for m in page["messages"].as_array().into_iter().flatten() {
                        seen.insert(m["id"].as_str().unwrap_or_default().to_owned());
                    }
                    match page["before"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => break,
                    }
                }
                passes += 1;
                if seen.len() != total {
                    bad_passes += 1;
                }
            }
            Ok::<_, anyhow::Error>((hist, passes, bad_passes))
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut passes, mut bad) = (0, 0);
    for t in tasks {
        let (h, p, b) = t.await??;
        hist.add(&h)?;
        passes += p;
        bad += b;
    }
    Ok(json!({
        "messages_in_room": args.history_messages,
        "fill_messages_per_second": round(args.history_messages as f64 / fill_secs),
        "pages_per_second": round(hist.len() as f64 / args.duration),
        "page_latency_ms": quantiles(&hist),
        "full_passes": passes,
        "passes_with_gaps_or_duplicates": bad,
        "processes": window_end(procs, &w),
    }))
}

// ---------------------------------------------------------------------------------------

fn print_table(r: &Value) {
    println!(
        "scenario {}  instances {}  users {}",
        r["scenario"], r["instances"], r["users"]
    );
    let line = |k: &str, v: &Value| {
        if !v.is_null() {
            println!("  {k:<28} {v}");
        }
    };
    for key in [
        "sent_per_second",
        "delivered_per_second",
        "latency_ms",
        "lost",
        "duplicated",
        "out_of_order",
        "errors",
        "connections",
        "rss_kb_per_connection",
        "pages_per_second",
        "page_latency_ms",
        "passes_with_gaps_or_duplicates",
        "login",
        "cost_per_message",
        "connect_ms",
        "setup_seconds",
    ] {
        line(key, &r[key]);
    }
    if let Some(procs) = r["processes"].as_object() {
        for (name, v) in procs {
            println!(
                "  {name:<28} cpu {}%  rss {} MB",
                v["cpu_percent"], v["rss_mb"]
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commandstats_are_read_per_command() {
        let text = "# Commandstats\r\ncmdstat_evalsha:calls=12,usec=700,usec_per_call=58.33,rejected_calls=0,failed_calls=0\r\ncmdstat_zadd:calls=3,usec=9\r\n";
        let m = parse_commandstats(text);
        assert_eq!(m.get("evalsha"), Some(&12));
        assert_eq!(m.get("zadd"), Some(&3));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn markers_are_found_without_parsing_json() {
        let f = r#"{"type":"message","data":{"id":"x","from":"3","date":1.5,"message":"lg 4 17 123456","roomId":"0"}}"#;
        assert_eq!(marker(f), Some((4, 17, 123456)));
        assert_eq!(
            marker(r#"{"type":"ack","data":{"message":{"message":"lg 1 2 3"}}}"#),
            None
        );
        assert_eq!(
            marker(r#"{"type":"message","data":{"message":"hello"}}"#),
            None
        );
    }
}
