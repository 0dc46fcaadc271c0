//! Rooms, messages, presence and the WebSocket hub: two instances on one real Redis, real
//! WebSocket clients.

mod common;

use std::time::Duration;

use chat_core::redis;
use common::*;
use futures_util::SinkExt;
use serde_json::{json, Value};

#[tokio::test]
async fn a_message_sent_on_one_instance_arrives_on_the_other_in_order_and_stays_in_history() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;

    for i in 0..40 {
        alice_ws
            .message("0", &format!("m{i}"), &format!("c{i}"))
            .await;
    }
    let mut received = Vec::new();
    while received.len() < 40 {
        received.push(bob_ws.expect("message").await);
    }
    let expected: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    assert_eq!(texts(&received), expected);
    assert!(received
        .iter()
        .all(|m| m["from"] == alice.id.as_str() && m["roomId"] == "0"));
    let dates: Vec<f64> = received
        .iter()
        .map(|m| m["date"].as_f64().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] < w[1]),
        "dates increase: {dates:?}"
    );

    let mut acks = Vec::new();
    while acks.len() < 40 {
        acks.push(alice_ws.expect("ack").await);
    }
    let ack_ids: Vec<String> = acks
        .iter()
        .map(|a| a["clientId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ack_ids,
        (0..40).map(|i| format!("c{i}")).collect::<Vec<_>>()
    );

    let (status, page) = bob.history("0", "?limit=100").await;
    assert_eq!(status, 200);
    assert_eq!(texts(page["messages"].as_array().unwrap()), expected);
    let stored: Vec<String> = redis::cmd("ZRANGE")
        .arg("room:0")
        .arg(0)
        .arg(-1)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(stored.len(), 40);
    let first: Value = serde_json::from_str(&stored[0]).unwrap();
    let mut fields: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["date", "from", "id", "message", "roomId"],
        "the seed's field names plus id"
    );
}

#[tokio::test]
async fn a_direct_rooms_messages_never_reach_a_third_user_on_either_instance() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let carol = a.user("carol").await;
    let mut bob_ws = bob.connect(&b).await;
    let mut carol_a = carol.connect(&a).await;
    let mut carol_b = carol.connect(&b).await;
    let mut alice_ws = alice.connect(&a).await;

    let room = alice.open_direct(&bob).await;
    assert_eq!(room, format!("{}:{}", alice.id, bob.id));
    let shown = bob_ws.expect("show.room").await;
    assert_eq!(shown["id"], room.as_str());
    assert_eq!(shown["names"], json!(["alice", "bob"]));
    assert_eq!(alice.open_direct(&bob).await, room, "idempotent");

    alice_ws.message(&room, "just between us", "p1").await;
    assert_eq!(bob_ws.expect("message").await["message"], "just between us");
    alice.say(&room, "also private").await;
    assert_eq!(bob_ws.expect("message").await["message"], "also private");

    for ws in [&mut carol_a, &mut carol_b] {
        while let Some(e) = ws.next_within(Duration::from_millis(800)).await {
            assert_ne!(e["type"], "show.room", "{e}");
            assert_ne!(e["data"]["roomId"], room.as_str(), "{e}");
        }
    }
    assert_eq!(carol.history(&room, "").await.0, 404);
    let post = carol
        .post(
            &format!("/api/rooms/{room}/messages"),
            json!({"message": "let me in"}),
        )
        .await;
    assert_eq!((post.0, post.1["error"].clone()), (404, json!("not_found")));
    carol_a.message(&room, "let me in", "x1").await;
    let err = carol_a.expect("error").await;
    assert_eq!(
        (err["error"].clone(), err["clientId"].clone()),
        (json!("not_found"), json!("x1"))
    );
    let rooms = carol.get("/api/rooms").await.1;
    assert!(!rooms
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == room.as_str()));
    let bobs = bob.get("/api/rooms").await.1;
    let direct = bobs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == room.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (direct["name"].clone(), direct["kind"].clone()),
        (json!("alice"), json!("direct"))
    );
    assert_eq!(direct["unread"], 2);
    assert_eq!(direct["lastMessage"]["message"], "also private");

    assert_eq!(
        alice
            .post("/api/rooms/direct", json!({"userId": alice.id}))
            .await
            .0,
        409
    );
    assert_eq!(
        alice
            .post("/api/rooms/direct", json!({"userId": "999"}))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_client_cannot_speak_as_another_user() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let mut ws = alice.connect(&a).await;
    ws.send(json!({"type": "message", "data": {"roomId": "0", "message": "hi", "from": bob.id, "date": 1, "id": "forged"}}))
        .await;
    let ack = ws.expect("ack").await;
    assert_eq!(ack["message"]["from"], alice.id.as_str());
    assert_ne!(ack["message"]["id"], "forged");
    assert!(ack["message"]["date"].as_f64().unwrap() > 1_000_000_000.0);
    let rest = alice
        .post(
            "/api/rooms/0/messages",
            json!({"message": "hey", "from": bob.id}),
        )
        .await;
    assert_eq!(rest.1["from"], alice.id.as_str());
}

