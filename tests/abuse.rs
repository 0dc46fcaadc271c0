//! What one hostile or broken client can do to an instance, and what it cannot.

mod common;

use common::*;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite;

/// The kernel's state of the server's end of the TCP connection to `client_port`
/// (`/proc/net/tcp`, hex: `01` = established), or `None` once the socket is gone.
fn server_side_state(server_port: u16, client_port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
        (port(f.get(1)?)? == server_port && port(f.get(2)?)? == client_port)
            .then(|| f.get(3).map(|s| s.to_string()))
            .flatten()
    })
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_closed_and_its_connection_ended() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.ws_queue = 8;
    let app = TestApp::spawn_with(config).await;
    let reader = app.user("reader").await;
    let talker = app.user("talker").await;

    // The reader's socket: a tiny receive buffer, and nobody reads it after `ready`.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket
        .connect(format!("127.0.0.1:{}", app.port).parse().unwrap())
        .await
        .unwrap();
    let client_port = stream.local_addr().unwrap().port();
    let (stalled, _) = tokio_tungstenite::client_async(reader.ws_request(app.port), stream)
        .await
        .unwrap();
    assert_eq!(
        server_side_state(app.port, client_port).as_deref(),
        Some("01")
    );

    // The talker floods General (and reads everything it is sent, like a healthy client).
    let talking = talker.connect(&app).await;
    let (mut out, mut inbound) = talking.ws.split();
    let drain = tokio::spawn(async move { while inbound.next().await.is_some() {} });
    let text = "x".repeat(4000);
    for i in 0..1500 {
        let frame = ClientEvent::Message(SendMessage {
            room_id: "0".into(),
            message: text.clone(),
            client_id: Some(format!("f{i}")),
            reply_to: None,
            attachments: Vec::new(),
        });
        out.send(tungstenite::Message::text(
            serde_json::to_string(&frame).unwrap(),
        ))
        .await
        .unwrap();
    }
    assert!(
        eventually(40, || async {
            server_side_state(app.port, client_port).as_deref() != Some("01")
        })
        .await,
        "the server still holds the stalled connection open"
    );
    // The instance carries on for everyone else.
    let mut fresh = reader.connect(&app).await;
    talker.say("0", "still here").await;
    while fresh.expect("message").await["message"] != "still here" {}
    drop(stalled);
    drain.abort();
}

