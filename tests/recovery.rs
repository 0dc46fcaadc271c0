//! Issue 22: an instance that loses its event stream keeps its sockets open and delivers
//! what it missed from the channel's event log, exactly once and in order; only a gap the
//! log cannot cover makes the sockets resync.

mod common;

use std::{collections::HashSet, time::Duration};

use chat_core::protocol::{ClientEvent, EditMessage, React};
use common::*;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite;

const PER_SENDER: usize = 40;

/// Everything one socket received until told to stop, and whether the server closed it.
struct Received {
    user: String,
    events: Vec<Value>,
    closed: Option<String>,
}

/// Reads `ws` until `stop` (answering pings as it reads).
async fn read_all(mut ws: Socket, stop: oneshot::Receiver<()>) -> Received {
    let mut events = Vec::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return Received { user: ws.user, events, closed: None },
            frame = ws.ws.next() => match frame {
                Some(Ok(tungstenite::Message::Text(t))) => {
                    events.push(serde_json::from_str(&t).unwrap());
                }
                Some(Ok(tungstenite::Message::Close(f))) => {
                    let why = f.map(|f| format!("{} {}", u16::from(f.code), f.reason));
                    return Received { user: ws.user, events, closed: Some(why.unwrap_or_default()) };
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Received { user: ws.user, events, closed: Some(e.to_string()) },
                None => return Received { user: ws.user, events, closed: Some("ended".into()) },
            }
        }
    }
}

/// What a sender had acknowledged, in order: message ids, and the edits and reactions
/// made on them.
#[derive(Default)]
struct Acked {
    messages: Vec<String>,
    edits: Vec<String>,
    reactions: Vec<String>,
}

/// Sends `event` on `ws` until it is acknowledged, again under the same `clientId` after
/// an error or silence, never reconnecting: a closed socket fails the test. Every other
/// event read meanwhile goes to `seen`.
async fn until_acked(
    ws: &mut Socket,
    event: &ClientEvent,
    client_id: &str,
    seen: &mut Vec<Value>,
) -> Value {
    for _ in 0..200 {
        ws.event(event.clone()).await;
        loop {
            let Some(e) = next_frame(ws, Duration::from_secs(5)).await else {
                break; // silence: send again
            };
            if e["data"]["clientId"] == client_id && (e["type"] == "ack" || e["type"] == "error") {
                if e["type"] == "ack" {
                    return e["data"].clone();
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                break;
            }
            seen.push(e);
        }
    }
    panic!("{}: {client_id} never acknowledged", ws.user);
}

/// The next text frame, `None` after `wait` of silence; panics if the server closes.
async fn next_frame(ws: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, ws.ws.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(tungstenite::Message::Text(t)))) => {
                return Some(serde_json::from_str(&t).unwrap())
            }
            Ok(Some(Ok(tungstenite::Message::Close(f)))) => {
                panic!("{}: socket closed: {f:?}", ws.user)
            }
            Ok(Some(Ok(_))) => continue,
            Ok(other) => panic!("{}: socket ended: {other:?}", ws.user),
        }
    }
}