#[tokio::test]
async fn named_rooms_can_be_created_found_joined_and_left_and_only_members_get_their_events() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut bob_ws = bob.connect(&b).await;

    let created = alice
        .post("/api/rooms", json!({"name": "  Rust fans "}))
        .await;
    assert_eq!(created.0, 201, "{}", created.1);
    assert_eq!(
        (created.1["name"].clone(), created.1["kind"].clone()),
        (json!("Rust fans"), json!("named"))
    );
    let room = created.1["id"].as_str().unwrap().to_owned();
    assert_eq!(
        alice
            .post("/api/rooms", json!({"name": "rust FANS"}))
            .await
            .0,
        409
    );
    for bad in [
        json!({"name": "   "}),
        json!({"name": "x".repeat(65)}),
        json!({}),
    ] {
        let r = alice.post("/api/rooms", bad).await;
        assert_eq!((r.0, r.1["error"].clone()), (400, json!("invalid_name")));
    }
    for name in ["Go", "Gophers"] {
        assert_eq!(alice.post("/api/rooms", json!({"name": name})).await.0, 201);
    }

    let found = bob.get("/api/rooms/discover?q=rust").await.1;
    assert_eq!(found["total"], 1);
    assert_eq!(found["rooms"][0]["id"], room.as_str());
    assert_eq!(found["rooms"][0]["members"], 1);
    let page = bob.get("/api/rooms/discover?limit=2&offset=2").await.1;
    assert_eq!(
        (
            page["total"].clone(),
            page["rooms"].as_array().unwrap().len()
        ),
        (json!(3), 1)
    );
    assert_eq!(bob.get("/api/rooms/discover?limit=0").await.0, 400);

    alice.say(&room, "before bob").await;
    assert_eq!(bob.history(&room, "").await.0, 403, "not a member yet");
    assert!(
        bob_ws
            .collect("message", Duration::from_millis(500))
            .await
            .is_empty(),
        "bob gets nothing of a room he is not in"
    );

    let joined = bob
        .post(&format!("/api/rooms/{room}/join"), json!({}))
        .await;
    assert_eq!(joined.0, 200);
    assert_eq!(bob_ws.expect("room.joined").await["roomId"], room.as_str());
    alice.say(&room, "welcome bob").await;
    assert_eq!(bob_ws.expect("message").await["message"], "welcome bob");
    assert_eq!(
        texts(
            bob.history(&room, "").await.1["messages"]
                .as_array()
                .unwrap()
        ),
        ["before bob", "welcome bob"]
    );
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(format!("room:{room}:members"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(members.len(), 2);

    assert_eq!(
        bob.post(&format!("/api/rooms/{room}/leave"), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(bob_ws.expect("room.left").await["roomId"], room.as_str());
    alice.say(&room, "bye bob").await;
    while let Some(e) = bob_ws.next_within(Duration::from_millis(500)).await {
        assert_ne!(e["data"]["message"], "bye bob");
    }
    assert_eq!(bob.post("/api/rooms/0/leave", json!({})).await.0, 409);
    assert_eq!(bob.post("/api/rooms/424242/join", json!({})).await.0, 404);
    assert_eq!(bob.post("/api/rooms/nope/join", json!({})).await.0, 404);
}

#[tokio::test]
async fn presence_follows_the_last_connection_across_tabs_and_instances() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let watcher = a.user("watcher").await;
    let bob = a.user("bob").await;
    let mut w = watcher.connect(&a).await;

    let tab1 = bob.connect(&a).await;
    let tab2 = bob.connect(&b).await;
    let online = loop {
        let e = w.expect("user.connected").await;
        if e["id"] == bob.id.as_str() {
            break e;
        }
    };
    assert_eq!(
        online,
        json!({"id": bob.id, "username": "bob", "online": true})
    );
    let ids: Vec<String> = watcher
        .get("/api/users/online")
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&bob.id));

    tab1.close().await;
    let events = w
        .collect("user.connected", Duration::from_millis(3500))
        .await;
    assert!(
        events.is_empty(),
        "a second tab is not a change: {events:?}"
    );
    let on: bool = redis::cmd("SISMEMBER")
        .arg("online_users")
        .arg(&bob.id)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(on, "still online while the tab on B is open");

    tab2.close().await;
    let gone = w.expect("user.disconnected").await;
    assert_eq!(
        gone,
        json!({"id": bob.id, "username": "bob", "online": false})
    );
    let on: bool = redis::cmd("SISMEMBER")
        .arg("online_users")
        .arg(&bob.id)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(!on);
    let users = watcher
        .get(&format!("/api/users?ids={},{}", bob.id, watcher.id))
        .await
        .1;
    assert_eq!(
        users,
        json!([{"id": bob.id, "username": "bob", "online": false}, {"id": watcher.id, "username": "watcher", "online": true}])
    );
    assert_eq!(watcher.get("/api/users?ids=abc").await.0, 400);
}

