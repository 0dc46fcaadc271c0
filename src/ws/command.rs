//! A client's frame, parsed once into a typed command with the same input types REST uses,
//! then applied: the frame loop is read → [`Command::parse`] → [`Command::apply`] →
//! [`Reply::frame`].

use std::{
    borrow::Cow,
    time::{Duration, Instant},
};

use chat_core::{
    protocol::{ClientEvent, ClientKind, ErrorEvent},
    Action, EventKind, Failure, Rejection, RoomId, TextInput, UserId,
};
use chat_messages::{
    attachment_ids, ClientId, Emoji, KnownMember, MessageError, MessageId, MessageText, Post,
    ReadDate, ReplyTo, UploadId,
};
use chat_rooms::Access;

use super::{WsState, TYPING_EVERY};
use crate::hub::{Frame, Hub};

/// Largest frame a client may send; larger ones get an `error` (the socket stays open).
pub const MAX_CLIENT_FRAME: usize = 16 * 1024;

/// Least time between two read markers a socket applies. Reads in between wait, merged
/// (the newest date per room), and are applied when it has passed: a client that sends a
/// read per message shown costs Redis a few commands per half second, not per frame, and
/// its last read always lands.
pub(crate) const READ_EVERY: Duration = Duration::from_millis(500);
/// Rooms whose reads may wait at once on a socket; past that the oldest waiting one goes.
const READS_WAITING: usize = 4;

/// What a socket paces: its `typing` relays and its read markers.
#[derive(Default)]
pub struct Pace {
    last_typing: Option<Instant>,
    last_read: Option<Instant>,
    waiting_reads: Vec<(RoomId, ReadDate)>,
}

impl Pace {
    /// A read to apply now, or `None` when it waits (merged into the waiting ones).
    fn read(&mut self, room: RoomId, date: ReadDate) -> Option<(RoomId, ReadDate)> {
        let now = Instant::now();
        let rested = self
            .last_read
            .is_none_or(|t| now.duration_since(t) >= READ_EVERY);
        if rested && self.waiting_reads.is_empty() {
            self.last_read = Some(now);
            return Some((room, date));
        }
        match self.waiting_reads.iter_mut().find(|(r, _)| *r == room) {
            Some((_, waiting)) => waiting.0 = waiting.0.max(date.0),
            None => {
                if self.waiting_reads.len() >= READS_WAITING {
                    self.waiting_reads.remove(0);
                }
                self.waiting_reads.push((room, date));
            }
        }
        None
    }

    /// When the waiting reads are due; `None` when none waits.
    pub fn reads_due(&self) -> Option<Instant> {
        if self.waiting_reads.is_empty() {
            return None;
        }
        Some(self.last_read.map_or_else(Instant::now, |t| t + READ_EVERY))
    }

    /// The waiting reads, as commands to apply now.
    pub fn due_reads(&mut self) -> Vec<Command> {
        self.last_read = Some(Instant::now());
        self.waiting_reads
            .drain(..)
            .map(|(room, date)| Command::Read { room, date })
            .collect()
    }
}

/// What a client asks of the server, checked.
#[derive(Debug)]
pub enum Command {
    Send {
        room: RoomId,
        /// `None`: a message of attachments only.
        text: Option<MessageText>,
        client_id: Option<ClientId>,
        reply_to: Option<ReplyTo>,
        attachments: Vec<String>,
    },
    Typing {
        room: RoomId,
    },
    Read {
        room: RoomId,
        date: ReadDate,
    },
    Edit {
        room: RoomId,
        id: MessageId,
        text: MessageText,
        client_id: Option<ClientId>,
    },
    Delete {
        room: RoomId,
        id: MessageId,
        client_id: Option<ClientId>,
    },
    React {
        room: RoomId,
        id: MessageId,
        emoji: Emoji,
        add: bool,
        client_id: Option<ClientId>,
    },
}

