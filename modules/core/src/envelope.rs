//! The pub/sub envelope, the channels it travels on, and the bus that carries events.
//!
//! Every instance publishes `{"serverId": "...", "type": "...", "data": {...}}` and hands
//! the event to its own sockets; an instance ignores its own envelopes coming back. Who an
//! event is for (its [`Audience`]) is decided from its type and data alone, by [`route`]:
//! the WebSocket hub in `src/` (the [`EventSink`]) delivers by it, and on a cluster the
//! channel is chosen by it.
//!
//! - **One Redis:** every envelope goes to `MESSAGES`, which every instance subscribes to
//!   (as the seed does: its server can share the Redis).
//! - **Redis Cluster:** envelopes go by `SPUBLISH` to sharded [`channels`] — one per room,
//!   one per user, and a few for presence — so an instance subscribes only to the rooms
//!   and users its sockets need, and each channel lives on the shard that owns its slot.
//!   A room's channel shares its hash tag with the room's key, so the script that stores a
//!   message publishes it in the same slot, atomically.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use redis::Value;

use crate::{
    error::Failure,
    ids::{RoomId, RoomKind, UserId},
    lua::Lua,
    metrics,
    protocol::{EventKind, Message, ServerEvent},
    redis_io::{timed, Redis},
};

/// The channel every instance publishes to and subscribes to on one Redis.
pub const MESSAGES_CHANNEL: &str = "MESSAGES";

/// The sharded channels of a cluster. Each hash tag is the key's it belongs with, so
/// channels spread over every slot as rooms and users do.
pub mod channels {
    use crate::ids::{RoomId, UserId};

    /// How many channels presence is spread over (every instance with sockets listens to
    /// all of them; a user's events always take the same one, so they stay in order).
    pub const PRESENCE_BUCKETS: u64 = 16;

    /// A room's events: in the slot of its key `room:{id}`.
    pub fn room(room: &RoomId) -> String {
        format!("MESSAGES:{{room:{room}}}")
    }

    /// One user's events (membership, read markers, new direct rooms, sign-out): in the
    /// slot of `user:{id}`.
    pub fn user(user: UserId) -> String {
        format!("MESSAGES:{{user:{user}}}")
    }

    /// Presence events about `user`.
    pub fn presence_of(user: UserId) -> String {
        presence(user.0 % PRESENCE_BUCKETS)
    }

    pub fn presence(bucket: u64) -> String {
        format!("MESSAGES:{{presence:{bucket}}}")
    }

    /// Every presence channel.
    pub fn all_presence() -> impl Iterator<Item = String> {
        (0..PRESENCE_BUCKETS).map(presence)
    }

    /// A channel's event log (a capped stream of its envelopes, see [`super::Offset`]): in
    /// the channel's slot, by its hash tag. `MESSAGES:log` on one Redis.
    pub fn log(channel: &str) -> String {
        format!("{channel}:log")
    }
}

/// Where an envelope stands in its channel's event log: the id of its stream entry
/// (`<ms>-<seq>`). Every envelope an instance of ours publishes (but `typing`) is logged
/// first and published with its offset as its last field, `"offset":"<ms>-<seq>"`; an
/// instance that lost its subscription reads the log from the last offset it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Offset(pub u64, pub u64);

impl Offset {
    /// The offset at the end of an envelope as published (`None` when it has none: a
    /// `typing` event, or one from the seed's server).
    pub fn of_envelope(payload: &str) -> Option<Offset> {
        let body = payload.strip_suffix("\"}")?;
        let start = body.rfind(r#"},"offset":""#)?;
        body[start + 12..].parse().ok()
    }
}

impl std::str::FromStr for Offset {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (ms, seq) = s.split_once('-').ok_or(())?;
        Ok(Offset(
            ms.parse().map_err(drop)?,
            seq.parse().map_err(drop)?,
        ))
    }
}

impl std::fmt::Display for Offset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

/// How a script publishes a room's events: the command (`PUBLISH`, or `SPUBLISH` on a
/// cluster), the channel, and the channel's event log and its length (for
/// `publish_logged`, see `chat_core::lua`).
#[derive(Debug, Clone)]
pub struct PublishTarget {
    pub command: &'static str,
    pub channel: String,
    pub log: String,
    pub log_len: u64,
}

