//! Sending a message: check → draft → store → deliver.
//!
//! Storing and publishing is one Lua script on the room's hash slot (`store_message.lua`):
//! Redis runs it atomically, so every instance sees a room's messages in the order they
//! were stored, each gets a `date` strictly greater than the one before it in its room (an
//! exact history cursor), and a retried `clientId` is answered from the same script, never
//! stored twice. It travels in one pipeline with the sender's read marker: one Redis round
//! trip per message in the common case. On a Redis Cluster the two go to their own slots
//! at once, and the message is acknowledged once a replica has it ([`Durability`]).

use chat_core::{
    context::timed,
    metrics, now_secs,
    protocol::{Message, ReplyQuote},
    redis,
    templates::MessageJson,
    EventKind, Failure, Redis, RoomId, Route, Topic, UserId,
};

use chat_uploads::AttachError;

use crate::{
    error::MessageError,
    input::{ClientId, MessageId, MessageText},
    keys,
    scripts::{NewMessage, Stored},
    store::{Durability, KnownMember, MessagesStore},
};

/// How long a `clientId` is remembered for de-duplicating retries.
const SENT_TTL_SECS: u64 = 24 * 3600;

/// What a user posts: a text, files (`attachments`: ids of their uploads in the room), or
/// both.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    pub text: Option<&'a MessageText>,
    pub client_id: Option<&'a ClientId>,
    pub reply_to: Option<&'a MessageId>,
    /// Checked ids ([`crate::input::attachment_ids`]).
    pub attachments: &'a [String],
}

/// A stored message, and its JSON exactly as stored and delivered.
#[derive(Debug)]
pub struct Sent {
    pub message: Message,
    pub json: String,
}

/// A message ready to store: everything but its date, which the script picks.
struct Draft<'a> {
    /// The message, dated `0`.
    message: Message,
    json: MessageJson,
    client_id: Option<&'a str>,
    /// The clock when it was drafted, `%.3f`: its date unless the room has a newer one.
    now: String,
}

impl MessagesStore {
    /// Stores a message from `user`, publishes it to every instance and hands it to this
    /// instance's sockets. A repeated `client_id` returns the message it produced before
    /// and stores nothing.
    ///
    /// Hot path: one Redis round trip in the common case (the store script and the sender's
    /// read marker in one pipeline); a reply or an `@` costs a lookup first, attachments
    /// one script that attaches them (all or none) before the message is stored.
    pub async fn send(
        &self,
        user: UserId,
        room: &RoomId,
        post: Post<'_>,
        known: KnownMember,
    ) -> Result<Sent, MessageError> {
        if post.text.is_none() && post.attachments.is_empty() {
            return Err(MessageError::Empty);
        }
        if known == KnownMember::Unknown {
            self.check_access(user, room).await?;
        }
        self.check_rate(user)?;
        let client_id = post.client_id.map(ClientId::as_str);
        let text = post.text.map_or("", MessageText::as_str);
        let draft = self
            .draft(user, room, text, client_id, post.reply_to, post.attachments)
            .await?;
        let (stored, marked) = match self.store(user, room, &draft).await {
            Ok(stored) => stored,
            Err(e) => {
                self.release_unless_stored(room, &draft.message).await;
                return Err(e.into());
            }
        };
        if !matches!(stored, Stored::New { .. }) {
            self.release(room, &draft.message).await;
        }
        match stored {
            Stored::New { date } => Ok(self.deliver(user, room, draft, &date, marked).await),
            Stored::Repeat { json } => self.repeat(user, room, &json).await,
            Stored::Muted { until } => Err(MessageError::Muted(until)),
            Stored::RepeatTrimmed { date, id } => {
                // Its id and date are known, its text is this attempt's.
                let message = Message {
                    id,
                    date: date.parse().unwrap_or_default(),
                    ..draft.message
                };
                let json = serde_json::to_string(&message).map_err(Failure::from)?;
                Ok(Sent { message, json })
            }
        }
    }