/// What the socket is told: nothing, an `ack`, or an `error`.
#[derive(Debug)]
pub enum Reply {
    Nothing,
    /// The message as stored or changed (its JSON), with the frame's `clientId`.
    Ack {
        client_id: Option<String>,
        message: String,
    },
    Refused(ErrorEvent),
}

/// A frame refused before it was applied: its code and sentence.
type Refusal = (&'static str, Cow<'static, str>);

fn refused(code: &'static str, message: impl Into<Cow<'static, str>>) -> Refusal {
    (code, message.into())
}

fn room(id: &str) -> Result<RoomId, Rejection> {
    id.parse()
        .map_err(|_| ("invalid_room_id", "roomId: not a room id"))
}

fn client_id(id: Option<&str>) -> Result<Option<ClientId>, Rejection> {
    id.map(ClientId::parse).transpose()
}

impl Command {
    /// Parses a text frame. A refusal carries the frame's `clientId` when it had one (a
    /// client can match it to what it sent).
    pub fn parse(text: &str) -> Result<Command, (Refusal, Option<String>)> {
        if text.len() > MAX_CLIENT_FRAME {
            return Err((
                refused("frame_too_large", "frames are at most 16 KiB"),
                None,
            ));
        }
        let event =
            serde_json::from_str::<ClientEvent>(text).map_err(|_| (why_invalid(text), None))?;
        let checked = |r: Result<Command, Rejection>, client: Option<String>| {
            r.map_err(|(code, msg)| (refused(code, msg), client))
        };
        match event {
            ClientEvent::Message(m) => checked(
                (|| {
                    let ids = m
                        .attachments
                        .iter()
                        .map(|id| UploadId::parse(id))
                        .collect::<Result<Vec<_>, _>>()?;
                    let attachments = attachment_ids(&ids)?;
                    // Text is optional only beside attachments.
                    let text = if m.message.is_empty() && !attachments.is_empty() {
                        None
                    } else {
                        Some(MessageText::parse(&m.message)?)
                    };
                    Ok(Command::Send {
                        room: room(&m.room_id)?,
                        text,
                        client_id: client_id(m.client_id.as_deref())?,
                        reply_to: m.reply_to.as_deref().map(ReplyTo::parse).transpose()?,
                        attachments,
                    })
                })(),
                m.client_id,
            ),
            ClientEvent::Typing(t) => {
                checked(room(&t.room_id).map(|room| Command::Typing { room }), None)
            }
            ClientEvent::Read(r) => checked(
                (|| {
                    Ok(Command::Read {
                        room: room(&r.room_id)?,
                        date: ReadDate::check(r.date)?,
                    })
                })(),
                None,
            ),
            ClientEvent::Edit(e) => checked(
                (|| {
                    Ok(Command::Edit {
                        room: room(&e.room_id)?,
                        id: MessageId::parse(&e.message_id)?,
                        client_id: client_id(e.client_id.as_deref())?,
                        text: MessageText::parse(&e.message)?,
                    })
                })(),
                e.client_id,
            ),
            ClientEvent::Delete(d) => checked(
                (|| {
                    Ok(Command::Delete {
                        room: room(&d.room_id)?,
                        id: MessageId::parse(&d.message_id)?,
                        client_id: client_id(d.client_id.as_deref())?,
                    })
                })(),
                d.client_id,
            ),
            ClientEvent::React(r) => checked(
                (|| {
                    Ok(Command::React {
                        room: room(&r.room_id)?,
                        id: MessageId::parse(&r.message_id)?,
                        client_id: client_id(r.client_id.as_deref())?,
                        emoji: Emoji::parse(&r.emoji)?,
                        add: r.add,
                    })
                })(),
                r.client_id,
            ),
        }
    }

    /// A read marker applied now (a waiting read, when it is due).
    pub async fn mark_read(state: &WsState, user: UserId, room: RoomId, date: ReadDate) -> Reply {
        match state.messages.mark_read(user, &room, date).await {
            Ok(()) => Reply::Nothing,
            Err(e) => refusal(e, None),
        }
    }

