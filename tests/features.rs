//! Edit and delete, reactions, replies, mentions and muting: two instances on one real
//! Redis, users on different instances, checked over REST, over the WebSocket and in Redis.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// Every member of `room:{id}`, as stored.
async fn stored(redis: &TestRedis, room: &str) -> Vec<String> {
    redis::cmd("ZRANGE")
        .arg(format!("room:{room}"))
        .arg(0)
        .arg(-1)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap()
}

/// The stored member of message `id` in `room`, parsed.
async fn stored_message(redis: &TestRedis, room: &str, id: &str) -> Value {
    let all = stored(redis, room).await;
    let found: Vec<Value> = all
        .iter()
        .map(|m| serde_json::from_str::<Value>(m).unwrap())
        .filter(|m| m["id"] == id)
        .collect();
    assert_eq!(found.len(), 1, "message {id} is stored once: {all:?}");
    found.into_iter().next().unwrap()
}

/// Whether any key of Redis still holds `text` anywhere in its value (read by type: a
/// `DUMP` may be compressed).
async fn redis_holds(redis: &TestRedis, text: &str) -> bool {
    let mut conn = redis.conn().await;
    for key in redis.keys().await {
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let mut read = match kind.as_str() {
            "string" => redis::cmd("GET"),
            "hash" => redis::cmd("HGETALL"),
            "zset" | "list" => {
                let mut c = redis::cmd(if kind == "zset" { "ZRANGE" } else { "LRANGE" });
                c.arg(&key).arg(0).arg(-1);
                c
            }
            "set" => redis::cmd("SMEMBERS"),
            _ => continue,
        };
        if !matches!(kind.as_str(), "zset" | "list") {
            read.arg(&key);
        }
        let values: Vec<String> = match kind.as_str() {
            "string" => vec![read.query_async(&mut conn).await.unwrap()],
            _ => read.query_async(&mut conn).await.unwrap(),
        };
        if values.iter().any(|v| v.contains(text)) {
            return true;
        }
    }
    false
}

async fn page(user: &User, room: &str) -> Vec<Value> {
    let (status, page) = user.history(room, "?limit=100").await;
    assert_eq!(status, 200, "{page}");
    page["messages"].as_array().unwrap().clone()
}

fn by_id<'a>(messages: &'a [Value], id: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {messages:?}"))
}

/// Nothing of `kind` reaches `socket` for a while.
async fn hears_no(socket: &mut Socket, kind: &str) {
    let got = socket.collect(kind, Duration::from_millis(400)).await;
    assert!(got.is_empty(), "{} got {kind}: {got:?}", socket.user);
}

