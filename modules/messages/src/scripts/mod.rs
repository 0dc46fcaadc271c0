//! The module's Lua scripts, each in its own `.lua` file (embedded at build time) behind one
//! typed wrapper: the wrapper names the keys and arguments, and reads the script's answer
//! into an enum. Each script runs on one hash slot (the room's, or the user's), so it is
//! atomic and cluster-safe. Every script is called directly against a real `redis-server`
//! in this module's tests.

use chat_core::{
    context::timed,
    lua::{read, Lua},
    redis, Failure, RoomId, UserId,
};
use redis::{aio::ConnectionLike, Cmd, Value};

use crate::{input::MessageId, keys};

#[cfg(test)]
mod tests;

/// Every script of the module, loaded once per store. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Scripts {
    pub store: StoreMessage,
    pub mark_read: MarkRead,
    pub find: FindMessage,
    pub replace: ReplaceMessage,
    pub react: React,
    pub index: IndexRoom,
}

impl Scripts {
    pub fn new() -> Self {
        Self {
            store: StoreMessage(Lua::publishing(include_str!("store_message.lua"))),
            mark_read: MarkRead(Lua::new(include_str!("mark_read.lua"))),
            find: FindMessage(Lua::new(include_str!("find_message.lua"))),
            replace: ReplaceMessage(Lua::publishing(include_str!("replace_message.lua"))),
            react: React(Lua::publishing(include_str!("react.lua"))),
            index: IndexRoom(Lua::new(include_str!("index_room.lua"))),
        }
    }
}

/// Where a script publishes what it changed: `PUBLISH MESSAGES`, or on a cluster
/// `SPUBLISH` on the room's channel (in the room's slot), logged in the channel's event log.
pub(crate) type Publish<'a> = &'a chat_core::PublishTarget;

/// `store_message.lua`: stores a message and publishes it.
#[derive(Clone)]
pub(crate) struct StoreMessage(Lua);

/// What [`StoreMessage`] is asked to store.
pub(crate) struct NewMessage<'a> {
    pub room: &'a RoomId,
    /// The sender.
    pub from: UserId,
    /// The sender and their `clientId`, when they gave one.
    pub sent: Option<(UserId, &'a str)>,
    pub id: &'a str,
    /// The clock, `%.3f` unix seconds: the date unless the room has a newer message.
    pub now: &'a str,
    pub json: &'a chat_core::templates::MessageJson,
    /// The envelope up to its data.
    pub envelope_head: &'a str,
    pub publish: Publish<'a>,
    /// Seconds a `clientId` is remembered.
    pub sent_ttl: u64,
    /// Messages kept in the room (0: all).
    pub keep: u64,
}

/// What [`StoreMessage`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// Stored and published with this date.
    New { date: String },
    /// The `clientId` was used before: nothing stored; this is what it produced.
    Repeat { json: String },
    /// The `clientId` was used before, for a message trimmed away since: its date and id.
    RepeatTrimmed { date: String, id: String },
    /// The sender is muted in the room until then (unix ms): nothing stored.
    Muted { until: u64 },
}

impl StoreMessage {
    /// The `EVALSHA` command, for a pipeline.
    pub fn cmd(&self, m: &NewMessage<'_>) -> Cmd {
        let room = keys::room(m.room);
        let (trimmed, reactions) = (keys::trimmed(m.room), keys::reactions(m.room));
        let ids = keys::ids(m.room);
        let mutes = chat_rooms::keys::mutes(m.room);
        let sent = m.sent.map(|(user, c)| keys::sent(user, m.room, c));
        let mut keys = vec![
            room.as_str(),
            trimmed.as_str(),
            reactions.as_str(),
            ids.as_str(),
            mutes.as_str(),
            m.publish.log.as_str(),
        ];
        keys.extend(sent.as_deref());
        let mut cmd = self.0.call(&keys);
        cmd.arg(m.now)
            .arg(&m.json.head)
            .arg(&m.json.stored_tail)
            .arg(m.json.published_tail.as_deref().unwrap_or(""))
            .arg(m.publish.command)
            .arg(&m.publish.channel)
            .arg(m.envelope_head)
            .arg(m.sent_ttl)
            .arg(m.keep)
            .arg(m.id)
            .arg(keys::reacted_prefix(m.room))
            .arg(m.from.0)
            .arg(m.publish.log_len);
        cmd
    }

    /// Loads the script (after Redis answered `NOSCRIPT` to [`StoreMessage::cmd`]).
    pub async fn load<C: ConnectionLike>(&self, conn: &mut C) -> redis::RedisResult<()> {
        self.0.load(conn).await
    }

