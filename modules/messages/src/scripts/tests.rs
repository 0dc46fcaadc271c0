//! Each script called directly against a private `redis-server`.

use chat_core::{
    protocol::{Message, ReactionChanged},
    templates::{MessageJson, ReactionJson},
    testing::{command_calls, reset_command_calls, ScratchRedis},
};
use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;

use super::*;

fn room() -> RoomId {
    "7".parse().unwrap()
}

const CHANNEL: &str = "MESSAGES";
const ENVELOPE_HEAD: &str = r#"{"serverId":"s1","type":"message","data":"#;

const LOG: &str = "MESSAGES:log";

fn publish() -> Publish<'static> {
    static TARGET: std::sync::OnceLock<chat_core::PublishTarget> = std::sync::OnceLock::new();
    TARGET.get_or_init(|| chat_core::PublishTarget {
        command: "PUBLISH",
        channel: CHANNEL.into(),
        log: LOG.into(),
        log_len: 100,
    })
}

/// A message of user 1 in room 7, as the store drafts it.
fn draft(text: &str) -> Message {
    Message {
        id: uuid::Uuid::now_v7().simple().to_string(),
        from: "1".into(),
        message: text.into(),
        room_id: "7".into(),
        ..Message::default()
    }
}

/// Stores `message` with the clock at `now`, remembering `client_id`, keeping `keep`.
async fn store(
    conn: &mut MultiplexedConnection,
    message: &Message,
    now: &str,
    client_id: Option<&str>,
    keep: u64,
) -> Stored {
    let json = MessageJson::of(message).unwrap();
    Scripts::new()
        .store
        .run(
            conn,
            &NewMessage {
                room: &room(),
                from: UserId(1),
                sent: client_id.map(|c| (UserId(1), c)),
                id: &message.id,
                now,
                json: &json,
                envelope_head: ENVELOPE_HEAD,
                publish: publish(),
                sent_ttl: 60,
                keep,
            },
        )
        .await
        .unwrap()
}

async fn members(conn: &mut MultiplexedConnection) -> Vec<(String, f64)> {
    redis::cmd("ZRANGE")
        .arg("room:7")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_muted_sender_stores_nothing_until_the_mute_ends() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let mutes = chat_rooms::keys::mutes(&room());
    // Muted until 1001 s (ms): refused at 1000 s, stored at 1002 s.
    let _: () = redis::cmd("HSET")
        .arg(&mutes)
        .arg(1)
        .arg(1_001_000)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        store(&mut conn, &draft("hush"), "1000.000", Some("c1"), 0).await,
        Stored::Muted { until: 1_001_000 }
    );
    assert!(members(&mut conn).await.is_empty());
    let sent: bool = redis::cmd("EXISTS")
        .arg(keys::sent(UserId(1), &room(), "c1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!sent, "the clientId stays free for a retry once it ends");
    assert!(matches!(
        store(&mut conn, &draft("hush"), "1002.000", Some("c1"), 0).await,
        Stored::New { .. }
    ));
}

#[tokio::test]
async fn storing_dates_each_message_after_the_last_and_publishes_it() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let mut sub = redis.client().get_async_pubsub().await.unwrap();
    sub.subscribe(CHANNEL).await.unwrap();

    let first = draft("first");
    assert_eq!(
        store(&mut conn, &first, "1000.000", None, 0).await,
        Stored::New {
            date: "1000.000".into()
        }
    );
    // The clock behind the room's newest message: dated 1 ms after it.
    let second = draft("second");
    assert_eq!(
        store(&mut conn, &second, "999.000", None, 0).await,
        Stored::New {
            date: "1000.001".into()
        }
    );
    let stored = members(&mut conn).await;
    assert_eq!(stored.len(), 2);
    let read = Message::parse_stored(&stored[1].0).unwrap();
    assert_eq!(
        (read.id.as_str(), read.date),
        (second.id.as_str(), 1000.001)
    );
    assert_eq!(stored[1].1, 1000.001);

    // Published with its offset in the channel's event log, which holds the envelope.
    let mut messages = sub.on_message();
    let envelope: String = messages.next().await.unwrap().get_payload().unwrap();
    let expected = format!(
        "{ENVELOPE_HEAD}{}}}",
        MessageJson::of(&first).unwrap().published("1000.000")
    );
    let offset = chat_core::Offset::of_envelope(&envelope).expect("an offset");
    assert_eq!(
        envelope,
        format!(
            "{},\"offset\":\"{offset}\"}}",
            &expected[..expected.len() - 1]
        )
    );
    let log: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(LOG)
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].0, offset.to_string());
    assert_eq!(log[0].1, vec![("e".to_owned(), expected)]);
}