#[tokio::test]
async fn one_user_cannot_flood_a_room_over_the_websocket_or_rest() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    // One token every 4 s: the ten frames below are answered well within that on any
    // machine, so exactly the burst goes through.
    config.messages_per_sec = 0.25;
    config.message_burst = 3;
    let app = TestApp::spawn_with(config).await;
    let flooder = app.user("flooder").await;
    let other = app.user("other").await;
    let mut ws = flooder.connect(&app).await;
    for i in 0..10 {
        ws.message("0", &format!("flood {i}"), &format!("f{i}"))
            .await;
    }
    let (mut acks, mut refused) = (0, Vec::new());
    while acks + refused.len() < 10 {
        let e = ws
            .next_within(Duration::from_secs(10))
            .await
            .expect("an answer per message");
        match e["type"].as_str() {
            Some("ack") => acks += 1,
            Some("error") => refused.push(e["data"].clone()),
            _ => {}
        }
    }
    assert_eq!(acks, 3, "the burst goes through");
    for r in &refused {
        assert_eq!(r["error"], "rate_limited", "{r}");
        assert!(r["clientId"].as_str().unwrap().starts_with('f'), "{r}");
        assert!(r["retryAfterMs"].as_u64().unwrap() > 0, "{r}");
    }
    assert_eq!(
        redis.messages_in("0").await,
        3,
        "refused messages are not stored"
    );

    let rest = flooder
        .http
        .client
        .post(format!("{}/api/rooms/0/messages", app.base))
        .json(&json!({"message": "over rest"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 429);
    let retry: u64 = rest.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(
        rest.json::<serde_json::Value>().await.unwrap()["error"],
        "rate_limited"
    );

    // Someone else is not held back by the flooder, and the flooder may post again later.
    other.say("0", "unaffected").await;
    let wait = refused.last().unwrap()["retryAfterMs"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(wait + 50)).await;
    ws.message("0", "later", "f-later").await;
    assert_eq!(ws.expect("ack").await["message"]["message"], "later");
    assert_eq!(redis.messages_in("0").await, 5);
}

#[tokio::test]
async fn rooms_and_sockets_per_user_are_capped() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.rooms_per_minute = 2;
    config.direct_rooms_per_minute = 1;
    config.max_sockets_per_user = 2;
    let app = TestApp::spawn_with(config).await;
    let alice = app.user("alice").await;
    let (bob, carol) = (app.user("bob").await, app.user("carol").await);
    for name in ["one", "two"] {
        assert_eq!(alice.post("/api/rooms", json!({"name": name})).await.0, 201);
    }
    let third = alice.post("/api/rooms", json!({"name": "three"})).await;
    assert_eq!(
        (third.0, third.1["error"].clone()),
        (429, json!("rate_limited"))
    );
    alice.open_direct(&bob).await;
    assert_eq!(
        alice
            .post("/api/rooms/direct", json!({"userId": carol.id}))
            .await
            .0,
        429
    );
    let keys = redis.keys().await;
    assert!(
        !keys.iter().any(|k| k.starts_with("room_name:three")),
        "{keys:?}"
    );

    let _tab1 = alice.connect(&app).await;
    let _tab2 = alice.connect(&app).await;
    match tokio_tungstenite::connect_async(alice.ws_request(app.port)).await {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status(), 429),
        other => panic!("a third socket opened: {:?}", other.map(|_| ())),
    }
    let _bob_tab = bob.connect(&app).await;
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_head_works() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let http = reqwest::Client::new();
    for path in ["/", "/api/rooms", "/docs", "/healthz", "/api/nope"] {
        let r = http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        if path == "/docs" {
            assert!(csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        } else {
            assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        }
    }
    let head = http.head(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.bytes().await.unwrap().is_empty(), "HEAD has no body");
    assert_eq!(
        http.head(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_history_cursor_cannot_ask_redis_to_walk_a_million_entries() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    alice.say("0", "hello").await;
    assert_eq!(alice.history("0", "?before=1700000000~10000").await.0, 200);
    let far = alice.history("0", "?before=1700000000~1000000").await;
    assert_eq!(
        (far.0, far.1["error"].clone()),
        (400, json!("invalid_cursor"))
    );
}

/// A frame that is not a valid client event, of one of many shapes.
fn hostile_frame(rng: &mut rand::rngs::StdRng) -> tungstenite::Message {
    use rand::Rng;
    use serde_json::Value;
    fn text(rng: &mut rand::rngs::StdRng) -> String {
        let n = rng.random_range(0..64);
        (0..n)
            .map(|_| char::from_u32(rng.random_range(0..0x3000)).unwrap_or('?'))
            .collect()
    }
    let bad_room = |rng: &mut rand::rngs::StdRng| -> Value {
        let choices = [
            json!(""),
            json!("0:0"),
            json!("x"),
            json!("1:1"),
            json!("-1"),
            json!(" 0"),
            json!("0 "),
            json!("99999999999999999999"),
            json!(1.5),
            json!(-3),
            json!(null),
            json!([]),
            json!({"id": "0"}),
            json!(true),
            json!("\u{202e}0"),
        ];
        choices[rng.random_range(0..choices.len())].clone()
    };
    let kinds = [
        "message", "typing", "read", "ack", "ready", "MESSAGE", "", "\u{0}", "typing ",
    ];
    match rng.random_range(0..10) {
        // Not JSON at all.
        0 => tungstenite::Message::text(format!("{{{}", text(rng))),
        // Valid JSON that is not an event.
        1 => tungstenite::Message::text(
            [json!(1), json!("message"), json!([1, 2]), json!(null), json!({"type": 5})]
                [rng.random_range(0..5)]
            .to_string(),
        ),
        // Deep nesting.
        2 => {
            let depth = rng.random_range(100..3000);
            tungstenite::Message::text(format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
        }
        // Over the frame limit.
        3 => tungstenite::Message::text(
            json!({"type": "message", "data": {"roomId": "0", "message": "z".repeat(rng.random_range(16_400..60_000))}})
                .to_string(),
        ),
        // Binary.
        4 => tungstenite::Message::binary(
            (0..rng.random_range(0..256)).map(|_| rng.random::<u8>()).collect::<Vec<u8>>(),
        ),
        // A known or unknown type with a room id that is not one.
        5..=7 => tungstenite::Message::text(
            json!({
                "type": kinds[rng.random_range(0..kinds.len())],
                "data": {"roomId": bad_room(rng), "message": text(rng), "date": 1, "clientId": "c"}
            })
            .to_string(),
        ),
        // Fields of the wrong type or missing.
        8 => tungstenite::Message::text(
            json!({"type": "message", "data": {"roomId": "0", "message": [text(rng)]}}).to_string(),
        ),
        // A valid room, but no text worth storing or a bad clientId.
        _ => {
            let blank = [" ", "\n\t", "", "\u{3000}"][rng.random_range(0..4)];
            tungstenite::Message::text(
                json!({"type": "message", "data": {"roomId": "0", "message": blank, "clientId": text(rng)}})
                    .to_string(),
            )
        }
    }
}

#[tokio::test]
async fn thousands_of_hostile_frames_each_get_an_error_and_change_nothing() {
    use rand::SeedableRng;
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let mut ws = alice.connect(&app).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let snapshot = |dump: Vec<(String, Vec<u8>)>| {
        // Heartbeats move on their own.
        dump.into_iter()
            .filter(|(k, _)| !k.starts_with("presence"))
            .collect::<Vec<_>>()
    };
    let before = snapshot(redis.dump().await);
    let seed: u64 = rand::random();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for _ in 0..30 {
        let batch: Vec<_> = (0..100).map(|_| hostile_frame(&mut rng)).collect();
        for frame in batch {
            ws.ws.send(frame).await.unwrap();
        }
        let mut answered = 0;
        while answered < 100 {
            let Some(e) = ws.next_within(Duration::from_secs(10)).await else {
                panic!("seed {seed}: frame {answered} of a batch got no answer");
            };
            if e["type"] == "user.connected" {
                continue; // presence, not an answer
            }
            assert_eq!(e["type"], "error", "seed {seed}: {e}");
            assert!(e["data"]["message"].as_str().is_some_and(|m| !m.is_empty()));
            answered += 1;
        }
    }
    assert_eq!(
        snapshot(redis.dump().await),
        before,
        "seed {seed}: a hostile frame changed Redis"
    );
    assert_eq!(app.http().get("/readyz").await.0, 200);
    ws.message("0", "still fine", "ok-1").await;
    assert_eq!(ws.expect("ack").await["message"]["message"], "still fine");
}

#[tokio::test]
async fn a_socket_closes_when_its_session_expires_or_is_deleted() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.session_sweep_secs = 1;
    let app = TestApp::spawn_with(config).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut alice_ws = alice.connect(&app).await;
    let mut bob_ws = bob.connect(&app).await;
    // Alice's session goes as an expiry would take it: the key is gone, no logout event.
    let sessions: Vec<String> = redis
        .keys()
        .await
        .into_iter()
        .filter(|k| k.starts_with("session:"))
        .collect();
    let mut conn = redis.conn().await;
    let mut alice_key = None;
    for k in &sessions {
        let v: String = chat_core::redis::cmd("GET")
            .arg(k)
            .query_async(&mut conn)
            .await
            .unwrap();
        if v.starts_with(&format!("{}:", alice.id)) {
            alice_key = Some(k.clone());
        }
    }
    let _: () = chat_core::redis::cmd("DEL")
        .arg(alice_key.expect("alice's session"))
        .query_async(&mut conn)
        .await
        .unwrap();
    let closed = async {
        loop {
            match alice_ws.ws.next().await {
                Some(Ok(tungstenite::Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code))
                }
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    };
    let code = tokio::time::timeout(Duration::from_secs(20), closed)
        .await
        .expect("the socket closes");
    assert_eq!(code, Some(1008), "closed as signed out");
    bob.say("0", "bob stays").await;
    while bob_ws.expect("message").await["message"] != "bob stays" {}
}

#[tokio::test]
async fn names_cannot_pose_as_others() {
    let redis = TestRedis::start().await;
    // An account written before name claims existed (or by the seed's server).
    let _: () = chat_core::redis::cmd("SET")
        .arg("username:Mary")
        .arg("user:900")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    let app = TestApp::spawn(&redis).await;
    let http = app.http();
    let joe = app.user("Joe").await;
    for taken in ["joe", "JOE", "mary"] {
        let r = http
            .post(
                "/api/auth/register",
                json!({"username": taken, "password": "password123"}),
            )
            .await;
        assert_eq!(
            (r.0, r.1["error"].clone()),
            (409, json!("username_taken")),
            "{taken}"
        );
    }
    assert!(!redis.keys().await.iter().any(|k| k == "username:joe"));
    for name in ["general", " GENERAL "] {
        let r = joe.post("/api/rooms", json!({"name": name})).await;
        assert_eq!(r.0, 409, "{name}: {}", r.1);
    }
    for name in [
        "adm\u{202e}nimda",
        "a\u{200b}b",
        "\u{2066}x\u{2069}",
        "\u{feff}ops",
    ] {
        let r = joe.post("/api/rooms", json!({"name": name})).await;
        assert_eq!(
            (r.0, r.1["error"].clone()),
            (400, json!("invalid_name")),
            "{name:?}"
        );
    }
    assert_eq!(
        joe.post("/api/rooms", json!({"name": "Café ☕"})).await.0,
        201
    );
}

/// Trickles an endless request's headers into `conn`, a byte every 200 ms; true when the
/// server cut the connection within 15 s.
async fn cut_off_while_trickling(conn: &mut tokio::net::TcpStream) -> bool {
    trickle_after(conn, b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await
}

/// Sends `head` at once, then `bytes` (over and over) one every 200 ms; true once the
/// server has closed the connection, false if it still takes bytes after 15 s.
async fn trickle_after(conn: &mut tokio::net::TcpStream, head: &[u8], bytes: &[u8]) -> bool {
    use tokio::io::AsyncWriteExt;
    if conn.write_all(head).await.is_err() {
        return true;
    }
    let trickle = async {
        for b in bytes.iter().cycle() {
            if conn.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(15), trickle)
        .await
        .is_ok()
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    use tokio::io::AsyncReadExt;
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.header_timeout_secs = 2;
    let app = TestApp::spawn_with(config).await;
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    assert!(
        cut_off_while_trickling(&mut slow).await,
        "the server kept reading a request that never ends"
    );
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    // A well-behaved client on a fresh connection is served.
    assert_eq!(app.http().get("/healthz").await.0, 200);
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_cut_off() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.body_timeout_secs = 2;
    let app = TestApp::spawn_with(config).await;
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let head = b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    assert!(
        trickle_after(&mut slow, head, b"{\"username\": \"x\"     ").await,
        "the server kept reading a body that never ends"
    );
    assert_eq!(app.http().get("/healthz").await.0, 200);
}

#[tokio::test]
async fn http2_in_cleartext_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let mut h2 = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), h2.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the connection was closed, not served");
    assert!(answer.is_empty(), "nothing served: {answer:?}");
}

#[tokio::test]
async fn rooms_keep_their_newest_messages_and_history_says_where_it_ends() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.room_max_messages = 5;
    let app = TestApp::spawn_with(config).await;
    let alice = app.user("alice").await;
    let mut ws = alice.connect(&app).await;
    let mut acks = Vec::new();
    for i in 0..8 {
        ws.message("0", &format!("m{i}"), &format!("keep-{i}"))
            .await;
        acks.push(ws.expect("ack").await["message"].clone());
    }
    assert_eq!(redis.messages_in("0").await, 5);
    let (status, page) = alice.history("0", "").await;
    assert_eq!(status, 200);
    assert_eq!(
        texts(page["messages"].as_array().unwrap()),
        ["m3", "m4", "m5", "m6", "m7"]
    );
    assert!(page["before"].is_null());
    assert_eq!(
        page["trimmedBefore"], acks[2]["date"],
        "older than m3 was removed"
    );

    // A retry of a trimmed message is still recognised: same id, nothing stored.
    ws.message("0", "m0", "keep-0").await;
    let again = ws.expect("ack").await;
    assert_eq!(again["message"]["id"], acks[0]["id"]);
    assert_eq!(redis.messages_in("0").await, 5);
    // A retry of a kept one returns it as stored.
    ws.message("0", "m6", "keep-6").await;
    assert_eq!(ws.expect("ack").await["message"], acks[6]);

    // What de-duplication keeps is the date and id, not a second copy of the message.
    let remembered: String = chat_core::redis::cmd("GET")
        .arg(format!("sent:{{room:0}}:{}:keep-7", alice.id))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(
        remembered,
        format!(
            "{:.3} {}",
            acks[7]["date"].as_f64().unwrap(),
            acks[7]["id"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn room_discovery_does_not_read_every_rooms_name_on_every_call() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let owner = app.user("owner").await;
    let seeker = app.user("seeker").await;
    for i in 0..30 {
        assert_eq!(
            owner
                .post("/api/rooms", json!({"name": format!("topic {i}")}))
                .await
                .0,
            201
        );
    }
    let mut conn = redis.conn().await;
    let _: () = chat_core::redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(&mut conn)
        .await
        .unwrap();
    for q in ["topic", "topic 1", "nothing"] {
        let (status, page) = seeker.get(&format!("/api/rooms/discover?q={q}")).await;
        assert_eq!(status, 200, "{page}");
    }
    let found = seeker.get("/api/rooms/discover?q=topic%202").await.1;
    assert_eq!(found["rooms"][0]["name"], "topic 2");
    let stats: String = chat_core::redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut conn)
        .await
        .unwrap();
    let gets: u64 = stats
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_get:calls="))
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        gets <= 30,
        "four searches read {gets} names: the directory is read once"
    );
}

#[tokio::test]
async fn a_client_id_with_a_colon_cannot_collide_with_another_rooms() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let mut users = Vec::new();
    for i in 1..=5 {
        users.push(app.user(&format!("user{i}")).await);
    }
    let (first, fifth) = (&users[0], &users[4]);
    assert_eq!((first.id.as_str(), fifth.id.as_str()), ("1", "5"));
    let named = fifth.create_room("one").await;
    assert_eq!(named, "1");
    let direct = fifth.open_direct(first).await;
    assert_eq!(direct, "1:5");
    // Before, both were remembered under `user:5:sent:1:5:x`: the second message was
    // acknowledged as the first and never stored.
    let mut ws = fifth.connect(&app).await;
    ws.message("1", "to the named room", "5:x").await;
    let a = ws.expect("ack").await;
    ws.message("1:5", "to alice directly", "x").await;
    let b = ws.expect("ack").await;
    assert_ne!(a["message"]["id"], b["message"]["id"]);
    assert_eq!(b["message"]["message"], "to alice directly");
    assert_eq!(redis.messages_in("1:5").await, 1);
    assert_eq!(redis.messages_in("1").await, 1);
}

#[tokio::test]
async fn a_kept_alive_connection_that_trickles_its_next_request_is_cut_off_but_websockets_live_on()
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.header_timeout_secs = 2;
    let app = TestApp::spawn_with(config).await;
    let alice = app.user("alice").await;
    let mut ws = alice.connect(&app).await;

    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 512];
    let n = conn.read(&mut first).await.unwrap();
    assert!(
        first[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&first[..n])
    );
    assert!(
        cut_off_while_trickling(&mut conn).await,
        "the server kept reading a second request that never ends"
    );
    // The WebSocket opened before has lived past the header deadline and still works.
    ws.message("0", "still open", "w-1").await;
    assert_eq!(ws.expect("ack").await["message"]["message"], "still open");
}