    /// Applies the command for `user` (signed in as `username`), paced by the socket's
    /// `pace` (`typing` relays and read markers).
    pub async fn apply(
        self,
        state: &WsState,
        user: UserId,
        username: &str,
        pace: &mut Pace,
    ) -> Reply {
        let messages = &state.messages;
        match self {
            // Hot path: every message a socket sends.
            Command::Send {
                room,
                text,
                client_id,
                reply_to,
                attachments,
            } => {
                let known = if state.dispatch.hub().is_member(user, &room) {
                    KnownMember::Yes
                } else {
                    KnownMember::Unknown
                };
                let post = Post {
                    text: text.as_ref(),
                    client_id: client_id.as_ref(),
                    reply_to: reply_to.as_ref().map(|r| &r.0),
                    attachments: &attachments,
                };
                let sent = messages.send(user, &room, post, known).await;
                // Queued right behind the sender's own `message` (the store handed it to
                // the hub): the writer sends both in one flush.
                answer(client_id, sent.map(|s| s.json))
            }
            Command::Typing { room } => {
                // Throttled after the id is checked (a malformed frame always gets its
                // error), before membership is (which may cost a Redis round trip).
                if pace.last_typing.is_some_and(|t| t.elapsed() < TYPING_EVERY) {
                    return Reply::Nothing;
                }
                pace.last_typing = Some(Instant::now());
                let rooms = &state.rooms;
                match rooms.access(user, &room).await {
                    // Over the user's typing rate (many sockets at once) the signal is
                    // dropped: it is only a hint.
                    Ok(Access::Member) if rooms.limiter().check(user, Action::Typing).is_err() => {
                        Reply::Nothing
                    }
                    Ok(Access::Member) => {
                        if let Err(e) = rooms.typing(user, username, &room).await {
                            tracing::warn!(error = %e, "ws: typing failed");
                        }
                        Reply::Nothing
                    }
                    Ok(Access::NotMember) => refusal(MessageError::NotMember, None),
                    Ok(Access::NotFound) => refusal(MessageError::NotFound, None),
                    Err(e) => refusal(MessageError::Internal(e), None),
                }
            }
            Command::Read { room, date } => {
                let Some((room, date)) = pace.read(room, date) else {
                    return Reply::Nothing; // waits: applied by the socket's loop when due
                };
                Self::mark_read(state, user, room, date).await
            }
            Command::Edit {
                room,
                id,
                text,
                client_id,
            } => answer(
                client_id,
                json(messages.edit(user, &room, &id, &text).await),
            ),
            Command::Delete {
                room,
                id,
                client_id,
            } => answer(client_id, json(messages.delete(user, &room, &id).await)),
            Command::React {
                room,
                id,
                emoji,
                add,
                client_id,
            } => answer(
                client_id,
                json(messages.react(user, &room, &id, &emoji, add).await),
            ),
        }
    }
}

fn json(
    result: Result<chat_core::protocol::Message, MessageError>,
) -> Result<String, MessageError> {
    result.and_then(|m| serde_json::to_string(&m).map_err(|e| Failure::from(e).into()))
}

/// An `ack` with the message, or the refusal; both carry the frame's `clientId`.
fn answer(client_id: Option<ClientId>, result: Result<String, MessageError>) -> Reply {
    let client_id = client_id.map(|c| c.as_str().to_owned());
    match result {
        Ok(message) => Reply::Ack { client_id, message },
        Err(e) => refusal(e, client_id),
    }
}

/// The `error` event for a refused operation; an internal failure is logged, never
/// described.
fn refusal(e: MessageError, client_id: Option<String>) -> Reply {
    match e.body() {
        Some((body, wait)) => Reply::Refused(ErrorEvent {
            error: body.error,
            message: body.message,
            client_id,
            retry_after_ms: wait.map(|w| w.as_millis().max(1) as u64),
        }),
        None => {
            tracing::error!(detail = ?e, "ws: internal error");
            Reply::Refused(ErrorEvent {
                error: "internal".into(),
                message: "the server could not do this; retry".into(),
                client_id,
                retry_after_ms: None,
            })
        }
    }
}

