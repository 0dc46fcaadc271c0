//! The WebSocket protocol: JSON text frames `{"type": "...", "data": {...}}`, one tagged
//! enum per direction. The same types serve the hub, the tests and the load generator, and
//! `openapi/asyncapi.yaml` documents them (a test checks that it names every type here).

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// Longest message text, in characters (white space included).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest `clientId` a client may attach to a message.
pub const MAX_CLIENT_ID_LEN: usize = 64;

/// Longest quote of a parent message a reply carries, in characters.
pub const MAX_QUOTE_CHARS: usize = 100;
/// Most distinct reactions (emoji) one message may carry.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 20;
/// Most reactions one user may put on one message.
pub const MAX_REACTIONS_PER_USER: usize = 10;
/// Most users one message may mention (further `@names` are plain text).
pub const MAX_MENTIONS: usize = 20;

/// A chat message as stored in `room:{id}` and sent to clients.
///
/// Stored, it keeps the seed's fields and their meaning (`message` is the text to show) and
/// adds ours, each absent when unused: `edited`, `deleted`, `replyTo` (the parent's `id`
/// only), `mentions`. `reactions` and the parent's quote are never stored: they are added
/// when the message is read.
#[derive(Debug, Clone, Default, PartialEq, Object, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique id of the message (messages written by the seed get a stable derived id).
    pub id: String,
    /// Id of the sender.
    pub from: String,
    /// When the server accepted it: unix seconds with a millisecond fraction.
    pub date: f64,
    /// The text as typed (render it as text, never as HTML); empty once deleted.
    pub message: String,
    /// The room it belongs to.
    pub room_id: String,
    /// When its author last edited it (unix seconds); absent if never.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<f64>,
    /// `true` on a deleted message's tombstone: its text and everything else about it are
    /// gone, it only keeps its place in the history.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// `true` on a tombstone when a moderator of the room, not the author, removed it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderated: Option<bool>,
    /// The message this one answers.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyQuote>,
    /// Ids of the room's members it names as `@username` (absent when none).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Its reactions, in the order they were first used (absent when none).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// Files sent with it (absent when none; gone from a tombstone).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message, as uploaded (`POST /api/rooms/{id}/uploads`). An image
/// (JPEG, PNG, GIF or WebP by its content, re-encoded without metadata) has `width` and
/// `height` and a thumbnail at `/api/uploads/{id}/thumbnail`; anything else is served as a
/// download at `/api/uploads/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Object, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The upload's id.
    pub id: String,
    /// The file's name as sent (no directories, at most 200 characters).
    pub name: String,
    /// Its size in bytes, as stored.
    pub size: u64,
    /// Its type, found from its content: `image/jpeg`, `image/png`, `image/gif` for images,
    /// else what the content is (`application/pdf`, …) or `application/octet-stream`.
    pub content_type: String,
    /// An image's width in pixels, as stored (oriented).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// An image's height in pixels, as stored (oriented).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// The parent of a reply, as it is now.
#[derive(Debug, Clone, Default, PartialEq, Object, Serialize, Deserialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ReplyQuote {
    /// The parent's id.
    pub id: String,
    /// The parent's sender, while it exists.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The start of the parent's text (at most 100 characters, then `…`), while it exists.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `true` when the parent was deleted. With neither this nor `from`, the parent is gone
    /// from the kept history.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

impl ReplyQuote {
    /// The parent's id alone: what a reply stores, and what it reads as until its parent is
    /// looked up.
    pub fn id_only(&self) -> Self {
        ReplyQuote {
            id: self.id.clone(),
            ..ReplyQuote::default()
        }
    }

    /// The quote of `parent` as it is now.
    pub fn of(parent: &Message) -> Self {
        if parent.is_deleted() {
            return ReplyQuote {
                id: parent.id.clone(),
                deleted: Some(true),
                ..ReplyQuote::default()
            };
        }
        let mut quote: String = parent.message.chars().take(MAX_QUOTE_CHARS).collect();
        if quote.len() < parent.message.len() {
            quote.push('…');
        }
        ReplyQuote {
            id: parent.id.clone(),
            from: Some(parent.from.clone()),
            message: Some(quote),
            deleted: None,
        }
    }
}

