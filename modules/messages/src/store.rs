//! Messages in Redis: the store-and-publish script, history pages, read markers.

use std::time::{SystemTime, UNIX_EPOCH};

use chat_core::{
    context::timed,
    metrics,
    protocol::{Message, ReplyQuote, RoomRead, ServerEvent},
    redis, Action, Ctx, Envelope, ErrorBody, EventKind, Failure, Multiplexed, RoomId, TextInput,
    Topic, UserId,
};
use chat_rooms::{Access, Activity, RoomActivity, RoomsStore};

use crate::{
    input::{ClientId, Cursor, MessageId, MessageText, ReadDate},
    keys,
};

/// Stores a message and publishes its envelope, atomically, on the room's hash slot alone:
/// `KEYS[1]` is the room, `KEYS[2]` the room's trimmed-up-to marker, `KEYS[3]` its
/// reactions, `KEYS[4]` (when the client gave a `clientId`) the key that remembers what that
/// `clientId` produced; all in one slot.
///
/// A `clientId` seen before changes nothing and returns `{0, stored JSON}`, or `{2, "<date>
/// <id>"}` when the message has since been trimmed away. Otherwise the date is `max(now,
/// newest date in the room + 1 ms)`, so dates are unique and increasing within a room; the
/// room is trimmed to its newest ARGV[8] messages (0: keep all), and the script returns
/// `{1, date}`; the reactions of trimmed messages go with them. ARGV: now, message JSON
/// before and after the date, channel, envelope before and after the message, clientId TTL,
/// retention, message id, the publishing command (`PUBLISH` to `MESSAGES`, or on a cluster
/// `SPUBLISH` to the room's channel, which is in `KEYS[1]`'s slot), and optionally the JSON
/// after the date as it is published when it differs from the stored one (a reply's
/// parent quote is published, never stored).
const STORE_AND_PUBLISH: &str = r#"
if KEYS[4] then
  local prior = redis.call('GET', KEYS[4])
  if prior then
    if string.sub(prior, 1, 1) == '{' then return {0, prior} end
    local sp = string.find(prior, ' ', 1, true)
    local date = string.sub(prior, 1, sp - 1)
    local id = '"id":"' .. string.sub(prior, sp + 1) .. '"'
    local found = redis.call('ZRANGEBYSCORE', KEYS[1], date, date)
    for i = 1, #found do
      if string.find(found[i], id, 1, true) then return {0, found[i]} end
    end
    return {2, prior}
  end
end
local score = tonumber(ARGV[1])
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] then
  local t = tonumber(top[2])
  if score < t + 0.001 then score = t + 0.001 end