    /// Reads the script's answer.
    pub fn outcome(value: Value) -> Result<Stored, Failure> {
        let (tag, value): (String, String) = read("store_message", value)?;
        match tag.as_str() {
            "stored" => Ok(Stored::New { date: value }),
            "duplicate" => Ok(Stored::Repeat { json: value }),
            "muted" => Ok(Stored::Muted {
                until: value.parse().unwrap_or_default(),
            }),
            "trimmed" => {
                let (date, id) = value
                    .split_once(' ')
                    .ok_or_else(|| Failure::internal("a remembered clientId is malformed"))?;
                Ok(Stored::RepeatTrimmed {
                    date: date.to_owned(),
                    id: id.to_owned(),
                })
            }
            other => Err(Failure::internal(format!(
                "redis store_message answered {other}"
            ))),
        }
    }

    /// Runs it on its own (no pipeline).
    #[cfg(test)]
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        m: &NewMessage<'_>,
    ) -> Result<Stored, Failure> {
        let value = timed("store_message", self.0.run(conn, &self.cmd(m))).await?;
        Self::outcome(value)
    }
}

/// `mark_read.lua`: moves a read marker forward, never back.
#[derive(Clone)]
pub(crate) struct MarkRead(Lua);

/// What [`MarkRead`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    Moved,
    /// The marker was already there or later.
    Unchanged,
}

impl MarkRead {
    /// The `EVALSHA` command, for a pipeline.
    pub fn cmd(&self, user: UserId, room: &RoomId, date: &str) -> Cmd {
        let mut cmd = self.0.call(&[&keys::read_markers(user)]);
        cmd.arg(room.as_str()).arg(date);
        cmd
    }

    /// Loads the script (after Redis answered `NOSCRIPT` to [`MarkRead::cmd`]).
    pub async fn load<C: ConnectionLike>(&self, conn: &mut C) -> redis::RedisResult<()> {
        self.0.load(conn).await
    }

    pub fn outcome(value: Value) -> Result<Marker, Failure> {
        match read::<String>("mark_read", value)?.as_str() {
            "moved" => Ok(Marker::Moved),
            "unchanged" => Ok(Marker::Unchanged),
            other => Err(Failure::internal(format!(
                "redis mark_read answered {other}"
            ))),
        }
    }

    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        user: UserId,
        room: &RoomId,
        date: &str,
    ) -> Result<Marker, Failure> {
        let cmd = self.cmd(user, room, date);
        Self::outcome(timed("mark_read", self.0.run(conn, &cmd)).await?)
    }
}

/// `find_message.lua`: messages by their ids, from the room's index.
#[derive(Clone)]
pub(crate) struct FindMessage(Lua);

/// A message as stored: its member exactly, and its score.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub raw: String,
    pub score: String,
}

impl FindMessage {
    /// Each of `ids` as found in `room` (`None`: not there), in order. One round trip, O(1)
    /// per id.
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        ids: &[&MessageId],
    ) -> Result<Vec<Option<Member>>, Failure> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = self.0.call(&[&keys::room(room), &keys::ids(room)]);
        for id in ids {
            cmd.arg(id.as_str());
        }
        let found: Vec<Option<(String, String)>> = read(
            "find_message",
            timed("find_message", self.0.run(conn, &cmd)).await?,
        )?;
        Ok(found
            .into_iter()
            .map(|f| f.map(|(raw, score)| Member { raw, score }))
            .collect())
    }
}

/// `index_room.lua`: indexes what a room held before its index existed.
#[derive(Clone)]
pub(crate) struct IndexRoom(Lua);

/// Where an [`IndexRoom`] walk goes on from: a score, and how many members at it are
/// indexed already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    pub from: String,
    pub skip: u64,
}

impl Resume {
    pub fn start() -> Self {
        Self {
            from: "-inf".into(),
            skip: 0,
        }
    }
}

/// Where [`IndexRoom`] got to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Indexing {
    /// The room is indexed.
    Done,
    More(Resume),
}

impl IndexRoom {
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        room: &RoomId,
        at: &Resume,
        batch: u64,
    ) -> Result<Indexing, Failure> {
        let mut cmd = self.0.call(&[&keys::room(room), &keys::ids(room)]);
        cmd.arg(keys::INDEXED).arg(&at.from).arg(at.skip).arg(batch);
        let value = timed("index_room", self.0.run(conn, &cmd)).await?;
        let mut answer: Vec<String> = read("index_room", value)?;
        match answer.first().map(String::as_str) {
            Some("done") => Ok(Indexing::Done),
            Some("more") if answer.len() == 3 => {
                let skip = answer[2]
                    .parse()
                    .map_err(|_| Failure::internal("redis index_room answered a bad skip"))?;
                Ok(Indexing::More(Resume {
                    from: answer.swap_remove(1),
                    skip,
                }))
            }
            _ => Err(Failure::internal(format!(
                "redis index_room answered {answer:?}"
            ))),
        }
    }
}

/// `replace_message.lua`: replaces a message if it is still the one read.
#[derive(Clone)]
pub(crate) struct ReplaceMessage(Lua);

