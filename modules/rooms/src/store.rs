//! Rooms and memberships in Redis.

use chat_auth::AuthStore;
use chat_core::{
    context::timed,
    protocol::{Message, RoomMembership, RoomMuted, RoomUpdated, ServerEvent, ShowRoom, Typing},
    redis, Ctx, Failure, RoomId, RoomKind, UserId,
};

use crate::{keys, roles::Moderate};

/// `visibility` of a private room in `settings:{room:<id>}`.
const PRIVATE: &str = "private";

/// Longest room name, in characters.
pub const MAX_ROOM_NAME: usize = 64;

/// What a user may do with a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Member,
    /// The room exists and can be joined, but the user is not in it.
    NotMember,
    /// No such room, or a direct room of other users (not revealed).
    NotFound,
}

/// What happened in a room, as one user sees it.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Its newest message.
    pub last: Option<Message>,
    /// Messages after the user's read marker.
    pub unread: u64,
    /// Of those, the ones that mention the user.
    pub mentions: u64,
}

/// Last message, unread and mention counts of rooms, provided by the messages module.
#[async_trait::async_trait]
pub trait RoomActivity: Send + Sync {
    /// For each room, in order, its activity as `user` sees it.
    async fn activity(&self, user: UserId, rooms: &[RoomId]) -> Result<Vec<Activity>, Failure>;
}

#[derive(Clone)]
pub struct RoomsStore {
    pub(crate) ctx: Ctx,
    pub(crate) auth: AuthStore,
    directory: std::sync::Arc<tokio::sync::Mutex<Directory>>,
    /// Rooms a user may be in, checked when they join or create a named room (0: any).
    max_rooms: u64,
    pub(crate) moderate: Moderate,
    pub(crate) use_link: crate::invites::UseLink,
    pub(crate) report: crate::reports::ReportScript,
    /// Days a closed report is kept.
    pub(crate) reports_kept_days: u64,
}

/// How long this instance reuses its copy of the named-room directory. A room created on
/// another instance shows up in discovery within this time (one created here, at once).
const DIRECTORY_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// The directory of named rooms: id, name, and the name in lowercase for filtering.
type Entries = std::sync::Arc<Vec<(RoomId, String, String)>>;

/// The instance's copy of the directory, so that discovery filters in memory instead of
/// reading every room's name from Redis on every call.
#[derive(Default)]
struct Directory {
    read_at: Option<std::time::Instant>,
    entries: Entries,
}

/// Outcome of creating a named room.
pub enum Created {
    Room(RoomId),
    NameTaken,
}

impl RoomsStore {
    /// `max_rooms`: rooms a user may be in (0: no limit).
    pub fn new(ctx: Ctx, auth: AuthStore, max_rooms: u64) -> Self {
        Self {
            ctx,
            auth,
            directory: Default::default(),
            max_rooms,
            moderate: Moderate::new(),
            use_link: crate::invites::UseLink::new(),
            report: crate::reports::ReportScript::new(),
            reports_kept_days: 30,
        }
    }

    /// Keeps closed reports `days` days (at least one).
    pub fn with_reports_kept_days(mut self, days: u64) -> Self {
        self.reports_kept_days = days.max(1);
        self
    }

    /// Whether `user` may enter one more room: `Err(cap)` when they are in as many as
    /// they may be (General, direct and named rooms together).
    pub async fn room_for_one_more(&self, user: UserId) -> Result<Result<(), u64>, Failure> {
        if self.max_rooms == 0 {
            return Ok(Ok(()));
        }
        let mut conn = self.ctx.redis()?;
        let n: u64 = timed(
            "scard",
            redis::cmd("SCARD")
                .arg(keys::user_rooms(user))
                .query_async(&mut conn),
        )
        .await?;
        Ok(if n < self.max_rooms {
            Ok(())
        } else {
            Err(self.max_rooms)
        })
    }