#[tokio::test]
async fn authors_edit_and_delete_their_messages_live_everywhere_and_nothing_of_a_deleted_one_stays()
{
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;

    let before = alice.say("0", "first").await;
    let original = alice.say("0", "teh typo secret-original").await;
    let after = alice.say("0", "last").await;
    let id = original["id"].as_str().unwrap();
    for _ in 0..3 {
        bob_ws.expect("message").await;
    }
    let path = format!("/api/rooms/0/messages/{id}");
    let stored_before = stored_message(&redis, "0", id).await;

    // Only the author edits: refused over REST and the WebSocket, nothing changes.
    let (status, body) = bob
        .request("PATCH", &path, Some(json!({"message": "hijacked"})))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_author")));
    bob_ws
        .send(json!({"type": "edit", "data": {"roomId": "0", "messageId": id, "message": "hijacked", "clientId": "e1"}}))
        .await;
    let refused = bob_ws.expect("error").await;
    assert_eq!(
        (refused["error"].as_str(), refused["clientId"].as_str()),
        (Some("not_author"), Some("e1"))
    );
    let (status, _) = bob.request("DELETE", &path, None).await;
    assert_eq!(status, 403);
    for (status, code, body) in [
        (
            404,
            "not_found",
            alice
                .request(
                    "PATCH",
                    "/api/rooms/0/messages/0123456789abcdef0123456789abcdef",
                    Some(json!({"message": "x"})),
                )
                .await,
        ),
        (
            404,
            "not_found",
            alice
                .request(
                    "PATCH",
                    "/api/rooms/0/messages/nope",
                    Some(json!({"message": "x"})),
                )
                .await,
        ),
        (
            400,
            "empty_message",
            alice
                .request("PATCH", &path, Some(json!({"message": "   "})))
                .await,
        ),
        (
            404,
            "not_found",
            alice
                .request(
                    "PATCH",
                    &format!("/api/rooms/{}/messages/{id}", "1:2"),
                    Some(json!({"message": "x"})),
                )
                .await,
        ),
    ] {
        assert_eq!(
            (body.0, body.1["error"].as_str()),
            (status, Some(code)),
            "{}",
            body.1
        );
    }
    assert_eq!(stored_message(&redis, "0", id).await, stored_before);
    hears_no(&mut alice_ws, "message.edited").await;

    // The author edits over REST (instance A); Bob on instance B sees it live.
    let (status, edited) = alice
        .request("PATCH", &path, Some(json!({"message": "the typo fixed"})))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["message"], "the typo fixed");
    assert_eq!(
        edited["date"], original["date"],
        "an edit keeps the message's place"
    );
    assert!(edited["edited"].as_f64().unwrap() >= original["date"].as_f64().unwrap());
    let live = bob_ws.expect("message.edited").await;
    assert_eq!(
        (live["id"].as_str(), live["message"].as_str()),
        (Some(id), Some("the typo fixed"))
    );
    assert_eq!(alice_ws.expect("message.edited").await["id"], id);

    // Stored in place, in the seed's format: the original server reads the new text.
    let row = stored_message(&redis, "0", id).await;
    assert_eq!(row["message"], "the typo fixed");
    assert_eq!(row["from"], alice.id.as_str());
    assert_eq!(row["date"], stored_before["date"]);
    assert!(row["edited"].is_number());
    let member = stored(&redis, "0")
        .await
        .into_iter()
        .find(|m| m.contains(id))
        .unwrap();
    let score_of_member: f64 = redis::cmd("ZSCORE")
        .arg("room:0")
        .arg(&member)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(
        Some(score_of_member),
        row["date"].as_f64(),
        "score = date, as the seed sorts"
    );
    assert_eq!(stored(&redis, "0").await.len(), 3);
    let history = page(&bob, "0").await;
    assert_eq!(texts(&history), ["first", "the typo fixed", "last"]);
    assert_eq!(by_id(&history, id)["edited"], edited["edited"]);

    assert!(redis_holds(&redis, "typo fixed").await);

    // Delete over the WebSocket (instance A): an ack with the tombstone, Bob sees it live.
    alice_ws
        .send(json!({"type": "delete", "data": {"roomId": "0", "messageId": id, "clientId": "d1"}}))
        .await;
    let ack = alice_ws.expect("ack").await;
    assert_eq!(ack["clientId"], "d1");
    assert_eq!(
        (
            ack["message"]["deleted"].as_bool(),
            ack["message"]["message"].as_str()
        ),
        (Some(true), Some(""))
    );
    let gone = bob_ws.expect("message.deleted").await;
    assert_eq!(
        (
            gone["id"].as_str(),
            gone["deleted"].as_bool(),
            gone["message"].as_str()
        ),
        (Some(id), Some(true), Some(""))
    );
    assert!(
        !redis_holds(&redis, "typo").await,
        "no text of a deleted message is kept"
    );

    // A tombstone keeps its place: cursors around it still page exactly.
    let history = page(&bob, "0").await;
    assert_eq!(history.len(), 3);
    assert_eq!(by_id(&history, id)["deleted"], true);
    let (_, older) = bob
        .history("0", &format!("?before={}", after["date"]))
        .await;
    let older: Vec<&str> = older["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(older, [before["id"].as_str().unwrap(), id]);

    // A tombstone takes no edit; deleting it again changes nothing and says so with 200.
    let (status, body) = alice
        .request("PATCH", &path, Some(json!({"message": "back"})))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("message_deleted"))
    );
    let (status, body) = alice.request("DELETE", &path, None).await;
    assert_eq!((status, body["deleted"].as_bool()), (200, Some(true)));
    hears_no(&mut bob_ws, "message.deleted").await;
}

