//! Faults while messages flow: the pub/sub connection killed, Redis SIGKILLed and
//! restarted. What was acknowledged must be in history exactly once, in each sender's
//! order, and presence must come back.

mod common;

use std::{collections::HashMap, time::Duration};

use common::*;
use serde_json::Value;

const SENDERS: usize = 4;
const PER_SENDER: usize = 60;

/// Sends `PER_SENDER` messages to General, one at a time, each until acknowledged: on an
/// error, a silent socket or a closed one it reconnects and sends the same `clientId`
/// again. Returns the acknowledged messages in order.
async fn sender(user: User, app: TestApp, k: usize) -> Vec<Value> {
    sender_to(user, vec![app.port], k).await
}

/// As [`sender`], over the instances on `ports`: after a failure it reconnects to the
/// first that takes the socket (the next one when its own instance is gone).
async fn sender_to(user: User, ports: Vec<u16>, k: usize) -> Vec<Value> {
    let mut acked = Vec::new();
    let mut ws = connect_any(&user, &ports).await;
    for i in 0..PER_SENDER {
        let (client_id, text) = (format!("s{k}-{i}"), format!("s{k} {i}"));
        loop {
            ws.message("0", &text, &client_id).await;
            match ack_for(&mut ws, &client_id).await {
                Some(m) => {
                    acked.push(m);
                    break;
                }
                None => {
                    eprintln!("sender {k}: no ack for {client_id}; reconnecting");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    ws = connect_any(&user, &ports).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    acked
}

/// The `ack` for `client_id`, or `None` on an error for it, silence or a closed socket.
async fn ack_for(ws: &mut Socket, client_id: &str) -> Option<Value> {
    loop {
        let e = ws.next_within(Duration::from_secs(5)).await?;
        if e["data"]["clientId"] == client_id {
            return (e["type"] == "ack").then(|| e["data"]["message"].clone());
        }
    }
}

/// Opens a socket, retrying while the instance refuses (503 while it resubscribes).
/// Closes every pub/sub connection on Redis (as a Redis failover or a proxy would);
/// returns how many were closed.
async fn kill_subscriptions(redis: &TestRedis) -> i64 {
    chat_core::redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap()
}

async fn connect_patiently(user: &User, app: &TestApp) -> Socket {
    connect_any(user, &[app.port]).await
}

/// Opens a socket to the first of `ports` that takes it, retrying for a while.
async fn connect_any(user: &User, ports: &[u16]) -> Socket {
    for attempt in 0..300 {
        let port = ports[attempt % ports.len()];
        if let Ok((ws, _)) = tokio_tungstenite::connect_async(user.ws_request(port)).await {
            let mut s = Socket {
                ws,
                user: user.name.clone(),
            };
            if let Some(e) = s.next_within(Duration::from_secs(5)).await {
                if e["type"] == "ready" && e["data"]["user"]["id"] == user.id {
                    return s;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} could not reconnect", user.name);
}

/// Every message of General, oldest first, by paging back with `before`.
async fn whole_history(user: &User) -> Vec<Value> {
    let mut all = Vec::new();
    let mut query = "?limit=100".to_owned();
    loop {
        let (status, page) = user.history("0", &query).await;
        assert_eq!(status, 200, "{page}");
        let mut msgs = page["messages"].as_array().unwrap().clone();
        msgs.append(&mut all);
        all = msgs;
        match page["before"].as_str() {
            Some(c) => query = format!("?limit=100&before={c}"),
            None => return all,
        }
    }
}

#[tokio::test]
async fn acknowledged_messages_survive_a_killed_subscription_and_a_killed_redis() {
    let mut redis = TestRedis::start_durable().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let mut users = Vec::new();
    for k in 0..SENDERS {
        users.push(a.user(&format!("sender{k}")).await);
    }
    let reader = a.user("reader").await;
    let mut tasks = Vec::new();
    for (k, u) in users.iter().enumerate() {
        let app = if k % 2 == 0 { &a } else { &b };
        let app = TestApp::external(app.port);
        tasks.push(tokio::spawn(sender(u.clone(), app, k)));
    }

    tokio::time::sleep(Duration::from_millis(600)).await;
    let killed = kill_subscriptions(&redis).await;
    assert!(killed >= 2, "both instances' subscriptions");
    tokio::time::sleep(Duration::from_millis(800)).await;
    redis.stop().await; // SIGKILL
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.restart().await;

    let mut acked: HashMap<usize, Vec<Value>> = HashMap::new();
    for (k, t) in tasks.into_iter().enumerate() {
        acked.insert(
            k,
            tokio::time::timeout(Duration::from_secs(120), t)
                .await
                .expect("senders finish")
                .unwrap(),
        );
    }
    a.wait_ready().await;
    b.wait_ready().await;

    let history = whole_history(&reader.on(&b)).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &history {
        *seen
            .entry(m["message"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for (k, msgs) in &acked {
        assert_eq!(msgs.len(), PER_SENDER);
        for (i, m) in msgs.iter().enumerate() {
            let text = format!("s{k} {i}");
            assert_eq!(m["message"], text.as_str());
            assert_eq!(
                seen.get(&text),
                Some(&1),
                "'{text}' acknowledged, stored once"
            );
            assert!(
                history.iter().any(|h| h["id"] == m["id"]),
                "'{text}' is in history as acknowledged"
            );
        }
        let dates: Vec<f64> = msgs.iter().map(|m| m["date"].as_f64().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]), "sender {k}'s order");
    }
    assert_eq!(history.len(), SENDERS * PER_SENDER, "nothing else stored");

    // Presence comes back: a socket on each instance shows its user online.
    let _on_a = reader.connect(&a).await;
    let watcher = users[1].on(&b);
    let _on_b = connect_patiently(&users[1], &b).await;
    assert!(
        eventually(30, || async {
            let online = watcher.get("/api/users/online").await.1;
            let ids: Vec<&str> = online
                .as_array()
                .map(|a| a.iter().filter_map(|u| u["id"].as_str()).collect())
                .unwrap_or_default();
            ids.contains(&reader.id.as_str()) && ids.contains(&users[1].id.as_str())
        })
        .await,
        "presence is right again"
    );
}

#[tokio::test]
async fn an_instance_cleared_by_a_peer_restores_its_users() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let _ws = alice.connect(&app).await;
    let mut conn = redis.conn().await;
    let online = |conn: &chat_core::redis::aio::MultiplexedConnection| {
        let mut conn = conn.clone();
        async move {
            chat_core::redis::cmd("SMEMBERS")
                .arg("online_users")
                .query_async::<Vec<String>>(&mut conn)
                .await
                .unwrap()
        }
    };
    assert!(eventually(10, || async { online(&conn).await.contains(&alice.id) }).await);
    // A peer whose clock ran ahead took this instance for dead and cleared it.
    let _: () = chat_core::redis::pipe()
        .cmd("ZREM")
        .arg("presence_servers")
        .arg(&app.server_id)
        .ignore()
        .cmd("DEL")
        .arg(format!("user:{}:connections", alice.id))
        .arg(format!("server:{}:users", app.server_id))
        .ignore()
        .cmd("SREM")
        .arg("online_users")
        .arg(&alice.id)
        .ignore()
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        eventually(20, || async { online(&conn).await.contains(&alice.id) }).await,
        "the instance put its user back"
    );
    let count: Option<u64> = chat_core::redis::cmd("HGET")
        .arg(format!("user:{}:connections", alice.id))
        .arg(&app.server_id)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, Some(1));
}

#[tokio::test]
async fn a_second_process_cannot_take_a_live_instances_server_id() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.server_id = Some("twin".into());
    let _first = TestApp::spawn_with(config.clone()).await;
    let second = redis_chat::Application::build(config)
        .await
        .expect("builds: Redis is prepared when it runs");
    let ran = tokio::time::timeout(
        Duration::from_secs(60),
        second.run_until_stopped(std::future::pending()),
    )
    .await
    .expect("the second instance stops by itself");
    let err = ran.expect_err("the second start is refused").to_string();
    assert!(err.contains("in use"), "{err}");
}

#[tokio::test]
async fn acknowledged_messages_survive_an_instance_killed_mid_traffic() {
    let redis = TestRedis::start_durable().await;
    let survivor = TestApp::spawn(&redis).await;
    let port = free_port();
    let mut victim = start_binary(&[
        ("PORT", port.to_string()),
        ("REDIS_URL", redis.url()),
        ("DEMO_DATA", "false".into()),
        ("MESSAGES_PER_SEC", "0".into()),
    ]);
    assert!(binary_ready(port).await);
    let reader = survivor.user("reader").await;
    let mut live = reader.connect(&survivor).await;
    let mut users = Vec::new();
    for k in 0..3 {
        users.push(survivor.user(&format!("sender{k}")).await);
    }
    let mut tasks = Vec::new();
    for (k, u) in users.iter().enumerate() {
        // Two senders on the doomed instance (falling back to the survivor), one on the
        // survivor.
        let ports = if k < 2 {
            vec![port, survivor.port]
        } else {
            vec![survivor.port]
        };
        tasks.push(tokio::spawn(sender_to(u.clone(), ports, k)));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    victim.kill().unwrap();
    victim.wait().unwrap();

    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(
            tokio::time::timeout(Duration::from_secs(120), t)
                .await
                .expect("senders finish")
                .unwrap(),
        );
    }
    let history = whole_history(&reader).await;
    for m in &acked {
        let copies = history.iter().filter(|h| h["id"] == m["id"]).count();
        assert_eq!(copies, 1, "{m} acknowledged, stored once");
    }
    assert_eq!(history.len(), acked.len(), "nothing else stored");
    // The reader, on the survivor throughout, saw every acknowledged message live.
    let mut seen = std::collections::HashSet::new();
    while seen.len() < acked.len() {
        let Some(e) = live.next_within(Duration::from_secs(10)).await else {
            break;
        };
        if e["type"] == "message" {
            seen.insert(e["data"]["id"].as_str().unwrap().to_owned());
        }
    }
    for m in &acked {
        assert!(
            seen.contains(m["id"].as_str().unwrap()),
            "{m} reached the reader"
        );
    }
    // The survivor clears what the dead instance held.
    let mut conn = redis.conn().await;
    assert!(
        eventually(40, || {
            let mut conn = conn.clone();
            async move {
                let servers: Vec<String> = chat_core::redis::cmd("ZRANGE")
                    .arg("presence_servers")
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                servers.len() == 1
            }
        })
        .await,
        "the dead instance is swept"
    );
    let online: Vec<String> = chat_core::redis::cmd("SMEMBERS")
        .arg("online_users")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(online.contains(&reader.id));
}

/// Whether a login of `name` on `port` answers 200 within `wait` (a fresh client each time).
async fn logs_in_within(port: u16, name: &str, wait: Duration) -> bool {
    let client = reqwest::Client::builder().timeout(wait).build().unwrap();
    client
        .post(format!("http://127.0.0.1:{port}/api/auth/login"))
        .json(&serde_json::json!({"username": name, "password": "password123"}))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
}

/// Issue 20, item 8: an instance SIGKILLed and restarted with its `SERVER_ID`, Redis
/// killed while that instance starts and restarted on its append-only file, then every
/// subscription killed, all while eight senders post. Nothing acknowledged is lost or
/// stored twice, the restarted instance comes back (it used to exit: "resetting presence:
/// broken pipe"), and both instances answer logins within seconds (the other one used to
/// wait a minute or two: its Redis connection slept 60–120 s between reconnect attempts
/// while every command waited on it).
#[tokio::test]
async fn after_a_redis_restart_every_instance_answers_and_a_killed_one_returns() {
    let mut redis = TestRedis::start_durable().await;
    let b = TestApp::spawn(&redis).await;
    let port = free_port();
    let env = [
        ("PORT", port.to_string()),
        ("REDIS_URL", redis.url()),
        ("DEMO_DATA", "false".into()),
        ("MESSAGES_PER_SEC", "0".into()),
        ("SERVER_ID", "fault-a".into()),
    ];
    let mut a = start_binary(&env);
    assert!(binary_ready(port).await);
    let reader = b.user("reader").await;
    let mut tasks = Vec::new();
    for k in 0..8 {
        let u = b.user(&format!("sender{k}")).await;
        let ports = if k % 2 == 0 {
            vec![port, b.port]
        } else {
            vec![b.port, port]
        };
        tasks.push(tokio::spawn(sender_to(u, ports, k)));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.kill().unwrap();
    a.wait().unwrap();
    // Restarted at once: its claim on "fault-a" has up to 15 s to lapse, and Redis goes
    // away while it waits.
    let mut a = start_binary(&env);
    tokio::time::sleep(Duration::from_secs(1)).await;
    redis.stop().await; // SIGKILL
    tokio::time::sleep(Duration::from_secs(4)).await;
    redis.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    kill_subscriptions(&redis).await;

    assert!(
        eventually(10, || async {
            logs_in_within(b.port, "reader", Duration::from_secs(3)).await
        })
        .await,
        "the instance that stayed up answers a login within seconds of Redis's return"
    );
    assert!(
        binary_ready(port).await,
        "the restarted instance comes back: {:?}",
        a.try_wait()
    );
    assert!(a.try_wait().unwrap().is_none(), "and keeps running");
    assert!(logs_in_within(port, "reader", Duration::from_secs(10)).await);
    assert!(logs_in_within(b.port, "reader", Duration::from_secs(10)).await);

    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(
            tokio::time::timeout(Duration::from_secs(120), t)
                .await
                .expect("senders finish")
                .unwrap(),
        );
    }
    let history = whole_history(&reader.on(&b)).await;
    for m in &acked {
        let copies = history.iter().filter(|h| h["id"] == m["id"]).count();
        assert_eq!(copies, 1, "{m} acknowledged, stored once");
    }
    assert_eq!(history.len(), acked.len(), "nothing else stored");
    a.kill().unwrap();
    a.wait().unwrap();
}

/// Issue 20, item 8: started while Redis is absent, an instance keeps running and says it
/// is not ready; once Redis answers it gets ready by itself (it used to exit after 10 s).
#[tokio::test]
async fn an_instance_started_before_redis_waits_for_it() {
    let mut redis = TestRedis::start().await;
    redis.stop().await;
    let _ = std::fs::remove_file(&redis.socket);
    let port = free_port();
    let mut app = start_binary(&[
        ("PORT", port.to_string()),
        ("REDIS_URL", redis.url()),
        ("DEMO_DATA", "false".into()),
    ]);
    let client = reqwest::Client::new();
    let answered = eventually(10, || async {
        client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 503)
    })
    .await;
    assert!(answered, "/readyz answers 503 while Redis is absent");
    let (status, body) = answer_of(
        client
            .post(format!("http://127.0.0.1:{port}/api/auth/login"))
            .json(&serde_json::json!({"username": "nobody", "password": "password123"})),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "starting");
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert!(app.try_wait().unwrap().is_none(), "still running");
    redis.restart().await;
    assert!(binary_ready(port).await, "ready once Redis answers");
    let app_ = TestApp::external(port);
    let alice = app_.user("alice").await;
    assert_eq!(alice.get("/api/rooms").await.0, 200);
    app.kill().unwrap();
    app.wait().unwrap();
}

async fn answer_of(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