#[tokio::test]
async fn a_retried_client_id_stores_nothing_and_answers_the_first_message() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let first = draft("hello");
    let Stored::New { date } = store(&mut conn, &first, "1000.000", Some("c1"), 0).await else {
        panic!("the first attempt is stored");
    };
    let again = store(&mut conn, &draft("hello"), "1001.000", Some("c1"), 0).await;
    let Stored::Repeat { json } = again else {
        panic!("a retry is answered, not stored: {again:?}");
    };
    assert_eq!(Message::parse_stored(&json).unwrap().id, first.id);
    assert_eq!(members(&mut conn).await.len(), 1);
    let indexed: Vec<String> = redis::cmd("HKEYS")
        .arg(keys::ids(&room()))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        indexed,
        std::slice::from_ref(&first.id),
        "the retry's own id is not indexed"
    );
    let remembered: String = redis::cmd("GET")
        .arg(keys::sent(UserId(1), &room(), "c1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(remembered, format!("{date} {}", first.id));
    // Another clientId is another message.
    assert!(matches!(
        store(&mut conn, &draft("hello"), "1002.000", Some("c2"), 0).await,
        Stored::New { .. }
    ));
    // Versions before retention remembered the message itself.
    let old = r#"{"id":"0190","from":"1","date":1.5,"message":"old","roomId":"7"}"#;
    let _: () = redis::cmd("SET")
        .arg(keys::sent(UserId(1), &room(), "c3"))
        .arg(old)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        store(&mut conn, &draft("old"), "1003.000", Some("c3"), 0).await,
        Stored::Repeat { json: old.into() }
    );
}

/// Issue 20, item 7: the cluster client sends a script again after a reset or a timeout,
/// when the first send may have run. The message's id (made by the server for every
/// send) is the idempotency key: the same store run twice keeps one copy and answers the
/// first outcome, with or without a `clientId`. Before, a send without one stored a second
/// copy under the same id, which could never be edited or deleted.
#[tokio::test]
async fn the_same_store_sent_twice_keeps_one_copy_and_answers_as_stored() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    for client_id in [None, Some("c1")] {
        let message = draft("once");
        let first = store(&mut conn, &message, "1000.000", client_id, 0).await;
        let Stored::New { date } = &first else {
            panic!("stored: {first:?}");
        };
        // Sent again (later, as a re-send is): the same outcome, nothing stored.
        let again = store(&mut conn, &message, "1000.500", client_id, 0).await;
        assert_eq!(again, first, "{client_id:?}");
        let copies = members(&mut conn)
            .await
            .into_iter()
            .filter(|(json, _)| json.contains(&message.id))
            .count();
        assert_eq!(copies, 1, "{client_id:?}");
        let indexed: String = redis::cmd("HGET")
            .arg(keys::ids(&room()))
            .arg(&message.id)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(&indexed, date);
    }
}

#[tokio::test]
async fn trimming_keeps_the_newest_and_takes_reactions_along() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let oldest = draft("one");
    store(&mut conn, &oldest, "1000.000", Some("c1"), 2).await;
    let _: () = redis::cmd("HSET")
        .arg("reactions:{room:7}")
        .arg(&oldest.id)
        .arg(r#"[["👍",["2"]]]"#)
        .arg(format!("{}#v", oldest.id))
        .arg(1)
        .query_async(&mut conn)
        .await
        .unwrap();
    store(&mut conn, &draft("two"), "1001.000", None, 2).await;
    store(&mut conn, &draft("three"), "1002.000", None, 2).await;

    let kept: Vec<String> = members(&mut conn)
        .await
        .iter()
        .map(|(raw, _)| Message::parse_stored(raw).unwrap().message)
        .collect();
    assert_eq!(kept, ["two", "three"]);
    let trimmed: f64 = redis::cmd("GET")
        .arg("trimmed:{room:7}")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(trimmed, 1000.0);
    let reactions: bool = redis::cmd("EXISTS")
        .arg("reactions:{room:7}")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!reactions, "the trimmed message's reactions went with it");
    // Its clientId retried: answered with its date and id, nothing stored.
    assert_eq!(
        store(&mut conn, &draft("one"), "1003.000", Some("c1"), 2).await,
        Stored::RepeatTrimmed {
            date: "1000.000".into(),
            id: oldest.id.clone()
        }
    );
    assert_eq!(members(&mut conn).await.len(), 2);
}