#[tokio::test]
async fn catch_up_with_after_returns_exactly_what_was_missed() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut last = Value::Null;
    for i in 0..5 {
        last = bob.say("0", &format!("seen {i}")).await;
    }
    let ws = alice.connect(&a).await;
    drop(ws);
    let mut missed_dates = Vec::new();
    for i in 0..7 {
        missed_dates.push(bob.say("0", &format!("missed {i}")).await["date"].to_string());
    }
    let after = last["date"].to_string();
    // With both cursors: exactly the messages between them.
    let (status, page) = alice
        .history("0", &format!("?after={after}&before={}", missed_dates[5]))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        texts(page["messages"].as_array().unwrap()),
        (0..5).map(|i| format!("missed {i}")).collect::<Vec<_>>()
    );
    let (status, page) = alice.history("0", &format!("?after={after}")).await;
    assert_eq!(status, 200);
    let missed: Vec<String> = (0..7).map(|i| format!("missed {i}")).collect();
    assert_eq!(texts(page["messages"].as_array().unwrap()), missed);
    // Paging forward in small steps gives the same, with no overlap.
    let mut got = Vec::new();
    let mut cursor = after.clone();
    loop {
        let page = alice
            .history("0", &format!("?after={cursor}&limit=3"))
            .await
            .1;
        let msgs = page["messages"].as_array().unwrap().clone();
        got.extend(texts(&msgs));
        if msgs.len() < 3 {
            break;
        }
        cursor = page["after"].as_str().unwrap().to_owned();
    }
    assert_eq!(got, missed);
}

#[tokio::test]
async fn history_pages_have_no_gaps_and_no_duplicates_while_messages_arrive() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    for i in 0..120 {
        alice.say("0", &format!("old {i}")).await;
    }
    let writer = {
        let alice = alice.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                alice.say("0", &format!("new {i}")).await;
            }
        })
    };
    let mut pages = Vec::new();
    let first = alice.history("0", "?limit=25").await.1;
    let mut cursor = first["before"].as_str().map(str::to_owned);
    pages.push(first["messages"].as_array().unwrap().clone());
    while let Some(c) = cursor {
        let page = alice.history("0", &format!("?limit=25&before={c}")).await.1;
        pages.push(page["messages"].as_array().unwrap().clone());
        cursor = page["before"].as_str().map(str::to_owned);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writer.await.unwrap();
    let all: Vec<String> = pages.into_iter().rev().flat_map(|p| texts(&p)).collect();
    let newest_old = all.iter().rposition(|t| t.starts_with("old")).unwrap();
    let olds: Vec<String> = (0..120).map(|i| format!("old {i}")).collect();
    assert_eq!(
        all[..=newest_old].to_vec(),
        olds,
        "every old message once, in order"
    );
    let mut dedup = all.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), all.len(), "no duplicates");
}

