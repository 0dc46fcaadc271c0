//! Reports of messages, seen from outside: two instances on one real redis-server, real
//! WebSocket clients.

mod common;

use chat_core::redis;
use common::*;
use serde_json::{json, Value};

async fn join(user: &User, room: &str) {
    let (status, body) = user
        .post(&format!("/api/rooms/{room}/join"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn report(user: &User, room: &str, message: &Value, reason: &str) -> (u16, Value) {
    user.post(
        &format!(
            "/api/rooms/{room}/messages/{}/reports",
            message["id"].as_str().unwrap()
        ),
        json!({ "reason": reason }),
    )
    .await
}

#[tokio::test]
async fn reports_reach_the_rooms_moderators_only_and_the_reporter_never_learns_who_closed_them() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let mona = b.user("mona").await;
    let kim = a.user("kim").await;
    let mark = b.user("mark").await;
    let room = olga.create_room("market").await;
    for u in [&mona, &kim, &mark] {
        join(u, &room).await;
    }
    let role = format!("/api/rooms/{room}/members/{}/role", mona.id);
    assert_eq!(
        olga.request("PUT", &role, Some(json!({"role": "moderator"})))
            .await
            .0,
        204
    );
    let mut moderator = mona.connect(&b).await;
    let mut owner = olga.connect(&a).await;
    let mut reporter = kim.connect(&a).await;
    let mut author = mark.connect(&b).await;

    let m = mark.say(&room, "buy cheap watches").await;
    let (status, filed) = report(&kim, &room, &m, "  spam  ").await;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(
        (
            &filed["reason"],
            &filed["status"],
            &filed["reporter"]["username"]
        ),
        (&json!("spam"), &json!("open"), &json!("kim"))
    );
    let id = filed["id"].as_str().unwrap().to_owned();
    for tab in [&mut moderator, &mut owner] {
        let live = tab.expect("report.created").await;
        assert_eq!(
            (&live["id"], &live["reporterId"], &live["excerpt"]),
            (&json!(id), &json!(kim.id), &json!("buy cheap watches"))
        );
    }
    // The author, a plain member, hears nothing of it: up to the next message, nothing
    // but messages (one instance's events arrive in order).
    olga.say(&room, "after the report").await;
    let mut seen = Vec::new();
    loop {
        let e = author
            .next_within(std::time::Duration::from_secs(10))
            .await
            .expect("the next message");
        seen.push(e["type"].as_str().unwrap_or_default().to_owned());
        if e["data"]["message"] == "after the report" {
            break;
        }
    }
    assert!(!seen.iter().any(|t| t.starts_with("report.")), "{seen:?}");

    // Again: the open report; one's own message is not reported; members see no queue.
    let (status, again) = report(&kim, &room, &m, "really").await;
    assert_eq!((status, &again["id"]), (200, &json!(id)));
    let own = kim.say(&room, "mine").await;
    let (status, body) = report(&kim, &room, &own, "x").await;
    assert_eq!((status, body["error"].as_str()), (409, Some("own_message")));
    let (status, body) = report(&kim, &room, &m, "   ").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_reason"))
    );
    let (status, body) = mark.get(&format!("/api/rooms/{room}/reports")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    let (status, queue) = mona.get(&format!("/api/rooms/{room}/reports")).await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["author"]["username"], "mark");

    // The moderator deletes the message and resolves the report.
    let path = format!("/api/rooms/{room}/messages/{}", m["id"].as_str().unwrap());
    assert_eq!(mona.request("DELETE", &path, None).await.0, 200);
    let close = format!("/api/rooms/{room}/reports/{id}");
    let (status, closed) = mona
        .request("PATCH", &close, Some(json!({"status": "resolved"})))
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        (&closed["status"], &closed["handledBy"]["username"]),
        (&json!("resolved"), &json!("mona"))
    );
    let told = reporter.expect("report.updated").await;
    assert_eq!(
        (&told["id"], &told["status"], told.get("handledBy")),
        (&json!(id), &json!("resolved"), None),
        "the reporter is not told who"
    );
    assert_eq!(owner.expect("report.updated").await["handledBy"], mona.id);
    let (status, body) = mona
        .request("PATCH", &close, Some(json!({"status": "dismissed"})))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_closed"))
    );
    assert_eq!(
        mona.get(&format!("/api/rooms/{room}/reports")).await.1,
        json!([])
    );
    let (_, done) = mona
        .get(&format!("/api/rooms/{room}/reports?status=closed"))
        .await;
    assert_eq!(done[0]["id"], id);
    let (_, audit) = olga.get(&format!("/api/rooms/{room}/audit")).await;
    assert_eq!(
        (&audit[0]["action"], &audit[0]["detail"]),
        (&json!("report"), &json!("resolved"))
    );
    // A deleted message takes no report.
    let (status, body) = report(&kim, &room, &m, "spam").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("message_deleted"))
    );

    // In Redis: the report under the room's tag, closed.
    let mut conn = redis.conn().await;
    let (open, closed_ids): (Vec<String>, Vec<String>) = redis::pipe()
        .cmd("ZRANGE")
        .arg(format!("reports_open:{{room:{room}}}"))
        .arg(0)
        .arg(-1)
        .cmd("ZRANGE")
        .arg(format!("reports_closed:{{room:{room}}}"))
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!((open, closed_ids), (vec![], vec![id.clone()]));
}

#[tokio::test]
async fn closed_reports_are_removed_once_past_their_keeping() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let olga = app.user("olga").await;
    let kim = app.user("kim").await;
    let room = olga.create_room("old news").await;
    join(&kim, &room).await;
    let hash = format!("reports:{{room:{room}}}");
    let closed = format!("reports_closed:{{room:{room}}}");
    // A report closed 31 days ago (the default keeping is 30 days).
    let old = "0123456789abcdef01234567";
    let long_ago = (chat_core::now_secs() * 1000.0) as u64 - 31 * 86_400_000;
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(&hash)
        .arg(old)
        .arg(json!({"id": old, "status": "resolved"}).to_string())
        .ignore()
        .cmd("ZADD")
        .arg(&closed)
        .arg(long_ago)
        .arg(old)
        .ignore()
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    let m = olga.say(&room, "hmm").await;
    let (_, filed) = report(&kim, &room, &m, "off topic").await;
    let id = filed["id"].as_str().unwrap();
    let (status, _) = olga
        .request(
            "PATCH",
            &format!("/api/rooms/{room}/reports/{id}"),
            Some(json!({"status": "dismissed"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut conn = redis.conn().await;
    let (kept, ids): (bool, Vec<String>) = redis::pipe()
        .cmd("HEXISTS")
        .arg(&hash)
        .arg(old)
        .cmd("ZRANGE")
        .arg(&closed)
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!((kept, ids), (false, vec![id.to_owned()]));
}

#[tokio::test]
async fn a_user_is_found_by_name_ignoring_case() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let olga = app.user("Olga").await;
    let kim = app.user("kim").await;
    let (status, found) = kim.get("/api/users/lookup?name=OLGA").await;
    assert_eq!((status, &found["id"]), (200, &json!(olga.id)));
    assert_eq!(found["username"], "Olga");
    let (status, body) = kim.get("/api/users/lookup?name=nobody").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    assert_eq!(kim.get("/api/users/lookup").await.0, 400);
}