    /// The named-room directory, read from Redis at most every [`DIRECTORY_TTL`] (one
    /// reader at a time; the others wait for its result).
    async fn directory(&self) -> Result<Entries, Failure> {
        let mut dir = self.directory.lock().await;
        if dir.read_at.is_some_and(|t| t.elapsed() < DIRECTORY_TTL) {
            return Ok(std::sync::Arc::clone(&dir.entries));
        }
        let mut conn = self.ctx.redis()?;
        let ids: Vec<u64> = timed(
            "zrange",
            redis::cmd("ZRANGE")
                .arg(keys::NAMED_ROOMS)
                .arg(0)
                .arg(-1)
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let rooms: Vec<RoomId> = ids.into_iter().map(RoomId::named).collect();
        let mut entries = Vec::with_capacity(rooms.len());
        for chunk in rooms.chunks(1000) {
            let names = self.names(chunk).await?;
            for (r, n) in chunk.iter().zip(names) {
                if let Some(n) = n {
                    let lower = n.to_lowercase();
                    entries.push((r.clone(), n, lower));
                }
            }
        }
        dir.entries = std::sync::Arc::new(entries);
        dir.read_at = Some(std::time::Instant::now());
        Ok(std::sync::Arc::clone(&dir.entries))
    }

    /// The per-user rate limiter (the API checks room creation and direct opens with it;
    /// the WebSocket route, typing).
    pub fn limiter(&self) -> &chat_core::Limiter {
        self.ctx.limiter()
    }

    pub fn auth(&self) -> &AuthStore {
        &self.auth
    }

    /// Puts a user in General (every user is in it; the seed lists it from this set).
    pub async fn add_to_general(&self, user: UserId) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "sadd",
            redis::cmd("SADD")
                .arg(keys::user_rooms(user))
                .arg(RoomId::general().as_str())
                .query_async(&mut conn),
        )
        .await
    }

    /// Names room `0` "General" (the seed's server reads `room:0:name` too), and keeps the
    /// name from named rooms.
    pub async fn ensure_general(&self) -> Result<(), Failure> {
        let general = RoomId::general();
        let mut conn = self.ctx.redis()?;
        let _: () = timed(
            "set",
            redis::pipe()
                .cmd("SET")
                .arg(keys::room_name(&general))
                .arg("General")
                .arg("NX")
                .ignore()
                .cmd("SET")
                .arg(keys::name_claim("general"))
                .arg(general.as_str())
                .arg("NX")
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        Ok(())
    }

    /// May `user` read and post in `room`?
    ///
    /// Hot path: runs for every message sent (General needs no round trip).
    pub async fn access(&self, user: UserId, room: &RoomId) -> Result<Access, Failure> {
        match room.kind() {
            RoomKind::General => Ok(Access::Member),
            RoomKind::Direct(..) if !room.direct_has(user) => Ok(Access::NotFound),
            kind => {
                let mut conn = self.ctx.redis()?;
                let member: bool = timed(
                    "sismember",
                    redis::cmd("SISMEMBER")
                        .arg(keys::user_rooms(user))
                        .arg(room.as_str())
                        .query_async(&mut conn),
                )
                .await?;
                if member {
                    return Ok(Access::Member);
                }
                if kind == RoomKind::Named {
                    // A private room is not there for those outside it.
                    let (exists, visibility): (bool, Option<String>) = timed(
                        "exists",
                        redis::pipe()
                            .cmd("EXISTS")
                            .arg(keys::room_name(room))
                            .cmd("HGET")
                            .arg(keys::settings(room))
                            .arg("visibility")
                            .query_async(&mut conn),
                    )
                    .await?;
                    if exists && visibility.as_deref() != Some(PRIVATE) {
                        return Ok(Access::NotMember);
                    }
                }
                Ok(Access::NotFound)
            }
        }
    }

    /// The ids of the rooms `user` belongs to (General always among them).
    pub async fn rooms_of(&self, user: UserId) -> Result<Vec<RoomId>, Failure> {
        let mut conn = self.ctx.redis()?;
        let raw: Vec<String> = timed(
            "smembers",
            redis::cmd("SMEMBERS")
                .arg(keys::user_rooms(user))
                .query_async(&mut conn),
        )
        .await?;
        let mut rooms: Vec<RoomId> = raw.iter().filter_map(|r| r.parse().ok()).collect();
        if !rooms.iter().any(|r| r.kind() == RoomKind::General) {
            rooms.push(RoomId::general());
        }
        Ok(rooms)
    }

    /// Names of named rooms, in order (`None` for rooms that do not exist).
    pub async fn names(&self, rooms: &[RoomId]) -> Result<Vec<Option<String>>, Failure> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for r in rooms {
            pipe.cmd("GET").arg(keys::room_name(r));
        }
        let mut conn = self.ctx.redis()?;
        timed("get", pipe.query_async(&mut conn)).await
    }

    /// Creates (or finds) the direct room of two users. Tells both when it is new.
    pub async fn open_direct(&self, a: UserId, b: UserId) -> Result<RoomId, Failure> {
        let room = RoomId::direct(a, b);
        let mut conn = self.ctx.redis()?;
        let (na, nb): (i64, i64) = timed(
            "sadd",
            redis::pipe()
                .cmd("SADD")
                .arg(keys::user_rooms(a))
                .arg(room.as_str())
                .cmd("SADD")
                .arg(keys::user_rooms(b))
                .arg(room.as_str())
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        if na + nb > 0 {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            let names = self
                .auth
                .usernames(&[lo, hi])
                .await?
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
            self.ctx
                .events()
                .publish(&ServerEvent::ShowRoom(ShowRoom {
                    id: room.to_string(),
                    names,
                }))
                .await?;
        }
        Ok(room)
    }

    /// Creates a named room (private: unlisted, by invitation only) and puts its creator in
    /// it, as its owner.
    pub async fn create_named(
        &self,
        creator: UserId,
        name: &str,
        private: bool,
    ) -> Result<Created, Failure> {
        let mut conn = self.ctx.redis()?;
        let claim = keys::name_claim(&name.to_lowercase());
        let taken: bool = timed(
            "exists",
            redis::cmd("EXISTS").arg(&claim).query_async(&mut conn),
        )
        .await?;
        if taken {
            return Ok(Created::NameTaken);
        }
        let id: u64 = timed(
            "incr",
            redis::cmd("INCR")
                .arg(keys::TOTAL_ROOMS)
                .query_async(&mut conn),
        )
        .await?;
        let room = RoomId::named(id);
        let claimed: Option<String> = timed(
            "set",
            redis::cmd("SET")
                .arg(&claim)
                .arg(id)
                .arg("NX")
                .query_async(&mut conn),
        )
        .await?;
        if claimed.is_none() {
            return Ok(Created::NameTaken);
        }
        drop(conn);
        let built = async {
            let mut conn = self.ctx.redis()?;
            let _: () = timed(
                "set",
                redis::cmd("SET")
                    .arg(keys::room_name(&room))
                    .arg(name)
                    .query_async(&mut conn),
            )
            .await?;
            // Settings first: the room is never listed, not even for a moment, when private.
            if private {
                let _: () = timed(
                    "hset",
                    redis::cmd("HSET")
                        .arg(keys::settings(&room))
                        .arg("visibility")
                        .arg(PRIVATE)
                        .query_async(&mut conn),
                )
                .await?;
            } else {
                let _: () = timed(
                    "zadd",
                    redis::cmd("ZADD")
                        .arg(keys::NAMED_ROOMS)
                        .arg(id)
                        .arg(id)
                        .query_async(&mut conn),
                )
                .await?;
            }
            drop(conn);
            self.make_owner(creator, &room).await?;
            self.join(creator, &room, name).await
        }
        .await;
        if let Err(e) = built {
            // Free the name again: a claimed name without its room could never be used.
            if let Ok(mut conn) = self.ctx.redis() {
                let _: Result<(), _> = redis::pipe()
                    .cmd("DEL")
                    .arg(&claim)
                    .ignore()
                    .cmd("ZREM")
                    .arg(keys::NAMED_ROOMS)
                    .arg(id)
                    .ignore()
                    .cmd("DEL")
                    .arg(keys::room_name(&room))
                    .ignore()
                    .cmd("DEL")
                    .arg(keys::roles(&room))
                    .ignore()
                    .cmd("DEL")
                    .arg(keys::settings(&room))
                    .ignore()
                    .query_async(&mut conn)
                    .await;
            }
            return Err(e);
        }
        // Discovery here shows the new room at once.
        self.directory.lock().await.read_at = None;
        Ok(Created::Room(room))
    }

    /// Which of `rooms` are private, in order (one round trip).
    pub async fn private(&self, rooms: &[RoomId]) -> Result<Vec<bool>, Failure> {
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for r in rooms {
            pipe.cmd("HGET").arg(keys::settings(r)).arg("visibility");
        }
        let mut conn = self.ctx.redis()?;
        let found: Vec<Option<String>> = timed("hget", pipe.query_async(&mut conn)).await?;
        Ok(found
            .into_iter()
            .map(|v| v.as_deref() == Some(PRIVATE))
            .collect())
    }

    /// Makes a named room private (unlisted, by invitation) or public (listed, anyone
    /// joins). When it changed, the room's members get `room.updated`; discovery here
    /// follows at once, on other instances within [`DIRECTORY_TTL`].
    pub async fn set_private(
        &self,
        room: &RoomId,
        name: &str,
        private: bool,
    ) -> Result<(), Failure> {
        let id: u64 = room
            .as_str()
            .parse()
            .map_err(|_| Failure::internal("a named room's id is a number"))?;
        let mut pipe = redis::pipe();
        if private {
            pipe.cmd("HSET")
                .arg(keys::settings(room))
                .arg("visibility")
                .arg(PRIVATE);
            pipe.cmd("ZREM").arg(keys::NAMED_ROOMS).arg(id).ignore();
        } else {
            pipe.cmd("HDEL").arg(keys::settings(room)).arg("visibility");
            pipe.cmd("ZADD")
                .arg(keys::NAMED_ROOMS)
                .arg(id)
                .arg(id)
                .ignore();
        }
        let mut conn = self.ctx.redis()?;
        let (changed,): (u32,) = timed("hset", pipe.query_async(&mut conn)).await?;
        drop(conn);
        self.directory.lock().await.read_at = None;
        if private {
            // Only moderators and up invite to a private room: what plain members made
            // while it was public goes.
            let staff: Vec<String> = self
                .staff_of(room)
                .await?
                .iter()
                .map(ToString::to_string)
                .collect();
            self.revoke_made_by(room, |by| staff.iter().any(|s| s == by))
                .await?;
        }
        if changed == 0 {
            return Ok(());
        }
        let event = RoomUpdated {
            room_id: room.to_string(),
            name: name.to_owned(),
            visibility: if private { PRIVATE } else { "public" }.to_owned(),
        };
        self.ctx
            .events()
            .publish(&ServerEvent::RoomUpdated(event))
            .await
    }

    /// The rooms `user` muted.
    pub async fn muted(&self, user: UserId) -> Result<std::collections::HashSet<String>, Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "smembers",
            redis::cmd("SMEMBERS")
                .arg(keys::muted(user))
                .query_async(&mut conn),
        )
        .await
    }

    /// Mutes or unmutes `room` for `user` (idempotent); when it changed, the user's sockets
    /// get `room.muted`.
    pub async fn set_muted(&self, user: UserId, room: &RoomId, muted: bool) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let changed: i64 = timed(
            if muted { "sadd" } else { "srem" },
            redis::cmd(if muted { "SADD" } else { "SREM" })
                .arg(keys::muted(user))
                .arg(room.as_str())
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        if changed == 0 {
            return Ok(());
        }
        let event = RoomMuted {
            room_id: room.to_string(),
            user_id: user.to_string(),
            muted,
        };
        self.ctx
            .events()
            .publish(&ServerEvent::RoomMuted(event))
            .await
    }

    /// Takes a deleted user out of every room: each named room's members lose them (with
    /// `room.left`), and their own room list and mutes go. Direct rooms stay with the other
    /// user. Idempotent.
    pub async fn remove_user(&self, user: UserId) -> Result<(), Failure> {
        let rooms: Vec<RoomId> = self
            .rooms_of(user)
            .await?
            .into_iter()
            .filter(|r| r.kind() == RoomKind::Named)
            .collect();
        let names = self.names(&rooms).await?;
        for (room, name) in rooms.iter().zip(names) {
            // Their role goes, ownership too: a room left without an owner is run by its
            // admins and the site admins.
            let mut conn = self.ctx.redis()?;
            let _: () = timed(
                "hdel",
                redis::cmd("HDEL")
                    .arg(keys::roles(room))
                    .arg(user.0)
                    .query_async(&mut conn),
            )
            .await?;
            self.leave(user, room, &name.unwrap_or_default()).await?;
        }
        // Their role and mute in General go too (nobody leaves General).
        let general = RoomId::general();
        let mut conn = self.ctx.redis()?;
        let _: () = timed(
            "hdel",
            redis::pipe()
                .cmd("HDEL")
                .arg(keys::roles(&general))
                .arg(user.0)
                .ignore()
                .cmd("HDEL")
                .arg(keys::mutes(&general))
                .arg(user.0)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        // Pending invitations go (their rooms' sides too).
        for (id, room, _) in self.invites_of(user).await? {
            self.take_invite(&room, user, &id, "revoked").await?;
        }
        let mut conn = self.ctx.redis()?;
        timed(
            "del",
            redis::pipe()
                .cmd("DEL")
                .arg(keys::user_rooms(user))
                .ignore()
                .cmd("DEL")
                .arg(keys::muted(user))
                .ignore()
                .cmd("DEL")
                .arg(keys::user_invites(user))
                .ignore()
                .query_async(&mut conn),
        )
        .await
    }

    /// Adds `user` to a named room (idempotent) and tells the user's sockets.
    pub async fn join(&self, user: UserId, room: &RoomId, name: &str) -> Result<(), Failure> {
        self.membership(user, room, name, true, None).await
    }

    /// Adds `user` to a named room unless they are banned from it: false when they are. The
    /// ban is read again after the join, so a ban given meanwhile takes them out again.
    pub async fn join_unless_banned(
        &self,
        user: UserId,
        room: &RoomId,
        name: &str,
    ) -> Result<bool, Failure> {
        if self.ban_of(user, room).await?.is_some() {
            return Ok(false);
        }
        self.join(user, room, name).await?;
        if self.ban_of(user, room).await?.is_some() {
            self.remove(user, room, name, Some("banned")).await?;
            return Ok(false);
        }
        // In by any door: a pending invitation is used up (it must not let them back in
        // after a kick).
        self.drop_invite_of(room, user, "accepted").await?;
        Ok(true)
    }

    /// Removes `user` from a named room and tells the user's sockets.
    pub async fn leave(&self, user: UserId, room: &RoomId, name: &str) -> Result<(), Failure> {
        self.membership(user, room, name, false, None).await
    }

    /// Removes `user` from a named room for `reason` (`kicked`, `banned`), told in their
    /// sockets' `room.left`.
    pub(crate) async fn remove(
        &self,
        user: UserId,
        room: &RoomId,
        name: &str,
        reason: Option<&str>,
    ) -> Result<(), Failure> {
        self.membership(user, room, name, false, reason).await
    }

    /// Both sides of a membership (`user:{id}:rooms` and `room:{id}:members`), then the
    /// `room.joined` or `room.left` event: only when the membership changed (joining a room
    /// one is in, or leaving one one is not in, changes nothing and tells no one).
    async fn membership(
        &self,
        user: UserId,
        room: &RoomId,
        name: &str,
        join: bool,
        reason: Option<&str>,
    ) -> Result<(), Failure> {
        let op = if join { "SADD" } else { "SREM" };
        let mut pipe = redis::pipe();
        pipe.cmd(op)
            .arg(keys::user_rooms(user))
            .arg(room.as_str())
            .cmd(op)
            .arg(keys::room_members(room))
            .arg(user.0);
        if !join {
            // Leaving forgets the room's mute: joining again starts afresh.
            pipe.cmd("SREM")
                .arg(keys::muted(user))
                .arg(room.as_str())
                .ignore();
        }
        let mut conn = self.ctx.redis()?;
        let (in_user, in_room): (u32, u32) = timed(
            if join { "sadd" } else { "srem" },
            pipe.query_async(&mut conn),
        )
        .await?;
        drop(conn);
        // Either side changed: the membership did (both are set again either way).
        if in_user + in_room == 0 {
            return Ok(());
        }
        let data = RoomMembership {
            room_id: room.to_string(),
            user_id: user.to_string(),
            name: name.to_owned(),
            reason: reason.map(str::to_owned),
        };
        let event = if join {
            ServerEvent::RoomJoined(data)
        } else {
            ServerEvent::RoomLeft(data)
        };
        self.ctx.events().publish(&event).await
    }

    /// Named rooms `user` is not in, whose name contains `filter` (case-insensitive):
    /// `(page of (id, name, member count), total matching)`.
    pub async fn discover(
        &self,
        user: UserId,
        filter: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<(RoomId, String, u64)>, usize), Failure> {
        let directory = self.directory().await?;
        let mut conn = self.ctx.redis()?;
        let mine: std::collections::HashSet<String> = timed(
            "smembers",
            redis::cmd("SMEMBERS")
                .arg(keys::user_rooms(user))
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let filter = filter.trim().to_lowercase();
        let matching: Vec<(RoomId, String)> = directory
            .iter()
            .filter(|(r, _, lower)| {
                !mine.contains(r.as_str()) && (filter.is_empty() || lower.contains(&filter))
            })
            .map(|(r, n, _)| (r.clone(), n.clone()))
            .collect();
        let total = matching.len();
        let page: Vec<(RoomId, String)> = matching.into_iter().skip(offset).take(limit).collect();
        // This instance's copy of the directory may be a few seconds behind a room that
        // went private: such a room is left out of the page.
        let ids: Vec<RoomId> = page.iter().map(|(r, _)| r.clone()).collect();
        let private = self.private(&ids).await?;
        let page: Vec<(RoomId, String)> = page
            .into_iter()
            .zip(private)
            .filter(|(_, p)| !p)
            .map(|(r, _)| r)
            .collect();
        let mut pipe = redis::pipe();
        for (r, _) in &page {
            pipe.cmd("SCARD").arg(keys::room_members(r));
        }
        let counts: Vec<u64> = if page.is_empty() {
            Vec::new()
        } else {
            let mut conn = self.ctx.redis()?;
            timed("scard", pipe.query_async(&mut conn)).await?
        };
        Ok((
            page.into_iter()
                .zip(counts)
                .map(|((r, n), c)| (r, n, c))
                .collect(),
            total,
        ))
    }

    /// Tells the other members of `room` that `user` is typing. Nothing is stored.
    pub async fn typing(&self, user: UserId, username: &str, room: &RoomId) -> Result<(), Failure> {
        let event = Typing {
            room_id: room.to_string(),
            user_id: user.to_string(),
            username: username.to_owned(),
        };
        self.ctx.events().publish(&ServerEvent::Typing(event)).await
    }
}