#[tokio::test]
async fn seed_pages_with_equal_dates_are_split_without_loss() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let mut c = redis.conn().await;
    // The seed writes whole-second dates: ten messages share one second.
    for i in 0..10 {
        let m = format!(r#"{{"from":1,"date":1615480369,"message":"same {i}","roomId":"0"}}"#);
        let _: () = redis::cmd("ZADD")
            .arg("room:0")
            .arg(1615480369)
            .arg(m)
            .query_async(&mut c)
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor
            .as_ref()
            .map_or("?limit=3".to_owned(), |c| format!("?limit=3&before={c}"));
        let page = alice.history("0", &q).await.1;
        seen.extend(texts(page["messages"].as_array().unwrap()));
        match page["before"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen.sort();
    let all: Vec<String> = (0..10).map(|i| format!("same {i}")).collect();
    assert_eq!(seen, all);
    // A range that ends at a tied cursor holds exactly the messages the newer page has not.
    let newest = alice.history("0", "?limit=3").await.1;
    let before = newest["before"].as_str().unwrap();
    let (status, older) = alice
        .history("0", &format!("?after=1615480368&before={before}"))
        .await;
    assert_eq!(status, 200, "{older}");
    let mut both = texts(newest["messages"].as_array().unwrap());
    both.extend(texts(older["messages"].as_array().unwrap()));
    both.sort();
    assert_eq!(both, all);
    // Both ends at that one date: the oldest three, the newest three, and between them the
    // other four, each once.
    let oldest = alice.history("0", "?after=1615480368&limit=3").await.1;
    let after = oldest["after"].as_str().unwrap();
    let (status, middle) = alice
        .history("0", &format!("?after={after}&before={before}"))
        .await;
    assert_eq!(status, 200, "{middle}");
    assert_eq!(middle["messages"].as_array().unwrap().len(), 4, "{middle}");
    let mut three_parts = texts(oldest["messages"].as_array().unwrap());
    three_parts.extend(texts(middle["messages"].as_array().unwrap()));
    three_parts.extend(texts(newest["messages"].as_array().unwrap()));
    three_parts.sort();
    assert_eq!(three_parts, all);
}

#[tokio::test]
async fn a_retry_with_the_same_client_id_creates_one_message() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let mut ws = alice.connect(&a).await;
    ws.message("0", "once", "retry-1").await;
    let first = ws.expect("ack").await;
    ws.message("0", "once", "retry-1").await;
    let second = ws.expect("ack").await;
    assert_eq!(first["message"]["id"], second["message"]["id"]);
    let body = json!({"message": "rest once", "clientId": "retry-2"});
    let r1 = alice.post("/api/rooms/0/messages", body.clone()).await;
    let r2 = alice.post("/api/rooms/0/messages", body).await;
    assert_eq!((r1.0, r2.0), (201, 201));
    assert_eq!(r1.1["id"], r2.1["id"]);
    assert_eq!(redis.messages_in("0").await, 2);
}

#[tokio::test]
async fn invalid_frames_get_an_error_event_and_the_socket_carries_on_with_nothing_written() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let mut ws = alice.connect(&a).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = redis.dump().await;
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "bad_json"),
        (r#"{"type":"shout","data":{}}"#.into(), "unknown_type"),
        (r#"{"data":{}}"#.into(), "invalid_frame"),
        (
            r#"{"type":"message","data":{"roomId":"0"}}"#.into(),
            "invalid_frame",
        ),
        (
            r#"{"type":"message","data":{"roomId":"0","message":"   "}}"#.into(),
            "empty_message",
        ),
        (
            json!({"type":"message","data":{"roomId":"0","message":"x".repeat(4001)}}).to_string(),
            "message_too_long",
        ),
        (
            r#"{"type":"message","data":{"roomId":"0:0","message":"hi"}}"#.into(),
            "invalid_room_id",
        ),
        (
            r#"{"type":"message","data":{"roomId":"77","message":"hi"}}"#.into(),
            "not_found",
        ),
        (
            r#"{"type":"message","data":{"roomId":"0","message":"hi","clientId":""}}"#.into(),
            "invalid_client_id",
        ),
        (
            json!({"type":"message","data":{"roomId":"0","message":"y".repeat(20_000)}})
                .to_string(),
            "frame_too_large",
        ),
        (
            r#"{"type":"read","data":{"roomId":"0","date":-1}}"#.into(),
            "invalid_date",
        ),
    ];
    for (frame, code) in cases {
        ws.send_text(&frame).await;
        let e = ws.expect("error").await;
        assert_eq!(e["error"], code, "{}", &frame[..frame.len().min(80)]);
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    ws.ws
        .send(tokio_tungstenite::tungstenite::Message::binary(vec![
            1, 2, 3,
        ]))
        .await
        .unwrap();
    assert_eq!(ws.expect("error").await["error"], "invalid_frame");
    assert_eq!(redis.dump().await, before, "an invalid frame changed Redis");
    ws.message("0", "still here", "ok-1").await;
    assert_eq!(ws.expect("ack").await["message"]["message"], "still here");
}

#[tokio::test]
async fn every_bad_rest_input_gets_a_clear_error_and_changes_nothing() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    alice.say("0", "hello").await;
    let before = redis.dump().await;
    let checks: Vec<(u16, Value, u16, &str)> = vec![
        (0, json!({"message": ""}), 400, "empty_message"),
        (
            0,
            json!({"message": "z".repeat(4001)}),
            400,
            "message_too_long",
        ),
        (
            0,
            json!({"message": "ok", "clientId": "has space"}),
            400,
            "invalid_client_id",
        ),
        (0, json!({}), 400, "empty_message"),
    ];
    for (_, body, status, code) in checks {
        let r = alice.post("/api/rooms/0/messages", body.clone()).await;
        assert_eq!(
            (r.0, r.1["error"].as_str().unwrap()),
            (status, code),
            "{body}"
        );
    }
    for q in [
        "?limit=0",
        "?limit=101",
        "?before=abc",
        "?after=1e5",
        "?before=",
        "?limit=x",
    ] {
        let r = alice.history("0", q).await;
        assert_eq!(r.0, 400, "{q}: {}", r.1);
        assert!(r.1["message"].is_string());
    }
    assert_eq!(alice.post("/api/rooms/0/read", json!({})).await.0, 400);
    assert_eq!(
        alice
            .post("/api/rooms/nope/messages", json!({"message": "x"}))
            .await
            .0,
        404
    );
    assert_eq!(alice.history("5:1", "").await.0, 404);
    assert_eq!(redis.dump().await, before);
    // A 4,000-character message (counted in characters, not bytes, white space included, as
    // the schema's maxLength counts) is fine, and kept as typed without the space around it.
    let long = "é".repeat(4000);
    assert_eq!(alice.say("0", &long).await["message"], long.as_str());
    let padded = "é".repeat(3997);
    assert_eq!(
        alice.say("0", &format!("  {padded}\n")).await["message"],
        padded.as_str()
    );
    assert_eq!(
        alice.say("0", "<script>alert(1)</script>").await["message"],
        "<script>alert(1)</script>"
    );
}