end
local date = string.format('%.3f', score)
local member = ARGV[2] .. date .. ARGV[3]
redis.call('ZADD', KEYS[1], date, member)
local published = member
if ARGV[11] then published = ARGV[2] .. date .. ARGV[11] end
redis.call(ARGV[10], ARGV[4], ARGV[5] .. published .. ARGV[6])
if KEYS[4] then redis.call('SET', KEYS[4], date .. ' ' .. ARGV[9], 'EX', ARGV[7]) end
local keep = tonumber(ARGV[8])
if keep > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n > keep then
    local last = redis.call('ZRANGE', KEYS[1], n - keep - 1, n - keep - 1, 'WITHSCORES')
    if redis.call('EXISTS', KEYS[3]) == 1 then
      local gone, ids = redis.call('ZRANGE', KEYS[1], 0, n - keep - 1), {}
      for i = 1, #gone do
        local id = string.match(gone[i], '^{"id":"(%x+)"')
        if id then
          ids[#ids + 1] = id
          ids[#ids + 1] = id .. '#v'
        end
        if #ids >= 1000 or (i == #gone and #ids > 0) then
          redis.call('HDEL', KEYS[3], unpack(ids))
          ids = {}
        end
      end
    end
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - keep - 1)
    redis.call('SET', KEYS[2], last[2])
  end
end
return {1, date}
"#;

/// Moves a read marker forward only.
const MARK_READ: &str = r#"
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"#;

/// Runs the store script and the sender's read marker at once: in one pipeline on one
/// Redis; on a cluster as two requests sent together, each to its own slot (a cluster
/// pipeline reports one error for all its commands, and the two must be told apart), the
/// store followed by its `WAIT` for replicas ([`Durability`]). The outer error is a failed
/// connection; each inner one is that request's.
async fn store_and_mark(
    conn: &mut Multiplexed,
    store: &redis::Cmd,
    marker: &redis::Cmd,
    room_key: &str,
    durability: Durability,
) -> redis::RedisResult<(
    redis::RedisResult<redis::Value>,
    redis::RedisResult<redis::Value>,
)> {
    use redis::aio::ConnectionLike as _;
    if conn.is_cluster() {
        let mut other = conn.clone();
        let Durability { replicas, timeout } = durability;
        let (stored, marked) = futures_util::future::join(
            conn.write_and_wait(store, room_key, replicas, timeout),
            other.req_packed_command(marker),
        )
        .await;
        let stored = stored.map(|(reply, waited)| {
            if let Some((acked, asked)) = waited.filter(|(acked, asked)| acked < asked) {
                metrics::MESSAGES_UNREPLICATED.inc();
                tracing::warn!(
                    acked,
                    asked,
                    "a message was acknowledged before it reached its replicas"
                );
            }
            reply
        });
        return Ok((stored, marked));
    }
    let mut pipe = redis::pipe();
    pipe.add_command(store.clone()).add_command(marker.clone());
    let mut out = conn.req_packed_commands(&pipe, 0, 2).await?.into_iter();
    Ok((
        out.next().unwrap_or(redis::Value::Nil).extract_error(),
        out.next().unwrap_or(redis::Value::Nil).extract_error(),
    ))
}

/// Whether two date strings (a cursor's, a score from Redis) name the same date.
fn same_date(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// How long a `clientId` is remembered for de-duplicating retries.
const SENT_TTL_SECS: u64 = 24 * 3600;

/// Why a message was refused.
#[derive(Debug)]
pub enum SendError {
    NotFound,
    NotMember,
    /// The user is over their message rate; retry after this long.
    RateLimited(std::time::Duration),
    /// No message with this id in the room.
    NoSuchMessage,
    /// Only a message's author may edit or delete it.
    NotAuthor,
    /// The message was deleted: it takes no edit or reaction.
    Deleted,
    /// A reaction over the per-message or per-user bound.
    ReactionLimit(&'static str),
    /// A reply to a message the room does not have.
    ReplyNotFound,
    /// A reply to a deleted message.
    ReplyDeleted,
    /// The message kept changing under the change (others changing it at the same time).
    Conflict,
    Internal(Failure),
}

/// What the caller already knows about the sender's membership of the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// Known from an index kept current by membership events (the WebSocket hub's): no
    /// Redis round trip to check.
    Known,
    /// Ask Redis.
    Unknown,
}

/// A stored message, and its JSON exactly as stored and delivered.
#[derive(Debug)]
pub struct Sent {
    pub message: Message,
    pub json: String,
}

impl SendError {
    /// What the client is told, over REST and WebSocket alike, and for a rate limit how long
    /// to wait. `None` for an internal failure (logged by the caller, never described).
    pub fn body(&self) -> Option<(ErrorBody, Option<std::time::Duration>)> {
        Some(match self {
            SendError::NotMember => (
                ErrorBody::new("not_member", "roomId: you are not in this room"),
                None,
            ),
            SendError::NotFound => (ErrorBody::new("not_found", "roomId: no such room"), None),
            SendError::RateLimited(wait) => (
                ErrorBody::new(
                    "rate_limited",
                    format!("too many messages; retry in {:.1} s", wait.as_secs_f64()),
                ),
                Some(*wait),
            ),
            SendError::NoSuchMessage => (
                ErrorBody::new("not_found", "messageId: no such message in this room"),
                None,
            ),
            SendError::NotAuthor => (
                ErrorBody::new(
                    "not_author",
                    "messageId: only its author may change this message",
                ),
                None,
            ),
            SendError::Deleted => (
                ErrorBody::new("message_deleted", "messageId: this message was deleted"),
                None,
            ),
            SendError::ReactionLimit(why) => (ErrorBody::new("reaction_limit", *why), None),
            SendError::ReplyNotFound => (
                ErrorBody::new("reply_not_found", "replyTo: no such message in this room"),
                None,
            ),
            SendError::Conflict => (
                ErrorBody::new(
                    "conflict",
                    "messageId: the message changed at the same time; retry",
                ),
                None,
            ),
            SendError::ReplyDeleted => (
                ErrorBody::new("reply_deleted", "replyTo: that message was deleted"),
                None,
            ),
            SendError::Internal(_) => return None,
        })
    }
}

impl From<Failure> for SendError {
    fn from(f: Failure) -> Self {
        SendError::Internal(f)
    }
}

/// A page of history, oldest first.
#[derive(Debug)]
pub struct Page {
    pub messages: Vec<Message>,
    /// Cursor for the next older page; `None` at the beginning of the room.
    pub before: Option<String>,
    /// Cursor that continues forward after this page.
    pub after: Option<String>,
    /// At the beginning of the room's kept history: the date up to which older messages
    /// were removed by the retention setting (`None` when none were).
    pub trimmed_before: Option<f64>,
}

#[derive(Clone)]
pub struct MessagesStore {
    pub(crate) ctx: Ctx,
    pub(crate) rooms: RoomsStore,
    pub(crate) scripts: crate::edits::Scripts,
    store_and_publish: redis::Script,
    mark_read: redis::Script,
    /// `{"serverId":"…","type":"message","data":`: what precedes a message in its envelope.
    envelope_head: std::sync::Arc<str>,
    /// Messages kept per room; older ones are removed as new ones arrive (0: keep all).
    retention: u64,
    /// On a cluster, the replicas a message must reach before it is acknowledged.
    durability: Durability,
}

/// On a Redis Cluster, how many replicas of the room's master must have a message before
/// it is acknowledged (`WAIT`; no more than the master has connected), and how long to
/// wait for them. Replication is asynchronous: a message acknowledged after its wait timed
/// out (a replica far behind) can be lost if its master dies before the replica catches
/// up; those are counted in `redis_chat_messages_unreplicated_total`. A master with no
/// replica connected cannot fail over, so its messages wait for none. `replicas: 0`
/// acknowledges once the master has it. Ignored on one Redis.
#[derive(Debug, Clone, Copy)]
pub struct Durability {
    pub replicas: u32,
    pub timeout: std::time::Duration,
}

pub(crate) fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl MessagesStore {
    /// `retention`: messages kept per room (0: keep all).
    pub fn new(ctx: Ctx, rooms: RoomsStore, retention: u64, durability: Durability) -> Self {
        Self {
            rooms,
            retention,
            durability,
            store_and_publish: redis::Script::new(STORE_AND_PUBLISH),
            mark_read: redis::Script::new(MARK_READ),
            scripts: crate::edits::Scripts::new(),
            envelope_head: Envelope::head(ctx.server_id(), EventKind::Message.as_str()).into(),
            ctx,
        }
    }

    pub fn rooms(&self) -> &RoomsStore {
        &self.rooms
    }

    /// Checks that `user` may read and post in `room`.
    pub async fn check_access(&self, user: UserId, room: &RoomId) -> Result<(), SendError> {
        match self.rooms.access(user, room).await? {
            Access::Member => Ok(()),
            Access::NotMember => Err(SendError::NotMember),
            Access::NotFound => Err(SendError::NotFound),
        }
    }

    /// Stores a message from `user`, publishes it to every instance and hands it to this
    /// instance's sockets. A repeated `client_id` returns the message it produced before
    /// and stores nothing.
    ///
    /// Hot path: one Redis round trip on the multiplexed connection in the common case, a
    /// pipeline of the store-and-publish script and the sender's read marker; the JSON is
    /// built once, around the date the script picks.
    pub async fn send(
        &self,
        user: UserId,
        room: &RoomId,
        text: &MessageText,
        client_id: Option<&ClientId>,
        reply_to: Option<&MessageId>,
        membership: Membership,
    ) -> Result<Sent, SendError> {
        let (text, client_id) = (text.as_str(), client_id.map(ClientId::as_str));
        if membership == Membership::Unknown {
            self.check_access(user, room).await?;
        }
        self.ctx
            .limiter()
            .check(user, Action::Message)
            .map_err(SendError::RateLimited)?;
        // A reply or an `@` costs a lookup first; a plain message none.
        let (parent, mentions) = match reply_to {
            Some(p) => {
                let (parent, mentions) = futures_util::future::join(
                    self.reply_parent(room, p),
                    self.mentions(room, text),
                )
                .await;
                let parent = match (parent, client_id) {
                    // A retry of a reply stored before its parent went: answered below
                    // with what it produced then, as any retry is.
                    (Err(SendError::ReplyNotFound | SendError::ReplyDeleted), Some(c))
                        if self.was_sent(user, room, c).await? =>
                    {
                        None
                    }
                    (parent, _) => Some(parent?),
                };
                (parent, mentions?)
            }
            None => (None, self.mentions(room, text).await?),
        };
        let id = uuid::Uuid::now_v7().simple().to_string();
        let from = user.to_string();
        let head = format!(r#"{{"id":"{id}","from":"{from}","date":"#);
        let mut tail = format!(
            r#","message":{},"roomId":"{}""#,
            serde_json::to_string(text).map_err(Failure::from)?,
            room.as_str()
        );
        let mentions: Vec<String> = mentions.iter().map(ToString::to_string).collect();
        if !mentions.is_empty() {
            tail.push_str(r#","mentions":"#);
            tail.push_str(&serde_json::to_string(&mentions).map_err(Failure::from)?);
        }
        let quote = parent.as_ref().map(ReplyQuote::of);
        // Stored: the parent's id; published and answered: its quote too.
        let published_tail = match &quote {
            Some(q) => {
                let stored = format!(r#"{tail},"replyTo":{{"id":"{}"}}}}"#, q.id);
                let published = format!(
                    r#"{tail},"replyTo":{}}}"#,
                    serde_json::to_string(q).map_err(Failure::from)?
                );
                tail = stored;
                Some(published)
            }
            None => {
                tail.push('}');
                None
            }
        };
        let now = format!("{:.3}", now_secs());
        let (publish, channel) = self.ctx.events().room_channel(room);
        let room_key = keys::room(room);
        let mut store = redis::cmd("EVALSHA");
        store
            .arg(self.store_and_publish.get_hash())
            .arg(if client_id.is_some() { 4 } else { 3 })
            .arg(&room_key)
            .arg(keys::trimmed(room))
            .arg(keys::reactions(room));
        if let Some(c) = client_id {
            store.arg(keys::sent(user, room, c));
        }
        store
            .arg(&now)
            .arg(&head)
            .arg(&tail)
            .arg(&channel)
            .arg(&*self.envelope_head)
            .arg("}")
            .arg(SENT_TTL_SECS)
            .arg(self.retention)
            .arg(&id)
            .arg(publish);
        if let Some(published) = &published_tail {
            store.arg(published);
        }
        // The sender has read their own message. Its date is `now` unless the room already
        // has a message at `now` or later (a burst within one millisecond, another
        // instance's clock ahead of ours): then the marker is moved again below.
        let mut marker = redis::cmd("EVALSHA");
        marker
            .arg(self.mark_read.get_hash())
            .arg(1)
            .arg(keys::read_markers(user))
            .arg(room.as_str())
            .arg(&now);
        let mut conn = self.ctx.multiplexed()?;
        let (stored, marked) = timed("store_message", async {
            let (stored, marked) =
                store_and_mark(&mut conn, &store, &marker, &room_key, self.durability).await?;
            match stored {
                // Redis lost its scripts (a restart, SCRIPT FLUSH, a replica promoted): the
                // store changed nothing, so load them and run it again.
                Err(e) if e.kind() == redis::ErrorKind::NoScriptError => {
                    self.load_scripts(&mut conn).await?;
                    let (stored, marked) =
                        store_and_mark(&mut conn, &store, &marker, &room_key, self.durability)
                            .await?;
                    Ok((stored?, marked))
                }
                stored => Ok((stored?, marked)),
            }
        })
        .await?;
        let (fresh, value): (i64, String) = redis::from_owned_redis_value(stored)
            .map_err(|e| Failure::internal(format!("redis store_message reply: {e}")))?;
        if fresh == 0 {
            // A retry: the message this clientId produced before.
            let mut message = Message::parse_stored(&value)
                .ok_or_else(|| Failure::internal("a remembered clientId holds no message"))?;
            self.decorate(room, user, std::slice::from_mut(&mut message))
                .await?;
            let json = serde_json::to_string(&message).map_err(Failure::from)?;
            return Ok(Sent { message, json });
        }
        if fresh == 2 {
            // A retry of a message stored before and trimmed away since (retention): its id
            // and date are known, its text is this attempt's.
            let (date, prior_id) = value
                .split_once(' ')
                .ok_or_else(|| Failure::internal("a remembered clientId is malformed"))?;
            let message = Message {
                id: prior_id.to_owned(),
                from: user.to_string(),
                date: date.parse().unwrap_or_default(),
                message: text.to_owned(),
                room_id: room.to_string(),
                mentions,
                reply_to: quote,
                ..Message::default()
            };
            let json = serde_json::to_string(&message).map_err(Failure::from)?;
            return Ok(Sent { message, json });
        }
        let date = value;
        metrics::MESSAGES_SENT.inc();
        let topic = Topic::Client(EventKind::Message);
        metrics::ENVELOPES_OUT
            .with_label_values(&[topic.as_str()])
            .inc();
        let json = format!("{head}{date}{}", published_tail.as_deref().unwrap_or(&tail));
        self.ctx.events().dispatch_local(topic, &json);
        let message = Message {
            id,
            from,
            date: date.parse().unwrap_or_default(),
            message: text.to_owned(),
            room_id: room.to_string(),
            mentions,
            reply_to: quote,
            ..Message::default()
        };
        if !message.mentions.is_empty() {
            self.record_mentions(&message, user).await;
        }
        // The message is stored and delivered: what follows is bookkeeping, whose failure
        // must not make the client believe (and retry) a message that went out.
        if marked.is_err() || date != now {
            let moved: Result<i64, Failure> = timed(
                "mark_read",
                self.mark_read
                    .key(keys::read_markers(user))
                    .arg(room.as_str())
                    .arg(&date)
                    .invoke_async(&mut conn),
            )
            .await;
            if let Err(e) = moved {
                tracing::warn!(error = %e, "could not move the sender's read marker");
            }
        }
        Ok(Sent { message, json })
    }

    /// Whether `client_id` produced a message of `user` in `room` (within its TTL).
    async fn was_sent(
        &self,
        user: UserId,
        room: &RoomId,
        client_id: &str,
    ) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis().await?;
        timed(
            "exists",
            redis::cmd("EXISTS")
                .arg(keys::sent(user, room, client_id))
                .query_async(&mut *conn),
        )
        .await
    }

    /// Loads the hot path's scripts into Redis (after a restart emptied its script cache).
    async fn load_scripts(&self, conn: &mut Multiplexed) -> redis::RedisResult<()> {
        for source in [STORE_AND_PUBLISH, MARK_READ] {
            let _: String = redis::cmd("SCRIPT")
                .arg("LOAD")
                .arg(source)
                .query_async(conn)
                .await?;
        }
        Ok(())
    }

    /// Appends a message with a given date, without publishing (demo data).
    pub async fn append_quietly(
        &self,
        user: UserId,
        room: &RoomId,
        text: &str,
        date: f64,
    ) -> Result<(), Failure> {
        let date = (date * 1000.0).round() / 1000.0;
        // Its id carries its date, as a sent message's does, so it can be found by id.
        let at = uuid::Timestamp::from_unix(
            uuid::NoContext,
            date.trunc() as u64,
            (date.fract() * 1e9).round() as u32,
        );
        let m = Message {
            id: uuid::Uuid::new_v7(at).simple().to_string(),
            from: user.to_string(),
            date,
            message: text.to_owned(),
            room_id: room.to_string(),
            ..Message::default()
        };
        let mut conn = self.ctx.redis().await?;
        let _: i64 = timed(
            "zadd",
            redis::cmd("ZADD")
                .arg(keys::room(room))
                .arg(format!("{:.3}", m.date))
                .arg(serde_json::to_string(&m)?)
                .query_async(&mut *conn),
        )
        .await?;
        Ok(())
    }

    /// A page of `room`'s history, oldest first. With `before`: the messages just older
    /// than the cursor; with `after`: just newer; with both: those between them, from the
    /// oldest; with neither: the newest.
    pub async fn page(
        &self,
        room: &RoomId,
        viewer: UserId,
        before: Option<&Cursor>,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page, Failure> {
        let key = keys::room(room);
        let mut conn = self.ctx.redis().await?;
        let forward = after.is_some();
        let cursor = after.or(before);
        let (bound, skip) = match cursor {
            None => ("+inf".to_owned(), 0),
            Some(Cursor { date, skip: None }) => (format!("({date}"), 0),
            Some(Cursor {
                date,
                skip: Some(n),
            }) => (date.clone(), *n),
        };
        let fetch = limit + 1;
        // Forward with both cursors: stop at `before`. At a tied date `before` has already
        // seen its newest `n` messages, so only the others there are in the range.
        let (end, tied_in_range) = match (forward, before) {
            (true, Some(Cursor { date, skip: None })) => (format!("({date}"), None),
            (
                true,
                Some(Cursor {
                    date,
                    skip: Some(n),
                }),
            ) => {
                let at: u64 = timed(
                    "zcount",
                    redis::cmd("ZCOUNT")
                        .arg(&key)
                        .arg(date)
                        .arg(date)
                        .query_async(&mut *conn),
                )
                .await?;
                // With `after` at that same date too, its first messages there are skipped
                // by the query itself.
                let skipped = match after {
                    Some(Cursor {
                        date: a,
                        skip: Some(k),
                    }) if same_date(a, date) => *k,
                    _ => 0,
                };
                (
                    date.clone(),
                    Some((date, at.saturating_sub(*n).saturating_sub(skipped))),
                )
            }
            (true, None) => ("+inf".to_owned(), None),
            (false, _) => ("-inf".to_owned(), None),
        };
        let (op, command) = if forward {
            ("zrangebyscore", "ZRANGEBYSCORE")
        } else {
            ("zrevrangebyscore", "ZREVRANGEBYSCORE")
        };
        let mut raw: Vec<(String, String)> = timed(
            op,
            redis::cmd(command)
                .arg(&key)
                .arg(&bound)
                .arg(end)
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(skip)
                .arg(fetch)
                .query_async(&mut *conn),
        )
        .await?;
        if let Some((date, keep)) = tied_in_range {
            let mut seen = 0;
            if let Some(cut) = raw.iter().position(|(_, score)| {
                let tied = same_date(date, score);
                seen += u64::from(tied);
                tied && seen > keep
            }) {
                raw.truncate(cut);
            }
        }
        let more = raw.len() > limit;
        let mut items: Vec<(String, String)> = raw.into_iter().take(limit).collect();
        // The cursor for continuing past the last item of `items`, in fetch order.
        let next = items.last().map(|(_, score)| {
            let same = items.iter().rev().take_while(|(_, s)| s == score).count() as u64;
            let inherited = match cursor {
                Some(Cursor {
                    date,
                    skip: Some(n),
                }) if same_date(date, score) => *n,
                _ => 0,
            };
            Cursor {
                date: score.clone(),
                skip: Some(same + inherited),
            }
            .to_text()
        });
        let (before_cursor, after_cursor) = if forward {
            // Fetched oldest first: older than this page is strictly before its first date.
            let older = items.first().map(|(_, s)| s.clone());
            (older, next.or_else(|| cursor.map(Cursor::to_text)))
        } else {
            items.reverse();
            let newer = items.last().map(|(_, s)| s.clone());
            (
                if more { next } else { None },
                newer.or_else(|| cursor.map(Cursor::to_text)),
            )
        };
        let messages = items
            .iter()
            .filter_map(|(raw, _)| Message::parse_stored(raw))
            .map(|mut m| {
                if m.room_id.is_empty() {
                    m.room_id = room.to_string();
                }
                m
            });
        let mut messages: Vec<Message> = messages.collect();
        self.decorate(room, viewer, &mut messages).await?;
        let trimmed_before = if before_cursor.is_none() && !forward {
            let mut conn = self.ctx.redis().await?;
            let t: Option<f64> = timed(
                "get",
                redis::cmd("GET")
                    .arg(keys::trimmed(room))
                    .query_async(&mut *conn),
            )
            .await?;
            t
        } else {
            None
        };
        Ok(Page {
            messages,
            before: before_cursor,
            after: after_cursor,
            trimmed_before,
        })
    }

    /// Moves `user`'s read marker in `room` forward to `date` and tells their other sockets.
    pub async fn mark_read(
        &self,
        user: UserId,
        room: &RoomId,
        date: ReadDate,
    ) -> Result<(), SendError> {
        let date = date.0;
        self.check_access(user, room).await?;
        let mut conn = self.ctx.redis().await?;
        // Never beyond the newest message: a marker in the future would hide later ones.
        let newest: Vec<(String, f64)> = timed(
            "zrevrange",
            redis::cmd("ZREVRANGE")
                .arg(keys::room(room))
                .arg(0)
                .arg(0)
                .arg("WITHSCORES")
                .query_async(&mut *conn),
        )
        .await?;
        let date = newest.first().map_or(0.0, |(_, top)| date.min(*top));
        if date <= 0.0 {
            return Ok(());
        }
        let moved: i64 = timed(
            "mark_read",
            self.mark_read
                .key(keys::read_markers(user))
                .arg(room.as_str())
                .arg(format!("{date:.3}"))
                .invoke_async(&mut *conn),
        )
        .await?;
        drop(conn);
        if moved == 1 {
            let event = RoomRead {
                room_id: room.to_string(),
                user_id: user.to_string(),
                date,
            };
            self.ctx
                .events()
                .publish(&ServerEvent::RoomRead(event))
                .await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl RoomActivity for MessagesStore {
    async fn activity(&self, user: UserId, rooms: &[RoomId]) -> Result<Vec<Activity>, Failure> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.ctx.redis().await?;
        let mut markers = redis::cmd("HMGET");
        markers.arg(keys::read_markers(user));
        for r in rooms {
            markers.arg(r.as_str());
        }
        let mut mentions = redis::cmd("ZRANGE");
        mentions
            .arg(keys::mentions(user))
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES");
        let (markers, mentions): (Vec<Option<String>>, Vec<(String, f64)>) = timed(
            "hmget",
            redis::pipe()
                .add_command(markers)
                .add_command(mentions)
                .query_async(&mut *conn),
        )
        .await?;
        let mut pipe = redis::pipe();
        for (r, marker) in rooms.iter().zip(&markers) {
            let key = keys::room(r);
            pipe.cmd("ZREVRANGE").arg(&key).arg(0).arg(0);
            let from = marker
                .as_deref()
                .map_or_else(|| "-inf".to_owned(), |m| format!("({m}"));
            pipe.cmd("ZCOUNT").arg(&key).arg(from).arg("+inf");
        }
        let out: Vec<redis::Value> = timed("activity", pipe.query_async(&mut *conn)).await?;
        let mut result = Vec::with_capacity(rooms.len());
        for (i, (room, marker)) in rooms.iter().zip(&markers).enumerate() {
            let last: Vec<String> = redis::from_redis_value(&out[2 * i]).unwrap_or_default();
            let unread: u64 = redis::from_redis_value(&out[2 * i + 1]).unwrap_or(0);
            let last = last
                .first()
                .and_then(|raw| Message::parse_stored(raw))
                .map(|mut m| {
                    if m.room_id.is_empty() {
                        m.room_id = room.to_string();
                    }
                    m
                });
            let read_up_to = marker
                .as_deref()
                .and_then(|m| m.parse::<f64>().ok())
                .unwrap_or(0.0);
            let mentions = mentions
                .iter()
                .filter(|(entry, date)| {
                    *date > read_up_to
                        && entry
                            .split_once(' ')
                            .is_some_and(|(r, _)| r == room.as_str())
                })
                .count() as u64;
            result.push(Activity {
                last,
                unread,
                mentions: mentions.min(unread),
            });
        }
        Ok(result)
    }
}
