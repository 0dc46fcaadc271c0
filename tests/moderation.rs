//! Roles, kicks, bans and moderators' deletions, seen from outside: two instances on one
//! real redis-server (and one test on the local Redis Cluster), real WebSocket clients.

mod common;

use chat_core::redis;
use common::{cluster::TestCluster, *};
use serde_json::{json, Value};

async fn hget(redis: &TestRedis, key: &str, field: &str) -> Option<String> {
    redis::cmd("HGET")
        .arg(key)
        .arg(field)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap()
}

async fn is_member(redis: &TestRedis, room: &str, user: &User) -> bool {
    let mut conn = redis.conn().await;
    let (in_room, in_user): (bool, bool) = redis::pipe()
        .cmd("SISMEMBER")
        .arg(format!("room:{room}:members"))
        .arg(&user.id)
        .cmd("SISMEMBER")
        .arg(format!("user:{}:rooms", user.id))
        .arg(room)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(in_room, in_user, "both sides of a membership agree");
    in_room
}

async fn join(user: &User, room: &str) -> (u16, Value) {
    user.post(&format!("/api/rooms/{room}/join"), json!({}))
        .await
}

async fn set_role(actor: &User, room: &str, target: &User, role: &str) -> (u16, Value) {
    actor
        .request(
            "PUT",
            &format!("/api/rooms/{room}/members/{}/role", target.id),
            Some(json!({ "role": role })),
        )
        .await
}

async fn ban(actor: &User, room: &str, target: &User, body: Value) -> (u16, Value) {
    actor
        .request(
            "PUT",
            &format!("/api/rooms/{room}/bans/{}", target.id),
            Some(body),
        )
        .await
}