#[tokio::test]
async fn seed_written_data_is_read_and_what_we_write_has_the_seeds_shape() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let mut c = redis.conn().await;
    let seed = r#"{"from":1,"date":1615480369,"message":"Hello from the seed","roomId":"0"}"#;
    let _: () = redis::cmd("ZADD")
        .arg("room:0")
        .arg(1615480369)
        .arg(seed)
        .query_async(&mut c)
        .await
        .unwrap();
    let page = alice.history("0", "").await.1;
    let m = &page["messages"][0];
    assert_eq!(
        (m["from"].clone(), m["message"].clone(), m["date"].clone()),
        (
            json!("1"),
            json!("Hello from the seed"),
            json!(1615480369.0)
        )
    );
    assert!(m["id"].as_str().unwrap().starts_with("seed-"));

    let ours = alice.say("0", "hi seed").await;
    let stored: Vec<String> = redis::cmd("ZRANGEBYSCORE")
        .arg("room:0")
        .arg(format!("({}", 1615480369))
        .arg("+inf")
        .query_async(&mut c)
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(v["from"], alice.id.as_str());
    assert_eq!(v["roomId"], "0");
    assert_eq!(v["message"], "hi seed");
    assert_eq!(v["date"].as_f64(), ours["date"].as_f64());
    let score: f64 = redis::cmd("ZSCORE")
        .arg("room:0")
        .arg(&stored[0])
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(
        Some(score),
        v["date"].as_f64(),
        "score = date, as the seed sorts"
    );
}

#[tokio::test]
async fn a_websocket_needs_a_session_and_an_allowed_origin() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Error};
    let url = format!("ws://127.0.0.1:{}/ws", a.port);
    let status = |r: Result<_, Error>| match r {
        Err(Error::Http(resp)) => resp.status().as_u16(),
        Ok(_) => 101,
        Err(e) => panic!("{e}"),
    };
    let anonymous =
        tokio_tungstenite::connect_async(url.clone().into_client_request().unwrap()).await;
    assert_eq!(status(anonymous.map(|_| ())), 401);
    let mut foreign = url.clone().into_client_request().unwrap();
    foreign
        .headers_mut()
        .insert("cookie", format!("sid={}", alice.token).parse().unwrap());
    foreign
        .headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    assert_eq!(
        status(tokio_tungstenite::connect_async(foreign).await.map(|_| ())),
        403
    );
    let mut same = url.into_client_request().unwrap();
    same.headers_mut()
        .insert("cookie", format!("sid={}", alice.token).parse().unwrap());
    same.headers_mut().insert(
        "origin",
        format!("http://127.0.0.1:{}", a.port).parse().unwrap(),
    );
    assert_eq!(
        status(tokio_tungstenite::connect_async(same).await.map(|_| ())),
        101,
        "same-origin with the cookie"
    );
}

