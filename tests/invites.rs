//! Private rooms, invitations and invite links, seen from outside: two instances on one
//! real redis-server, real WebSocket clients.

mod common;

use chat_core::redis;
use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn create(user: &User, name: &str, visibility: &str) -> String {
    let r = user
        .post(
            "/api/rooms",
            json!({"name": name, "visibility": visibility}),
        )
        .await;
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(r.1["visibility"], visibility);
    r.1["id"].as_str().unwrap().to_owned()
}

async fn invite(actor: &User, room: &str, target: &User) -> (u16, Value) {
    actor
        .post(
            &format!("/api/rooms/{room}/invites"),
            json!({"userId": target.id}),
        )
        .await
}

async fn is_member(redis: &TestRedis, room: &str, user: &User) -> bool {
    redis::cmd("SISMEMBER")
        .arg(format!("room:{room}:members"))
        .arg(&user.id)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap()
}

async fn discover(user: &User, q: &str) -> Vec<String> {
    let (status, page) = user.get(&format!("/api/rooms/discover?q={q}")).await;
    assert_eq!(status, 200);
    page["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_private_room_is_not_there_for_anyone_outside_it_on_any_path() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let nina = b.user("nina").await;
    let room = create(&olga, "secret plans", "private").await;
    let private: Option<String> = redis::cmd("HGET")
        .arg(format!("settings:{{room:{room}}}"))
        .arg("visibility")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(private.as_deref(), Some("private"));
    let listed: Option<f64> = redis::cmd("ZSCORE")
        .arg("named_rooms")
        .arg(&room)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(listed, None, "not in the directory");
    let m = olga.say(&room, "the plan").await;
    let mid = m["id"].as_str().unwrap();

    // Every path answers as if the room did not exist.
    assert!(discover(&nina, "secret").await.is_empty());
    let r = |p: &str| format!("/api/rooms/{room}{p}");
    for (method, path, body) in [
        ("GET", r("/messages"), None),
        ("POST", r("/messages"), Some(json!({"message": "hi"}))),
        ("POST", r("/join"), Some(json!({}))),
        ("GET", r("/members"), None),
        ("PATCH", r(""), Some(json!({"visibility": "public"}))),
        ("PUT", r(&format!("/messages/{mid}/reactions/👍")), None),
        ("POST", r("/invites"), Some(json!({"userId": nina.id}))),
        ("POST", r("/invite-links"), Some(json!({}))),
        ("GET", r("/bans"), None),
        ("PUT", r("/mute"), None),
    ] {
        let (status, answer) = nina.request(method, &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    assert!(!is_member(&redis, &room, &nina).await);

    // Nor do its events reach her: the General message after it comes first.
    let mut tab = nina.connect(&b).await;
    tab.send(json!({"type": "message", "data": {"roomId": room, "message": "let me in"}}))
        .await;
    assert_eq!(tab.expect("error").await["error"], "not_found");
    olga.say(&room, "more plans").await;
    olga.say("0", "hello all").await;
    assert_eq!(tab.expect("message").await["message"], "hello all");

    // Its owner makes it public: members hear it; it is listed and joinable.
    let mut owner_tab = olga.connect(&a).await;
    let (status, summary) = olga
        .request("PATCH", &r(""), Some(json!({"visibility": "public"})))
        .await;
    assert_eq!((status, &summary["visibility"]), (200, &json!("public")));
    let updated = owner_tab.expect("room.updated").await;
    assert_eq!(
        updated,
        json!({"roomId": room, "name": "secret plans", "visibility": "public"})
    );
    assert_eq!(
        discover(&olga, "secret").await,
        Vec::<String>::new(),
        "she is in it"
    );
    let (status, _) = nina.post(&r("/join"), json!({})).await;
    assert_eq!(status, 200);
    // A member may not change it; private again, she stays a member.
    let (status, body) = nina
        .request("PATCH", &r(""), Some(json!({"visibility": "private"})))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    assert_eq!(
        olga.request("PATCH", &r(""), Some(json!({"visibility": "private"})))
            .await
            .0,
        200
    );
    assert_eq!(nina.history(&room, "").await.0, 200);
}

#[tokio::test]
async fn an_invitation_arrives_live_and_is_accepted_declined_or_revoked() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let kim = b.user("kim").await;
    let bob = b.user("bob").await;
    let carl = b.user("carl").await;
    let room = create(&olga, "inner circle", "private").await;

    let mut tab = kim.connect(&b).await;
    let (status, made) = invite(&olga, &room, &kim).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let live = tab.expect("invite.received").await;
    assert_eq!(
        (
            &live["id"],
            &live["roomName"],
            &live["invitedBy"]["username"]
        ),
        (&json!(id), &json!("inner circle"), &json!("olga"))
    );
    let (_, mine) = kim.get("/api/invites").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        (&mine[0]["id"], &mine[0]["roomId"]),
        (&json!(id), &json!(room))
    );
    // Again: the same invitation.
    let (status, again) = invite(&olga, &room, &kim).await;
    assert_eq!((status, &again["id"]), (200, &json!(id)));

    // Accepted: in the room, live on the other instance; the invitation is gone.
    let (status, entered) = kim
        .post(&format!("/api/invites/{id}/accept"), json!({}))
        .await;
    assert_eq!((status, &entered["id"]), (200, &json!(room)), "{entered}");
    assert_eq!(tab.expect("room.joined").await["roomId"], room);
    assert_eq!(tab.expect("invite.removed").await["reason"], "accepted");
    assert!(is_member(&redis, &room, &kim).await);
    assert_eq!(kim.get("/api/invites").await.1, json!([]));
    assert_eq!(
        kim.post(&format!("/api/invites/{id}/accept"), json!({}))
            .await
            .0,
        404
    );
    let fields: u64 = redis::cmd("HLEN")
        .arg(format!("invites:{{room:{room}}}"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(fields, 0, "nothing of it is left");

    // A plain member does not invite to a private room; a member is not invited twice.
    let (status, body) = invite(&kim, &room, &bob).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    let (status, body) = invite(&olga, &room, &kim).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_member"))
    );

    // Declined.
    let (_, made) = invite(&olga, &room, &bob).await;
    let bid = made["id"].as_str().unwrap();
    assert_eq!(
        bob.post(&format!("/api/invites/{bid}/decline"), json!({}))
            .await
            .0,
        204
    );
    assert!(!is_member(&redis, &room, &bob).await);
    assert_eq!(bob.get("/api/invites").await.1, json!([]));
    // Someone else's invitation is not theirs to take.
    let (_, made) = invite(&olga, &room, &carl).await;
    let cid = made["id"].as_str().unwrap().to_owned();
    assert_eq!(
        bob.post(&format!("/api/invites/{cid}/accept"), json!({}))
            .await
            .0,
        404
    );
    // Revoked: Carl hears it, and it no longer lets him in.
    let mut carl_tab = carl.connect(&b).await;
    let (_, listed) = olga.get(&format!("/api/rooms/{room}/invites")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        olga.request("DELETE", &format!("/api/rooms/{room}/invites/{cid}"), None)
            .await
            .0,
        204
    );
    assert_eq!(carl_tab.expect("invite.removed").await["reason"], "revoked");
    assert_eq!(
        carl.post(&format!("/api/invites/{cid}/accept"), json!({}))
            .await
            .0,
        404
    );

    // A ban revokes a pending invitation and refuses new ones.
    let (_, made) = invite(&olga, &room, &carl).await;
    let cid = made["id"].as_str().unwrap().to_owned();
    let ban = format!("/api/rooms/{room}/bans/{}", carl.id);
    assert_eq!(
        olga.request("PUT", &ban, Some(json!({"reason": "no"})))
            .await
            .0,
        204
    );
    assert_eq!(carl.get("/api/invites").await.1, json!([]));
    assert_eq!(
        carl.post(&format!("/api/invites/{cid}/accept"), json!({}))
            .await
            .0,
        404
    );
    let (status, body) = invite(&olga, &room, &carl).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("banned")));
    assert!(!is_member(&redis, &room, &carl).await);
}