/// What [`ReplaceMessage`] is asked to do.
pub(crate) struct Replacement<'a> {
    pub room: &'a RoomId,
    pub read: &'a Member,
    pub id: &'a str,
    /// The new member (stored form).
    pub with: &'a str,
    /// Its reactions go too (a deletion).
    pub drop_reactions: bool,
    pub publish: Publish<'a>,
    /// The whole envelope of the change.
    pub envelope: &'a str,
}

/// What [`ReplaceMessage`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Replaced {
    Done,
    /// The message changed since it was read (compare and swap lost): nothing done.
    Changed,
}

impl ReplaceMessage {
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        r: &Replacement<'_>,
    ) -> Result<Replaced, Failure> {
        let mut cmd = self.0.call(&[
            &keys::room(r.room),
            &keys::reactions(r.room),
            &keys::reacted(r.room, r.id),
            &r.publish.log,
        ]);
        cmd.arg(&r.read.raw)
            .arg(r.with)
            .arg(&r.read.score)
            .arg(r.id)
            .arg(if r.drop_reactions { "1" } else { "0" })
            .arg(r.publish.command)
            .arg(&r.publish.channel)
            .arg(r.envelope)
            .arg(r.publish.log_len);
        let value = timed("replace_message", self.0.run(conn, &cmd)).await?;
        match read::<String>("replace_message", value)?.as_str() {
            "replaced" => Ok(Replaced::Done),
            "changed" => Ok(Replaced::Changed),
            other => Err(Failure::internal(format!(
                "redis replace_message answered {other}"
            ))),
        }
    }
}

/// `react.lua`: adds or takes back one user's reaction.
#[derive(Clone)]
pub(crate) struct React(Lua);

/// What [`React`] is asked to do.
pub(crate) struct Reaction<'a> {
    pub room: &'a RoomId,
    pub read: &'a Member,
    pub id: &'a str,
    pub user: UserId,
    pub emoji: &'a str,
    pub add: bool,
    pub most_emoji: usize,
    pub most_mine: usize,
    pub publish: Publish<'a>,
    /// The envelope up to its data.
    pub envelope_head: &'a str,
    pub event: &'a chat_core::templates::ReactionJson,
}

/// Users named per emoji of a message: the earliest of those who reacted, still there.
pub(crate) const NAMED_PER_REACTION: usize = 3;

/// What [`React`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reacted {
    /// Changed and published: the message's counts as stored now (`""`: none), the user's
    /// own emoji on it (a JSON list), the emoji's count and the message's reaction version.
    Changed {
        reactions: String,
        mine: String,
        count: u32,
        version: u64,
    },
    /// Already so (added twice, or taken back without being there): the counts and the
    /// user's own emoji as they are.
    Unchanged { reactions: String, mine: String },
    /// The message changed since it was read (compare and swap lost): nothing done.
    MessageChanged,
    /// The message has as many distinct emoji as it can take.
    TooManyEmoji,
    /// The user has put as many reactions on the message as they can.
    TooManyOfUser,
}

impl React {
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        r: &Reaction<'_>,
    ) -> Result<Reacted, Failure> {
        let mut cmd = self.0.call(&[
            &keys::room(r.room),
            &keys::reactions(r.room),
            &keys::reacted(r.room, r.id),
            &r.publish.log,
        ]);
        cmd.arg(&r.read.raw)
            .arg(r.id)
            .arg(r.user.to_string())
            .arg(r.emoji)
            .arg(if r.add { "1" } else { "0" })
            .arg(r.most_emoji)
            .arg(r.most_mine)
            .arg(r.publish.command)
            .arg(&r.publish.channel)
            .arg(format!("{}{}", r.envelope_head, r.event.head))
            .arg(&r.event.middle)
            .arg(&r.event.tail)
            .arg(NAMED_PER_REACTION)
            .arg(r.publish.log_len);
        let value = timed("react", self.0.run(conn, &cmd)).await?;
        let parts: Vec<Value> = read("react", value)?;
        let mut parts = parts.into_iter();
        let tag: String = read("react", parts.next().unwrap_or(Value::Nil))?;
        let mut next = || parts.next().unwrap_or(Value::Nil);
        Ok(match tag.as_str() {
            "changed_to" => Reacted::Changed {
                reactions: read("react", next())?,
                mine: read("react", next())?,
                count: read("react", next())?,
                version: read("react", next())?,
            },
            "unchanged" => Reacted::Unchanged {
                reactions: read("react", next())?,
                mine: read("react", next())?,
            },
            "changed" => Reacted::MessageChanged,
            "too_many_emoji" => Reacted::TooManyEmoji,
            "too_many_mine" => Reacted::TooManyOfUser,
            other => return Err(Failure::internal(format!("redis react answered {other}"))),
        })
    }
}