#[tokio::test]
async fn read_markers_drive_unread_counts_across_tabs() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let mut tab1 = bob.connect(&a).await;
    let mut tab2 = bob.connect(&b).await;
    let mut last = Value::Null;
    for i in 0..3 {
        last = alice.say("0", &format!("u{i}")).await;
    }
    let general = |rooms: Value| {
        rooms
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "0")
            .unwrap()
            .clone()
    };
    assert_eq!(general(bob.get("/api/rooms").await.1)["unread"], 3);
    assert_eq!(
        general(alice.get("/api/rooms").await.1)["unread"],
        0,
        "one's own messages are read"
    );

    tab1.event(ClientEvent::Read(ReadMarker {
        room_id: "0".into(),
        date: last["date"].as_f64().unwrap(),
    }))
    .await;
    let moved = tab2.expect("room.read").await;
    assert_eq!(
        (moved["roomId"].clone(), moved["date"].clone()),
        (json!("0"), last["date"].clone())
    );
    assert_eq!(general(bob.get("/api/rooms").await.1)["unread"], 0);
    // Markers never move back.
    assert_eq!(
        bob.post("/api/rooms/0/read", json!({"date": 1.0})).await.0,
        204
    );
    assert_eq!(general(bob.get("/api/rooms").await.1)["unread"], 0);
    let _ = tab1.expect("room.read").await;
}

#[tokio::test]
async fn typing_reaches_the_other_members_of_the_room_only() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let carol = b.user("carol").await;
    let room = alice.open_direct(&bob).await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;
    let mut carol_ws = carol.connect(&b).await;
    alice_ws
        .event(ClientEvent::Typing(RoomRef {
            room_id: room.clone(),
        }))
        .await;
    let t = bob_ws.expect("typing").await;
    assert_eq!(
        t,
        json!({"roomId": room, "userId": alice.id, "username": "alice"})
    );
    assert!(carol_ws
        .collect("typing", Duration::from_millis(700))
        .await
        .is_empty());
    assert!(alice_ws
        .collect("typing", Duration::from_millis(300))
        .await
        .is_empty());
    assert!(
        !redis.keys().await.iter().any(|k| k.contains("typing")),
        "nothing stored"
    );
}

#[tokio::test]
async fn the_server_resubscribes_after_redis_restarts_and_is_not_ready_meanwhile() {
    let mut redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    redis.stop().await;
    let http = a.http();
    assert!(
        eventually(10, || async { http.get("/readyz").await.0 == 503 }).await,
        "not ready without Redis"
    );
    redis.restart().await;
    assert!(
        eventually(15, || async { http.get("/readyz").await.0 == 200 }).await,
        "ready again"
    );
    b.wait_ready().await;
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut bob_ws = bob.connect(&b).await;
    alice.say("0", "after the restart").await;
    assert_eq!(
        bob_ws.expect("message").await["message"],
        "after the restart"
    );
}

#[tokio::test]
async fn stopping_an_instance_closes_its_sockets_with_a_close_frame() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let mut ws = alice.connect(&a).await;
    let stopping = tokio::spawn(a.stop());
    use futures_util::StreamExt;
    let mut code = None;
    while let Ok(Some(frame)) = tokio::time::timeout(Duration::from_secs(10), ws.ws.next()).await {
        if let Ok(tokio_tungstenite::tungstenite::Message::Close(Some(f))) = frame {
            code = Some(u16::from(f.code));
            break;
        }
    }
    assert_eq!(code, Some(1001), "going away");
    stopping.await.unwrap();
    let online: Vec<String> = redis::cmd("SMEMBERS")
        .arg("online_users")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(
        online.is_empty(),
        "a stopped instance leaves no one online: {online:?}"
    );
}

