//! Accounts and sessions, through HTTP against a real redis-server.

mod common;

use chat_core::redis;
use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

#[tokio::test]
async fn registering_creates_the_seeds_keys_and_puts_the_user_in_general() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let r = app
        .http()
        .post(
            "/api/auth/register",
            json!({"username": "alice", "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.0, 201);
    assert_eq!(r.1["username"], "alice");
    let id = r.1["id"].as_str().unwrap().to_owned();

    let mut c = redis.conn().await;
    let pointer: String = redis::cmd("GET")
        .arg("username:alice")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(pointer, format!("user:{id}"));
    let total: String = redis::cmd("GET")
        .arg("total_users")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(total, id);
    let (name, hash): (String, String) = redis::cmd("HMGET")
        .arg(format!("user:{id}"))
        .arg("username")
        .arg("password")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(name, "alice");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let rooms: Vec<String> = redis::cmd("SMEMBERS")
        .arg(format!("user:{id}:rooms"))
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(rooms, vec!["0"]);
}

#[tokio::test]
async fn a_taken_name_is_refused_and_of_two_concurrent_registrations_one_wins() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let http = app.http();
    assert_eq!(
        http.post(
            "/api/auth/register",
            json!({"username": "bob", "password": "password123"})
        )
        .await
        .0,
        201
    );
    let again = http
        .post(
            "/api/auth/register",
            json!({"username": "bob", "password": "other-password"}),
        )
        .await;
    assert_eq!(again.0, 409);
    assert_eq!(again.1["error"], "username_taken");

    let attempts = (0..8).map(|i| {
        let http = app.http();
        async move {
            http.post(
                "/api/auth/register",
                json!({"username": "carol", "password": format!("password-{i}")}),
            )
            .await
            .0
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let users: Vec<String> = redis::cmd("KEYS")
        .arg("username:carol*")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn every_rejected_registration_names_the_field_and_writes_nothing() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let http = app.http();
    let before = redis.dump().await;
    let long = "x".repeat(33);
    let cases = [
        (
            json!({"username": "", "password": "password123"}),
            "invalid_username",
            "username",
        ),
        (
            json!({"username": long, "password": "password123"}),
            "invalid_username",
            "username",
        ),
        (
            json!({"username": "has space", "password": "password123"}),
            "invalid_username",
            "username",
        ),
        (
            json!({"username": "<script>", "password": "password123"}),
            "invalid_username",
            "username",
        ),
        (
            json!({"password": "password123"}),
            "invalid_username",
            "username",
        ),
        (
            json!({"username": "dave", "password": "short"}),
            "invalid_password",
            "password",
        ),
        (
            json!({"username": "dave", "password": "p".repeat(129)}),
            "invalid_password",
            "password",
        ),
        (json!({"username": "dave"}), "invalid_password", "password"),
    ];
    for (body, code, field) in cases {
        let r = http.post("/api/auth/register", body.clone()).await;
        assert_eq!(r.0, 400, "{body}");
        assert_eq!(r.1["error"], code, "{body}");
        assert!(
            r.1["message"].as_str().unwrap().starts_with(field),
            "{body}: {}",
            r.1
        );
    }
    let r = http.post_raw("/api/auth/register", "{not json").await;
    assert_eq!(r.0, 400);
    assert_eq!(r.1["error"], "invalid_request");
    assert!(r.1["message"].is_string());
    assert_eq!(
        redis.dump().await,
        before,
        "a rejected registration changed Redis"
    );
}

#[tokio::test]
async fn login_sets_a_session_cookie_and_stores_only_a_hash_of_the_token() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    app.http()
        .post(
            "/api/auth/register",
            json!({"username": "erin", "password": "password123"}),
        )
        .await;
    let resp = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({"username": "erin", "password": "password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    let body: serde_json::Value = resp.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64, "256-bit token, hex");
    assert!(cookie.starts_with(&format!("sid={token};")), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Secure"), "Secure only when configured");

    let keys = redis.keys().await;
    assert!(
        !keys.iter().any(|k| k.contains(token)),
        "the raw token is in the keyspace"
    );
    let hashed = format!("session:{}", hex::encode(Sha256::digest(token.as_bytes())));
    assert!(keys.contains(&hashed), "{keys:?}");
    let ttl: i64 = redis::cmd("TTL")
        .arg(&hashed)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(ttl > 0, "sessions expire");
}

#[tokio::test]
async fn the_same_session_works_as_cookie_and_as_bearer_and_logout_ends_it_everywhere() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let frank = a.user("frank").await;
    let me = frank.get("/api/auth/me").await;
    assert_eq!((me.0, me.1["username"].clone()), (200, json!("frank")));
    let on_b = frank.on(&b);
    let mut socket = frank.connect(&b).await;
    assert_eq!(
        on_b.get("/api/auth/me").await.0,
        200,
        "bearer on the other instance"
    );

    let out = frank.post("/api/auth/logout", json!({})).await;
    assert_eq!(out.0, 204);
    assert_eq!(frank.get("/api/auth/me").await.0, 401);
    let gone = on_b.get("/api/auth/me").await;
    assert_eq!(gone.0, 401);
    assert_eq!(gone.1["error"], "unauthorized");
    assert!(!redis.keys().await.iter().any(|k| k.starts_with("session:")));
    let closed = socket.close_reason_within(Duration::from_secs(5)).await;
    assert_eq!(
        closed.as_deref(),
        Some("signed out"),
        "the session's socket on the other instance closes"
    );
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    app.user("gina").await;
    let http = app.http();
    let wrong = http
        .post(
            "/api/auth/login",
            json!({"username": "gina", "password": "wrong-password"}),
        )
        .await;
    let unknown = http
        .post(
            "/api/auth/login",
            json!({"username": "nobody", "password": "wrong-password"}),
        )
        .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["error"], "invalid_credentials");
    let bad = http
        .post("/api/auth/login", json!({"username": "", "password": "x"}))
        .await;
    assert_eq!(
        (bad.0, bad.1["error"].clone()),
        (400, json!("invalid_username"))
    );
}

/// A POST from `addr` (the app trusts `X-Forwarded-For` in these tests): status,
/// `Retry-After`, body.
async fn post_from(
    app: &TestApp,
    addr: &str,
    path: &str,
    body: Value,
) -> (u16, Option<u64>, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("x-forwarded-for", addr)
        .json(&body)
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (
        r.status().as_u16(),
        retry,
        r.json().await.unwrap_or(Value::Null),
    )
}

/// A login from `addr`.
async fn login_from(
    app: &TestApp,
    addr: &str,
    name: &str,
    password: &str,
) -> (u16, Option<u64>, Value) {
    let body = json!({"username": name, "password": password});
    post_from(app, addr, "/api/auth/login", body).await
}

#[tokio::test]
async fn guessing_is_throttled_per_name_and_address_without_locking_the_owner_out() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.login_max_failures = 3;
    config.login_window_secs = 60;
    config.trust_proxy = true;
    let app = TestApp::spawn_with(config).await;
    app.user("hank").await;
    app.user("ida").await;
    let attacker = "203.0.113.7";
    for _ in 0..3 {
        assert_eq!(
            login_from(&app, attacker, "hank", "wrong-password").await.0,
            401
        );
    }
    let (status, retry, body) = login_from(&app, attacker, "hank", "password123").await;
    assert_eq!(
        (status, body["error"].clone()),
        (429, json!("too_many_attempts"))
    );
    assert!(retry.is_some_and(|r| r > 0 && r <= 60));
    // The attacker's address is not locked for everyone: another name is checked.
    assert_eq!(
        login_from(&app, attacker, "ida", "password123").await.0,
        200
    );
    // Hank, from his own address, gets in although his name is under attack.
    assert_eq!(
        login_from(&app, "198.51.100.2", "hank", "password123")
            .await
            .0,
        200
    );

    // More failures for hank from other addresses: each one that failed before now
    // waits a growing delay, while a fresh address is still let through.
    for i in 0..3 {
        let addr = format!("192.0.2.{i}");
        assert_eq!(
            login_from(&app, &addr, "hank", "wrong-password").await.0,
            401
        );
    }
    let (status, retry, _) = login_from(&app, "192.0.2.0", "hank", "wrong-password").await;
    assert_eq!(status, 429, "an address that failed on hank waits");
    assert!(retry.is_some_and(|r| r >= 1));
    assert_eq!(
        login_from(&app, "198.51.100.9", "hank", "password123")
            .await
            .0,
        200
    );

    // IPv6 counts by /64: two addresses of one subscriber share their attempts.
    for a in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"] {
        assert_eq!(login_from(&app, a, "ida", "wrong-password").await.0, 401);
    }
    assert_eq!(
        login_from(&app, "2001:db8:1:2::9", "ida", "password123")
            .await
            .0,
        429
    );
    assert_eq!(
        login_from(&app, "2001:db8:1:3::9", "ida", "password123")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn one_address_cannot_make_the_server_hash_for_endless_names() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.login_max_failures = 2;
    config.trust_proxy = true;
    let app = TestApp::spawn_with(config).await;
    app.user("kim").await;
    let sprayer = "203.0.113.50";
    let mut refused = 0;
    for i in 0..25 {
        if login_from(&app, sprayer, &format!("nobody{i}"), "whatever1")
            .await
            .0
            == 429
        {
            refused += 1;
        }
    }
    assert_eq!(refused, 5, "ten times the per-name limit, then refused");
    // Someone else behind another address is unaffected.
    assert_eq!(
        login_from(&app, "203.0.113.51", "kim", "password123")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_seed_written_bcrypt_user_logs_in_and_is_upgraded_to_argon2() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let mut c = redis.conn().await;
    let hash = bcrypt::hash("password123", 4).unwrap();
    let _: () = redis::cmd("SET")
        .arg("total_users")
        .arg(7)
        .query_async(&mut c)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("username:Legacy")
        .arg("user:7")
        .query_async(&mut c)
        .await
        .unwrap();
    let _: () = redis::cmd("HSET")
        .arg("user:7")
        .arg("username")
        .arg("Legacy")
        .arg("password")
        .arg(&hash)
        .query_async(&mut c)
        .await
        .unwrap();
    let _: () = redis::cmd("SADD")
        .arg("user:7:rooms")
        .arg("0")
        .query_async(&mut c)
        .await
        .unwrap();
    let user = app.login("Legacy").await;
    assert_eq!(user.id, "7");
    let stored: String = redis::cmd("HGET")
        .arg("user:7")
        .arg("password")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    app.login("Legacy").await;
}

#[tokio::test]
async fn health_says_alive_and_ready() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let http = app.http();
    assert_eq!(http.get("/healthz").await, (200, json!("ok")));
    let ready = http.get("/readyz").await;
    assert_eq!(ready.0, 200);
    assert_eq!(ready.1["ready"], true);
}

#[tokio::test]
async fn unknown_routes_and_missing_auth_answer_json_errors() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn(&redis).await;
    let http = app.http();
    let r = http.get("/api/nothing-here").await;
    assert_eq!((r.0, r.1["error"].clone()), (404, json!("not_found")));
    let r = http.get("/api/rooms").await;
    assert_eq!((r.0, r.1["error"].clone()), (401, json!("unauthorized")));
    let r = reqwest::Client::new()
        .get(format!("{}/api/auth/me", app.base))
        .header(
            "authorization",
            "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn login_throttling_is_off_at_zero() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.login_max_failures = 0;
    config.trust_proxy = true;
    let app = TestApp::spawn_with(config).await;
    app.user("jude").await;
    let addr = "203.0.113.9";
    for _ in 0..12 {
        assert_eq!(login_from(&app, addr, "jude", "a-typo-or-two").await.0, 401);
    }
    let (status, _, body) = login_from(&app, addr, "jude", "password123").await;
    assert_eq!(status, 200, "no limit at 0: {body}");
    let counters: Vec<String> = redis::cmd("KEYS")
        .arg("login_*")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(counters.is_empty(), "nothing counted: {counters:?}");
}

/// A sign-up from `addr`.
async fn register_from(app: &TestApp, addr: &str, name: &str) -> (u16, Option<u64>, Value) {
    let body = json!({"username": name, "password": "password123"});
    post_from(app, addr, "/api/auth/register", body).await
}

#[tokio::test]
async fn one_address_signs_up_a_limited_number_of_times_an_hour() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.registrations_per_hour = 2;
    config.trust_proxy = true;
    let app = TestApp::spawn_with(config).await;
    let flood = "203.0.113.20";
    for name in ["first", "second"] {
        assert_eq!(register_from(&app, flood, name).await.0, 201);
    }
    let (status, retry, body) = register_from(&app, flood, "third").await;
    assert_eq!(
        (status, body["error"].clone()),
        (429, json!("rate_limited"))
    );
    assert!(retry.is_some_and(|r| r > 0 && r <= 3600), "{retry:?}");
    assert!(!redis.keys().await.iter().any(|k| k == "username:third"));
    // A taken name is answered as such, and costs nothing.
    assert_eq!(register_from(&app, flood, "first").await.0, 409);
    // Another address signs up, and the limited one still signs in.
    assert_eq!(register_from(&app, "198.51.100.20", "third").await.0, 201);
    assert_eq!(login_from(&app, flood, "first", "password123").await.0, 200);
}

/// Members of a Redis set, sorted.
async fn set_members(redis: &TestRedis, key: &str) -> Vec<String> {
    let mut members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(key)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    members.sort();
    members
}

fn session_key(token: &str) -> String {
    format!("session:{}", hex::encode(Sha256::digest(token.as_bytes())))
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_closes_their_sockets() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let laptop = a.user("kim").await;
    let phone = b.login("kim").await;
    let tablet = a.login("kim").await;
    let other = a.user("lee").await;
    let sessions = format!("user:{}:sessions", laptop.id);
    assert_eq!(set_members(&redis, &sessions).await.len(), 3);
    let mut on_b = phone.connect(&b).await;
    let mut on_a = tablet.connect(&a).await;

    let out = laptop.post("/api/auth/logout-all", json!({})).await;
    assert_eq!(out.0, 204, "{}", out.1);
    for (user, what) in [(&laptop, "laptop"), (&phone, "phone"), (&tablet, "tablet")] {
        assert_eq!(user.get("/api/auth/me").await.0, 401, "{what} signed out");
    }
    assert_eq!(
        other.get("/api/auth/me").await.0,
        200,
        "another user is not"
    );
    for socket in [&mut on_a, &mut on_b] {
        let reason = socket.close_reason_within(Duration::from_secs(5)).await;
        assert_eq!(reason.as_deref(), Some("signed out"));
    }
    assert!(set_members(&redis, &sessions).await.is_empty());
    let left: Vec<String> = redis
        .keys()
        .await
        .into_iter()
        .filter(|k| k.starts_with("session:"))
        .collect();
    assert_eq!(
        left,
        [session_key(&other.token)],
        "only lee's session is left"
    );
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.login_max_failures = 3;
    let a = TestApp::spawn_with(config.clone()).await;
    let b = TestApp::spawn_with(config).await;
    let here = a.user("mia").await;
    let elsewhere = b.login("mia").await;
    let mut socket = elsewhere.connect(&b).await;

    let short = here
        .post(
            "/api/auth/password",
            json!({"current": "password123", "new": "short"}),
        )
        .await;
    assert_eq!(
        (short.0, short.1["error"].as_str()),
        (400, Some("invalid_password"))
    );
    let wrong = here
        .post(
            "/api/auth/password",
            json!({"current": "not-the-password", "new": "a new password"}),
        )
        .await;
    assert_eq!(
        (wrong.0, wrong.1["error"].as_str()),
        (403, Some("wrong_password"))
    );
    assert_eq!(
        elsewhere.get("/api/auth/me").await.0,
        200,
        "nothing changed"
    );

    let changed = here
        .post(
            "/api/auth/password",
            json!({"current": "password123", "new": "a new password"}),
        )
        .await;
    assert_eq!(changed.0, 204, "{}", changed.1);
    assert_eq!(
        here.get("/api/auth/me").await.0,
        200,
        "this session goes on"
    );
    assert_eq!(elsewhere.get("/api/auth/me").await.0, 401, "the other ends");
    let reason = socket.close_reason_within(Duration::from_secs(5)).await;
    assert_eq!(reason.as_deref(), Some("signed out"));
    let http = a.http();
    let old = http
        .post(
            "/api/auth/login",
            json!({"username": "mia", "password": "password123"}),
        )
        .await;
    assert_eq!(old.0, 401, "the old password no longer signs in");
    let new = http
        .post(
            "/api/auth/login",
            json!({"username": "mia", "password": "a new password"}),
        )
        .await;
    assert_eq!(new.0, 200, "{}", new.1);

    // Guessing the current password from a stolen session is throttled as logins are.
    let stolen = a.user("ned").await;
    let mut answers = Vec::new();
    for _ in 0..4 {
        let r = stolen
            .post(
                "/api/auth/password",
                json!({"current": "a guess at it", "new": "taken over now"}),
            )
            .await;
        answers.push(r.0);
    }
    assert_eq!(answers, [403, 403, 403, 429]);
}

#[tokio::test]
async fn a_deleted_account_signs_in_nowhere_and_its_messages_stay_under_deleted_user() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let b = TestApp::spawn(&redis).await;
    let nora = a.user("Nora").await;
    let otto = b.user("otto").await;
    let room = nora.create_room("book-club").await;
    assert_eq!(
        otto.post(&format!("/api/rooms/{room}/join"), json!({}))
            .await
            .0,
        200
    );
    nora.say(&room, "see you all thursday").await;
    nora.say("0", "hello from nora").await;
    let dm = otto.open_direct(&nora).await;
    // What only she uses: a mention of her, a pending invitation (her read markers moved
    // as she posted).
    otto.say("0", "@Nora are you there?").await;
    let den = otto.create_room("otto's den").await;
    let invited = otto
        .post(
            &format!("/api/rooms/{den}/invites"),
            json!({"userId": nora.id}),
        )
        .await;
    assert_eq!(invited.0, 201, "{}", invited.1);
    let before = redis.keys().await;
    for kept in ["read", "mentions", "invites"] {
        let key = format!("user:{}:{kept}", nora.id);
        assert!(before.contains(&key), "{key} is there before");
    }
    let mut nora_socket = nora.on(&b).connect(&b).await;

    let wrong = nora
        .request(
            "DELETE",
            "/api/auth/me",
            Some(json!({"password": "not hers"})),
        )
        .await;
    assert_eq!(
        (wrong.0, wrong.1["error"].as_str()),
        (403, Some("wrong_password"))
    );
    assert_eq!(nora.get("/api/auth/me").await.0, 200, "nothing changed");
    let missing = nora
        .request("DELETE", "/api/auth/me", Some(json!({})))
        .await;
    assert_eq!(missing.0, 400, "{}", missing.1);

    let deleted = nora
        .request(
            "DELETE",
            "/api/auth/me",
            Some(json!({"password": "password123"})),
        )
        .await;
    assert_eq!(deleted.0, 204, "{}", deleted.1);
    assert_eq!(nora.get("/api/auth/me").await.0, 401);
    let reason = nora_socket
        .close_reason_within(Duration::from_secs(5))
        .await;
    assert_eq!(reason.as_deref(), Some("signed out"));
    let http = a.http();
    let login = http
        .post(
            "/api/auth/login",
            json!({"username": "Nora", "password": "password123"}),
        )
        .await;
    assert_eq!(login.0, 401, "the account signs in nowhere");
    for name in ["Nora", "nora"] {
        let again = http
            .post(
                "/api/auth/register",
                json!({"username": name, "password": "password123"}),
            )
            .await;
        assert_eq!(again.0, 409, "{name} stays taken for a while");
    }

    // Messages stay, under "Deleted user"; the user is in no room any more.
    let (status, page) = otto.history(&room, "").await;
    assert_eq!(status, 200);
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["from"], nora.id.as_str());
    let (_, users) = otto.get(&format!("/api/users?ids={}", nora.id)).await;
    assert_eq!(users[0]["username"], "Deleted user");
    let lookup = format!("/api/users?ids={}", nora.id);
    assert!(
        eventually(10, || async {
            otto.get(&lookup).await.1[0]["online"] == false
        })
        .await,
        "offline once the closed socket is counted"
    );
    assert_eq!(
        set_members(&redis, &format!("room:{room}:members")).await,
        std::slice::from_ref(&otto.id)
    );
    let keys = redis.keys().await;
    for gone in [
        format!("user:{}:rooms", nora.id),
        format!("user:{}:sessions", nora.id),
        "username:Nora".to_owned(),
        session_key(&nora.token),
        format!("user:{}:read", nora.id),
        format!("user:{}:mentions", nora.id),
        format!("user:{}:invites", nora.id),
        format!("invites:{{room:{den}}}"),
    ] {
        assert!(!keys.contains(&gone), "{gone} is gone");
    }
    let mut c = redis.conn().await;
    let fields: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("user:{}", nora.id))
        .query_async(&mut c)
        .await
        .unwrap();
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["deleted", "username"], "no password is kept");
    let ttl: i64 = redis::cmd("TTL")
        .arg("username_lower:nora")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(ttl > 29 * 24 * 3600, "the name is held for 30 days: {ttl}");

    // The other user keeps the direct room and its history, and cannot open a new one.
    let (status, _) = otto.history(&dm, "").await;
    assert_eq!(status, 200);
    let open = otto
        .post("/api/rooms/direct", json!({"userId": nora.id}))
        .await;
    assert_eq!(open.0, 404, "{}", open.1);
}

#[tokio::test]
async fn sessions_from_before_the_index_are_ended_too() {
    let redis = TestRedis::start().await;
    let a = TestApp::spawn(&redis).await;
    let old = a.user("pia").await;
    // As an older version left it: a session, no index of it.
    let mut c = redis.conn().await;
    let _: () = redis::pipe()
        .cmd("DEL")
        .arg(format!("user:{}:sessions", old.id))
        .arg("auth:sessions_indexed")
        .query_async(&mut c)
        .await
        .unwrap();
    drop(a);
    let b = TestApp::spawn(&redis).await;
    let new = b.login("pia").await;
    assert_eq!(new.post("/api/auth/logout-all", json!({})).await.0, 204);
    assert_eq!(old.on(&b).get("/api/auth/me").await.0, 401);
}