/// Who an event is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every socket (presence), about this user (when its id could be read: the seed's
    /// server writes it as a number, ours as a string).
    Everyone(Option<UserId>),
    /// The sockets of a room's members, except one user's (the typist's).
    Room(RoomId, Option<UserId>),
    /// One user's sockets.
    User(UserId),
    /// The sockets of a new direct room's two users.
    Direct(RoomId),
}

impl Audience {
    /// The sharded channels an event for this audience is published on.
    pub fn channels(&self) -> Vec<String> {
        match self {
            Audience::Everyone(about) => {
                vec![about.map_or_else(|| channels::presence(0), channels::presence_of)]
            }
            Audience::Room(room, _) => vec![channels::room(room)],
            Audience::User(user) => vec![channels::user(*user)],
            Audience::Direct(room) => match room.kind() {
                RoomKind::Direct(a, b) => vec![channels::user(a), channels::user(b)],
                _ => vec![channels::room(room)],
            },
        }
    }
}

/// An event's routing: who gets it, a message's date, and (for a message written by the
/// seed's server, which has no `id` and a numeric `from`) the data rewritten in our shape.
#[derive(Debug)]
pub struct Route {
    pub audience: Audience,
    pub date: Option<f64>,
    pub normalized: Option<String>,
}

impl Route {
    /// For `audience`, as its producer knows it.
    pub fn to(audience: Audience) -> Self {
        Self {
            audience,
            date: None,
            normalized: None,
        }
    }

    /// For every member of `room`.
    pub fn room(room: &RoomId) -> Self {
        Self::to(Audience::Room(room.clone(), None))
    }

    /// A message's, with its date (for the delivery-latency histogram).
    pub fn dated(self, date: f64) -> Self {
        Self {
            date: Some(date),
            ..self
        }
    }
}

/// Who gets `event`, read from its typed data (what [`route`] reads from its JSON).
pub fn audience_of(event: &ServerEvent) -> Option<Audience> {
    let room = |id: &str| id.parse::<RoomId>().ok();
    let user = |id: &str| id.parse::<UserId>().ok();
    Some(match event {
        ServerEvent::Message(m)
        | ServerEvent::MessageEdited(m)
        | ServerEvent::MessageDeleted(m) => Audience::Room(room(&m.room_id)?, None),
        ServerEvent::ReactionChanged(r) => Audience::Room(room(&r.room_id)?, None),
        ServerEvent::MemberRole(r) => Audience::Room(room(&r.room_id)?, None),
        ServerEvent::RoomUpdated(r) => Audience::Room(room(&r.room_id)?, None),
        ServerEvent::MemberMuted(m) => Audience::Room(room(&m.room_id)?, None),
        ServerEvent::MemberKicked(a) | ServerEvent::MemberBanned(a) => {
            Audience::Room(room(&a.room_id)?, None)
        }
        ServerEvent::Typing(t) => Audience::Room(room(&t.room_id)?, user(&t.user_id)),
        ServerEvent::ShowRoom(s) => Audience::Direct(room(&s.id)?),
        ServerEvent::RoomJoined(m) | ServerEvent::RoomLeft(m) => Audience::User(user(&m.user_id)?),
        ServerEvent::RoomRead(r) => Audience::User(user(&r.user_id)?),
        ServerEvent::RoomMuted(r) => Audience::User(user(&r.user_id)?),
        ServerEvent::InviteReceived(i) => Audience::User(user(&i.user_id)?),
        ServerEvent::InviteRemoved(i) => Audience::User(user(&i.user_id)?),
        ServerEvent::ReportCreated(r) => Audience::User(user(&r.user_id)?),
        ServerEvent::ReportUpdated(r) => Audience::User(user(&r.user_id)?),
        ServerEvent::UserConnected(v) | ServerEvent::UserDisconnected(v) => {
            Audience::Everyone(user(&v.id))
        }
        ServerEvent::Ready(_) | ServerEvent::Ack(_) | ServerEvent::Error(_) => return None,
    })
}

/// The fields of an event's data that routing looks at.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RouteFields {
    room_id: Option<RoomId>,
    user_id: Option<UserId>,
    id: Option<serde_json::Value>,
    date: Option<f64>,
}