impl Reply {
    /// A frame refused before it was applied.
    pub fn refused(((code, message), client_id): (Refusal, Option<String>)) -> Self {
        Reply::Refused(ErrorEvent {
            error: code.to_owned(),
            message: message.into_owned(),
            client_id,
            retry_after_ms: None,
        })
    }

    /// The frame that says it, if any.
    pub fn frame(self) -> Option<std::sync::Arc<Frame>> {
        match self {
            Reply::Nothing => None,
            Reply::Ack { client_id, message } => Some(Hub::frame(
                EventKind::Ack,
                &ack_json(client_id.as_deref(), &message),
                None,
            )),
            Reply::Refused(e) => serde_json::to_string(&e)
                .ok()
                .map(|data| Hub::frame(EventKind::Error, &data, None)),
        }
    }
}

/// The `ack` data around the message's JSON, as [`chat_core::protocol::Ack`] serializes
/// it, without parsing or re-serializing the message.
fn ack_json(client_id: Option<&str>, message_json: &str) -> String {
    let mut data = String::with_capacity(message_json.len() + 96);
    data.push('{');
    if let Some(c) = client_id {
        data.push_str(r#""clientId":"#);
        data.push_str(&serde_json::to_string(c).unwrap_or_default());
        data.push(',');
    }
    data.push_str(r#""message":"#);
    data.push_str(message_json);
    data.push('}');
    data
}

/// Explains why a frame is not a valid client event.
fn why_invalid(text: &str) -> Refusal {
    #[derive(serde::Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        kind: String,
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(_) => refused("bad_json", "the frame is not JSON"),
        Ok(_) => match serde_json::from_str::<Typed>(text) {
            Err(_) => refused("invalid_frame", "type: missing"),
            Ok(t) if ClientKind::parse(&t.kind).is_none() => refused(
                "unknown_type",
                format!(
                    "type: '{}' is not an event a client sends",
                    t.kind.chars().take(40).collect::<String>()
                ),
            ),
            Ok(t) => {
                let detail = serde_json::from_str::<ClientEvent>(text)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                refused(
                    "invalid_frame",
                    format!("data: invalid {} event: {detail}", t.kind),
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use chat_core::protocol::{Ack, Message};

    use super::*;

    #[test]
    fn an_ack_built_around_the_stored_json_reads_as_the_ack_type() {
        let m = Message {
            id: "0190".into(),
            from: "3".into(),
            date: 1764316000.125,
            message: "say \"hi\" \u{1f600}".into(),
            room_id: "1:3".into(),
            ..Default::default()
        };
        let json = serde_json::to_string(&m).unwrap();
        for client_id in [None, Some("c-\"1\"")] {
            let ack: Ack = serde_json::from_str(&ack_json(client_id, &json)).unwrap();
            assert_eq!(ack.client_id.as_deref(), client_id);
            assert_eq!(ack.message, m);
        }
    }

    #[test]
    fn a_frame_is_checked_once_and_its_client_id_kept_for_the_refusal() {
        let frame = r#"{"type":"edit","data":{"roomId":"7","messageId":"nope","message":"x","clientId":"c1"}}"#;
        let Err(((code, _), client)) = Command::parse(frame) else {
            panic!("a malformed message id is refused");
        };
        assert_eq!(code, "not_found");
        assert_eq!(client.as_deref(), Some("c1"));
        let frame = r#"{"type":"message","data":{"roomId":"1:2","message":"  hi  "}}"#;
        let Ok(Command::Send {
            room,
            text: Some(text),
            ..
        }) = Command::parse(frame)
        else {
            panic!("a valid message parses");
        };
        assert_eq!((room.as_str(), text.as_str()), ("1:2", "hi"));
        assert!(matches!(Command::parse("{").unwrap_err().0 .0, "bad_json"));
    }
}
