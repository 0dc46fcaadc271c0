//! Metrics: what `/metrics` exports, that the Grafana dashboard only asks for exported
//! metrics, and a real Prometheus scraping two real instances.

mod common;

use std::{
    collections::BTreeSet,
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::*;
use serde_json::Value;

fn dashboard() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/grafana/dashboards/redis-chat-overview.json"
    ))
    .unwrap();
    serde_json::from_str(&text).expect("the dashboard is JSON")
}

/// Every PromQL expression in the dashboard (panel targets and template queries).
fn expressions(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("expr" | "definition", Value::String(s)) => out.push(s.clone()),
                    _ => expressions(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| expressions(v, out)),
        _ => {}
    }
}

/// Metric names an expression uses: the identifiers outside strings, label matchers,
/// ranges and `by (...)` lists that are neither functions, aggregations nor keywords.
fn metric_names(expr: &str) -> BTreeSet<String> {
    const NOT_METRICS: &[&str] = &[
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "rate",
        "irate",
        "increase",
        "histogram_quantile",
        "label_values",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "and",
        "or",
        "unless",
        "offset",
        "bool",
        "topk",
        "bottomk",
        "abs",
        "clamp_min",
        "clamp_max",
        "vector",
        "scalar",
        "time",
        "delta",
        "deriv",
    ];
    // label_values(metric, label): the second argument is a label.
    let expr = match expr.strip_prefix("label_values(") {
        Some(rest) => rest.split(',').next().unwrap_or(""),
        None => expr,
    };
    let chars: Vec<char> = expr.chars().collect();
    let mut out = BTreeSet::new();
    let (mut i, mut depth_skip, mut skip_next_group) = (0, 0usize, false);
    let mut group_depth: Vec<bool> = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
            }
            '{' | '[' => depth_skip += 1,
            '}' | ']' => depth_skip = depth_skip.saturating_sub(1),
            '(' => {
                group_depth.push(skip_next_group);
                skip_next_group = false;
            }
            ')' => {
                group_depth.pop();
            }
            '$' => {
                while i + 1 < chars.len() && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
            }
            c if (c.is_ascii_alphabetic() || c == '_') && depth_skip == 0 => {
                let start = i;
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric()
                        || chars[i + 1] == '_'
                        || chars[i + 1] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..=i].iter().collect();
                if word == "by" || word == "without" {
                    skip_next_group = true;
                } else if !NOT_METRICS.contains(&word.as_str())
                    && !group_depth.iter().any(|skip| *skip)
                {
                    out.insert(word);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn exported(metrics_text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in metrics_text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
            names.insert(name.to_owned());
            if kind == "histogram" {
                for s in ["_bucket", "_sum", "_count"] {
                    names.insert(format!("{name}{s}"));
                }
            }
        }
    }
    names
}