/// Who gets an event of `kind` with data `data` (`None`: no one, or malformed).
pub fn route(kind: EventKind, data: &str) -> Option<Route> {
    let f: RouteFields = serde_json::from_str(data).ok()?;
    let normalized = if kind == EventKind::Message && f.id.is_none() {
        Message::parse_stored(data).and_then(|m| serde_json::to_string(&m).ok())
    } else {
        None
    };
    let id_str = || f.id.as_ref()?.as_str();
    let audience = match kind {
        EventKind::Message
        | EventKind::MessageEdited
        | EventKind::MessageDeleted
        | EventKind::ReactionChanged
        | EventKind::MemberRole
        | EventKind::MemberKicked
        | EventKind::MemberBanned
        | EventKind::MemberMuted
        | EventKind::RoomUpdated => Audience::Room(f.room_id?, None),
        EventKind::Typing => Audience::Room(f.room_id?, f.user_id),
        EventKind::ShowRoom => Audience::Direct(id_str()?.parse().ok()?),
        EventKind::RoomJoined
        | EventKind::RoomLeft
        | EventKind::RoomRead
        | EventKind::RoomMuted
        | EventKind::InviteReceived
        | EventKind::InviteRemoved
        | EventKind::ReportCreated
        | EventKind::ReportUpdated => Audience::User(f.user_id?),
        EventKind::UserConnected | EventKind::UserDisconnected => {
            let about = match &f.id {
                Some(serde_json::Value::Number(n)) => n.as_u64().map(UserId),
                Some(serde_json::Value::String(s)) => s.parse().ok(),
                _ => None,
            };
            Audience::Everyone(about)
        }
        // Said to one socket by the WebSocket route, never broadcast.
        EventKind::Ready | EventKind::Ack | EventKind::Error => return None,
    };
    Some(Route {
        audience,
        date: (kind == EventKind::Message).then_some(f.date).flatten(),
        normalized,
    })
}

/// One envelope as read off the channel. `data` stays raw: it is forwarded, not rebuilt.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<'a> {
    #[serde(default, borrow)]
    pub server_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    pub kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub data: &'a RawValue,
}

impl Envelope<'_> {
    /// What precedes the data in an event's envelope (the envelope is this, the data JSON,
    /// and `}`): for a script that puts the data in itself.
    pub fn head(server_id: &str, kind: &str) -> String {
        let mut e = Self::encode(server_id, kind, "");
        e.pop();
        e
    }

    /// The envelope text for an event whose data is already JSON.
    pub fn encode(server_id: &str, kind: &str, data_json: &str) -> String {
        let mut s = String::with_capacity(data_json.len() + server_id.len() + kind.len() + 40);
        s.push_str(r#"{"serverId":"#);
        s.push_str(&serde_json::to_string(server_id).unwrap_or_default());
        s.push_str(r#","type":"#);
        s.push_str(&serde_json::to_string(kind).unwrap_or_default());
        s.push_str(r#","data":"#);
        s.push_str(data_json);
        s.push('}');
        s
    }
}

/// What an envelope carries: an event for clients, or word between instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A [`ServerEvent`] for the sockets it concerns.
    Client(EventKind),
    /// A session was ended (sign-out): every instance closes the sockets opened with it.
    SessionEnded,
}

impl Topic {
    /// The envelope's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Client(kind) => kind.as_str(),
            Topic::SessionEnded => "session.ended",
        }
    }

    /// The topic an envelope's `type` names (`None` for one this version does not know).
    pub fn parse(tag: &str) -> Option<Self> {
        match tag {
            "session.ended" => Some(Topic::SessionEnded),
            tag => EventKind::parse(tag).map(Topic::Client),
        }
    }
}

/// The data of [`Topic::SessionEnded`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEnded {
    pub user_id: String,
    /// The session's id (the hash of its token).
    pub session: String,
}

/// Receives the events produced on this instance, for its own sockets (the WebSocket
/// dispatch in `src/`).
pub trait EventSink: Send + Sync + 'static {
    /// An event of `kind` whose JSON is `data`, for `route` (as its producer knows it).
    fn deliver(&self, kind: EventKind, route: Route, data: &str);
    /// A session ended (sign-out): close the sockets opened with it.
    fn end_session(&self, session: &str);
}

/// The event bus: publish to every instance and hand to this instance's sockets.
#[derive(Clone)]
pub struct Events {
    inner: Arc<EventsInner>,
}

struct EventsInner {
    server_id: String,
    redis: Option<Redis>,
    sink: OnceLock<Arc<dyn EventSink>>,
    /// Entries kept in each channel's event log (about: `XADD MAXLEN ~`).
    log_len: u64,
    publish: Lua,
}