/// One emoji's reactions on a message.
#[derive(Debug, Clone, PartialEq, Object, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji.
    pub emoji: String,
    /// How many users reacted with it.
    pub count: u32,
    /// Whether the user reading the message is one of them.
    pub mine: bool,
    /// A few of them (at most 3 user ids): the earliest who reacted with it and still do.
    /// Absent when none is known (reactions stored before names were kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[oai(default, skip_serializing_if_is_empty)]
    pub users: Vec<String>,
}

impl Message {
    /// Reads one member of a `room:{id}` sorted set, in our format or the seed's (`from` as
    /// a number, no `id`, whole-second `date`). `None` when it is not a message at all.
    pub fn parse_stored(raw: &str) -> Option<Message> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Stored {
            id: Option<String>,
            from: UserId,
            date: f64,
            message: String,
            room_id: Option<crate::RoomId>,
            #[serde(default)]
            edited: Option<f64>,
            #[serde(default)]
            deleted: Option<bool>,
            #[serde(default)]
            moderated: Option<bool>,
            #[serde(default)]
            reply_to: Option<ReplyQuote>,
            #[serde(default)]
            mentions: Vec<String>,
            #[serde(default)]
            attachments: Vec<Attachment>,
        }
        let s: Stored = serde_json::from_str(raw).ok()?;
        Some(Message {
            id: s
                .id
                .unwrap_or_else(|| format!("seed-{:016x}", fnv1a(raw.as_bytes()))),
            from: s.from.to_string(),
            date: s.date,
            message: s.message,
            room_id: s.room_id.map(|r| r.to_string()).unwrap_or_default(),
            edited: s.edited,
            deleted: s.deleted.filter(|d| *d),
            moderated: s.moderated.filter(|d| *d),
            reply_to: s.reply_to.as_ref().map(ReplyQuote::id_only),
            mentions: s.mentions,
            reactions: Vec::new(),
            attachments: s.attachments,
        })
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted == Some(true)
    }

    /// The JSON this message is stored as: without what is added when it is read (its
    /// reactions, its parent's quote).
    pub fn stored_json(&self) -> serde_json::Result<String> {
        let stored = Message {
            reactions: Vec::new(),
            reply_to: self.reply_to.as_ref().map(ReplyQuote::id_only),
            ..self.clone()
        };
        serde_json::to_string(&stored)
    }
}

/// FNV-1a: a stable id for seed-written messages, which carry none.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A user as others see them.
#[derive(Debug, Clone, PartialEq, Object, Serialize, Deserialize)]
pub struct UserView {
    /// The user's id.
    pub id: String,
    /// The user's name.
    pub username: String,
    /// Whether the user has at least one open connection on any instance.
    pub online: bool,
}

/// Declares one direction's events once: the tagged enum every producer builds, the
/// data-less kind the hub routes on, and the list of type names. Every list of event types
/// (the hub's routing, metrics labels, the AsyncAPI check, the client's mirror) derives
/// from these two declarations.
macro_rules! events {
    (
        $(#[$meta:meta])*
        pub enum $name:ident / $kind:ident {
            $( $(#[$vmeta:meta])* $tag:literal => $variant:ident($data:ty), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $tag)] $variant($data), )*
        }

        /// The type of an event, without its data.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $kind {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $kind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$kind] = &[$($kind::$variant),*];

            /// The `type` of the frame.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($kind::$variant => $tag,)*
                }
            }

            /// The kind a frame's `type` names.
            pub fn parse(tag: &str) -> Option<Self> {
                match tag {
                    $($tag => Some($kind::$variant),)*
                    _ => None,
                }
            }
        }

        impl $name {
            /// Every frame `type` of this direction.
            pub const TYPES: &'static [&'static str] = &[$($tag),*];

            pub fn kind(&self) -> $kind {
                match self {
                    $($name::$variant(_) => $kind::$variant,)*
                }
            }

            /// The event's `data`, as JSON.
            pub fn data_json(&self) -> serde_json::Result<String> {
                match self {
                    $($name::$variant(data) => serde_json::to_string(data),)*
                }
            }
        }
    };
}