/// The members listed by `GET /api/rooms/{room}/members`, as `(name, role)`, sorted.
async fn roster(user: &User, room: &str) -> Vec<(String, String)> {
    let (status, page) = user.get(&format!("/api/rooms/{room}/members")).await;
    assert_eq!(status, 200, "{page}");
    let mut out: Vec<(String, String)> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["username"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pair(name: &str, role: &str) -> (String, String) {
    (name.to_owned(), role.to_owned())
}

#[tokio::test]
async fn ranks_decide_who_acts_on_whom_and_a_room_keeps_an_owner() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let adam = b.user("adam").await;
    let mona = b.user("mona").await;
    let mark = b.user("mark").await;
    let nina = a.user("nina").await;
    let room = olga.create_room("crew").await;
    let roles = format!("roles:{{room:{room}}}");
    assert_eq!(
        hget(&redis, &roles, &olga.id).await.as_deref(),
        Some("owner")
    );
    for u in [&adam, &mona, &mark] {
        assert_eq!(join(u, &room).await.0, 200);
    }
    let mut watch = mark.connect(&b).await;

    // A member gives no roles.
    let (status, body) = set_role(&mona, &room, &adam, "moderator").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("outranked")));
    assert_eq!(hget(&redis, &roles, &adam.id).await, None);

    // The owner (on A) makes an admin: the room hears it on B.
    assert_eq!(set_role(&olga, &room, &adam, "admin").await.0, 204);
    let event = watch.expect("member.role").await;
    assert_eq!(
        event,
        json!({"roomId": room, "userId": adam.id, "role": "admin", "by": olga.id})
    );
    assert_eq!(set_role(&adam, &room, &mona, "moderator").await.0, 204);
    assert_eq!(
        hget(&redis, &roles, &mona.id).await.as_deref(),
        Some("moderator")
    );
    // Each one's room list says their role.
    for (user, role) in [
        (&olga, "owner"),
        (&adam, "admin"),
        (&mona, "moderator"),
        (&mark, "member"),
    ] {
        let (_, list) = user.get("/api/rooms").await;
        let entry = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == room.as_str())
            .cloned();
        assert_eq!(
            entry.map(|r| r["role"].clone()),
            Some(json!(role)),
            "{}",
            user.name
        );
    }

    // Nobody acts on an equal or higher rank, nor gives a role at or above their own.
    let kick_adam = format!("/api/rooms/{room}/members/{}", adam.id);
    let (status, body) = mona.request("DELETE", &kick_adam, None).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("outranked")));
    assert!(is_member(&redis, &room, &adam).await);
    assert_eq!(set_role(&adam, &room, &adam, "owner").await.0, 403);
    assert_eq!(set_role(&adam, &room, &olga, "member").await.0, 403);
    assert_eq!(set_role(&adam, &room, &mark, "admin").await.0, 403);
    assert_eq!(
        hget(&redis, &roles, &olga.id).await.as_deref(),
        Some("owner")
    );

    assert_eq!(
        roster(&mark, &room).await,
        [
            pair("adam", "admin"),
            pair("mark", "member"),
            pair("mona", "moderator"),
            pair("olga", "owner"),
        ]
    );
    // Someone not in the room, or a room that does not exist.
    let (status, body) = nina.get(&format!("/api/rooms/{room}/members")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_member")));
    assert_eq!(nina.get("/api/rooms/999/members").await.0, 404);
    assert_eq!(set_role(&olga, &room, &nina, "moderator").await.0, 404);

    // The last owner neither steps down nor leaves, until they hand ownership over.
    let (status, body) = set_role(&olga, &room, &olga, "admin").await;
    assert_eq!((status, body["error"].as_str()), (409, Some("last_owner")));
    let (status, body) = olga
        .post(&format!("/api/rooms/{room}/leave"), json!({}))
        .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("last_owner")));
    assert!(is_member(&redis, &room, &olga).await);
    assert_eq!(set_role(&olga, &room, &adam, "owner").await.0, 204);
    assert_eq!(
        olga.post(&format!("/api/rooms/{room}/leave"), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(hget(&redis, &roles, &olga.id).await, None);
    assert_eq!(
        hget(&redis, &roles, &adam.id).await.as_deref(),
        Some("owner")
    );

    // The audit log, for admins and up: newest first.
    let (status, body) = mona.get(&format!("/api/rooms/{room}/audit")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    let (status, log) = adam.get(&format!("/api/rooms/{room}/audit")).await;
    assert_eq!(status, 200, "{log}");
    let log: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        log,
        [
            (olga.id.clone(), adam.id.clone(), "owner".to_owned()),
            (adam.id.clone(), mona.id.clone(), "moderator".to_owned()),
            (olga.id.clone(), adam.id.clone(), "admin".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_kicked_members_open_tab_leaves_the_room_live_on_another_instance() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let kim = b.user("kim").await;
    let room = olga.create_room("den").await;
    assert_eq!(join(&kim, &room).await.0, 200);
    let mut tab = kim.connect(&b).await;
    kim.say(&room, "first").await;
    tab.expect("message").await;

    assert_eq!(
        olga.request(
            "DELETE",
            &format!("/api/rooms/{room}/members/{}", kim.id),
            None
        )
        .await
        .0,
        204
    );
    let kicked = tab.expect("member.kicked").await;
    assert_eq!(
        (&kicked["userId"], &kicked["by"]),
        (&json!(kim.id), &json!(olga.id))
    );
    let left = tab.expect("room.left").await;
    assert_eq!(
        (&left["roomId"], &left["reason"]),
        (&json!(room), &json!("kicked"))
    );
    assert!(!is_member(&redis, &room, &kim).await);

    // The room's messages no longer reach the tab: the General message sent after it comes
    // first (one instance's events arrive in order).
    olga.say(&room, "after the kick").await;
    olga.say("0", "in General").await;
    let next = tab.expect("message").await;
    assert_eq!(next["message"], "in General");
    assert_ne!(kim.history(&room, "").await.0, 200);
    let (status, _) = kim
        .post(
            &format!("/api/rooms/{room}/messages"),
            json!({"message": "still here?"}),
        )
        .await;
    assert_ne!(status, 201);

    // A kick is not a ban: they may come back.
    assert_eq!(join(&kim, &room).await.0, 200);
    assert!(is_member(&redis, &room, &kim).await);
    // Nobody kicks from General (everyone is in it) or from a direct room.
    let (status, body) = olga
        .request("DELETE", &format!("/api/rooms/0/members/{}", kim.id), None)
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    let dm = olga.open_direct(&kim).await;
    let (status, body) = olga
        .request(
            "DELETE",
            &format!("/api/rooms/{dm}/members/{}", kim.id),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("not_moderated"))
    );
}

#[tokio::test]
async fn a_ban_keeps_out_members_and_users_who_never_joined_until_lifted_or_over() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let olga = a.user("olga").await;
    let mona = a.user("mona").await;
    let kim = b.user("kim").await;
    let bob = b.user("bob").await;
    let mark = b.user("mark").await;
    let room = olga.create_room("club").await;
    for u in [&mona, &kim, &mark] {
        assert_eq!(join(u, &room).await.0, 200);
    }
    assert_eq!(set_role(&olga, &room, &mona, "moderator").await.0, 204);
    let bans = format!("bans:{{room:{room}}}");

    // Bob never joined.
    assert_eq!(
        ban(&mona, &room, &bob, json!({"reason": "spam"})).await.0,
        204
    );
    let stored: Value = serde_json::from_str(&hget(&redis, &bans, &bob.id).await.unwrap()).unwrap();
    assert_eq!(
        (&stored["by"], &stored["reason"]),
        (&json!(mona.id), &json!("spam"))
    );
    let (status, body) = join(&bob, &room).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("banned")));
    assert!(!is_member(&redis, &room, &bob).await);

    // A member is taken out live, and stays out.
    let mut tab = kim.connect(&b).await;
    assert_eq!(
        ban(&mona, &room, &kim, json!({"reason": "  rude  "}))
            .await
            .0,
        204
    );
    let banned = tab.expect("member.banned").await;
    assert_eq!(banned["reason"], "rude");
    assert_eq!(tab.expect("room.left").await["reason"], "banned");
    assert!(!is_member(&redis, &room, &kim).await);
    assert_eq!(join(&kim, &room).await.0, 403);

    // Nobody bans an equal or higher rank; members see no bans.
    let (status, body) = ban(&mona, &room, &olga, json!({"reason": "coup"})).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("outranked")));
    assert_eq!(hget(&redis, &bans, &olga.id).await, None);
    let (status, body) = mark.get(&format!("/api/rooms/{room}/bans")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    let (status, list) = mona.get(&format!("/api/rooms/{room}/bans")).await;
    assert_eq!(status, 200, "{list}");
    let mut listed: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["user"]["username"].as_str().unwrap().to_owned(),
                b["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(listed, [pair("bob", "spam"), pair("kim", "rude")]);

    // Lifted: bob joins; lifting it again finds nothing.
    let unban = format!("/api/rooms/{room}/bans/{}", bob.id);
    assert_eq!(mona.request("DELETE", &unban, None).await.0, 204);
    assert_eq!(join(&bob, &room).await.0, 200);
    assert_eq!(mona.request("DELETE", &unban, None).await.0, 404);

    // A ban with an end: refused until then, then the join goes through.
    assert_eq!(
        ban(
            &mona,
            &room,
            &kim,
            json!({"reason": "cool off", "expiresInSecs": 1})
        )
        .await
        .0,
        204
    );
    assert!(
        eventually(15, || async { join(&kim, &room).await.0 == 200 }).await,
        "the ban ended"
    );
    assert_eq!(
        hget(&redis, &bans, &kim.id).await,
        None,
        "an ended ban is gone"
    );

    // Bad input changes nothing.
    let (status, _) = ban(&mona, &room, &mark, json!({"reason": "x".repeat(501)})).await;
    assert_eq!(status, 400);
    let (status, _) = ban(
        &mona,
        &room,
        &mark,
        json!({"reason": "x", "expiresInSecs": 0}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(is_member(&redis, &room, &mark).await);
}

#[tokio::test]
async fn moderators_and_site_admins_delete_any_message_and_the_tombstone_says_so() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.admin_users = vec!["Root".into()];
    let a = TestApp::spawn_with(config.clone()).await;
    let b = TestApp::spawn_with(config).await;
    let olga = a.user("olga").await;
    let mona = a.user("mona").await;
    let kim = b.user("kim").await;
    let mark = b.user("mark").await;
    let root = a.user("root").await;
    let room = olga.create_room("forum").await;
    for u in [&mona, &kim, &mark] {
        assert_eq!(join(u, &room).await.0, 200);
    }
    assert_eq!(set_role(&olga, &room, &mona, "moderator").await.0, 204);
    let mut tab = kim.connect(&b).await;

    let m = kim.say(&room, "buy my stuff").await;
    let path = format!("/api/rooms/{room}/messages/{}", m["id"].as_str().unwrap());
    let (status, body) = mark.request("DELETE", &path, None).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_author")));
    let (status, tombstone) = mona.request("DELETE", &path, None).await;
    assert_eq!(status, 200, "{tombstone}");
    assert_eq!(
        (&tombstone["deleted"], &tombstone["moderated"]),
        (&json!(true), &json!(true))
    );
    let live = tab.expect("message.deleted").await;
    assert_eq!((&live["id"], &live["moderated"]), (&m["id"], &json!(true)));
    let (_, page) = kim.history(&room, "").await;
    assert_eq!(page["messages"][0]["moderated"], true);
    assert_eq!(page["messages"][0]["message"], "");

    // One's own deletion says nothing of moderators.
    let own = kim.say(&room, "oops").await;
    let own_path = format!("/api/rooms/{room}/messages/{}", own["id"].as_str().unwrap());
    let (status, tombstone) = kim.request("DELETE", &own_path, None).await;
    assert_eq!((status, tombstone.get("moderated")), (200, None));

    // In General, nobody has a role but through a site admin, who acts as an owner there
    // and in every room without being in it.
    let g = kim.say("0", "general noise").await;
    let g_path = format!("/api/rooms/0/messages/{}", g["id"].as_str().unwrap());
    assert_eq!(olga.request("DELETE", &g_path, None).await.0, 403);
    assert_eq!(set_role(&olga, "0", &mark, "moderator").await.0, 403);
    assert_eq!(set_role(&root, "0", &mark, "moderator").await.0, 204);
    assert_eq!(
        hget(&redis, "roles:{room:0}", &mark.id).await.as_deref(),
        Some("moderator")
    );
    let (status, tombstone) = mark.request("DELETE", &g_path, None).await;
    assert_eq!((status, &tombstone["moderated"]), (200, &json!(true)));
    assert!(!roster(&root, &room).await.is_empty());
    assert_eq!(
        root.request(
            "DELETE",
            &format!("/api/rooms/{room}/members/{}", kim.id),
            None
        )
        .await
        .0,
        204,
        "a site admin kicks in a room they are not in"
    );
    // A site admin ranks as an owner: an owner cannot act on them, nor they on an owner.
    assert_eq!(
        root.request(
            "DELETE",
            &format!("/api/rooms/{room}/members/{}", olga.id),
            None
        )
        .await
        .0,
        403
    );
    let (status, _) = ban(&olga, &room, &root, json!({"reason": "no"})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn roles_and_bans_change_atomically_on_a_cluster() {
    let cluster = TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let olga = one.user("olga").await;
    let kim = two.user("kim").await;
    let mona = two.user("mona").await;
    let room = olga.create_room("sharded").await;
    for u in [&kim, &mona] {
        assert_eq!(join(u, &room).await.0, 200);
    }
    let mut tab = kim.connect(&two).await;
    // The script reads and writes roles, bans and the audit log in one slot (no CROSSSLOT).
    assert_eq!(set_role(&olga, &room, &mona, "moderator").await.0, 204);
    assert_eq!(tab.expect("member.role").await["role"], "moderator");
    assert_eq!(
        ban(&mona, &room, &kim, json!({"reason": "spam"})).await.0,
        204
    );
    assert_eq!(tab.expect("room.left").await["reason"], "banned");
    assert_eq!(join(&kim, &room).await.0, 403);
    let (status, bans) = mona.get(&format!("/api/rooms/{room}/bans")).await;
    assert_eq!((status, bans.as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(
        roster(&olga, &room).await,
        [pair("mona", "moderator"), pair("olga", "owner")]
    );
    let (status, log) = olga.get(&format!("/api/rooms/{room}/audit")).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["ban", "role"]);
}

#[tokio::test]
async fn a_site_ban_ends_every_session_at_once_and_refuses_sign_in_until_lifted() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.admin_users = vec!["root".into()];
    let a = TestApp::spawn_with(config.clone()).await;
    let b = TestApp::spawn_with(config).await;
    let root = a.user("root").await;
    let kim = a.user("kim").await;
    let mark = b.user("mark").await;
    let kim_b = b.login("kim").await;
    let mut tab_a = kim.connect(&a).await;
    let mut tab_b = kim_b.connect(&b).await;

    // Only site admins ban, and never one another.
    let ban = |u: &User| format!("/api/admin/bans/{}", u.id);
    let (status, body) = mark
        .request("PUT", &ban(&kim), Some(json!({"reason": "spam"})))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_admin")));
    let (status, body) = root
        .request("PUT", &ban(&root), Some(json!({"reason": "oops"})))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("outranked")));
    // A reason that is not a short string is refused and bans no one.
    for reason in [
        json!(true),
        json!(7),
        json!("x".repeat(501)),
        json!("a\u{7}b"),
    ] {
        let (status, _) = root
            .request("PUT", &ban(&kim), Some(json!({ "reason": reason })))
            .await;
        assert_eq!(status, 400, "reason {reason}");
    }
    assert_eq!(kim.get("/api/auth/me").await.0, 200);

    let (status, _) = root
        .request("PUT", &ban(&kim), Some(json!({"reason": "spam"})))
        .await;
    assert_eq!(status, 204);
    let wait = std::time::Duration::from_secs(10);
    assert_eq!(
        tab_a.close_reason_within(wait).await.as_deref(),
        Some("signed out")
    );
    assert_eq!(
        tab_b.close_reason_within(wait).await.as_deref(),
        Some("signed out")
    );
    assert_eq!(kim.get("/api/auth/me").await.0, 401);
    assert_eq!(kim_b.get("/api/auth/me").await.0, 401);
    let (status, body) = a
        .http()
        .post(
            "/api/auth/login",
            json!({"username": "kim", "password": "password123"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("banned")));
    let sessions: u64 = redis::cmd("SCARD")
        .arg(format!("user:{}:sessions", kim.id))
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    let (_, list) = root.get("/api/admin/bans").await;
    assert_eq!(list[0]["user"]["username"], "kim");
    assert_eq!(mark.get("/api/admin/bans").await.0, 403);

    // Lifted: she signs in again; lifting twice finds nothing.
    assert_eq!(root.request("DELETE", &ban(&kim), None).await.0, 204);
    assert_eq!(root.request("DELETE", &ban(&kim), None).await.0, 404);
    b.login("kim").await;
}

#[tokio::test]
async fn a_muted_member_reads_but_posts_edits_and_reacts_nothing_until_it_ends() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.admin_users = vec!["root".into()];
    let a = TestApp::spawn_with(config.clone()).await;
    let b = TestApp::spawn_with(config).await;
    let olga = a.user("olga").await;
    let kim = b.user("kim").await;
    let mona = b.user("mona").await;
    let root = a.user("root").await;
    let room = olga.create_room("quiet").await;
    for u in [&kim, &mona] {
        assert_eq!(join(u, &room).await.0, 200);
    }
    let old = kim.say(&room, "before").await;
    let mut tab = kim.connect(&b).await;
    let mute = |u: &User, r: &str| format!("/api/rooms/{r}/mutes/{}", u.id);

    // A member mutes nobody.
    let (status, body) = mona
        .request(
            "PUT",
            &mute(&kim, &room),
            Some(json!({"expiresInSecs": 60})),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("not_allowed")));
    assert_eq!(
        olga.request(
            "PUT",
            &mute(&kim, &room),
            Some(json!({"expiresInSecs": 60}))
        )
        .await
        .0,
        204
    );
    let live = tab.expect("member.muted").await;
    assert_eq!(
        (&live["userId"], &live["by"]),
        (&json!(kim.id), &json!(olga.id))
    );
    assert!(live["until"].as_f64().unwrap() > chat_core::now_secs());
    let (_, members) = olga.get(&format!("/api/rooms/{room}/members")).await;
    let entry = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["id"] == kim.id.as_str())
        .unwrap();
    assert!(entry["mutedUntil"].is_number(), "{entry}");

    // Nothing gets through, over REST or the WebSocket; reading goes on.
    let before = redis.messages_in(&room).await;
    let (status, body) = kim
        .post(
            &format!("/api/rooms/{room}/messages"),
            json!({"message": "let me talk"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("muted")));
    tab.message(&room, "over the socket", "c-1").await;
    let refused = tab.expect("error").await;
    assert_eq!(
        (&refused["error"], &refused["clientId"]),
        (&json!("muted"), &json!("c-1"))
    );
    let left = refused["retryAfterMs"].as_u64().unwrap();
    assert!((1..=60_000).contains(&left), "{refused}");
    // Their room list says it too (after a reload, the client knows).
    let (_, rooms) = kim.get("/api/rooms").await;
    let listed = rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == room.as_str())
        .unwrap();
    assert!(listed["readOnlyUntil"].as_f64().unwrap() > chat_core::now_secs());
    assert_eq!(redis.messages_in(&room).await, before, "nothing stored");
    let path = format!("/api/rooms/{room}/messages/{}", old["id"].as_str().unwrap());
    let (status, body) = kim
        .request("PATCH", &path, Some(json!({"message": "edited"})))
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("muted")));
    let (status, _) = kim
        .request("PUT", &format!("{path}/reactions/👍"), None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(kim.history(&room, "").await.0, 200);

    // A moderator lifts no mute of their own, nor of someone of equal rank.
    assert_eq!(
        olga.request(
            "PUT",
            &format!("/api/rooms/{room}/members/{}/role", mona.id),
            Some(json!({"role": "moderator"}))
        )
        .await
        .0,
        204
    );
    assert_eq!(
        olga.request(
            "PUT",
            &mute(&mona, &room),
            Some(json!({"expiresInSecs": 60}))
        )
        .await
        .0,
        204
    );
    assert_eq!(tab.expect("member.muted").await["userId"], mona.id);
    let (status, body) = mona.request("DELETE", &mute(&mona, &room), None).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("outranked")));
    // Nor deletes the message of a higher rank.
    let owners = olga.say(&room, "house rules").await;
    let rules = format!(
        "/api/rooms/{room}/messages/{}",
        owners["id"].as_str().unwrap()
    );
    assert_eq!(mona.request("DELETE", &rules, None).await.0, 403);

    // Lifted: they talk again; lifting twice finds nothing.
    assert_eq!(
        olga.request("DELETE", &mute(&kim, &room), None).await.0,
        204
    );
    assert_eq!(tab.expect("member.muted").await.get("until"), None);
    assert_eq!(
        olga.request("DELETE", &mute(&kim, &room), None).await.0,
        404
    );
    kim.say(&room, "thanks").await;

    // A mute ends by itself.
    assert_eq!(
        olga.request("PUT", &mute(&kim, &room), Some(json!({"expiresInSecs": 1})))
            .await
            .0,
        204
    );
    assert!(
        eventually(15, || async {
            kim.post(
                &format!("/api/rooms/{room}/messages"),
                json!({"message": "back"}),
            )
            .await
            .0 == 201
        })
        .await
    );

    // In General a site admin mutes (nobody else has a role there).
    assert_eq!(
        root.request("PUT", &mute(&mona, "0"), Some(json!({"expiresInSecs": 60})))
            .await
            .0,
        204
    );
    let (status, _) = mona
        .post("/api/rooms/0/messages", json!({"message": "hello?"}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(kim.say("0", "general").await["message"], "general");
}
