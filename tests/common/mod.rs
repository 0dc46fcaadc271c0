//! Test helpers: a private `redis-server` per test, app instances on port 0, and clients
//! whose methods read like what a user does.
#![allow(dead_code)]

pub mod cluster;
pub mod s3;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

#[allow(unused_imports)]
pub use chat_core::protocol::{ClientEvent, ReadMarker, RoomRef, SendMessage};
use chat_core::redis;
use futures_util::{SinkExt, StreamExt};
use redis_chat::{Application, Config};
use serde_json::{json, Value};
use tokio::{net::TcpStream, sync::oneshot, task::JoinHandle};
use tokio_tungstenite::{tungstenite, MaybeTlsStream, WebSocketStream};

/// A private redis-server on a unix socket in a temp dir; killed on drop.
pub struct TestRedis {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    /// Every write is on disk (append-only file, fsync always) before Redis answers it, so
    /// a SIGKILL loses nothing that was acknowledged.
    durable: bool,
}

impl TestRedis {
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    /// A Redis that fsyncs every write to its append-only file: it may be SIGKILLed and
    /// restarted without losing an acknowledged write.
    pub async fn start_durable() -> Self {
        Self::start_with(true).await
    }

    async fn start_with(durable: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("redis.sock");
        let mut this = Self {
            child: None,
            dir,
            socket,
            durable,
        };
        this.launch().await;
        this
    }

    /// How many messages `room` holds (`ZCARD room:{id}`).
    pub async fn messages_in(&self, room: &str) -> u64 {
        redis::cmd("ZCARD")
            .arg(format!("room:{room}"))
            .query_async(&mut self.conn().await)
            .await
            .unwrap()
    }

    async fn launch(&mut self) {
        let (aof, fsync) = if self.durable {
            ("yes", "always")
        } else {
            ("no", "everysec")
        };
        let child = Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--save",
                "",
                "--appendonly",
                aof,
                "--appendfsync",
                fsync,
                "--unixsocket",
            ])
            .arg(&self.socket)
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (apt-get install redis-server)");
        self.child = Some(child);
        for _ in 0..200 {
            if let Ok(mut c) = self.client().get_multiplexed_async_connection().await {
                if redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
                {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not start");
    }

    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.socket.display())
    }

    pub fn client(&self) -> redis::Client {
        redis::Client::open(self.url()).expect("url")
    }

    pub async fn conn(&self) -> redis::aio::MultiplexedConnection {
        self.client()
            .get_multiplexed_async_connection()
            .await
            .expect("redis connection")
    }

    /// Every key, sorted: for "nothing was written" checks.
    /// The calls of each command since the last [`TestRedis::reset_command_calls`].
    pub async fn command_calls(&self) -> std::collections::HashMap<String, u64> {
        chat_core::testing::command_calls(&mut self.conn().await).await
    }

    pub async fn reset_command_calls(&self) {
        chat_core::testing::reset_command_calls(&mut self.conn().await).await
    }

    pub async fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut self.conn().await)
            .await
            .unwrap();
        keys.sort();
        keys
    }

    /// A snapshot of every key and value, for "nothing changed" checks (leaving out the
    /// instances' heartbeats, which tick on their own).
    pub async fn dump(&self) -> Vec<(String, Vec<u8>)> {
        let mut conn = self.conn().await;
        let mut out = Vec::new();
        for k in self
            .keys()
            .await
            .into_iter()
            .filter(|k| k != "presence_servers")
        {
            let v: Vec<u8> = redis::cmd("DUMP")
                .arg(&k)
                .query_async(&mut conn)
                .await
                .unwrap();
            out.push((k, v));
        }
        out
    }

    pub async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        let _ = std::fs::remove_file(&self.socket);
        self.launch().await;
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A running app instance; stopped (gracefully) on `stop` or drop.
pub struct TestApp {
    pub port: u16,
    pub base: String,
    pub server_id: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn config_for(redis: &TestRedis) -> Config {
    let mut c = base_config();
    c.redis_url = Some(redis.url());
    c
}

/// An instance on the Redis Cluster whose seed nodes are `seeds`.
pub fn config_for_cluster(seeds: &str) -> Config {
    let mut c = base_config();
    c.redis_cluster_nodes = Some(seeds.to_owned());
    c
}

/// One data directory for every instance a test binary starts: uploads kept on the
/// filesystem are shared by the instances, as a shared volume would be.
static DATA_DIR: std::sync::LazyLock<PathBuf> =
    std::sync::LazyLock::new(|| tempfile::tempdir().expect("temp dir").keep());

pub fn data_dir() -> &'static Path {
    &DATA_DIR
}