#[tokio::test]
async fn members_react_counts_and_mine_are_right_for_everyone_and_bounded() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let carol = b.user("carol").await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;

    let m = bob.say("0", "react to me").await;
    let id = m["id"].as_str().unwrap();
    let thumbs = format!("/api/rooms/0/messages/{id}/reactions/👍");

    // Bob over REST on B: Alice on A hears it.
    let (status, reacted) = bob.request("PUT", &thumbs, None).await;
    assert_eq!(status, 200, "{reacted}");
    assert_eq!(
        reacted["reactions"],
        json!([{"emoji": "👍", "count": 1, "mine": true, "users": [bob.id]}])
    );
    let changed = alice_ws.expect("reaction.changed").await;
    assert_eq!(
        changed,
        json!({"roomId": "0", "messageId": id, "emoji": "👍", "count": 1, "userId": bob.id, "added": true, "version": 1})
    );
    // Alice over the WebSocket on A: an ack with the reactions as she sees them.
    alice_ws
        .send(json!({"type": "react", "data": {"roomId": "0", "messageId": id, "emoji": "👍", "add": true, "clientId": "r1"}}))
        .await;
    let ack = alice_ws.expect("ack").await;
    assert_eq!(
        ack["message"]["reactions"],
        json!([{"emoji": "👍", "count": 2, "mine": true, "users": [bob.id, alice.id]}])
    );
    assert_eq!(
        bob_ws.expect("reaction.changed").await["count"],
        1,
        "his own first"
    );
    assert_eq!(bob_ws.expect("reaction.changed").await["count"], 2);
    // Reacting twice changes nothing and tells no one.
    let (status, again) = bob.request("PUT", &thumbs, None).await;
    assert_eq!(
        (status, again["reactions"][0]["count"].as_u64()),
        (200, Some(2))
    );
    hears_no(&mut alice_ws, "reaction.changed").await;

    // History: counts and the first few names for all, `mine` for the reader.
    let as_carol = page(&carol, "0").await;
    assert_eq!(
        by_id(&as_carol, id)["reactions"],
        json!([{"emoji": "👍", "count": 2, "mine": false, "users": [bob.id, alice.id]}])
    );
    let (status, taken) = bob.request("DELETE", &thumbs, None).await;
    assert_eq!(
        (status, taken["reactions"].clone()),
        (
            200,
            json!([{"emoji": "👍", "count": 1, "mine": false, "users": [alice.id]}])
        )
    );
    let off = alice_ws.expect("reaction.changed").await;
    assert_eq!(
        (off["count"].as_u64(), off["added"].as_bool()),
        (Some(1), Some(false))
    );

    // Bounds: 10 reactions per user per message, 20 different emoji per message.
    let emoji: Vec<String> = (0..21)
        .map(|i| char::from_u32(0x1F600 + i).unwrap().to_string())
        .collect();
    let react = |user: &User, e: &str| {
        let (user, path) = (
            user.clone(),
            format!("/api/rooms/0/messages/{id}/reactions/{e}"),
        );
        async move { user.request("PUT", &path, None).await }
    };
    for e in &emoji[..9] {
        assert_eq!(react(&alice, e).await.0, 200);
    }
    let (status, body) = react(&alice, &emoji[9]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("reaction_limit")),
        "Alice's 11th"
    );
    for e in &emoji[9..19] {
        assert_eq!(react(&bob, e).await.0, 200);
    }
    let (status, body) = react(&carol, &emoji[20]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("reaction_limit")),
        "a 21st emoji"
    );
    assert_eq!(
        react(&carol, "👍").await.0,
        200,
        "an existing emoji is still fine"
    );
    // A message written by the original server (no id: `seed-…`) cannot be found by id.
    let seed = r#"{"from":1,"date":1615480369,"message":"from the seed","roomId":"0"}"#;
    let _: () = redis::cmd("ZADD")
        .arg("room:0")
        .arg(1615480369)
        .arg(seed)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    let seed_id = page(&carol, "0").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(seed_id.starts_with("seed-"));
    let (status, body) = carol
        .request(
            "PUT",
            &format!("/api/rooms/0/messages/{seed_id}/reactions/👍"),
            None,
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let stored: String = redis::cmd("HGET")
        .arg("reactions:{room:0}")
        .arg(id)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    let stored: Vec<Value> = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored.len(), 20);
    assert_eq!(
        stored[0],
        json!(["👍", 2, [alice.id, carol.id]]),
        "counts and the first names, not every user"
    );
    let who: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("reacted:{{room:0}}:{id}"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    let thumbs = |user: &str| {
        who.get(user)
            .and_then(|l| serde_json::from_str::<Vec<String>>(l).ok())
            .is_some_and(|l| l.contains(&"👍".to_owned()))
    };
    assert!(thumbs(&alice.id) && thumbs(&carol.id), "{who:?}");

    // Bad input: a clear error, nothing changes.
    for (path, status, code) in [
        (
            format!("/api/rooms/0/messages/{id}/reactions/a"),
            400,
            "invalid_emoji",
        ),
        (
            format!("/api/rooms/0/messages/{id}/reactions/%F0%9F%91%8D%20"),
            400,
            "invalid_emoji",
        ),
        (
            "/api/rooms/0/messages/0123456789abcdef0123456789abcdef/reactions/👍".to_owned(),
            404,
            "not_found",
        ),
    ] {
        let (got, body) = carol.request("PUT", &path, None).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{path}"
        );
    }
    bob_ws
        .send(json!({"type": "react", "data": {"roomId": "0", "messageId": id, "emoji": "x", "add": true, "clientId": "r2"}}))
        .await;
    assert_eq!(bob_ws.expect("error").await["error"], "invalid_emoji");

    // Deleting the message takes its reactions with it; a tombstone takes none.
    let (status, _) = bob
        .request("DELETE", &format!("/api/rooms/0/messages/{id}"), None)
        .await;
    assert_eq!(status, 200);
    let exists: bool = redis::cmd("HEXISTS")
        .arg("reactions:{room:0}")
        .arg(id)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(!exists);
    let (status, body) = react(&alice, "👍").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("message_deleted"))
    );
}