#[tokio::test]
async fn a_read_marker_only_moves_forward() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let mark = Scripts::new().mark_read;
    let room = room();
    for (date, outcome) in [
        ("1000.5", Marker::Moved),
        ("999", Marker::Unchanged),
        ("1000.5", Marker::Unchanged),
        ("1001", Marker::Moved),
    ] {
        let marked = mark.run(&mut conn, UserId(1), &room, date).await.unwrap();
        assert_eq!(marked, outcome, "at {date}");
    }
    let marker: String = redis::cmd("HGET")
        .arg("user:1:read")
        .arg("7")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(marker, "1001");
}

/// A message id taken `ms` after the epoch, as the store takes them (UUIDv7).
fn id_at(ms: u64) -> MessageId {
    let at = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, (ms % 1000) as u32 * 1_000_000);
    MessageId::parse_owned(&uuid::Uuid::new_v7(at).simple().to_string()).unwrap()
}

/// Adds a message with id `id` at `date` straight into room 7.
async fn put(conn: &mut MultiplexedConnection, id: &MessageId, date: f64) -> String {
    let raw = format!(
        r#"{{"id":"{}","from":"1","date":{date:.3},"message":"m","roomId":"7"}}"#,
        id.as_str()
    );
    let _: () = redis::cmd("ZADD")
        .arg("room:7")
        .arg(format!("{date:.3}"))
        .arg(&raw)
        .query_async(conn)
        .await
        .unwrap();
    raw
}

#[tokio::test]
async fn finding_costs_one_lookup_per_id_whatever_the_room_holds() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let scripts = Scripts::new();
    // 20,000 messages written by the seed's server (no ids), as one old room can hold.
    let mut zadd = redis::cmd("ZADD");
    zadd.arg("room:7");
    for i in 0..20_000 {
        zadd.arg(1000 + i).arg(format!(
            r#"{{"from":1,"date":{},"message":"{i} {}","roomId":"7"}}"#,
            1000 + i,
            "x".repeat(200)
        ));
    }
    let _: () = zadd.query_async(&mut conn).await.unwrap();
    // Two of ours among them, stored before the index existed.
    let (a, b) = (id_at(1_000_000), id_at(2_000_000));
    let raw_a = put(&mut conn, &a, 1000.5).await;
    let raw_b = put(&mut conn, &b, 20_999.5).await;
    let made_up = id_at(1_500_000);
    let unindexed = scripts.find.run(&mut conn, &room(), &[&a]).await.unwrap();
    assert_eq!(unindexed, vec![None], "not indexed yet");

    let mut at = Resume::start();
    let mut batches = 0;
    while let Indexing::More(next) = scripts
        .index
        .run(&mut conn, &room(), &at, 1000)
        .await
        .unwrap()
    {
        at = next;
        batches += 1;
    }
    assert_eq!(batches, 20, "20,002 members, 1,000 at a time");
    let (room, start) = (room(), Resume::start());
    let again = scripts.index.run(&mut conn, &room, &start, 1000).await;
    assert_eq!(again.unwrap(), Indexing::Done, "marked indexed");

    reset_command_calls(&mut conn).await;
    let found = scripts
        .find
        .run(&mut conn, &room, &[&a, &made_up, &b])
        .await
        .unwrap();
    assert_eq!(
        found,
        vec![
            Some(Member {
                raw: raw_a,
                score: "1000.5".into()
            }),
            None,
            Some(Member {
                raw: raw_b,
                score: "20999.5".into()
            }),
        ]
    );
    let calls = command_calls(&mut conn).await;
    assert_eq!(
        calls.get("evalsha"),
        Some(&1),
        "one round trip for three ids"
    );
    assert_eq!(calls.get("hget"), Some(&3), "one index lookup per id");
    assert_eq!(
        calls.get("zrangebyscore"),
        Some(&2),
        "one read at its score per message found, none for the made-up id"
    );
}