    /// The message to store: its id, its parent's quote, its mentions, its attachments
    /// (attached to it now), its JSON.
    async fn draft<'a>(
        &self,
        user: UserId,
        room: &RoomId,
        text: &str,
        client_id: Option<&'a str>,
        reply_to: Option<&MessageId>,
        attachments: &[String],
    ) -> Result<Draft<'a>, MessageError> {
        let (parent, mentions) = match reply_to {
            Some(p) => {
                let (parent, mentions) = futures_util::future::join(
                    self.reply_parent(room, p),
                    self.mentions(room, text),
                )
                .await;
                let parent = match (parent, client_id) {
                    // A retry of a reply stored before its parent went: answered by the
                    // store script with what it produced then, as any retry is.
                    (Err(MessageError::ReplyNotFound | MessageError::ReplyDeleted), Some(c))
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
        let attachments = self.attach(user, room, &id, attachments, client_id).await?;
        let message = Message {
            id,
            attachments,
            from: user.to_string(),
            date: 0.0,
            message: text.to_owned(),
            room_id: room.to_string(),
            mentions: mentions.iter().map(ToString::to_string).collect(),
            reply_to: parent.as_ref().map(ReplyQuote::of),
            ..Message::default()
        };
        Ok(Draft {
            json: MessageJson::of(&message).map_err(Failure::from)?,
            message,
            client_id,
            now: format!("{:.3}", now_secs()),
        })
    }

    /// Attaches `ids` to the message `id` about to be stored: their descriptions. A retry
    /// (a `clientId` seen before) whose uploads went with its first message attaches
    /// nothing: the store script answers it with that message.
    async fn attach(
        &self,
        user: UserId,
        room: &RoomId,
        id: &str,
        ids: &[String],
        client_id: Option<&str>,
    ) -> Result<Vec<chat_core::protocol::Attachment>, MessageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let Some(uploads) = &self.uploads else {
            return Err(MessageError::AttachmentNotFound);
        };
        match uploads.attach(user, room, id, ids).await {
            Ok(attached) => Ok(attached),
            Err(AttachError::Taken(_)) => match client_id {
                Some(c) if self.was_sent(user, room, c).await? => Ok(Vec::new()),
                _ => Err(MessageError::AttachmentTaken),
            },
            Err(AttachError::Missing(_)) => Err(MessageError::AttachmentNotFound),
            Err(AttachError::TooMany) => Err(MessageError::AttachmentNotFound),
            Err(AttachError::Internal(f)) => Err(f.into()),
        }
    }

    /// After a failed store, which may have stored all the same (a reply lost on its way
    /// back): gives its uploads back if the message is not in the room, so that they can
    /// be sent again; keeps them if it is, or if that cannot be told (the uploads sweeper
    /// lets them go once the message is found missing).
    async fn release_unless_stored(&self, room: &RoomId, message: &Message) {
        if message.attachments.is_empty() {
            return;
        }
        let Some(id) = MessageId::parse_owned(&message.id) else {
            return;
        };
        if let Ok(None) = self.find_by_id(room, &id).await {
            self.release(room, message).await;
        }
    }

    /// Gives back the uploads a message that was not stored had taken.
    async fn release(&self, room: &RoomId, message: &Message) {
        if let (Some(uploads), false) = (&self.uploads, message.attachments.is_empty()) {
            let ids: Vec<String> = message.attachments.iter().map(|a| a.id.clone()).collect();
            uploads.release(room, &message.id, &ids).await;
        }
    }

    /// Runs the store script and moves the sender's read marker to the draft's clock (they
    /// have read their own message): the script's outcome, and whether the marker moved.
    async fn store(
        &self,
        user: UserId,
        room: &RoomId,
        draft: &Draft<'_>,
    ) -> Result<(Stored, bool), Failure> {
        let target = self.publish_target(room);
        let store = self.scripts.store.cmd(&NewMessage {
            room,
            from: user,
            sent: draft.client_id.map(|c| (user, c)),
            id: &draft.message.id,
            now: &draft.now,
            json: &draft.json,
            envelope_head: &self.message_envelope,
            publish: &target,
            sent_ttl: SENT_TTL_SECS,
            keep: self.retention,
        });
        let marker = self.scripts.mark_read.cmd(user, room, &draft.now);
        let room_key = keys::room(room);
        let mut conn = self.ctx.redis()?;
        let (stored, marked) = timed("store_message", async {
            let (stored, marked) =
                store_and_mark(&mut conn, &store, &marker, &room_key, self.durability).await?;
            match stored {
                // Redis lost its scripts: the store changed nothing, so load and run again.
                Err(e) if e.kind() == redis::ErrorKind::NoScriptError => {
                    self.scripts.store.load(&mut conn).await?;
                    self.scripts.mark_read.load(&mut conn).await?;
                    let (stored, marked) =
                        store_and_mark(&mut conn, &store, &marker, &room_key, self.durability)
                            .await?;
                    Ok((stored?, marked))
                }
                stored => Ok((stored?, marked)),
            }
        })
        .await?;
        Ok((
            crate::scripts::StoreMessage::outcome(stored)?,
            marked.is_ok(),
        ))
    }

    /// A new message stored: hands it to this instance's sockets (the script published it
    /// to the others), counts its mentions, fixes the sender's read marker if need be.
    async fn deliver(
        &self,
        user: UserId,
        room: &RoomId,
        draft: Draft<'_>,
        date: &str,
        marked: bool,
    ) -> Sent {
        metrics::MESSAGES_SENT.inc();
        let topic = Topic::Client(EventKind::Message);
        metrics::ENVELOPES_OUT
            .with_label_values(&[topic.as_str()])
            .inc();
        let json = draft.json.published(date);
        let message = Message {
            date: date.parse().unwrap_or_default(),
            ..draft.message
        };
        let route = Route::room(room).dated(message.date);
        self.ctx
            .events()
            .dispatch_local(EventKind::Message, route, &json);
        if !message.mentions.is_empty() {
            self.record_mentions(room, &message, user).await;
        }
        // The message is stored and delivered: what follows is bookkeeping, whose failure
        // must not make the client believe (and retry) a message that went out. The marker
        // moved to the draft's clock; a room with a message at that time or later (a burst
        // within one millisecond, another instance's clock ahead) dated it later.
        if !marked || date != draft.now {
            let moved = match self.ctx.redis() {
                Ok(mut conn) => {
                    self.scripts
                        .mark_read
                        .run(&mut conn, user, room, date)
                        .await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = moved {
                tracing::warn!(error = %e, "could not move the sender's read marker");
            }
        }
        Sent { message, json }
    }

    /// A retry: the message this `clientId` produced before, as it is now.
    async fn repeat(&self, user: UserId, room: &RoomId, json: &str) -> Result<Sent, MessageError> {
        let mut message = Message::parse_stored(json)
            .ok_or_else(|| Failure::internal("a remembered clientId holds no message"))?;
        self.decorate(room, user, std::slice::from_mut(&mut message))
            .await?;
        let json = serde_json::to_string(&message).map_err(Failure::from)?;
        Ok(Sent { message, json })
    }

    /// Whether `client_id` produced a message of `user` in `room` (within its TTL).
    async fn was_sent(
        &self,
        user: UserId,
        room: &RoomId,
        client_id: &str,
    ) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "exists",
            redis::cmd("EXISTS")
                .arg(keys::sent(user, room, client_id))
                .query_async(&mut conn),
        )
        .await
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
        // Its id carries its date, as a sent message's does; it is indexed, as theirs are.
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
        let score = format!("{:.3}", m.date);
        let mut conn = self.ctx.redis()?;
        timed(
            "zadd",
            redis::pipe()
                .cmd("ZADD")
                .arg(keys::room(room))
                .arg(&score)
                .arg(serde_json::to_string(&m)?)
                .ignore()
                .cmd("HSET")
                .arg(keys::ids(room))
                .arg(&m.id)
                .arg(&score)
                .ignore()
                .query_async::<()>(&mut conn),
        )
        .await?;
        Ok(())
    }
}

/// Runs the store script and the sender's read marker at once: in one pipeline on one
/// Redis; on a cluster as two requests sent together, each to its own slot (a cluster
/// pipeline reports one error for all its commands, and the two must be told apart), the
/// store followed by its `WAIT` for replicas ([`Durability`]). The outer error is a failed
/// connection; each inner one is that request's.
async fn store_and_mark(
    conn: &mut Redis,
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