#[tokio::test]
async fn metrics_follow_prometheus_conventions_and_the_dashboard_asks_only_for_exported_ones() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let mut ws = alice.connect(&app).await;
    ws.message("0", "hello metrics", "m1").await;
    ws.expect("ack").await;
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let names = exported(&text);
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let mut parts = line[7..].split_whitespace();
        let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "{name} has no help text"
        );
        if kind == "counter" {
            assert!(
                name.ends_with("_total"),
                "counter {name} should end in _total"
            );
        }
        assert!(!name.contains("milli"), "{name}: base units");
    }
    assert!(text.contains("redis_chat_messages_sent_total"));
    assert!(
        text.contains(
            r#"redis_chat_http_requests_total{method="POST",route="/api/auth/login",status="200"}"#
        ),
        "route templates as labels"
    );
    assert!(
        !text.contains(&format!("\"{}\"", alice.id)) || alice.id.len() > 3,
        "no user ids as label values"
    );

    let mut exprs = Vec::new();
    expressions(&dashboard(), &mut exprs);
    assert!(
        exprs.len() >= 20,
        "the dashboard has its panels: {}",
        exprs.len()
    );
    for expr in &exprs {
        let used = metric_names(expr);
        assert!(!used.is_empty(), "no metric found in {expr}");
        for m in used {
            assert!(
                names.contains(&m),
                "the dashboard queries '{m}', which the server does not export ({expr})"
            );
        }
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server(redis: &TestRedis, port: u16, id: &str) -> Killed {
    Killed(
        Command::new(bin())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("REDIS_URL", redis.url())
            .env("PORT", port.to_string())
            .env("SERVER_ID", id)
            .env("DEMO_DATA", "false")
            .env("CLIENT_DIR", "/nonexistent")
            .env("RUST_LOG", "warn")
            // One test user posts 20 messages a second here: metrics, not limits, are tested.
            .env("MESSAGES_PER_SEC", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

async fn prom_query(base: &str, expr: &str) -> Value {
    let r: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/query"))
        .query(&[("query", expr)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "success", "{expr}: {r}");
    r["data"]["result"].clone()
}

#[tokio::test]
async fn a_real_prometheus_scrapes_two_instances_and_the_dashboards_key_queries_return_data() {
    let prometheus =
        which("prometheus").expect("Debian's prometheus (scripts/ensure-deps.sh test installs it)");
    let redis = TestRedis::start().await;
    let (pa, pb) = (free_port(), free_port());
    let _a = server(&redis, pa, "app1");
    let _b = server(&redis, pb, "app2");
    let (a, b) = (TestApp::external(pa), TestApp::external(pb));
    a.wait_ready().await;
    b.wait_ready().await;

    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: redis-chat\n    static_configs:\n      - targets: ['127.0.0.1:{pa}', '127.0.0.1:{pb}']\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let _prom = Killed(
        Command::new(prometheus)
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        eventually(30, || async {
            let q = reqwest::Client::new()
                .get(format!("{base}/api/v1/query"))
                .query(&[("query", "sum(up)")])
                .send()
                .await;
            match q {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| {
                        v["data"]["result"][0]["value"][1]
                            .as_str()
                            .map(|s| s == "2")
                    })
                    .unwrap_or(false),
                Err(_) => false,
            }
        })
        .await,
        "Prometheus scrapes both instances"
    );

    // Traffic: users on both instances chatting for a few seconds.
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;
    let _ = a
        .http()
        .post(
            "/api/auth/login",
            serde_json::json!({"username": "alice", "password": "wrong-one"}),
        )
        .await;
    for round in 0..8 {
        for i in 0..10 {
            alice_ws
                .message("0", &format!("r{round} m{i}"), &format!("c{round}-{i}"))
                .await;
        }
        for _ in 0..10 {
            bob_ws.expect("message").await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(6)).await;

    let mut exprs = Vec::new();
    expressions(&dashboard(), &mut exprs);
    let key = [
        "redis_chat_ws_connections",
        "redis_chat_messages_sent_total",
        "redis_chat_messages_delivered_total",
        "redis_chat_delivery_latency_seconds_bucket",
        "redis_chat_http_requests_total",
        "redis_chat_http_request_duration_seconds_bucket",
        "redis_chat_redis_command_duration_seconds_bucket",
        "redis_chat_pubsub_envelopes_received_total",
        "redis_chat_logins_total",
        "process_resident_memory_bytes",
    ];
    let mut with_data = 0;
    for expr in exprs.iter().filter(|e| !e.starts_with("label_values")) {
        let q = expr
            .replace("$__rate_interval", "10s")
            .replace("$instance", ".*");
        let result = prom_query(&base, &q).await;
        let has_data = result.as_array().is_some_and(|r| !r.is_empty());
        if has_data {
            with_data += 1;
        }
        if key.iter().any(|k| metric_names(expr).contains(*k))
            && !expr.contains("status=~\"5..\"")
            && !expr.contains("slow_consumer")
            && !expr.contains("dropped")
        {
            assert!(has_data, "no data for the dashboard's query {q}");
        }
    }
    assert!(
        with_data >= 20,
        "{with_data} of {} queries returned data",
        exprs.len()
    );
    let per_instance = prom_query(&base, "sum by (instance) (redis_chat_ws_connections)").await;
    assert_eq!(
        per_instance.as_array().unwrap().len(),
        2,
        "both instances report sockets"
    );
    let delivered = prom_query(&base, "sum(redis_chat_messages_delivered_total)").await;
    let delivered: f64 = delivered[0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!(
        delivered >= 160.0,
        "80 messages to two sockets: {delivered}"
    );
}

fn which(name: &str) -> Option<String> {
    std::env::var("PATH")
        .ok()?
        .split(':')
        .map(|d| format!("{d}/{name}"))
        .find(|p| std::path::Path::new(p).is_file())
}

#[test]
fn the_dashboard_check_finds_metric_names_and_nothing_else() {
    let names = |e: &str| metric_names(e).into_iter().collect::<Vec<_>>();
    assert_eq!(
        names(
            r#"histogram_quantile(0.99, sum by (le, op) (rate(a_bucket{instance=~"$instance", x="y z"}[$__rate_interval])))"#
        ),
        ["a_bucket"]
    );
    assert_eq!(
        names("sum(rate(b_total[1m])) / sum(rate(c_total[1m]))"),
        ["b_total", "c_total"]
    );
    assert_eq!(names("label_values(d, instance)"), ["d"]);
    assert_eq!(names("sum by (instance) (e)"), ["e"]);
}