/// Posts `PER_SENDER` messages to General on its own socket; edits every 7th and reacts
/// to every 5th once acknowledged.
async fn sender(mut ws: Socket, k: usize) -> (Acked, Received) {
    let mut acked = Acked::default();
    let mut seen = Vec::new();
    for i in 0..PER_SENDER {
        let cid = format!("s{k}-{i}");
        let send = ClientEvent::Message(chat_core::protocol::SendMessage {
            room_id: "0".into(),
            message: format!("s{k} {i}"),
            client_id: Some(cid.clone()),
            reply_to: None,
            attachments: Vec::new(),
        });
        let ack = until_acked(&mut ws, &send, &cid, &mut seen).await;
        let id = ack["message"]["id"].as_str().unwrap().to_owned();
        acked.messages.push(id.clone());
        if i % 7 == 0 {
            let cid = format!("e{k}-{i}");
            let edit = ClientEvent::Edit(EditMessage {
                room_id: "0".into(),
                message_id: id.clone(),
                message: format!("s{k} {i} (edited)"),
                client_id: Some(cid.clone()),
            });
            until_acked(&mut ws, &edit, &cid, &mut seen).await;
            acked.edits.push(id.clone());
        }
        if i % 5 == 0 {
            let cid = format!("r{k}-{i}");
            let react = ClientEvent::React(React {
                room_id: "0".into(),
                message_id: id.clone(),
                emoji: "👍".into(),
                add: true,
                client_id: Some(cid.clone()),
            });
            until_acked(&mut ws, &react, &cid, &mut seen).await;
            acked.reactions.push(id.clone());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Whatever else arrives in a moment (others' last messages) counts too.
    while let Some(e) = next_frame(&mut ws, Duration::from_secs(3)).await {
        seen.push(e);
    }
    let user = ws.user.clone();
    (
        acked,
        Received {
            user,
            events: seen,
            closed: None,
        },
    )
}

/// The ids of the events of `kind` (by the message id they carry), in arrival order.
fn ids_of(events: &[Value], kind: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == kind)
        .filter_map(|e| {
            let d = &e["data"];
            d["id"]
                .as_str()
                .or(d["messageId"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

/// One Redis, one instance, alice with a socket open and bob.
struct Chat {
    redis: TestRedis,
    app: TestApp,
    alice: User,
    bob: User,
    ws: Socket,
}

impl Chat {
    async fn start() -> Self {
        let redis = TestRedis::start().await;
        let app = TestApp::spawn(&redis).await;
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let ws = alice.connect(&app).await;
        Chat {
            redis,
            app,
            alice,
            bob,
            ws,
        }
    }
}

#[tokio::test]
async fn a_killed_subscription_and_a_restarted_redis_close_no_socket_and_lose_no_event() {
    let mut redis = TestRedis::start_durable().await;
    let mut config = config_for(&redis);
    config.messages_per_sec = 0.0;
    let a = TestApp::spawn_with(config.clone()).await;
    let b = TestApp::spawn_with(config).await;
    let senders = [a.user("sender0").await, b.user("sender1").await];
    let readers = [a.user("reader0").await, b.user("reader1").await];

    let mut stops = Vec::new();
    let mut reading = Vec::new();
    for (r, app) in readers.iter().zip([&a, &b]) {
        let (stop, rx) = oneshot::channel();
        stops.push(stop);
        reading.push(tokio::spawn(read_all(r.connect(app).await, rx)));
    }
    let mut sending = Vec::new();
    for (k, (s, app)) in senders.iter().zip([&b, &a]).enumerate() {
        // Each sender on the other instance than its account was made on: both instances
        // carry traffic both ways.
        sending.push(tokio::spawn(sender(s.connect(app).await, k)));
    }

    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut conn = redis.conn().await;
    let killed: i64 = chat_core::redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(killed >= 2, "both instances' subscriptions");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.stop().await; // SIGKILL
    tokio::time::sleep(Duration::from_millis(500)).await;
    redis.restart().await; // on its append-only file, fsynced at every write

    let mut acked = Vec::new();
    let mut received = Vec::new();
    for t in sending {
        let (a, r) = tokio::time::timeout(Duration::from_secs(180), t)
            .await
            .expect("senders finish")
            .unwrap();
        acked.push(a);
        received.push(r);
    }
    // Give the readers a moment to receive the last events, then stop them.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for s in stops {
        let _ = s.send(());
    }
    for t in reading {
        received.push(t.await.unwrap());
    }

    for r in &received {
        assert_eq!(r.closed, None, "{}'s socket stayed open", r.user);
        let messages = ids_of(&r.events, "message");
        let edits = ids_of(&r.events, "message.edited");
        let reactions = ids_of(&r.events, "reaction.changed");
        for (k, a) in acked.iter().enumerate() {
            if r.user == format!("sender{k}") {
                continue; // a sender's own messages come back as acks
            }
            let got: Vec<&String> = messages.iter().filter(|m| a.messages.contains(m)).collect();
            let want: Vec<&String> = a.messages.iter().collect();
            assert_eq!(
                got, want,
                "{} got sender{k}'s messages once each, in order",
                r.user
            );
            let got: Vec<&String> = edits.iter().filter(|m| a.edits.contains(m)).collect();
            assert_eq!(
                got,
                a.edits.iter().collect::<Vec<_>>(),
                "{}: sender{k}'s edits",
                r.user
            );
            let got: Vec<&String> = reactions
                .iter()
                .filter(|m| a.reactions.contains(m))
                .collect();
            assert_eq!(
                got,
                a.reactions.iter().collect::<Vec<_>>(),
                "{}: sender{k}'s reactions",
                r.user
            );
        }
        let unique: HashSet<&String> = messages.iter().collect();
        assert_eq!(unique.len(), messages.len(), "{}: no message twice", r.user);
    }
    // Nothing acknowledged is missing from history.
    let (_, page) = readers[0].history("0", "?limit=100").await;
    let stored: HashSet<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    for a in &acked {
        for id in &a.messages {
            assert!(stored.contains(id.as_str()), "{id} in history");
        }
    }
    let recovered = a
        .metric(r#"redis_chat_recoveries_total{outcome="recovered"}"#)
        .await;
    assert!(
        recovered >= 2.0,
        "each instance recovered its gaps ({recovered})"
    );
    // (Counters are shared by the tests of this process: no-resync is shown by the
    // sockets above, not by a count.)
}

#[tokio::test]
async fn a_gap_the_event_log_no_longer_covers_resyncs_the_sockets() {
    let Chat {
        redis,
        app,
        alice,
        bob,
        mut ws,
    } = Chat::start().await;
    bob.say("0", "before").await;
    assert_eq!(ws.expect("message").await["message"], "before");

    // The log loses what the instance saw last (as if trimmed past it while the instance
    // was cut off), then the subscription drops.
    let mut conn = redis.conn().await;
    let _: i64 = chat_core::redis::cmd("XTRIM")
        .arg("MESSAGES:log")
        .arg("MAXLEN")
        .arg(0)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: i64 = chat_core::redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        ws.close_code_within(Duration::from_secs(20)).await,
        Some(1013),
        "told to reconnect and catch up"
    );
    assert!(
        app.metric(r#"redis_chat_recoveries_total{outcome="resynced"}"#)
            .await
            >= 1.0
    );
    assert!(app.metric("redis_chat_sockets_resynced_total").await >= 1.0);

    // Back in: chat goes on, and later gaps are recovered again.
    app.wait_ready().await;
    let mut again = alice.connect(&app).await;
    bob.say("0", "after").await;
    assert_eq!(again.expect("message").await["message"], "after");
}

#[tokio::test]
async fn a_subscription_that_stops_delivering_is_noticed_and_recovered_in_place() {
    let Chat {
        redis,
        app,
        alice: _,
        bob,
        mut ws,
    } = Chat::start().await;
    // Writes (PUBLISH among them) wait while Redis is paused: nothing reaches the
    // subscription and nothing fails, as on a half-open connection. The instance notices
    // the missing pings and subscribes again.
    let _: () = chat_core::redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(16_000)
        .arg("WRITE")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert!(
        eventually(40, || async {
            app.metric(r#"redis_chat_recoveries_total{outcome="recovered"}"#)
                .await
                >= 1.0
        })
        .await,
        "the silent subscription was replaced"
    );
    let _: () = chat_core::redis::cmd("CLIENT")
        .arg("UNPAUSE")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    bob.say("0", "still here").await;
    assert_eq!(ws.expect("message").await["message"], "still here");
}

#[tokio::test]
async fn an_event_published_while_the_subscription_is_down_is_replayed_once() {
    let Chat {
        redis,
        app,
        alice: _,
        bob,
        mut ws,
    } = Chat::start().await;
    bob.say("0", "before").await;
    assert_eq!(ws.expect("message").await["message"], "before");

    // In one transaction: the subscription is cut, then another instance logs and
    // publishes a message (as its scripts do) that no subscriber hears.
    let envelope = serde_json::json!({
        "serverId": "elsewhere",
        "type": "message",
        "data": {"id": "0f", "from": bob.id, "date": 1.0, "message": "in the gap", "roomId": "0"},
    })
    .to_string();
    let publish = r#"
        local offset = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
        return redis.call('PUBLISH', 'MESSAGES',
            string.sub(ARGV[1], 1, -2) .. ',"offset":"' .. offset .. '"}')
    "#;
    let mut conn = redis.conn().await;
    let (killed, heard): (i64, i64) = chat_core::redis::pipe()
        .atomic()
        .cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .cmd("EVAL")
        .arg(publish)
        .arg(1)
        .arg("MESSAGES:log")
        .arg(&envelope)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!((killed, heard), (1, 0), "published to no one");

    let got = ws.expect("message").await;
    assert_eq!(got["message"], "in the gap");
    bob.say("0", "after").await;
    assert_eq!(
        ws.expect("message").await["message"],
        "after",
        "replayed once, then live"
    );
    assert!(app.metric("redis_chat_events_replayed_total").await >= 1.0);
}