#[tokio::test]
async fn storing_and_trimming_keep_the_index() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let find = Scripts::new().find;
    let (one, two, three) = (draft("one"), draft("two"), draft("three"));
    store(&mut conn, &one, "1000.000", None, 2).await;
    store(&mut conn, &two, "1001.000", None, 2).await;
    let id = |m: &Message| MessageId::parse_owned(&m.id).unwrap();
    let found = find
        .run(&mut conn, &room(), &[&id(&one), &id(&two)])
        .await
        .unwrap();
    assert!(
        found.iter().all(Option::is_some),
        "found without any indexing run"
    );
    store(&mut conn, &three, "1002.000", None, 2).await;
    let found = find
        .run(&mut conn, &room(), &[&id(&one), &id(&three)])
        .await
        .unwrap();
    assert_eq!((found[0].is_some(), found[1].is_some()), (false, true));
    let indexed: Vec<String> = redis::cmd("HKEYS")
        .arg("ids:{room:7}")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut indexed = indexed;
    indexed.sort();
    let mut kept = vec![two.id.clone(), three.id.clone()];
    kept.sort();
    assert_eq!(indexed, kept, "the trimmed message left the index");
}

#[tokio::test]
async fn a_replacement_of_a_message_changed_meanwhile_is_refused() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let replace = Scripts::new().replace;
    let id = id_at(1_000_000);
    let raw = put(&mut conn, &id, 1000.0).await;
    let read = Member {
        raw: raw.clone(),
        score: "1000.000".into(),
    };
    let edited = raw.replace(r#""message":"m""#, r#""message":"m2""#);
    let room = room();
    let replacement = |with| Replacement {
        room: &room,
        read: &read,
        id: id.as_str(),
        with,
        drop_reactions: false,
        publish: publish(),
        envelope: "{}",
    };
    assert_eq!(
        replace.run(&mut conn, &replacement(&edited)).await.unwrap(),
        Replaced::Done
    );
    assert_eq!(members(&mut conn).await, vec![(edited.clone(), 1000.0)]);
    // The same read again: the member is no longer the one read.
    assert_eq!(
        replace.run(&mut conn, &replacement("{}")).await.unwrap(),
        Replaced::Changed
    );
    assert_eq!(members(&mut conn).await.len(), 1);
}

#[tokio::test]
async fn reactions_count_per_emoji_within_their_bounds() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let react = Scripts::new().react;
    let id = id_at(1_000_000);
    let raw = put(&mut conn, &id, 1000.0).await;
    let read = Member {
        raw,
        score: "1000.000".into(),
    };
    let stale = Member {
        raw: "{}".into(),
        score: "1000.000".into(),
    };
    let run = |user: u64, emoji: &'static str, add: bool, read: &Member| {
        let event = ReactionJson::of(&ReactionChanged {
            room_id: "7".into(),
            message_id: id.as_str().into(),
            emoji: emoji.into(),
            count: 0,
            user_id: user.to_string(),
            added: add,
            version: 0,
        })
        .unwrap();
        let (react, mut conn, id) = (react.clone(), conn.clone(), id.clone());
        let read = Member {
            raw: read.raw.clone(),
            score: read.score.clone(),
        };
        async move {
            let r = Reaction {
                room: &room(),
                read: &read,
                id: id.as_str(),
                user: UserId(user),
                emoji,
                add,
                most_emoji: 2,
                most_mine: 1,
                publish: publish(),
                envelope_head: ENVELOPE_HEAD,
                event: &event,
            };
            react.run(&mut conn, &r).await.unwrap()
        }
    };
    assert_eq!(
        run(1, "👍", true, &read).await,
        Reacted::Changed {
            reactions: r#"[["👍",1,["1"]]]"#.into(),
            mine: r#"["👍"]"#.into(),
            count: 1,
            version: 1
        }
    );
    assert_eq!(
        run(1, "👍", true, &read).await,
        Reacted::Unchanged {
            reactions: r#"[["👍",1,["1"]]]"#.into(),
            mine: r#"["👍"]"#.into(),
        }
    );
    assert_eq!(run(1, "🎉", true, &read).await, Reacted::TooManyOfUser);
    assert!(matches!(
        run(2, "🎉", true, &read).await,
        Reacted::Changed {
            count: 1,
            version: 2,
            ..
        }
    ));
    assert_eq!(run(3, "🚀", true, &read).await, Reacted::TooManyEmoji);
    assert_eq!(run(3, "👍", true, &stale).await, Reacted::MessageChanged);
    assert!(matches!(
        run(1, "👍", false, &read).await,
        Reacted::Changed {
            count: 0,
            version: 3,
            ..
        }
    ));
    assert!(matches!(
        run(2, "🎉", false, &read).await,
        Reacted::Changed { ref reactions, count: 0, version: 4, .. } if reactions.is_empty()
    ));
    let left: Vec<String> = redis::cmd("HKEYS")
        .arg("reactions:{room:7}")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        left,
        [format!("{}#v", id.as_str())],
        "only the version is kept"
    );
    let who: i64 = redis::cmd("EXISTS")
        .arg(keys::reacted(&room(), id.as_str()))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(who, 0, "nobody's emoji are kept");
}

