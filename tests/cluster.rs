//! The chat on a real Redis Cluster (3 masters, 3 replicas, from `redis-server` and
//! `redis-cli --cluster create`), with two instances: live delivery across instances,
//! direct-room privacy, presence, history paging and catch-up; each instance receives only
//! the rooms its sockets are in; a master killed under traffic loses no acknowledged
//! message.

mod common;

use std::time::Duration;

const RESYNCED: &str = "redis_chat_sockets_resynced_total";

use common::{cluster::TestCluster, *};
use serde_json::{json, Value};

#[tokio::test]
async fn two_instances_on_a_cluster_chat_live_privately_with_presence_paging_and_catch_up() {
    let cluster = TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let carol = two.user("carol").await;

    // Presence: alice (on one) sees bob come online on two, and go.
    let mut a = alice.connect(&one).await;
    let mut b = bob.connect(&two).await;
    // (Her own user.connected may come first.)
    while a.expect("user.connected").await["id"] != bob.id.as_str() {}
    let mut c = carol.connect(&two).await;

    // General, across instances, in order.
    for i in 0..30 {
        a.message("0", &format!("m{i}"), &format!("c{i}")).await;
    }
    let mut got = Vec::new();
    while got.len() < 30 {
        got.push(b.expect("message").await);
    }
    let expected: Vec<String> = (0..30).map(|i| format!("m{i}")).collect();
    assert_eq!(texts(&got), expected);
    for _ in 0..30 {
        a.expect("ack").await;
    }
    assert_eq!(cluster.redis_cli(&["ZCARD", "room:0"]).await, "30");

    // A direct room: its messages reach its two users on both instances, never carol.
    let dm = alice.open_direct(&bob).await;
    assert_eq!(b.expect("show.room").await["id"], dm.as_str());
    a.message(&dm, "just us", "d1").await;
    assert_eq!(b.expect("message").await["message"], "just us");
    assert_eq!(a.expect("message").await["message"], "just us");
    // (Carol is in General: she heard m0…m29 too.)
    let leaked: Vec<Value> = c
        .collect("message", Duration::from_millis(500))
        .await
        .into_iter()
        .filter(|m| m["roomId"] != "0")
        .collect();
    assert!(leaked.is_empty(), "carol saw {leaked:?}");
    assert_eq!(carol.history(&dm, "").await.0, 404, "not hers: not found");

    // A named room created on one and joined on two: its messages follow the join.
    let room = alice.create_room("Ops").await;
    let joined = carol
        .post(&format!("/api/rooms/{room}/join"), json!({}))
        .await;
    assert_eq!(joined.0, 200, "{}", joined.1);
    // Two tells carol's socket once it listens to the room: the next message reaches her.
    assert_eq!(c.expect("room.joined").await["roomId"], room.as_str());
    alice.say(&room, "ops 1").await;
    let m = c.expect("message").await;
    assert_eq!(
        (m["roomId"].clone(), m["message"].clone()),
        (json!(room), json!("ops 1"))
    );

    // History pages backwards with no gap and no duplicate, across the cluster.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let query = match &before {
            Some(b) => format!("?limit=7&before={b}"),
            None => "?limit=7".to_owned(),
        };
        let (status, page) = bob.history("0", &query).await;
        assert_eq!(status, 200, "{page}");
        let msgs = page["messages"].as_array().unwrap().clone();
        let mut batch = texts(&msgs);
        batch.extend(seen);
        seen = batch;
        match page["before"].as_str() {
            Some(b) if !msgs.is_empty() => before = Some(b.to_owned()),
            _ => break,
        }
    }
    assert_eq!(seen, expected);

    // Catch-up: bob's socket goes; what he missed is exactly what `after` returns.
    let last = got.last().unwrap()["date"].to_string();
    b.close().await;
    while a.expect("user.disconnected").await["id"] != bob.id.as_str() {}
    for i in 0..4 {
        alice.say("0", &format!("missed {i}")).await;
    }
    let (_, page) = bob.history("0", &format!("?after={last}")).await;
    assert_eq!(
        texts(page["messages"].as_array().unwrap()),
        (0..4).map(|i| format!("missed {i}")).collect::<Vec<_>>()
    );

    // Every key the chat wrote is in the slot of its hash tag: nothing was refused as
    // cross-slot (the sends above would have failed), and the cluster holds the users.
    assert_eq!(cluster.redis_cli(&["GET", "total_users"]).await, "3");
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn on_a_cluster_an_instance_receives_only_the_rooms_its_sockets_are_in() {
    let cluster = TestCluster::start().await;
    // (One also creates the demo data, as a first start does by default.)
    let mut demo = config_for_cluster(&cluster.seeds());
    demo.demo_data = Some(true);
    let one = TestApp::spawn_with(demo).await;
    let pablo = one.login("Pablo").await;
    let (status, page) = pablo.history("0", "").await;
    assert_eq!(status, 200, "{page}");
    assert!(!page["messages"].as_array().unwrap().is_empty());
    let rooms = pablo.get("/api/rooms").await.1;
    assert!(
        rooms.to_string().contains("Joe"),
        "Pablo's direct rooms: {rooms}"
    );
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let room = alice.create_room("Quiet").await;
    let mut a = alice.connect(&one).await;
    let mut b = bob.connect(&two).await;

    // Who listens to a channel, asked of the master that owns it.
    let listeners = |channel: String| {
        let cluster = &cluster;
        async move {
            let port = cluster.master_port_for(&channel).await;
            let out = cluster
                .redis_cli_on(port, &["PUBSUB", "SHARDNUMSUB", &channel])
                .await;
            out.lines()
                .nth(1)
                .unwrap_or("0")
                .trim()
                .parse::<u32>()
                .unwrap()
        }
    };
    let general = "MESSAGES:{room:0}".to_owned();
    let quiet = format!("MESSAGES:{{room:{room}}}");
    let bobs = format!("MESSAGES:{{user:{}}}", bob.id);
    // Both instances have a socket in General; only one has one in the quiet room; only
    // two has bob's.
    assert_eq!(listeners(general.clone()).await, 2);
    assert_eq!(listeners(quiet.clone()).await, 1);
    assert_eq!(listeners(bobs.clone()).await, 1);
    for i in 0..10 {
        a.message(&room, &format!("q{i}"), &format!("q{i}")).await;
        a.expect("ack").await;
    }
    a.message("0", "hello all", "g").await;
    assert_eq!(b.expect("message").await["message"], "hello all");
    assert!(
        b.collect("message", Duration::from_millis(300))
            .await
            .is_empty(),
        "bob heard a room he is not in"
    );
    // When alice's socket goes, one lets go of the quiet room (within a reconcile).
    a.close().await;
    let mut left = false;
    for _ in 0..50 {
        if listeners(quiet.clone()).await == 0 {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        left,
        "one still listens to a room none of its sockets is in"
    );
    assert_eq!(listeners(general).await, 1);
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn a_master_killed_under_traffic_loses_no_acknowledged_message() {
    let mut cluster = TestCluster::start().await;
    let mut config = config_for_cluster(&cluster.seeds());
    // A loaded machine may be slow to replicate: wait the longest allowed, so an
    // acknowledgement means a replica has the message (the default waits 500 ms).
    config.cluster_replica_ack_timeout_ms = 2_000;
    let one = TestApp::spawn_with(config.clone()).await;
    let two = TestApp::spawn_with(config).await;
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let mut b = bob.connect(&two).await;
    let victim = cluster.master_port_for("room:0").await;

    // Alice posts over REST with a clientId, retrying each message until it is
    // acknowledged (201), as the client does, while the master of General's slot is
    // killed after the 20th acknowledgement.
    let total = 80;
    let (progress, mut acks) = tokio::sync::watch::channel(0usize);
    let sender = {
        let alice = alice.clone();
        tokio::spawn(async move {
            let mut acked: Vec<String> = Vec::new();
            let mut retried = 0;
            for i in 0..total {
                let body = json!({"message": format!("f{i}"), "clientId": format!("f{i}")});
                let mut attempts = 0;
                loop {
                    // A request that hangs counts as failed (and is retried), so the test
                    // cannot hang on one.
                    let r = tokio::time::timeout(
                        Duration::from_secs(20),
                        alice.post("/api/rooms/0/messages", body.clone()),
                    )
                    .await
                    .unwrap_or((0, Value::Null));
                    if r.0 == 201 {
                        acked.push(r.1["id"].as_str().unwrap().to_owned());
                        break;
                    }
                    attempts += 1;
                    retried += 1;
                    assert!(attempts < 300, "f{i} was never accepted: {} {}", r.0, r.1);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                progress.send_replace(acked.len());
            }
            (acked, retried)
        })
    };
    acks.wait_for(|n| *n >= 20).await.unwrap();
    let promoted = Some(cluster.kill_master(victim).await);
    let (acked, retried) = sender.await.unwrap();
    eprintln!("{} acknowledged, {retried} retries", acked.len());
    assert_ne!(promoted, Some(victim));
    assert_eq!(acked.len(), total);

    // Every acknowledged message is in history once, in order.
    let (status, page) = alice.history("0", "?limit=100").await;
    assert_eq!(status, 200, "{page}");
    let msgs = page["messages"].as_array().unwrap();
    let ids: Vec<String> = msgs
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, acked, "history after failover ({retried} retries)");
    assert_eq!(
        texts(msgs),
        (0..total).map(|i| format!("f{i}")).collect::<Vec<_>>()
    );

    // Bob's socket on two stayed open through the failover: it heard every acknowledged
    // message exactly once, in order (the gap recovered from General's event log on the
    // promoted replica).
    let mut have: Vec<String> = Vec::new();
    while have.len() < total {
        let Some(e) = b.next_within(Duration::from_secs(20)).await else {
            break;
        };
        if e["type"] == "message" {
            have.push(e["data"]["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(have, acked, "bob heard every message once, in order");
    alice.say("0", "after failover").await;
    assert_eq!(b.expect("message").await["message"], "after failover");
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn a_rooms_slot_moved_to_another_master_keeps_its_sockets_and_chat_goes_on() {
    let cluster = TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let mut b = bob.connect(&two).await;
    alice.say("0", "before the move").await;
    assert_eq!(b.expect("message").await["message"], "before the move");

    // General's slot (its messages, its log and its channel) moves to another master:
    // Redis ends the subscriptions in that slot, and two subscribes again on the new
    // owner and recovers the gap from the log; bob's socket stays open.
    let from = cluster.master_port_for("room:0").await;
    let to = cluster.move_slot_of("room:0").await;
    assert_ne!(from, to);
    alice.say("0", "after the move").await;
    assert_eq!(b.expect("message").await["message"], "after the move");
    let (_, page) = bob.history("0", "").await;
    assert_eq!(
        texts(page["messages"].as_array().unwrap()),
        ["before the move", "after the move"]
    );
    assert_eq!(cluster.master_port_for("room:0").await, to);
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn edits_deletions_reactions_replies_mentions_and_muting_work_on_a_cluster() {
    let cluster = TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let mut b = bob.connect(&two).await;
    let room = alice.create_room("on-shards").await;
    assert_eq!(
        bob.post(&format!("/api/rooms/{room}/join"), json!({}))
            .await
            .0,
        200
    );
    b.expect("room.joined").await;

    // Every script runs on the room's slot alone (no CROSSSLOT), and events cross instances.
    let parent = alice.say(&room, "hello @bob").await;
    assert_eq!(parent["mentions"], json!([bob.id]));
    let pid = parent["id"].as_str().unwrap();
    let mentions = || async {
        let (_, rooms) = bob.get("/api/rooms").await;
        rooms
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == room.as_str())
            .unwrap()["mentions"]
            .clone()
    };
    assert_eq!(mentions().await, 1);
    let reply = bob
        .post(
            &format!("/api/rooms/{room}/messages"),
            json!({"message": "hi", "replyTo": pid}),
        )
        .await;
    assert_eq!(reply.0, 201, "{}", reply.1);
    assert_eq!(reply.1["replyTo"]["message"], "hello @bob");
    assert_eq!(mentions().await, 0, "answering reads what came before");
    let path = format!("/api/rooms/{room}/messages/{pid}");
    let (status, _) = bob
        .request("PUT", &format!("{path}/reactions/🎉"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(b.expect("reaction.changed").await["count"], 1);
    let (status, edited) = alice
        .request("PATCH", &path, Some(json!({"message": "hello all"})))
        .await;
    assert_eq!(
        (status, edited["reactions"][0]["count"].as_u64()),
        (200, Some(1))
    );
    assert_eq!(b.expect("message.edited").await["message"], "hello all");
    assert_eq!(
        bob.request("PUT", &format!("/api/rooms/{room}/mute"), None)
            .await
            .0,
        204
    );
    assert_eq!(b.expect("room.muted").await["muted"], true);
    let (status, _) = alice.request("DELETE", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(b.expect("message.deleted").await["id"], pid);
    let (_, page) = bob.history(&room, "").await;
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages[0]["deleted"], true);
    assert_eq!(messages[1]["replyTo"], json!({"id": pid, "deleted": true}));

    // A direct room's keys (`room:a:b`, `reactions:{room:a:b}`) share a slot too.
    let dm = alice.open_direct(&bob).await;
    let m = alice.say(&dm, "psst").await;
    let path = format!("/api/rooms/{dm}/messages/{}", m["id"].as_str().unwrap());
    let (status, reacted) = bob
        .request("PUT", &format!("{path}/reactions/👀"), None)
        .await;
    assert_eq!(
        (status, reacted["reactions"][0]["mine"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(alice.request("DELETE", &path, None).await.0, 200);
    assert_eq!(b.expect("message.deleted").await["roomId"], dm.as_str());
}

#[tokio::test]
async fn an_unrecoverable_gap_resyncs_only_the_sockets_of_that_channel() {
    let cluster = TestCluster::start().await;
    let one = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let two = TestApp::spawn_with(config_for_cluster(&cluster.seeds())).await;
    let alice = one.user("alice").await;
    let bob = one.user("bob").await;
    let side = alice.create_room("side").await;
    let mut a = alice.on(&two).connect(&two).await;
    let mut b = bob.on(&two).connect(&two).await;
    // Heard on two through side's channel: two's position in side's log is this message.
    alice.say(&side, "hello").await;
    assert_eq!(a.expect("message").await["message"], "hello");

    // Side's log loses that entry, then the subscriptions on its master drop: two cannot
    // recover side's gap, but can every other channel's on that master.
    let master = cluster.master_port_for(&format!("room:{side}")).await;
    let log = format!("MESSAGES:{{room:{side}}}:log");
    cluster
        .redis_cli_on(master, &["XTRIM", &log, "MAXLEN", "0"])
        .await;
    cluster
        .redis_cli_on(master, &["CLIENT", "KILL", "TYPE", "pubsub"])
        .await;
    assert_eq!(
        a.close_code_within(Duration::from_secs(20)).await,
        Some(1013),
        "alice, in side, is told to reconnect and catch up"
    );
    bob.say("0", "still here").await;
    assert_eq!(
        b.expect("message").await["message"],
        "still here",
        "bob, not in side, keeps his socket"
    );
    assert!(two.metric(RESYNCED).await >= 1.0);
    let mut a = alice.on(&two).connect(&two).await;
    alice.say(&side, "again").await;
    assert_eq!(a.expect("message").await["message"], "again");
}

/// Files on a cluster: every uploads script stays in its room's slot (a named room and a
/// direct room), a file uploaded through one instance is served by the other, deleting
/// the message deletes it, and an unsent upload is swept.
#[tokio::test]
async fn files_are_uploaded_sent_served_and_swept_on_a_cluster() {
    let cluster = TestCluster::start().await;
    let data = tempfile::tempdir().unwrap();
    let config = || {
        let mut c = config_for_cluster(&cluster.seeds());
        c.data_dir = data.path().to_path_buf();
        c.upload_unattached_secs = 1;
        c.upload_sweep_secs = 1;
        c
    };
    let (one, two) = (
        TestApp::spawn_with(config()).await,
        TestApp::spawn_with(config()).await,
    );
    let alice = one.user("alice").await;
    let bob = two.user("bob").await;
    let named = alice.create_room("Files").await;
    let (s, _) = bob
        .post(&format!("/api/rooms/{named}/join"), json!({}))
        .await;
    assert_eq!(s, 200);
    let direct = alice.open_direct(&bob).await;
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();

    for room in [&named, &direct] {
        let (s, up) = alice
            .upload(room, "a.pdf", pdf.clone(), "application/pdf")
            .await;
        assert_eq!(s, 201, "{up}");
        let id = up["id"].as_str().unwrap().to_owned();
        let (s, sent) = alice
            .post(
                &format!("/api/rooms/{room}/messages"),
                json!({"attachments": [id]}),
            )
            .await;
        assert_eq!(s, 201, "{sent}");
        let r = bob
            .http
            .client
            .get(format!("{}/api/uploads/{id}", bob.http.base))
            .bearer_auth(&bob.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        let message = sent["id"].as_str().unwrap();
        let (s, _) = alice
            .request(
                "DELETE",
                &format!("/api/rooms/{room}/messages/{message}"),
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert!(!files_under(data.path()).iter().any(|f| f.contains(&id)));
    }

    let (_, loose) = alice
        .upload(&named, "b.pdf", pdf.clone(), "application/pdf")
        .await;
    let loose = loose["id"].as_str().unwrap().to_owned();
    assert!(files_under(data.path()).iter().any(|f| f.contains(&loose)));
    assert!(
        eventually(20, || async {
            !files_under(data.path()).iter().any(|f| f.contains(&loose))
        })
        .await,
        "the unsent upload was swept"
    );
    one.stop().await;
    two.stop().await;
}