#[tokio::test]
async fn a_page_of_replies_finds_all_their_parents_in_one_script_call() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let room = alice.create_room("long reads").await;
    // 200 long messages, then 100 replies to the first 100 of them: the page of the newest
    // 100 holds only replies, whose parents are all older than the page.
    let long = "x".repeat(3000);
    let mut parents = Vec::new();
    for _ in 0..200 {
        parents.push(
            alice.say(&room, &long).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for parent in &parents[..100] {
        let (status, body) = alice
            .post(
                &format!("/api/rooms/{room}/messages"),
                json!({"message": "indeed", "replyTo": parent}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    redis.reset_command_calls().await;
    let (status, page) = alice.history(&room, "?limit=100").await;
    assert_eq!(status, 200, "{page}");
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 100);
    for (reply, parent) in messages.iter().zip(&parents[..100]) {
        assert_eq!(reply["replyTo"]["id"], json!(parent));
        assert_eq!(
            reply["replyTo"]["message"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            101,
            "the parent's quote: 100 characters and an ellipsis"
        );
    }
    let calls = redis.command_calls().await;
    assert_eq!(
        calls.get("evalsha"),
        Some(&1),
        "every parent found by one script call: {calls:?}"
    );
    assert!(
        calls.get("zrangebyscore").copied().unwrap_or(0) <= 100,
        "one read per parent, at its score: {calls:?}"
    );
}

#[tokio::test]
async fn sockets_opened_at_once_cannot_pass_the_per_user_cap() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.max_sockets_per_user = 20;
    let app = TestApp::spawn_with(config).await;
    let many = app.user("many").await;
    let attempts = (0..60).map(|_| tokio_tungstenite::connect_async(many.ws_request(app.port)));
    let results = futures_util::future::join_all(attempts).await;
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(tungstenite::Error::Http(resp)) if resp.status() == 429))
        .count();
    let mut open: Vec<_> = results
        .into_iter()
        .filter_map(Result::ok)
        .map(|(ws, _)| ws)
        .collect();
    assert_eq!(
        (open.len(), refused),
        (20, 40),
        "20 admitted, the rest refused"
    );
    for ws in &mut open {
        let first = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("each admitted socket hears ready")
            .unwrap()
            .unwrap();
        assert!(first.to_text().unwrap().contains(r#""type":"ready""#));
    }
    // Full: one more is refused until one of them closes.
    assert!(tokio_tungstenite::connect_async(many.ws_request(app.port))
        .await
        .is_err());
    open.pop().unwrap().close(None).await.unwrap();
    assert!(
        eventually(10, || async {
            tokio_tungstenite::connect_async(many.ws_request(app.port))
                .await
                .is_ok()
        })
        .await,
        "a closed socket frees its place"
    );
}

#[tokio::test]
async fn joins_are_rate_limited_and_rooms_per_user_capped() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.joins_per_minute = 2;
    config.max_rooms_per_user = 4;
    let app = TestApp::spawn_with(config).await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    let mut rooms = Vec::new();
    for name in ["r1", "r2", "r3"] {
        rooms.push(alice.create_room(name).await);
    }
    let join = |room: &str| format!("/api/rooms/{room}/join");
    for room in &rooms[..2] {
        assert_eq!(bob.post(&join(room), json!({})).await.0, 200);
    }
    let third = bob.post(&join(&rooms[2]), json!({})).await;
    assert_eq!(
        (third.0, third.1["error"].clone()),
        (429, json!("rate_limited"))
    );
    assert_eq!(
        bob.post(&join(&rooms[0]), json!({})).await.0,
        200,
        "joining a room one is in costs nothing"
    );

    // Alice is in General and her three rooms: as many as she may be.
    let fourth = alice.post("/api/rooms", json!({"name": "r4"})).await;
    assert_eq!(
        (fourth.0, fourth.1["error"].clone()),
        (409, json!("too_many_rooms"))
    );
    let carol = app.user("carol").await;
    let other = carol.create_room("carol's").await;
    let full = alice.post(&join(&other), json!({})).await;
    assert_eq!(
        (full.0, full.1["error"].clone()),
        (409, json!("too_many_rooms"))
    );
    let in_rooms: u64 = redis::cmd("SCARD")
        .arg(format!("user:{}:rooms", alice.id))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(in_rooms, 4);
    assert!(!redis
        .keys()
        .await
        .iter()
        .any(|k| k.starts_with("room_name:r4")));
    // Leaving one makes room (once she handed its ownership to Bob: a room keeps an owner).
    let hand_over = format!("/api/rooms/{}/members/{}/role", rooms[0], bob.id);
    assert_eq!(
        alice
            .request("PUT", &hand_over, Some(json!({"role": "owner"})))
            .await
            .0,
        204
    );
    assert_eq!(
        alice
            .post(&format!("/api/rooms/{}/leave", rooms[0]), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(alice.post(&join(&other), json!({})).await.0, 200);
}

/// Issue 20, item 11: each `read` frame cost a membership check, a `ZREVRANGE` and the
/// marker script, however fast a client sent them. Reads are paced per socket (one
/// applied per half second, those in between merged): a burst of 200 costs a few
/// commands, and the newest date sent is where the marker ends.
#[tokio::test]
async fn a_burst_of_read_frames_costs_a_few_commands_and_the_last_one_lands() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let mut dates = Vec::new();
    for k in 0..3 {
        let m = alice.say("0", &format!("m{k}")).await;
        dates.push(m["date"].as_f64().unwrap());
    }
    let mut ws = alice.connect(&app).await;
    // Her own messages moved her marker: start it back at the first.
    let _: () = chat_core::redis::cmd("HSET")
        .arg(format!("user:{}:read", alice.id))
        .arg("0")
        .arg(format!("{:.3}", dates[0]))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    redis.reset_command_calls().await;
    for k in 0..200 {
        let date = if k == 199 { dates[2] } else { dates[1] };
        ws.send(json!({"type": "read", "data": {"roomId": "0", "date": date}}))
            .await;
    }
    let marker = || async {
        let v: Option<String> = chat_core::redis::cmd("HGET")
            .arg(format!("user:{}:read", alice.id))
            .arg("0")
            .query_async(&mut redis.conn().await)
            .await
            .unwrap();
        v.and_then(|v| v.parse::<f64>().ok())
    };
    assert!(
        eventually(10, || async { marker().await == Some(dates[2]) }).await,
        "the newest read lands: {:?}",
        marker().await
    );
    let calls = redis.command_calls().await;
    let reads = calls.get("zrevrange").copied().unwrap_or(0);
    assert!(
        (1..=4).contains(&reads),
        "200 read frames applied a few times, not 200: {calls:?}"
    );
}