#[tokio::test]
async fn an_invite_link_lets_people_in_until_it_is_used_up_revoked_or_over() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let u1 = b.user("uno").await;
    let u2 = b.user("dos").await;
    let u3 = b.user("tres").await;
    let room = create(&olga, "by link", "private").await;

    let (status, link) = olga
        .post(
            &format!("/api/rooms/{room}/invite-links"),
            json!({"maxUses": 2, "expiresInSecs": 3600}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let token = link["token"].as_str().unwrap().to_owned();
    assert_eq!(link["url"], format!("/?invite={token}"));
    // Only the token's hash is kept.
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    let found: Option<String> = redis::cmd("GET")
        .arg(format!("invite_link:{hash}"))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(
        found,
        Some(format!("{room} {}", link["id"].as_str().unwrap()))
    );
    let dump = redis.dump().await;
    assert!(
        !dump
            .iter()
            .any(|(k, v)| k.contains(&token) || String::from_utf8_lossy(v).contains(&token)),
        "the token itself is nowhere in Redis"
    );

    let accept = format!("/api/invite-links/{token}/accept");
    let (status, entered) = u1.post(&accept, json!({})).await;
    assert_eq!((status, &entered["id"]), (200, &json!(room)));
    assert!(is_member(&redis, &room, &u1).await);
    // A member using it again counts nothing.
    assert_eq!(u1.post(&accept, json!({})).await.0, 200);
    let (_, links) = olga.get(&format!("/api/rooms/{room}/invite-links")).await;
    assert_eq!(
        (&links[0]["uses"], links[0].get("token")),
        (&json!(1), None)
    );
    assert_eq!(u2.post(&accept, json!({})).await.0, 200);
    // Used up.
    assert_eq!(u3.post(&accept, json!({})).await.0, 404);
    assert!(!is_member(&redis, &room, &u3).await);
    assert_eq!(
        olga.get(&format!("/api/rooms/{room}/invite-links")).await.1,
        json!([])
    );

    // Revoked.
    let (_, link) = olga
        .post(&format!("/api/rooms/{room}/invite-links"), json!({}))
        .await;
    let token = link["token"].as_str().unwrap();
    let path = format!(
        "/api/rooms/{room}/invite-links/{}",
        link["id"].as_str().unwrap()
    );
    assert_eq!(
        u1.request("DELETE", &path, None).await.0,
        403,
        "not theirs, not staff"
    );
    assert_eq!(olga.request("DELETE", &path, None).await.0, 204);
    assert_eq!(
        u3.post(&format!("/api/invite-links/{token}/accept"), json!({}))
            .await
            .0,
        404
    );

    // A banned user does not come back by link.
    let (_, link) = olga
        .post(&format!("/api/rooms/{room}/invite-links"), json!({}))
        .await;
    let token = link["token"].as_str().unwrap();
    let ban = format!("/api/rooms/{room}/bans/{}", u3.id);
    assert_eq!(
        olga.request("PUT", &ban, Some(json!({"reason": "no"})))
            .await
            .0,
        204
    );
    let (status, body) = u3
        .post(&format!("/api/invite-links/{token}/accept"), json!({}))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("banned")));
    assert!(!is_member(&redis, &room, &u3).await);
    // Malformed or unknown tokens name nothing.
    assert_eq!(
        u3.post("/api/invite-links/nope/accept", json!({})).await.0,
        404
    );
    let unknown = "0".repeat(64);
    assert_eq!(
        u3.post(&format!("/api/invite-links/{unknown}/accept"), json!({}))
            .await
            .0,
        404
    );
    // Plain members make no links to a private room; bad input changes nothing.
    let (status, _) = u1
        .post(&format!("/api/rooms/{room}/invite-links"), json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = olga
        .post(
            &format!("/api/rooms/{room}/invite-links"),
            json!({"maxUses": 0}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn invitations_and_links_work_on_a_cluster() {
    let cluster = common::cluster::TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let olga = one.user("olga").await;
    let kim = two.user("kim").await;
    let uno = two.user("uno").await;
    let room = create(&olga, "sharded secret", "private").await;
    let mut tab = kim.connect(&two).await;
    // Each script and pipeline stays in the room's slot or splits by slot (no CROSSSLOT).
    let (status, made) = invite(&olga, &room, &kim).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(tab.expect("invite.received").await["roomId"], room);
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        kim.post(&format!("/api/invites/{id}/accept"), json!({}))
            .await
            .0,
        200
    );
    assert_eq!(tab.expect("room.joined").await["roomId"], room);
    let (_, link) = olga
        .post(
            &format!("/api/rooms/{room}/invite-links"),
            json!({"maxUses": 1}),
        )
        .await;
    let accept = format!(
        "/api/invite-links/{}/accept",
        link["token"].as_str().unwrap()
    );
    assert_eq!(uno.post(&accept, json!({})).await.0, 200);
    assert_eq!(uno.history(&room, "").await.0, 200);
    let (_, members) = olga.get(&format!("/api/rooms/{room}/members")).await;
    assert_eq!(members.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_link_refused_for_the_room_cap_spends_none_of_its_uses() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.max_rooms_per_user = 3;
    let app = TestApp::spawn_with(config).await;
    let olga = app.user("olga").await;
    let uno = app.user("uno").await;
    let room = create(&olga, "one seat", "private").await;
    let public = create(&olga, "lobby", "public").await;
    // General, the lobby and a room of their own: as many as Uno may be in.
    assert_eq!(
        uno.post(&format!("/api/rooms/{public}/join"), json!({}))
            .await
            .0,
        200
    );
    uno.create_room("uno's").await;
    let (_, link) = olga
        .post(
            &format!("/api/rooms/{room}/invite-links"),
            json!({"maxUses": 1}),
        )
        .await;
    let accept = format!(
        "/api/invite-links/{}/accept",
        link["token"].as_str().unwrap()
    );
    let (status, body) = uno.post(&accept, json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("too_many_rooms"))
    );
    let (_, links) = olga.get(&format!("/api/rooms/{room}/invite-links")).await;
    assert_eq!(links[0]["uses"], 0, "no use spent");
    // Once there is room, the one use lets them in.
    assert_eq!(
        uno.post(&format!("/api/rooms/{public}/leave"), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(uno.post(&accept, json!({})).await.0, 200);
    assert!(is_member(&redis, &room, &uno).await);
}

#[tokio::test]
async fn going_private_or_a_kick_takes_back_what_no_longer_may_let_people_in() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let olga = app.user("olga").await;
    let kim = app.user("kim").await;
    let out = app.user("out").await;
    let bob = app.user("bob").await;
    let room = create(&olga, "was open", "public").await;
    assert_eq!(
        kim.post(&format!("/api/rooms/{room}/join"), json!({}))
            .await
            .0,
        200
    );
    // A plain member of the public room makes a link and invites Bob.
    let (_, link) = kim
        .post(&format!("/api/rooms/{room}/invite-links"), json!({}))
        .await;
    let token = link["token"].as_str().unwrap().to_owned();
    assert_eq!(invite(&kim, &room, &bob).await.0, 201);
    // The owner makes it private: what a plain member made no longer lets anyone in.
    assert_eq!(
        olga.request(
            "PATCH",
            &format!("/api/rooms/{room}"),
            Some(json!({"visibility": "private"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        out.post(&format!("/api/invite-links/{token}/accept"), json!({}))
            .await
            .0,
        404
    );
    assert_eq!(bob.get("/api/invites").await.1, json!([]));
    // Leaving a private room one is not in: as if it did not exist.
    let (status, body) = out
        .post(&format!("/api/rooms/{room}/leave"), json!({}))
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    // An invitation is used up by a join through a link: after a kick it lets nobody back.
    let (_, made) = invite(&olga, &room, &out).await;
    let id = made["id"].as_str().unwrap().to_owned();
    let (_, link) = olga
        .post(&format!("/api/rooms/{room}/invite-links"), json!({}))
        .await;
    let accept = format!(
        "/api/invite-links/{}/accept",
        link["token"].as_str().unwrap()
    );
    assert_eq!(out.post(&accept, json!({})).await.0, 200);
    assert_eq!(out.get("/api/invites").await.1, json!([]));
    assert_eq!(
        olga.request(
            "DELETE",
            &format!("/api/rooms/{room}/members/{}", out.id),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        out.post(&format!("/api/invites/{id}/accept"), json!({}))
            .await
            .0,
        404
    );
    assert!(!is_member(&redis, &room, &out).await);
}
