//! The messages store: what every operation shares (the context, the rooms it checks
//! membership with, the scripts, the settings) and the checks every operation makes first.
//! The operations are one file each ([`crate::send`], [`crate::history`], [`crate::change`],
//! [`crate::read`]), over [`crate::lookup`] and [`crate::mentions`].

use std::{sync::Arc, time::Duration};

use chat_core::{context::timed, redis, Action, Ctx, Envelope, EventKind, Failure, RoomId, UserId};
use chat_rooms::{Access, RoomsStore};

use crate::{error::MessageError, keys, scripts::Scripts};

#[derive(Clone)]
pub struct MessagesStore {
    pub(crate) ctx: Ctx,
    pub(crate) rooms: RoomsStore,
    pub(crate) scripts: Arc<Scripts>,
    /// `{"serverId":"…","type":"message","data":`: what precedes a message in its envelope.
    pub(crate) message_envelope: Arc<str>,
    /// Messages kept per room; older ones are removed as new ones arrive (0: keep all).
    pub(crate) retention: u64,
    /// On a cluster, the replicas a message must reach before it is acknowledged.
    pub(crate) durability: Durability,
    /// Files sent with messages (none without it: attachments are refused).
    pub(crate) uploads: Option<chat_uploads::UploadsStore>,
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
    pub timeout: Duration,
}

/// Where the sender stands in the room, as far as the caller knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownMember {
    /// Known from an index kept current by membership events (the WebSocket hub's): no
    /// Redis round trip to check.
    Yes,
    /// Ask Redis.
    Unknown,
}

impl MessagesStore {
    /// `retention`: messages kept per room (0: keep all).
    pub fn new(ctx: Ctx, rooms: RoomsStore, retention: u64, durability: Durability) -> Self {
        Self {
            rooms,
            retention,
            durability,
            scripts: Arc::new(Scripts::new()),
            message_envelope: Envelope::head(ctx.server_id(), EventKind::Message.as_str()).into(),
            ctx,
            uploads: None,
        }
    }

    /// Messages carry files of `uploads`; deleting a message deletes them.
    pub fn with_uploads(mut self, uploads: chat_uploads::UploadsStore) -> Self {
        self.uploads = Some(uploads);
        self
    }

    /// For each of `ids`, whether `room` has that message and it is not deleted (the
    /// uploads sweeper asks, to let the files of trimmed or deleted messages go).
    pub async fn live(&self, room: &RoomId, ids: &[String]) -> Result<Vec<bool>, Failure> {
        let parsed: Vec<Option<crate::MessageId>> = ids
            .iter()
            .map(|i| crate::MessageId::parse_owned(i))
            .collect();
        let asked: Vec<&crate::MessageId> = parsed.iter().flatten().collect();
        let mut found = self.find_all(room, &asked).await?.into_iter();
        Ok(parsed
            .iter()
            .map(|p| {
                p.is_some()
                    && found
                        .next()
                        .flatten()
                        .is_some_and(|f| !f.message.is_deleted())
            })
            .collect())
    }

    pub fn rooms(&self) -> &RoomsStore {
        &self.rooms
    }

    /// Forgets what only a deleted account used: its read markers and its mentions (its
    /// messages stay, under its id). Idempotent.
    pub async fn forget_user(&self, user: UserId) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "del",
            redis::pipe()
                .cmd("DEL")
                .arg(keys::read_markers(user))
                .ignore()
                .cmd("DEL")
                .arg(keys::mentions(user))
                .ignore()
                .query_async(&mut conn),
        )
        .await
    }

    /// Checks that `user` may read and post in `room`.
    pub async fn check_access(&self, user: UserId, room: &RoomId) -> Result<(), MessageError> {
        match self.rooms.access(user, room).await? {
            Access::Member => Ok(()),
            Access::NotMember => Err(MessageError::NotMember),
            Access::NotFound => Err(MessageError::NotFound),
        }
    }

    /// Checks that `user` is within their message rate.
    pub(crate) fn check_rate(&self, user: UserId) -> Result<(), MessageError> {
        self.ctx
            .limiter()
            .check(user, Action::Message)
            .map_err(MessageError::RateLimited)
    }

    /// Checks that a moderator did not make `user` read-only in `room` (edits, reactions).
    pub(crate) async fn check_muted(
        &self,
        user: UserId,
        room: &RoomId,
    ) -> Result<(), MessageError> {
        match self.rooms.muted_until(user, room).await? {
            Some(until) => Err(MessageError::Muted(until)),
            None => Ok(()),
        }
    }

    /// Checks that `user` may change things in `room`, and is within their rate.
    pub(crate) async fn may_change(&self, user: UserId, room: &RoomId) -> Result<(), MessageError> {
        self.check_access(user, room).await?;
        self.check_rate(user)
    }

    /// Where a script publishes `room`'s events: `PUBLISH MESSAGES`, or on a cluster
    /// `SPUBLISH` on the room's channel.
    pub(crate) fn publish_target(&self, room: &RoomId) -> chat_core::PublishTarget {
        self.ctx.events().room_target(room)
    }
}