#[tokio::test]
async fn demo_data_is_created_once() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.demo_data = Some(true);
    let (a, b) = tokio::join!(
        TestApp::spawn_with(config.clone()),
        TestApp::spawn_with(config.clone())
    );
    let pablo = a.login("Pablo").await;
    let rooms = pablo.get("/api/rooms").await.1;
    let ids: Vec<&str> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"0") && ids.contains(&"1:2"), "{ids:?}");
    let count = || async {
        let mut c = redis.conn().await;
        let users: u64 = redis::cmd("GET")
            .arg("total_users")
            .query_async(&mut c)
            .await
            .unwrap();
        let general: u64 = redis::cmd("ZCARD")
            .arg("room:0")
            .query_async(&mut c)
            .await
            .unwrap();
        (users, general)
    };
    let first = count().await;
    assert_eq!(first.0, 4);
    assert!(first.1 >= 3);
    a.stop().await;
    b.stop().await;
    let c = TestApp::spawn_with(config).await;
    assert_eq!(
        count().await,
        first,
        "a restart does not duplicate the demo data"
    );
    c.login("Mary").await;
}

#[tokio::test]
async fn a_client_id_names_one_message_per_room_and_a_read_marker_never_passes_the_newest_message()
{
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let direct = alice.open_direct(&bob).await;
    let body = json!({"message": "same id", "clientId": "c-1"});
    let in_general = alice.post("/api/rooms/0/messages", body.clone()).await;
    let in_direct = alice
        .post(&format!("/api/rooms/{direct}/messages"), body)
        .await;
    assert_eq!((in_general.0, in_direct.0), (201, 201));
    assert_ne!(
        in_general.1["id"], in_direct.1["id"],
        "another room, another message"
    );
    assert_eq!(in_direct.1["roomId"], direct.as_str());

    assert_eq!(
        bob.post("/api/rooms/0/read", json!({"date": 1.0e12}))
            .await
            .0,
        204
    );
    alice.say("0", "after the far-future marker").await;
    let rooms = bob.get("/api/rooms").await.1;
    let general = rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "0")
        .unwrap()
        .clone();
    assert_eq!(
        general["unread"], 1,
        "a marker in the future would hide this message"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let before = redis.dump().await;
    let big = format!(
        r#"{{"username":"{}","password":"password123"}}"#,
        "a".repeat(100_000)
    );
    let r = a.http().post_raw("/api/auth/register", &big).await;
    assert_eq!(
        (r.0, r.1["error"].clone()),
        (413, json!("payload_too_large"))
    );
    // A body in chunks, with no length declared: refused as soon as it passes the limit.
    // (One byte over it, and nothing after: all that is sent is read, so the server's close
    // cannot turn into a reset that would swallow its answer.)
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", a.port))
        .await
        .unwrap();
    let over = 64 * 1024 + 1;
    let request = format!(
        "POST /api/auth/register HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{over:x}\r\n{}",
        &big[..over]
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert_eq!(redis.dump().await, before);
}

#[tokio::test]
async fn racing_retries_of_one_client_id_on_two_instances_store_one_message() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let direct = alice.open_direct(&bob).await;
    let mut bob_ws = bob.connect(&a).await;
    let mut tab_a = alice.connect(&a).await;
    let mut tab_b = alice.connect(&b).await;
    for i in 0..10 {
        let (id, text) = (format!("race-{i}"), format!("m{i}"));
        // Both tabs send at once; neither waits for the other's ack.
        tokio::join!(
            tab_a.message(&direct, &text, &id),
            tab_b.message(&direct, &text, &id)
        );
    }
    let mut acks = Vec::new();
    for tab in [&mut tab_a, &mut tab_b] {
        for _ in 0..10 {
            acks.push(tab.expect("ack").await);
        }
    }
    for i in 0..10 {
        let id = format!("race-{i}");
        let ids: Vec<&Value> = acks
            .iter()
            .filter(|a| a["clientId"] == id.as_str())
            .map(|a| &a["message"]["id"])
            .collect();
        assert_eq!(ids.len(), 2, "one ack per attempt for {id}");
        assert_eq!(ids[0], ids[1], "both attempts of {id} name one message");
    }
    assert_eq!(redis.messages_in(&direct).await, 10);
    let got = bob_ws.collect("message", Duration::from_millis(800)).await;
    assert_eq!(
        texts(&got),
        (0..10).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let remembered: Vec<String> = redis::cmd("KEYS")
        .arg(format!("sent:{{room:{direct}}}:*"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(
        remembered.len(),
        10,
        "each clientId kept in its room's hash slot"
    );
}

#[tokio::test]
async fn posting_over_a_websocket_follows_joins_and_leaves_made_on_another_instance() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let carol = a.user("carol").await;
    let room = alice.create_room("ops").await;
    let mut bob_ws = bob.connect(&b).await;
    let mut carol_ws = carol.connect(&b).await;

    bob_ws.message(&room, "too early", "b-0").await;
    assert_eq!(bob_ws.expect("error").await["error"], "not_member");
    // Posting right after the join, before its event may have reached instance b.
    assert_eq!(
        bob.post(&format!("/api/rooms/{room}/join"), json!({}))
            .await
            .0,
        200
    );
    bob_ws.message(&room, "hello ops", "b-1").await;
    assert_eq!(
        bob_ws.expect("ack").await["message"]["message"],
        "hello ops"
    );
    // A direct room opened on instance a, used at once on instance b.
    let direct = alice.open_direct(&carol).await;
    carol_ws.message(&direct, "hi alice", "c-1").await;
    assert_eq!(
        carol_ws.expect("ack").await["message"]["roomId"],
        direct.as_str()
    );

    assert_eq!(
        bob.post(&format!("/api/rooms/{room}/leave"), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(bob_ws.expect("room.left").await["roomId"], room.as_str());
    let before = redis.messages_in(&room).await;
    bob_ws.message(&room, "after leaving", "b-2").await;
    let refused = bob_ws.expect("error").await;
    assert_eq!(
        (refused["error"].clone(), refused["clientId"].clone()),
        (json!("not_member"), json!("b-2"))
    );
    assert_eq!(redis.messages_in(&room).await, before, "nothing stored");
    bob_ws.message("1:999", "not mine", "b-3").await;
    assert_eq!(bob_ws.expect("error").await["error"], "not_found");
}

#[tokio::test]
async fn messages_are_stored_and_read_markers_move_after_redis_forgets_its_scripts() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let alice = a.user("alice").await;
    let bob = a.user("bob").await;
    let mut ws = alice.connect(&a).await;
    ws.message("0", "first", "s-1").await;
    ws.expect("ack").await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    ws.message("0", "after the flush", "s-2").await;
    let ack = ws.expect("ack").await;
    assert_eq!(ack["message"]["message"], "after the flush");
    let marker: String = redis::cmd("HGET")
        .arg(format!("user:{}:read", alice.id))
        .arg("0")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(
        marker.parse::<f64>().unwrap(),
        ack["message"]["date"].as_f64().unwrap(),
        "the sender has read their own message"
    );
    // A burst within one millisecond: every date distinct, the marker on the newest.
    for i in 0..20 {
        ws.message("0", &format!("burst {i}"), &format!("s-b{i}"))
            .await;
    }
    let mut last = Value::Null;
    for _ in 0..20 {
        last = ws.expect("ack").await;
    }
    let unread = |rooms: Value| {
        rooms
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "0")
            .unwrap()["unread"]
            .clone()
    };
    assert_eq!(unread(alice.get("/api/rooms").await.1), 0);
    assert_eq!(unread(bob.get("/api/rooms").await.1), 22);
    let dates: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg("room:0")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(dates.windows(2).all(|w| w[0].1 < w[1].1), "dates increase");
    assert_eq!(
        dates.last().unwrap().1,
        last["message"]["date"].as_f64().unwrap()
    );
}

#[tokio::test]
async fn joining_a_room_one_is_in_again_changes_nothing_and_tells_no_one() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let room = alice.create_room("twice").await;
    let mut bob_ws = bob.connect(&app).await;
    let join = format!("/api/rooms/{room}/join");
    assert_eq!(bob.post(&join, json!({})).await.0, 200);
    assert_eq!(bob_ws.expect("room.joined").await["roomId"], room.as_str());
    assert_eq!(
        bob.post(&join, json!({})).await.0,
        200,
        "joining again is fine"
    );
    alice.say(&room, "after the second join").await;
    // Events of one instance reach a socket in the order they were made: the next one
    // after the first join is the message, not another `room.joined`.
    let next = bob_ws.next_within(Duration::from_secs(10)).await.unwrap();
    assert_eq!(next["type"], "message", "{next}");
    let leave = format!("/api/rooms/{room}/leave");
    assert_eq!(bob.post(&leave, json!({})).await.0, 204);
    assert_eq!(bob_ws.expect("room.left").await["roomId"], room.as_str());
    let again = bob.post(&leave, json!({})).await;
    assert_eq!(
        (again.0, again.1["error"].clone()),
        (404, json!("not_member"))
    );
    assert_eq!(bob.post(&join, json!({})).await.0, 200);
    let next = bob_ws.next_within(Duration::from_secs(10)).await.unwrap();
    assert_eq!(next["type"], "room.joined", "{next}");
}