events! {
    /// Frames a client sends.
    pub enum ClientEvent / ClientKind {
        /// Post a message; the server answers `ack` with the same `clientId`.
        "message" => Message(SendMessage),
        /// "I am typing in this room"; others in the room see `typing` for a few seconds.
        "typing" => Typing(RoomRef),
        /// Mark a room read up to the message with this `date`.
        "read" => Read(ReadMarker),
        /// Replace the text of one's own message; answered by `ack`.
        "edit" => Edit(EditMessage),
        /// Delete one's own message (it leaves a tombstone); answered by `ack`.
        "delete" => Delete(MessageRef),
        /// Add or take back a reaction to a message; answered by `ack`.
        "react" => React(React),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    pub room_id: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The id of the message (of the same room) this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Ids of the sender's uploads in this room to send with it (at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditMessage {
    pub room_id: String,
    pub message_id: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub room_id: String,
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct React {
    pub room_id: String,
    pub message_id: String,
    pub emoji: String,
    /// `true` to add the reaction, `false` to take it back.
    pub add: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomRef {
    pub room_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    pub room_id: String,
    pub date: f64,
}

events! {
    /// Frames the server sends.
    pub enum ServerEvent / EventKind {
        /// The socket is registered: events for this user flow from now on.
        "ready" => Ready(Ready),
        /// A new message in one of the user's rooms.
        "message" => Message(Message),
        /// The sender's own message was stored and delivered.
        "ack" => Ack(Ack),
        /// A frame was refused; `clientId` is set when it was a message.
        "error" => Error(ErrorEvent),
        /// A user came online (first connection on any instance).
        "user.connected" => UserConnected(UserView),
        /// A user went offline (last connection closed, or their instance died).
        "user.disconnected" => UserDisconnected(UserView),
        /// A direct room now exists between these users (the seed's event).
        "show.room" => ShowRoom(ShowRoom),
        /// The user joined (or created) a named room, possibly from another tab.
        "room.joined" => RoomJoined(RoomMembership),
        /// The user left a named room, possibly from another tab.
        "room.left" => RoomLeft(RoomMembership),
        /// Someone is typing in a room.
        "typing" => Typing(Typing),
        /// The user's read marker moved (on any tab or instance).
        "room.read" => RoomRead(RoomRead),
        /// A message's author changed its text.
        "message.edited" => MessageEdited(Message),
        /// A message was deleted: this is its tombstone.
        "message.deleted" => MessageDeleted(Message),
        /// Someone added or took back a reaction.
        "reaction.changed" => ReactionChanged(ReactionChanged),
        /// The user muted or unmuted a room (on any tab or instance).
        "room.muted" => RoomMuted(RoomMuted),
        /// A member's role in a room changed (to the room's members).
        "member.role" => MemberRole(MemberRole),
        /// A moderator removed a member from a room (to the room's members, the removed
        /// one included; their own sockets then get `room.left` with `reason: "kicked"`).
        "member.kicked" => MemberKicked(MemberAction),
        /// A moderator banned a user from a room (to the room's members; a banned member's
        /// own sockets then get `room.left` with `reason: "banned"`).
        "member.banned" => MemberBanned(MemberAction),
        /// A moderator made a member read-only for a while, or lifted it (to the room's
        /// members).
        "member.muted" => MemberMuted(MemberMuted),
        /// A named room's settings changed (to the room's members).
        "room.updated" => RoomUpdated(RoomUpdated),
        /// The user was invited to a room (to the invited user's sockets).
        "invite.received" => InviteReceived(InviteReceived),
        /// One of the user's pending invitations is gone: accepted, declined (on any tab),
        /// or revoked.
        "invite.removed" => InviteRemoved(InviteRemoved),
        /// A member reported a message (to the room's moderators, admins and owners).
        "report.created" => ReportCreated(ReportCreated),
        /// A report was closed (to the room's staff, with who closed it; to the reporter,
        /// without).
        "report.updated" => ReportUpdated(ReportUpdated),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub user: UserView,
    pub server_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ack {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEvent {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// With `rate_limited`: milliseconds until the action is accepted again; with
    /// `muted`: until the mute ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowRoom {
    pub id: String,
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomMembership {
    pub room_id: String,
    pub user_id: String,
    #[serde(default)]
    pub name: String,
    /// On `room.left` when the user did not leave by themselves: `kicked` or `banned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteReceived {
    /// The invitation's id.
    pub id: String,
    pub room_id: String,
    pub room_name: String,
    /// The invited user.
    pub user_id: String,
    pub invited_by: UserView,
    /// When, in unix seconds.
    pub date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteRemoved {
    pub id: String,
    pub room_id: String,
    /// The invited user.
    pub user_id: String,
    /// `accepted`, `declined` or `revoked`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportCreated {
    /// The receiving moderator.
    pub user_id: String,
    pub id: String,
    pub room_id: String,
    pub message_id: String,
    pub reporter_id: String,
    /// The reported message's author.
    pub author_id: String,
    /// The message's text when it was reported.
    pub excerpt: String,
    pub reason: String,
    /// Unix seconds.
    pub date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportUpdated {
    /// The receiving user (a moderator, or the reporter).
    pub user_id: String,
    pub id: String,
    pub room_id: String,
    pub message_id: String,
    /// `resolved` or `dismissed`.
    pub status: String,
    /// Who closed it (absent for the reporter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomUpdated {
    pub room_id: String,
    pub name: String,
    /// `public` or `private`.
    pub visibility: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberMuted {
    pub room_id: String,
    pub user_id: String,
    /// The moderator.
    pub by: String,
    /// Until when (unix seconds); absent: the mute was lifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRole {
    pub room_id: String,
    pub user_id: String,
    /// `owner`, `admin`, `moderator` or `member`.
    pub role: String,
    /// Who changed it.
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberAction {
    pub room_id: String,
    pub user_id: String,
    /// The moderator who did it.
    pub by: String,
    /// The reason the moderator gave (bans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    pub room_id: String,
    pub user_id: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomRead {
    pub room_id: String,
    pub user_id: String,
    pub date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionChanged {
    pub room_id: String,
    pub message_id: String,
    pub emoji: String,
    /// How many users have this reaction on the message now.
    pub count: u32,
    /// Who added or took it back.
    pub user_id: String,
    pub added: bool,
    /// Counts the changes of this message's reactions: an event with a lower `version`
    /// than one already applied arrived late (from another instance) and is stale.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomMuted {
    pub room_id: String,
    pub user_id: String,
    pub muted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_messages_parse_with_derived_ids() {
        let raw = r#"{"from":1,"date":1615480369,"message":"Hello","roomId":"0"}"#;
        let m = Message::parse_stored(raw).unwrap();
        assert_eq!(m.from, "1");
        assert_eq!(m.date, 1615480369.0);
        assert_eq!(m.id, Message::parse_stored(raw).unwrap().id);
        assert!(m.id.starts_with("seed-"));
    }

    #[test]
    fn client_frames_round_trip() {
        let f = r#"{"type":"message","data":{"roomId":"0","message":"hi","clientId":"c1"}}"#;
        let e: ClientEvent = serde_json::from_str(f).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), f);
        assert!(serde_json::from_str::<ClientEvent>(r#"{"type":"nope","data":{}}"#).is_err());
        assert_eq!(e.kind(), ClientKind::Message);
    }

    #[test]
    fn kinds_name_the_serialized_type() {
        let view = UserView {
            id: "2".into(),
            username: "Joe".into(),
            online: true,
        };
        let e = ServerEvent::UserConnected(view);
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], e.kind().as_str());
        let data: serde_json::Value = serde_json::from_str(&e.data_json().unwrap()).unwrap();
        assert_eq!(v["data"], data);
        assert_eq!(EventKind::parse("session.ended"), None);
    }
}