#[tokio::test]
async fn only_members_react_reply_or_change_messages_of_a_room() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let mallory = b.user("mallory").await;
    let bob = b.user("bob").await;
    let room = alice.create_room("private-ish").await;
    let direct = alice.open_direct(&bob).await;
    let m = alice.say(&room, "members only").await;
    let d = alice.say(&direct, "just us").await;
    let mut mallory_ws = mallory.connect(&b).await;
    let before_room = stored(&redis, &room).await;
    let before_direct = stored(&redis, &direct).await;

    for (room, id, status, code) in [
        (&room, m["id"].as_str().unwrap(), 403, "not_member"),
        (&direct, d["id"].as_str().unwrap(), 404, "not_found"),
    ] {
        let base = format!("/api/rooms/{room}/messages/{id}");
        for (method, path, body) in [
            ("PATCH", base.clone(), Some(json!({"message": "x"}))),
            ("DELETE", base.clone(), None),
            ("PUT", format!("{base}/reactions/👍"), None),
            ("DELETE", format!("{base}/reactions/👍"), None),
            (
                "POST",
                format!("/api/rooms/{room}/messages"),
                Some(json!({"message": "x", "replyTo": id})),
            ),
        ] {
            let (got, answer) = mallory.request(method, &path, body).await;
            assert_eq!(
                (got, answer["error"].as_str()),
                (status, Some(code)),
                "{method} {path}"
            );
        }
        for frame in [
            json!({"type": "edit", "data": {"roomId": room, "messageId": id, "message": "x", "clientId": "c"}}),
            json!({"type": "delete", "data": {"roomId": room, "messageId": id, "clientId": "c"}}),
            json!({"type": "react", "data": {"roomId": room, "messageId": id, "emoji": "👍", "add": true, "clientId": "c"}}),
            json!({"type": "message", "data": {"roomId": room, "message": "x", "replyTo": id, "clientId": "c"}}),
        ] {
            mallory_ws.send(frame.clone()).await;
            let e = mallory_ws.expect("error").await;
            assert_eq!(
                (e["error"].as_str(), e["clientId"].as_str()),
                (Some(code), Some("c")),
                "{frame}"
            );
        }
    }
    assert_eq!(stored(&redis, &room).await, before_room);
    assert_eq!(stored(&redis, &direct).await, before_direct);
    let reactions: u64 = redis::cmd("EXISTS")
        .arg(format!("reactions:{{room:{room}}}"))
        .arg(format!("reactions:{{room:{direct}}}"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(reactions, 0);
}

#[tokio::test]
async fn a_reply_carries_its_parents_quote_as_the_parent_is_now() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let mut alice_ws = alice.connect(&a).await;
    let mut bob_ws = bob.connect(&b).await;

    let long = format!("{} the end", "é".repeat(120));
    let parent = alice.say("0", &long).await;
    let pid = parent["id"].as_str().unwrap();
    alice_ws.expect("message").await;
    bob_ws.expect("message").await;

    // Bob replies over the WebSocket on B; Alice on A gets the quote live.
    bob_ws
        .send(json!({"type": "message", "data": {"roomId": "0", "message": "agreed", "replyTo": pid, "clientId": "q1"}}))
        .await;
    let live = alice_ws.expect("message").await;
    let quote = format!("{}…", "é".repeat(100));
    assert_eq!(
        live["replyTo"],
        json!({"id": pid, "from": alice.id, "message": quote})
    );
    let ack = bob_ws.expect("ack").await;
    assert_eq!(ack["message"]["replyTo"], live["replyTo"]);
    let rid = live["id"].as_str().unwrap().to_owned();

    // Stored: the parent's id only (its text lives in one place).
    let row = stored_message(&redis, "0", &rid).await;
    assert_eq!(row["replyTo"], json!({"id": pid}));

    // An edited reply still quotes its parent, live.
    let (status, _) = bob
        .request(
            "PATCH",
            &format!("/api/rooms/0/messages/{rid}"),
            Some(json!({"message": "agreed!"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        alice_ws.expect("message.edited").await["replyTo"],
        live["replyTo"]
    );

    // Over REST, and a retry of the same clientId answers the same reply with its quote.
    let (status, again) = bob
        .post(
            "/api/rooms/0/messages",
            json!({"message": "agreed", "replyTo": pid, "clientId": "q1"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (again["id"].as_str(), &again["replyTo"]),
        (Some(rid.as_str()), &live["replyTo"])
    );
    assert_eq!(again["message"], "agreed!");

    // An edited parent is quoted as it is now; a deleted one as deleted, with no text kept.
    let (status, _) = alice
        .request(
            "PATCH",
            &format!("/api/rooms/0/messages/{pid}"),
            Some(json!({"message": "short now"})),
        )
        .await;
    assert_eq!(status, 200);
    let history = page(&bob, "0").await;
    assert_eq!(by_id(&history, &rid)["replyTo"]["message"], "short now");
    assert!(redis_holds(&redis, "short now").await);
    let (_, only_reply) = bob
        .history("0", &format!("?after={}", parent["date"]))
        .await;
    assert_eq!(
        only_reply["messages"][0]["replyTo"]["message"], "short now",
        "a parent outside the page is found too"
    );
    let (status, _) = alice
        .request("DELETE", &format!("/api/rooms/0/messages/{pid}"), None)
        .await;
    assert_eq!(status, 200);
    let history = page(&bob, "0").await;
    assert_eq!(
        by_id(&history, &rid)["replyTo"],
        json!({"id": pid, "deleted": true})
    );
    assert!(!redis_holds(&redis, "short now").await);

    // Replies only to a live message of the same room.
    let elsewhere = alice.create_room("elsewhere").await;
    let other = alice.say(&elsewhere, "not in General").await;
    for (reply_to, status, code) in [
        (pid, 409, "reply_deleted"),
        (other["id"].as_str().unwrap(), 404, "reply_not_found"),
        ("0123456789abcdef0123456789abcdef", 404, "reply_not_found"),
        ("nope", 400, "reply_not_found"),
    ] {
        let (got, body) = bob
            .post(
                "/api/rooms/0/messages",
                json!({"message": "x", "replyTo": reply_to}),
            )
            .await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{reply_to}"
        );
        bob_ws
            .send(json!({"type": "message", "data": {"roomId": "0", "message": "x", "replyTo": reply_to, "clientId": "q2"}}))
            .await;
        assert_eq!(bob_ws.expect("error").await["error"], code);
    }
    assert_eq!(stored(&redis, "0").await.len(), 2);
}

#[tokio::test]
async fn mentions_count_per_room_until_read_and_muting_is_shared_by_a_users_tabs() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let carol = b.user("carol").await;
    let room = alice.create_room("team").await;
    let (status, _) = bob
        .post(&format!("/api/rooms/{room}/join"), json!({}))
        .await;
    assert_eq!(status, 200);
    let mut bob_ws = bob.connect(&b).await;
    let summary = |rooms: &Value, id: &str| {
        rooms
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {rooms}"))
    };

    // Named members are recognised: Bob and Alice here; Carol is not in the room.
    let m = alice
        .say(
            &room,
            "@bob and @carol, see mail@alice.example and @nobody. Thanks @alice.",
        )
        .await;
    assert_eq!(m["mentions"], json!([bob.id, alice.id]));
    let live = bob_ws.expect("message").await;
    assert_eq!(live["mentions"], m["mentions"]);
    alice.say("0", "hey @bob.").await;
    alice.say("0", "no mention").await;
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(summary(&rooms, &room)["mentions"], 1);
    assert_eq!(summary(&rooms, "0")["mentions"], 1);
    assert_eq!(summary(&rooms, "0")["unread"], 2);
    let (_, rooms) = alice.get("/api/rooms").await;
    assert_eq!(
        summary(&rooms, &room)["mentions"],
        0,
        "naming oneself is no mention"
    );
    let (_, rooms) = carol.get("/api/rooms").await;
    assert_eq!(summary(&rooms, "0")["mentions"], 0);

    // Reading the room clears its count.
    let (status, _) = bob
        .post(
            &format!("/api/rooms/{room}/read"),
            json!({"date": m["date"]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(summary(&rooms, &room)["mentions"], 0);
    assert_eq!(summary(&rooms, "0")["mentions"], 1);

    // A deleted mention no longer counts.
    let later = alice.say("0", "@bob again").await;
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(summary(&rooms, "0")["mentions"], 2);
    let (status, _) = alice
        .request(
            "DELETE",
            &format!("/api/rooms/0/messages/{}", later["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(summary(&rooms, "0")["mentions"], 1);

    // Muting: his other tab (another instance) hears it; the listing says it; unread counts.
    let mut bob_tab = bob.connect(&a).await;
    let (status, _) = bob
        .request("PUT", &format!("/api/rooms/{room}/mute"), None)
        .await;
    assert_eq!(status, 204);
    let muted = bob_tab.expect("room.muted").await;
    assert_eq!(
        muted,
        json!({"roomId": room, "userId": bob.id, "muted": true})
    );
    alice.say(&room, "while muted").await;
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(
        (
            summary(&rooms, &room)["muted"].as_bool(),
            summary(&rooms, &room)["unread"].as_u64()
        ),
        (Some(true), Some(1))
    );
    assert_eq!(summary(&rooms, "0")["muted"], false);
    let (status, _) = bob
        .request("PUT", &format!("/api/rooms/{room}/mute"), None)
        .await;
    assert_eq!(status, 204, "muting twice is fine");
    hears_no(&mut bob_tab, "room.muted").await;
    let (status, _) = bob
        .request("DELETE", &format!("/api/rooms/{room}/mute"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(bob_tab.expect("room.muted").await["muted"], false);
    let (_, rooms) = bob.get("/api/rooms").await;
    assert_eq!(summary(&rooms, &room)["muted"], false);

    // Only one's own rooms.
    let (status, body) = carol
        .request("PUT", &format!("/api/rooms/{room}/mute"), None)
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_member")));
    let (status, _) = carol.request("PUT", "/api/rooms/999/mute", None).await;
    assert_eq!(status, 404);
    let muted: Vec<String> = redis::cmd("SMEMBERS")
        .arg(format!("user:{}:muted", carol.id))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(muted.is_empty());
}

#[tokio::test]
async fn concurrent_edits_and_reactions_leave_exactly_what_was_acknowledged() {
    let redis = TestRedis::start().await;
    let (a, b) = (TestApp::spawn(&redis).await, TestApp::spawn(&redis).await);
    let alice = a.user("alice").await;
    let mut reactors = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { &a } else { &b };
        reactors.push(app.user(&format!("r{i}")).await);
    }
    let m = alice.say("0", "v0").await;
    let path = format!("/api/rooms/0/messages/{}", m["id"].as_str().unwrap());
    let alice_b = alice.on(&b);

    // Eight users react while Alice edits six times from both instances at once.
    let reacts = reactors.iter().map(|u| {
        let (u, p) = (u.clone(), format!("{path}/reactions/👍"));
        tokio::spawn(async move { u.request("PUT", &p, None).await })
    });
    let edits = (0..6).map(|i| {
        let who = if i % 2 == 0 {
            alice.clone()
        } else {
            alice_b.clone()
        };
        let p = path.clone();
        tokio::spawn(async move {
            who.request("PATCH", &p, Some(json!({"message": format!("v{}", i + 1)})))
                .await
        })
    });
    let (reacts, edits) = futures_util::future::join(
        futures_util::future::join_all(reacts),
        futures_util::future::join_all(edits),
    )
    .await;
    let reacts: Vec<(u16, Value)> = reacts.into_iter().map(Result::unwrap).collect();
    let edits: Vec<(u16, Value)> = edits.into_iter().map(Result::unwrap).collect();

    // Each change either happened (200) or was refused as a conflict (409), nothing else.
    for (status, body) in reacts.iter().chain(&edits) {
        assert!(
            *status == 200 || (*status == 409 && body["error"] == "conflict"),
            "{status} {body}"
        );
    }
    let reacted = reacts.iter().filter(|(s, _)| *s == 200).count() as u64;
    let done: Vec<&Value> = edits
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert!(reacted > 0 && !done.is_empty());
    // Each edit is dated after the one before: the stored text is the latest acknowledged.
    let mut dates: Vec<f64> = done.iter().map(|e| e["edited"].as_f64().unwrap()).collect();
    dates.sort_by(f64::total_cmp);
    dates.dedup();
    assert_eq!(dates.len(), done.len(), "every edit has its own date");
    let last = done
        .iter()
        .max_by(|x, y| {
            let date = |v: &Value| v["edited"].as_f64().unwrap();
            date(x).total_cmp(&date(y))
        })
        .unwrap();
    let history = page(&alice, "0").await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["message"], last["message"]);
    assert_eq!(history[0]["reactions"][0]["count"].as_u64(), Some(reacted));
    assert_eq!(stored(&redis, "0").await.len(), 1);
}

#[tokio::test]
async fn retention_takes_reactions_with_the_messages_it_trims_and_replies_keep_the_parent_id() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.room_max_messages = 3;
    let a = TestApp::spawn_with(config).await;
    let alice = a.user("alice").await;
    let first = alice.say("0", "first").await;
    let fid = first["id"].as_str().unwrap();
    let (status, _) = alice
        .request(
            "PUT",
            &format!("/api/rooms/0/messages/{fid}/reactions/🎉"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, reply) = alice
        .post(
            "/api/rooms/0/messages",
            json!({"message": "re", "replyTo": fid}),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let fields = || async {
        let keys: Vec<String> = redis::cmd("HKEYS")
            .arg("reactions:{room:0}")
            .query_async(&mut redis.conn().await)
            .await
            .unwrap();
        keys
    };
    let mut before = fields().await;
    before.sort();
    assert_eq!(before, [fid.to_owned(), format!("{fid}#v")]);
    alice.say("0", "third").await;
    alice.say("0", "fourth").await;
    assert!(fields().await.is_empty(), "trimmed with its message");
    let history = page(&alice, "0").await;
    assert_eq!(texts(&history), ["re", "third", "fourth"]);
    assert_eq!(
        history[0]["replyTo"],
        json!({"id": fid}),
        "the parent is gone"
    );
    let (status, body) = alice
        .request(
            "PUT",
            &format!("/api/rooms/0/messages/{fid}/reactions/🎉"),
            None,
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn messages_stored_before_the_id_index_existed_are_found_after_a_start() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let alice = app.user("alice").await;
    let id = alice.say("0", "from an earlier version").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.stop().await;
    // As an earlier version left it: the message, no index.
    let _: () = redis::cmd("DEL")
        .arg("ids:{room:0}")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();

    let app = TestApp::spawn(&redis).await;
    let alice = alice.on(&app);
    let path = format!("/api/rooms/0/messages/{id}");
    let (status, edited) = alice
        .request("PATCH", &path, Some(json!({"message": "found again"})))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["message"], "found again");
    let indexed: Vec<String> = redis::cmd("HKEYS")
        .arg("ids:{room:0}")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(indexed.contains(&id) && indexed.contains(&"#indexed".to_owned()));
}

#[tokio::test]
async fn an_edit_of_someone_elses_message_looks_up_no_names() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    let id = alice.say("0", "mine").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/rooms/0/messages/{id}");
    let names: String = (0..20).map(|i| format!("@someone{i} ")).collect();
    redis.reset_command_calls().await;
    let (status, body) = bob
        .request("PATCH", &path, Some(json!({"message": names})))
        .await;
    assert_eq!((status, body["error"].clone()), (403, json!("not_author")));
    let refused = redis.command_calls().await;
    assert_eq!(
        refused.get("get"),
        None,
        "no username looked up for a refused edit: {refused:?}"
    );
    // The author's edit of the same text does look the names up.
    redis.reset_command_calls().await;
    let (status, _) = alice
        .request("PATCH", &path, Some(json!({"message": names})))
        .await;
    assert_eq!(status, 200);
    let looked_up = redis.command_calls().await;
    assert!(
        looked_up.get("get").is_some_and(|n| *n >= 20),
        "{looked_up:?}"
    );
}

/// Issue 20, item 11: `GET /api/users/online` answered every online user at once. It comes
/// a page at a time now: `limit` users and a `Link` to the next page, until the last.
#[tokio::test]
async fn online_users_come_a_page_at_a_time() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let watcher = app.user("watcher").await;
    let mut sockets = vec![watcher.connect(&app).await];
    let mut expected = vec![watcher.id.clone()];
    for k in 0..24 {
        let u = app.user(&format!("u{k}")).await;
        sockets.push(u.connect(&app).await);
        expected.push(u.id.clone());
    }
    assert!(
        eventually(10, || async {
            let online: Vec<String> = chat_core::redis::cmd("SMEMBERS")
                .arg("online_users")
                .query_async(&mut redis.conn().await)
                .await
                .unwrap();
            online.len() == expected.len()
        })
        .await
    );
    let client = reqwest::Client::new();
    let mut path = "/api/users/online?limit=10".to_owned();
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let r = client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&watcher.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let link = r
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page: Value = r.json().await.unwrap();
        let users = page.as_array().unwrap();
        assert!(users.len() <= 10, "{page}");
        assert!(users.iter().all(|u| u["online"] == true));
        seen.extend(users.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        pages += 1;
        assert!(pages <= 5, "pages end");
        let Some(link) = link else { break };
        let (target, rel) = link.split_once("; ").unwrap();
        assert_eq!(rel, r#"rel="next""#);
        path = target.trim_matches(['<', '>']).to_owned();
    }
    assert_eq!(pages, 3, "25 users by 10");
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected, "every online user once");

    for bad in [
        "cursor=x",
        "cursor=1.",
        "cursor=.1",
        "limit=0",
        "limit=1001",
    ] {
        let (status, body) = watcher.get(&format!("/api/users/online?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (_, body) = watcher.get("/api/users/online?cursor=abc").await;
    assert_eq!(body["error"], "invalid_cursor");
}