/// Entries kept in each channel's event log unless configured otherwise.
pub const DEFAULT_LOG_LEN: u64 = 10_000;

impl Events {
    /// `redis` is `None` only where no Redis is reached (printing the OpenAPI document).
    pub fn new(server_id: String, redis: Option<Redis>) -> Self {
        Self::with_log_len(server_id, redis, DEFAULT_LOG_LEN)
    }

    /// As [`Events::new`], keeping about `log_len` envelopes in each channel's log.
    pub fn with_log_len(server_id: String, redis: Option<Redis>, log_len: u64) -> Self {
        Self {
            inner: Arc::new(EventsInner {
                server_id,
                redis,
                sink: OnceLock::new(),
                log_len: log_len.max(1),
                publish: Lua::publishing(include_str!("scripts/publish.lua")),
            }),
        }
    }

    pub fn server_id(&self) -> &str {
        &self.inner.server_id
    }

    /// Installs the local sink (the WebSocket hub) once, at start-up.
    pub fn set_sink(&self, sink: Arc<dyn EventSink>) {
        let _ = self.inner.sink.set(sink);
    }

    /// Hands an event to this instance's sockets only (its envelope went out another way,
    /// e.g. from the Lua script that stores a message).
    pub fn dispatch_local(&self, kind: EventKind, route: Route, data_json: &str) {
        if let Some(sink) = self.inner.sink.get() {
            sink.deliver(kind, route, data_json);
        }
    }

    /// Publishes an event to every instance and hands it to this one's sockets.
    pub async fn publish(&self, event: &ServerEvent) -> Result<(), Failure> {
        let data_json = event.data_json()?;
        let kind = event.kind();
        let Some(audience) = audience_of(event) else {
            return Err(Failure::internal(format!(
                "{} is said to one socket",
                kind.as_str()
            )));
        };
        let channels = audience.channels();
        self.dispatch_local(kind, Route::to(audience), &data_json);
        self.publish_raw(Topic::Client(kind), &data_json, || channels)
            .await
    }

    /// Tells every instance (this one included) that a session ended.
    pub async fn session_ended(&self, ended: &SessionEnded) -> Result<(), Failure> {
        if let Some(sink) = self.inner.sink.get() {
            sink.end_session(&ended.session);
        }
        let data_json = serde_json::to_string(ended)?;
        let channels = || {
            ended
                .user_id
                .parse()
                .map(|user| vec![channels::user(user)])
                .unwrap_or_default()
        };
        self.publish_raw(Topic::SessionEnded, &data_json, channels)
            .await
    }

    /// Whether events travel on a cluster's sharded channels.
    pub fn sharded(&self) -> bool {
        self.inner.redis.as_ref().is_some_and(Redis::is_cluster)
    }

    /// How a script that publishes what it stores publishes a room's events: `PUBLISH
    /// MESSAGES`, or on a cluster `SPUBLISH` on the room's channel; logged in the channel's
    /// event log.
    pub fn room_target(&self, room: &RoomId) -> PublishTarget {
        let (command, channel) = if self.sharded() {
            ("SPUBLISH", channels::room(room))
        } else {
            ("PUBLISH", MESSAGES_CHANNEL.to_owned())
        };
        PublishTarget {
            command,
            log: channels::log(&channel),
            channel,
            log_len: self.inner.log_len,
        }
    }