/// Issue 20, item 6: a message's reactions were one JSON list of every user who reacted,
/// decoded and encoded again by every react and read whole by every history page. Now the
/// message keeps its counts (bounded by the distinct emoji it may have) and each user's
/// own emoji apart: after 3,000 users react, what a react rewrites and what history reads
/// for the message are a few bytes, as after one. Before, the list held all 3,000 ids.
#[tokio::test]
async fn what_a_react_rewrites_stays_small_however_many_reacted() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let react = Scripts::new().react;
    let id = id_at(2_000_000);
    let read = Member {
        raw: put(&mut conn, &id, 2000.0).await,
        score: "2000.000".into(),
    };
    let event = ReactionJson::of(&ReactionChanged {
        room_id: "7".into(),
        message_id: id.as_str().into(),
        emoji: "👍".into(),
        count: 0,
        user_id: String::new(),
        added: true,
        version: 0,
    })
    .unwrap();
    let seven = room();
    let reaction = |user: u64, add: bool| Reaction {
        room: &seven,
        read: &read,
        id: id.as_str(),
        user: UserId(user),
        emoji: "👍",
        add,
        most_emoji: 20,
        most_mine: 10,
        publish: publish(),
        envelope_head: ENVELOPE_HEAD,
        event: &event,
    };
    for user in 1..=3000 {
        react.run(&mut conn, &reaction(user, true)).await.unwrap();
    }
    let last = react.run(&mut conn, &reaction(3001, true)).await.unwrap();
    assert!(
        matches!(last, Reacted::Changed { count: 3001, version: 3001, ref mine, .. } if mine == r#"["👍"]"#),
        "{last:?}"
    );
    let stored: usize = redis::cmd("HSTRLEN")
        .arg("reactions:{room:7}")
        .arg(id.as_str())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        stored < 32,
        "the counts are {stored} bytes, not a list of users"
    );
    let back = react.run(&mut conn, &reaction(17, false)).await.unwrap();
    assert!(
        matches!(back, Reacted::Changed { count: 3000, .. }),
        "{back:?}"
    );
    let mine: Option<String> = redis::cmd("HGET")
        .arg(keys::reacted(&room(), id.as_str()))
        .arg(17)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(mine, None, "user 17 took theirs back");
}

/// Reactions stored before the per-user hash (every user in the list) are moved out by
/// the first react that finds them, counts kept.
#[tokio::test]
async fn reactions_stored_with_their_users_are_moved_out_once() {
    let redis = ScratchRedis::start().await;
    let mut conn = redis.connect().await.unwrap();
    let react = Scripts::new().react;
    let id = id_at(3_000_000);
    let read = Member {
        raw: put(&mut conn, &id, 3000.0).await,
        score: "3000.000".into(),
    };
    let _: () = redis::cmd("HSET")
        .arg("reactions:{room:7}")
        .arg(id.as_str())
        .arg(r#"[["👍",["1","2"]],["🎉",["2"]]]"#)
        .query_async(&mut conn)
        .await
        .unwrap();
    let event = ReactionJson::of(&ReactionChanged {
        room_id: "7".into(),
        message_id: id.as_str().into(),
        emoji: "🎉".into(),
        count: 0,
        user_id: "2".into(),
        added: false,
        version: 0,
    })
    .unwrap();
    let r = Reaction {
        room: &room(),
        read: &read,
        id: id.as_str(),
        user: UserId(2),
        emoji: "🎉",
        add: false,
        most_emoji: 20,
        most_mine: 10,
        publish: publish(),
        envelope_head: ENVELOPE_HEAD,
        event: &event,
    };
    let out = react.run(&mut conn, &r).await.unwrap();
    assert_eq!(
        out,
        Reacted::Changed {
            reactions: r#"[["👍",2,["1","2"]]]"#.into(),
            mine: r#"["👍"]"#.into(),
            count: 0,
            version: 1
        }
    );
    let who: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(keys::reacted(&room(), id.as_str()))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(who.get("1").map(String::as_str), Some(r#"["👍"]"#));
    assert_eq!(who.get("2").map(String::as_str), Some(r#"["👍"]"#));
}