fn base_config() -> Config {
    let mut c = Config::defaults();
    c.data_dir = DATA_DIR.clone();
    c.port = 0;
    c.host = "127.0.0.1".into();
    c.demo_data = Some(false);
    c.client_dir = PathBuf::from("/nonexistent");
    // Tests post as fast as they can; the limits have tests of their own.
    c.messages_per_sec = 0.0;
    c.typing_per_sec = 0.0;
    c.rooms_per_minute = 0;
    c.direct_rooms_per_minute = 0;
    c.joins_per_minute = 0;
    c.invites_per_minute = 0;
    c.registrations_per_hour = 0;
    c.max_sockets_per_user = 0;
    c
}

impl TestApp {
    pub async fn spawn(redis: &TestRedis) -> Self {
        Self::spawn_with(config_for(redis)).await
    }

    pub async fn spawn_with(config: Config) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
        }
        let app = Application::build(config).await.expect("app builds");
        let port = app.port();
        let server_id = app.server_id().to_owned();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        let this = Self {
            port,
            base: format!("http://127.0.0.1:{port}"),
            server_id,
            stop: Some(tx),
            task: Some(task),
        };
        this.wait_ready().await;
        this
    }

    /// An instance running in another process, at `port`.
    pub fn external(port: u16) -> Self {
        Self {
            port,
            base: format!("http://127.0.0.1:{port}"),
            server_id: String::new(),
            stop: None,
            task: None,
        }
    }

    /// One series' value as this instance's `/metrics` shows it (e.g.
    /// `redis_chat_recoveries_total{outcome="recovered"}`); panics if it is not exported.
    /// The instances of one test process share their metrics.
    pub async fn metric(&self, series: &str) -> f64 {
        let text = reqwest::get(format!("{}/metrics", self.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| {
                l.strip_prefix(series)?
                    .strip_prefix(' ')?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("/metrics has no {series}"))
    }

    pub async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = reqwest::get(format!("{}/readyz", self.base)).await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("app never became ready");
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("app task").expect("app stopped cleanly");
        }
    }

    pub fn http(&self) -> Http {
        Http {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
        }
    }

    /// Registers `name` (password "password123") and logs in.
    pub async fn user(&self, name: &str) -> User {
        let http = self.http();
        let r = http
            .post(
                "/api/auth/register",
                json!({"username": name, "password": "password123"}),
            )
            .await;
        assert_eq!(r.0, 201, "register {name}: {}", r.1);
        self.login(name).await
    }

    pub async fn login(&self, name: &str) -> User {
        let http = self.http();
        let r = http
            .post(
                "/api/auth/login",
                json!({"username": name, "password": "password123"}),
            )
            .await;
        assert_eq!(r.0, 200, "login {name}: {}", r.1);
        User {
            id: r.1["id"].as_str().unwrap().to_owned(),
            name: name.to_owned(),
            token: r.1["token"].as_str().unwrap().to_owned(),
            http,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// An HTTP client with a cookie jar, answering `(status, json body)`.
#[derive(Clone)]
pub struct Http {
    pub base: String,
    pub client: reqwest::Client,
}

async fn answer(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Http {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        answer(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        answer(
            self.client
                .post(format!("{}{path}", self.base))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Any method, with an optional JSON body.
    pub async fn request(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            r = r.json(&body);
        }
        answer(r.send().await.unwrap()).await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        answer(
            self.client
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

/// A signed-in user.
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub name: String,
    pub token: String,
    pub http: Http,
}

impl User {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.http.get(path).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.http.post(path, body).await
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.http.request(method, path, body).await
    }

    /// This user's HTTP client pointed at another instance (same session).
    pub fn on(&self, app: &TestApp) -> User {
        let client = reqwest::Client::builder()
            .default_headers({
                let mut h = reqwest::header::HeaderMap::new();
                h.insert(
                    "authorization",
                    format!("Bearer {}", self.token).parse().unwrap(),
                );
                h
            })
            .build()
            .unwrap();
        User {
            http: Http {
                base: app.base.clone(),
                client,
            },
            ..self.clone()
        }
    }

    /// Posts over REST; returns the message.
    pub async fn say(&self, room: &str, text: &str) -> Value {
        let r = self
            .post(
                &format!("/api/rooms/{room}/messages"),
                json!({"message": text}),
            )
            .await;
        assert_eq!(r.0, 201, "post to {room}: {}", r.1);
        r.1
    }

    pub async fn history(&self, room: &str, query: &str) -> (u16, Value) {
        self.get(&format!("/api/rooms/{room}/messages{query}"))
            .await
    }

    /// Uploads `bytes` as the file `name` (sent with the type `claimed`) to `room`.
    pub async fn upload(
        &self,
        room: &str,
        name: &str,
        bytes: Vec<u8>,
        claimed: &str,
    ) -> (u16, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(claimed)
            .unwrap();
        let r = self
            .http
            .client
            .post(format!("{}/api/rooms/{room}/uploads", self.http.base))
            .bearer_auth(&self.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    /// Creates a named room; returns its id.
    pub async fn create_room(&self, name: &str) -> String {
        let r = self.post("/api/rooms", json!({"name": name})).await;
        assert_eq!(r.0, 201, "create {name}: {}", r.1);
        r.1["id"].as_str().unwrap().to_owned()
    }

    pub async fn open_direct(&self, other: &User) -> String {
        let r = self
            .post("/api/rooms/direct", json!({"userId": other.id}))
            .await;
        assert_eq!(r.0, 200, "{}", r.1);
        r.1["id"].as_str().unwrap().to_owned()
    }

    /// The WebSocket upgrade request of this user for the instance on `port`.
    pub fn ws_request(&self, port: u16) -> tungstenite::handshake::client::Request {
        let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://127.0.0.1:{port}/ws"
        ))
        .unwrap();
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.token).parse().unwrap(),
        );
        req
    }

    /// Opens a WebSocket to `app` and waits for `ready`.
    pub async fn connect(&self, app: &TestApp) -> Socket {
        let (ws, _) = tokio_tungstenite::connect_async(self.ws_request(app.port))
            .await
            .expect("ws connects");
        let mut s = Socket {
            ws,
            user: self.name.clone(),
        };
        let ready = s.expect("ready").await;
        assert_eq!(ready["user"]["id"], self.id);
        s
    }
}

/// A WebSocket of one user.
pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub user: String,
}

impl Socket {
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(tungstenite::Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(tungstenite::Message::text(text.to_owned()))
            .await
            .unwrap();
    }

    /// Sends a protocol event, as a client builds it.
    pub async fn event(&mut self, event: ClientEvent) {
        self.send_text(&serde_json::to_string(&event).unwrap())
            .await;
    }

    pub async fn message(&mut self, room: &str, text: &str, client_id: &str) {
        self.event(ClientEvent::Message(SendMessage {
            room_id: room.to_owned(),
            message: text.to_owned(),
            client_id: Some(client_id.to_owned()),
            reply_to: None,
            attachments: Vec::new(),
        }))
        .await;
    }

    /// The next event (`{type, data}`), or `None` after `wait` of silence or on close.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Ok(Some(Ok(tungstenite::Message::Text(t)))) => {
                    return Some(serde_json::from_str(&t).unwrap())
                }
                Ok(Some(Ok(tungstenite::Message::Close(_))))
                | Ok(None)
                | Ok(Some(Err(_)))
                | Err(_) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Waits (up to 10 s) for an event of `kind`, skipping others; returns its data.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.expect_within(kind, Duration::from_secs(10)).await
    }

    pub async fn expect_within(&mut self, kind: &str, wait: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(e) if e["type"] == kind => return e["data"].clone(),
                Some(_) => continue,
                None => panic!("{}: no '{kind}' event", self.user),
            }
        }
    }

    /// Every event of `kind` received within `wait`.
    pub async fn collect(&mut self, kind: &str, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(e) = self.next_within(wait).await {
            if e["type"] == kind {
                out.push(e["data"].clone());
            }
        }
        out
    }

    /// The reason of the close frame the server sends within `wait` (events before it are
    /// skipped); `None` if the socket stays open or ends without a close frame.
    pub async fn close_reason_within(&mut self, wait: Duration) -> Option<String> {
        let closed = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(tungstenite::Message::Close(f))) => {
                        return f.map(|f| f.reason.to_string())
                    }
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        };
        tokio::time::timeout(wait, closed).await.ok().flatten()
    }

    /// The code of the close frame the server sends within `wait` (events before it are
    /// skipped); `None` if the socket stays open or ends without a close frame.
    pub async fn close_code_within(&mut self, wait: Duration) -> Option<u16> {
        let closed = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(tungstenite::Message::Close(f))) => {
                        return f.map(|f| u16::from(f.code))
                    }
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        };
        tokio::time::timeout(wait, closed).await.ok().flatten()
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
        while let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(2), self.ws.next()).await {
        }
    }
}

/// The texts of a list of messages (a history page's `messages`, or collected events).
pub fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Polls `f` until it returns true (up to `secs`).
pub async fn eventually<F, Fut>(secs: u64, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A port nobody listens on right now.
/// The files under `root` (recursively), as paths relative to it, sorted.
pub fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_redis-chat"))
}

/// Starts the server binary with `env` (and nothing inherited that could point it
/// elsewhere).
pub fn start_binary(env: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(bin());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOST", "127.0.0.1")
        .env("CLIENT_DIR", "/nonexistent")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the redis-chat binary starts")
}

/// Whether the instance on `port` answers `/readyz` with 200 within 20 s.
pub async fn binary_ready(port: u16) -> bool {
    eventually(20, || async move {
        reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await
}