    /// Publishes one envelope (already delivered here): to `MESSAGES`, or on a cluster to
    /// each of `channels()`.
    async fn publish_raw(
        &self,
        topic: Topic,
        data_json: &str,
        channels: impl FnOnce() -> Vec<String>,
    ) -> Result<(), Failure> {
        let envelope = Envelope::encode(&self.inner.server_id, topic.as_str(), data_json);
        let mut conn = self
            .inner
            .redis
            .clone()
            .ok_or_else(|| Failure::internal("redis: not connected"))?;
        // Typing is momentary: not worth replaying, so not logged.
        let logged = topic != Topic::Client(EventKind::Typing);
        let (command, channels) = if self.sharded() {
            ("SPUBLISH", channels())
        } else {
            ("PUBLISH", vec![MESSAGES_CHANNEL.to_owned()])
        };
        for channel in channels {
            if logged {
                let cmd = {
                    let mut cmd = self.inner.publish.call(&[&channels::log(&channel)]);
                    cmd.arg(command)
                        .arg(&channel)
                        .arg(&envelope)
                        .arg(self.inner.log_len);
                    cmd
                };
                let _: Value = timed("publish", self.inner.publish.run(&mut conn, &cmd)).await?;
            } else {
                let _: i64 = timed(
                    "publish",
                    redis::cmd(command)
                        .arg(&channel)
                        .arg(&envelope)
                        .query_async(&mut conn),
                )
                .await?;
            }
        }
        metrics::ENVELOPES_OUT
            .with_label_values(&[topic.as_str()])
            .inc();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip() {
        let s = Envelope::encode("a\"b", "message", r#"{"x":1}"#);
        let e: Envelope<'_> = serde_json::from_str(&s).unwrap();
        assert_eq!(e.server_id.as_deref(), Some("a\"b"));
        assert_eq!(e.kind, "message");
        assert_eq!(e.data.get(), r#"{"x":1}"#);
    }

    #[test]
    fn topics_round_trip() {
        for topic in EventKind::ALL
            .iter()
            .map(|k| Topic::Client(*k))
            .chain([Topic::SessionEnded])
        {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("no.such"), None);
    }

    #[test]
    fn a_rooms_channel_is_in_its_keys_slot() {
        use redis::cluster_routing::get_slot;
        for id in ["0", "7", "3:12"] {
            let room: RoomId = id.parse().unwrap();
            assert_eq!(
                get_slot(channels::room(&room).as_bytes()),
                get_slot(format!("room:{id}").as_bytes())
            );
        }
        assert_eq!(
            get_slot(channels::user(UserId(9)).as_bytes()),
            get_slot(b"user:9")
        );
    }

    #[test]
    fn a_typed_event_goes_where_its_json_is_routed() {
        use crate::protocol::{
            MemberAction, MemberRole, ReactionChanged, RoomMembership, ShowRoom, Typing, UserView,
        };
        let events = [
            ServerEvent::Message(Message {
                room_id: "4".into(),
                ..Message::default()
            }),
            ServerEvent::ReactionChanged(ReactionChanged {
                room_id: "1:2".into(),
                message_id: "m".into(),
                emoji: "👍".into(),
                count: 1,
                user_id: "1".into(),
                added: true,
                version: 1,
            }),
            ServerEvent::Typing(Typing {
                room_id: "0".into(),
                user_id: "3".into(),
                username: "c".into(),
            }),
            ServerEvent::ShowRoom(ShowRoom {
                id: "2:5".into(),
                names: vec![],
            }),
            ServerEvent::RoomLeft(RoomMembership {
                room_id: "7".into(),
                user_id: "9".into(),
                name: "x".into(),
                reason: Some("kicked".into()),
            }),
            ServerEvent::MemberKicked(MemberAction {
                room_id: "7".into(),
                user_id: "9".into(),
                by: "2".into(),
                reason: None,
            }),
            ServerEvent::MemberRole(MemberRole {
                room_id: "7".into(),
                user_id: "9".into(),
                role: "admin".into(),
                by: "2".into(),
            }),
            ServerEvent::UserConnected(UserView {
                id: "21".into(),
                username: "u".into(),
                online: true,
            }),
        ];
        for event in events {
            let routed = route(event.kind(), &event.data_json().unwrap()).unwrap();
            assert_eq!(audience_of(&event), Some(routed.audience), "{event:?}");
        }
    }

    #[test]
    fn events_are_routed_from_their_data() {
        let r = route(EventKind::Typing, r#"{"roomId":"4","userId":"2"}"#).unwrap();
        assert_eq!(
            r.audience,
            Audience::Room("4".parse().unwrap(), Some(UserId(2)))
        );
        let r = route(EventKind::ShowRoom, r#"{"id":"1:2","names":[]}"#).unwrap();
        assert_eq!(
            r.audience.channels(),
            vec![channels::user(UserId(1)), channels::user(UserId(2))]
        );
        let r = route(
            EventKind::UserConnected,
            r#"{"id":"21","username":"a","online":true}"#,
        )
        .unwrap();
        assert_eq!(r.audience.channels(), vec![channels::presence(21 % 16)]);
        // The seed's server writes a user's id as a number: still for everyone.
        let r = route(
            EventKind::UserDisconnected,
            r#"{"id":5,"username":"a","online":false}"#,
        )
        .unwrap();
        assert_eq!(r.audience, Audience::Everyone(Some(UserId(5))));
        assert!(route(EventKind::Message, "not json").is_none());
    }
}
