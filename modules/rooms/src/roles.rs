//! Roles, kicks and bans: who may act on whom in a room.
//!
//! Ranks, Matrix-style: `owner` (a room's creator) > `admin` > `moderator` > `member`.
//! Nobody acts on someone of equal or higher rank; an owner can make others owners; the
//! last owner cannot step down or leave. Site admins (`ADMIN_USERS`) act with owner rank
//! in every room. Every step runs as one script on the room's hash slot
//! (`scripts/moderate.lua`): the ranks it checks are the ranks it changes, on a cluster
//! too. Memberships (`user:{id}:rooms`, `room:{id}:members`) live in other slots: a kick or
//! a ban changes them after the script, and a join re-checks the ban after it adds the
//! member, so a join racing a ban never leaves a banned member.

use chat_core::{
    context::timed,
    lua::{read, Lua},
    now_secs,
    protocol::{MemberAction, MemberMuted, MemberRole, ServerEvent},
    redis,
    scan::{scan_page, Scan, ScanCursor},
    Failure, RoomId, RoomKind, UserId,
};
use poem_openapi::Enum;
use serde::{Deserialize, Serialize};

use crate::{keys, RoomsStore};

/// A member's role in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Enum, Serialize, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and posts.
    Member,
    /// Deletes any message; kicks and bans members.
    Moderator,
    /// A moderator who also gives the moderator role and reads the audit log.
    Admin,
    /// The room's creator (or whom an owner made owner): everything, and the admin role.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    fn parse(s: &str) -> Role {
        match s {
            "owner" => Role::Owner,
            "admin" => Role::Admin,
            "moderator" => Role::Moderator,
            _ => Role::Member,
        }
    }

    /// The least rank the script is told for a site admin (owner) or anyone else.
    fn floor(site_admin: bool) -> u8 {
        if site_admin {
            3
        } else {
            0
        }
    }
}

/// A ban as stored in `bans:{room:<id>}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ban {
    /// The moderator who banned.
    pub by: String,
    pub reason: String,
    /// When, in unix milliseconds.
    pub date: u64,
    /// When it ends, in unix milliseconds (absent: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
}

impl Ban {
    fn is_over(&self, now_ms: u64) -> bool {
        self.until.is_some_and(|u| u <= now_ms)
    }
}

/// What a moderation step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderated {
    /// Done; the target's role before it.
    Done(Role),
    /// Nothing to change (the role it already has).
    Same,
    /// The actor does not outrank the target, or may not give that role.
    Forbidden,
    /// The room would be left without an owner.
    LastOwner,
    /// No such ban to lift.
    Absent,
}

/// One entry of a room's audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// The stream id (`<ms>-<n>`): the cursor of the next older page.
    pub id: String,
    pub action: String,
    pub actor: String,
    pub target: String,
    pub detail: String,
}

/// `moderate.lua`.
#[derive(Clone)]
pub(crate) struct Moderate(Lua);

impl Moderate {
    pub fn new() -> Self {
        Self(Lua::new(include_str!("scripts/moderate.lua")))
    }
}

fn now_ms() -> u64 {
    (now_secs() * 1000.0) as u64
}

impl RoomsStore {
    /// Whether `user` is a site admin (named in `ADMIN_USERS`). No round trip when there
    /// are none.
    pub async fn is_site_admin(&self, user: UserId) -> Result<bool, Failure> {
        self.auth.is_site_admin(user).await
    }

    /// `user`'s role in `room` as it acts: a site admin is an owner everywhere; in a direct
    /// room everyone is a member.
    pub async fn role(&self, user: UserId, room: &RoomId) -> Result<Role, Failure> {
        if matches!(room.kind(), RoomKind::Direct(..)) {
            return Ok(Role::Member);
        }
        if self.is_site_admin(user).await? {
            return Ok(Role::Owner);
        }
        let mut conn = self.ctx.redis()?;
        let role: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::roles(room))
                .arg(user.0)
                .query_async(&mut conn),
        )
        .await?;
        Ok(role.as_deref().map_or(Role::Member, Role::parse))
    }

    /// Where `user` stands in each of `rooms`, in order: their role (as
    /// [`RoomsStore::role`] tells it) and until when (unix ms) they are read-only there, if
    /// they are. One round trip for them all.
    pub async fn standing_in(
        &self,
        user: UserId,
        rooms: &[RoomId],
    ) -> Result<Vec<(Role, Option<u64>)>, Failure> {
        if self.is_site_admin(user).await? {
            return Ok(vec![(Role::Owner, None); rooms.len()]);
        }
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for room in rooms {
            pipe.cmd("HGET").arg(keys::roles(room)).arg(user.0);
            pipe.cmd("HGET").arg(keys::mutes(room)).arg(user.0);
        }
        let mut conn = self.ctx.redis()?;
        let found: Vec<Option<String>> = timed("hget", pipe.query_async(&mut conn)).await?;
        let now = now_ms();
        Ok(rooms
            .iter()
            .zip(found.chunks(2))
            .map(|(room, pair)| {
                let role = match room.kind() {
                    RoomKind::Direct(..) => Role::Member,
                    _ => pair[0].as_deref().map_or(Role::Member, Role::parse),
                };
                let muted = pair
                    .get(1)
                    .cloned()
                    .flatten()
                    .and_then(|u| u.parse::<u64>().ok())
                    .filter(|u| *u > now);
                (role, muted)
            })
            .collect())
    }

    /// Gives the creator of a new room its ownership.
    pub(crate) async fn make_owner(&self, user: UserId, room: &RoomId) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "hset",
            redis::cmd("HSET")
                .arg(keys::roles(room))
                .arg(user.0)
                .arg(Role::Owner.as_str())
                .query_async(&mut conn),
        )
        .await
    }

    /// One run of the moderation script.
    async fn moderate(
        &self,
        op: &str,
        actor: UserId,
        room: &RoomId,
        target: UserId,
        value: &str,
        detail: &str,
    ) -> Result<Moderated, Failure> {
        let (actor_admin, target_admin) = if !self.auth.has_site_admins() {
            (false, false)
        } else {
            (
                self.is_site_admin(actor).await?,
                self.is_site_admin(target).await?,
            )
        };
        let (roles, bans, audit) = (keys::roles(room), keys::bans(room), keys::audit(room));
        let mutes = keys::mutes(room);
        let mut cmd = self.moderate.0.call(&[&roles, &bans, &audit, &mutes]);
        cmd.arg(op)
            .arg(actor.0)
            .arg(Role::floor(actor_admin))
            .arg(target.0)
            .arg(Role::floor(target_admin))
            .arg(value)
            .arg(keys::AUDIT_KEPT)
            .arg(detail);
        let mut conn = self.ctx.redis()?;
        let answer = timed("evalsha", self.moderate.0.run(&mut conn, &cmd)).await?;
        let (status, previous): (String, String) = read("moderate", answer)?;
        Ok(match status.as_str() {
            "ok" => Moderated::Done(Role::parse(&previous)),
            "same" => Moderated::Same,
            "forbidden" => Moderated::Forbidden,
            "last_owner" => Moderated::LastOwner,
            "absent" => Moderated::Absent,
            other => {
                return Err(Failure::internal(format!(
                    "redis moderate answered {other}"
                )))
            }
        })
    }

    /// Gives `target` (a member) `role`, as `actor`; the room's members get `member.role`.
    pub async fn set_role(
        &self,
        actor: UserId,
        room: &RoomId,
        target: UserId,
        role: Role,
    ) -> Result<Moderated, Failure> {
        let done = self
            .moderate("role", actor, room, target, role.as_str(), role.as_str())
            .await?;
        if let Moderated::Done(_) = done {
            let event = MemberRole {
                room_id: room.to_string(),
                user_id: target.to_string(),
                role: role.as_str().to_owned(),
                by: actor.to_string(),
            };
            self.ctx
                .events()
                .publish(&ServerEvent::MemberRole(event))
                .await?;
        }
        Ok(done)
    }

    /// Whether `user` may leave `room` (not its last owner); their role goes when they may.
    pub(crate) async fn step_down(&self, user: UserId, room: &RoomId) -> Result<bool, Failure> {
        let done = self.moderate("leave", user, room, user, "", "").await?;
        Ok(done != Moderated::LastOwner)
    }

    /// Removes `target` from `room`, as `actor`: the room's members get `member.kicked`,
    /// then the target's sockets leave the room (`room.left`, reason `kicked`) everywhere.
    pub async fn kick(
        &self,
        actor: UserId,
        room: &RoomId,
        name: &str,
        target: UserId,
    ) -> Result<Moderated, Failure> {
        let done = self.moderate("kick", actor, room, target, "", "").await?;
        if let Moderated::Done(_) = done {
            self.removed(room, name, actor, target, "kicked", None)
                .await?;
        }
        Ok(done)
    }

    /// Bans `target` from `room` (a member or not), as `actor`, until `until` (unix ms) or
    /// for good; a member is removed as by a kick, with `member.banned`.
    pub async fn ban(
        &self,
        actor: UserId,
        room: &RoomId,
        name: &str,
        target: UserId,
        reason: &str,
        until: Option<u64>,
    ) -> Result<Moderated, Failure> {
        let ban = Ban {
            by: actor.to_string(),
            reason: reason.to_owned(),
            date: now_ms(),
            until,
        };
        let json = serde_json::to_string(&ban).map_err(|e| Failure::internal(e.to_string()))?;
        let done = self
            .moderate("ban", actor, room, target, &json, reason)
            .await?;
        if let Moderated::Done(_) = done {
            self.revoke_invite_of(room, target).await?;
            self.removed(room, name, actor, target, "banned", Some(reason))
                .await?;
        }
        Ok(done)
    }

    /// After a kick or a ban: the room hears of it (while the target is still in it, so
    /// their sockets hear it too), then the membership goes.
    async fn removed(
        &self,
        room: &RoomId,
        name: &str,
        actor: UserId,
        target: UserId,
        reason: &str,
        ban_reason: Option<&str>,
    ) -> Result<(), Failure> {
        let action = MemberAction {
            room_id: room.to_string(),
            user_id: target.to_string(),
            by: actor.to_string(),
            reason: ban_reason.map(str::to_owned),
        };
        let event = if ban_reason.is_some() {
            ServerEvent::MemberBanned(action)
        } else {
            ServerEvent::MemberKicked(action)
        };
        // The membership goes whether or not the room could be told.
        let told = self.ctx.events().publish(&event).await;
        self.remove(target, room, name, Some(reason)).await?;
        // Their invitations and links go with them.
        let gone = target.to_string();
        self.revoke_made_by(room, |by| by != gone).await?;
        told
    }

    /// Makes `target` read-only in `room` until `until` (unix ms), as `actor` (or lifts it:
    /// `None`); the room's members get `member.muted`.
    pub async fn mute(
        &self,
        actor: UserId,
        room: &RoomId,
        target: UserId,
        until: Option<u64>,
    ) -> Result<Moderated, Failure> {
        let done = match until {
            Some(u) => {
                let until = u.to_string();
                self.moderate("mute", actor, room, target, &until, &until)
                    .await?
            }
            None => self.moderate("unmute", actor, room, target, "", "").await?,
        };
        if let Moderated::Done(_) = done {
            let event = MemberMuted {
                room_id: room.to_string(),
                user_id: target.to_string(),
                by: actor.to_string(),
                until: until.map(|u| u as f64 / 1000.0),
            };
            self.ctx
                .events()
                .publish(&ServerEvent::MemberMuted(event))
                .await?;
        }
        Ok(done)
    }

    /// Until when (unix ms) a moderator made `user` read-only in `room`, if they did and it
    /// holds now (one past its end is removed).
    pub async fn muted_until(&self, user: UserId, room: &RoomId) -> Result<Option<u64>, Failure> {
        let mut conn = self.ctx.redis()?;
        let until: Option<u64> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::mutes(room))
                .arg(user.0)
                .query_async(&mut conn),
        )
        .await?;
        match until {
            Some(u) if u > now_ms() => Ok(Some(u)),
            Some(_) => {
                let _: Result<(), _> = redis::cmd("HDEL")
                    .arg(keys::mutes(room))
                    .arg(user.0)
                    .query_async(&mut conn)
                    .await;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Lifts `target`'s ban from `room`, as `actor`.
    pub async fn unban(
        &self,
        actor: UserId,
        room: &RoomId,
        target: UserId,
    ) -> Result<Moderated, Failure> {
        self.moderate("unban", actor, room, target, "", "").await
    }

    /// `user`'s ban from `room`, if one holds now (one past its end is removed).
    pub async fn ban_of(&self, user: UserId, room: &RoomId) -> Result<Option<Ban>, Failure> {
        if room.kind() != RoomKind::Named {
            return Ok(None);
        }
        let mut conn = self.ctx.redis()?;
        let json: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::bans(room))
                .arg(user.0)
                .query_async(&mut conn),
        )
        .await?;
        let Some(ban) = json.and_then(|j| serde_json::from_str::<Ban>(&j).ok()) else {
            return Ok(None);
        };
        if ban.is_over(now_ms()) {
            // Only this very ban: a new one given meanwhile stays.
            let _: Result<(), _> = redis::cmd("HDEL")
                .arg(keys::bans(room))
                .arg(user.0)
                .query_async(&mut conn)
                .await;
            return Ok(None);
        }
        Ok(Some(ban))
    }

    /// A page of `room`'s bans that hold now: `(user, ban)`, and where the next page starts.
    pub async fn bans_page(
        &self,
        room: &RoomId,
        from: ScanCursor,
        limit: usize,
    ) -> Result<(Vec<(UserId, Ban)>, Option<ScanCursor>), Failure> {
        let mut conn = self.ctx.redis()?;
        let (items, next) =
            scan_page(&mut conn, Scan::Hash, &keys::bans(room), from, limit).await?;
        let now = now_ms();
        let bans = items
            .iter()
            .filter_map(|item| {
                let user: UserId = item.first()?.parse().ok()?;
                let ban: Ban = serde_json::from_str(item.get(1)?).ok()?;
                (!ban.is_over(now)).then_some((user, ban))
            })
            .collect();
        Ok((bans, next))
    }

    /// A page of `room`'s members with their roles, and where the next page starts.
    /// General's members are every account, paged by id; a named room's, by `SSCAN`.
    pub async fn members_page(
        &self,
        room: &RoomId,
        from: ScanCursor,
        limit: usize,
    ) -> Result<(Vec<(UserId, Role, Option<u64>)>, Option<ScanCursor>), Failure> {
        let (users, next) = match room.kind() {
            RoomKind::General => {
                let (users, next) = self.auth.users_from(from.scan, limit).await?;
                let next = next.map(|scan| ScanCursor { scan, skip: 0 });
                (users, next)
            }
            RoomKind::Direct(a, b) => (vec![a, b], None),
            RoomKind::Named => {
                let mut conn = self.ctx.redis()?;
                let key = keys::room_members(room);
                let (items, next) = scan_page(&mut conn, Scan::Set, &key, from, limit).await?;
                let users = items
                    .iter()
                    .filter_map(|item| item.first()?.parse().ok())
                    .collect();
                (users, next)
            }
        };
        if users.is_empty() {
            return Ok((Vec::new(), next));
        }
        let (mut roles_cmd, mut mutes_cmd) = (redis::cmd("HMGET"), redis::cmd("HMGET"));
        roles_cmd.arg(keys::roles(room));
        mutes_cmd.arg(keys::mutes(room));
        for u in &users {
            roles_cmd.arg(u.0);
            mutes_cmd.arg(u.0);
        }
        let mut conn = self.ctx.redis()?;
        let (roles, mutes): (Vec<Option<String>>, Vec<Option<u64>>) = timed(
            "hmget",
            redis::pipe()
                .add_command(roles_cmd)
                .add_command(mutes_cmd)
                .query_async(&mut conn),
        )
        .await?;
        let now = now_ms();
        // Site admins rank as owners: one lookup of the page's names, not one a member.
        let admins = self.auth.site_admins_among(&users).await?;
        let mut out = Vec::with_capacity(users.len());
        for (((user, role), muted), admin) in users.into_iter().zip(roles).zip(mutes).zip(admins) {
            let muted = muted.filter(|u| *u > now);
            let role = if admin {
                Role::Owner
            } else {
                role.as_deref().map_or(Role::Member, Role::parse)
            };
            out.push((user, role, muted));
        }
        Ok((out, next))
    }

    /// Up to `limit` entries of `room`'s audit log, newest first, older than `before` (a
    /// stream id, `(ms, n)`) when given.
    pub async fn audit_page(
        &self,
        room: &RoomId,
        before: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, Failure> {
        let end = match before {
            None => "+".to_owned(),
            // Nothing is older than the first id there can be.
            Some((0, 0)) => return Ok(Vec::new()),
            Some((ms, n)) => format!("({ms}-{n}"),
        };
        let mut conn = self.ctx.redis()?;
        let raw: Vec<(String, Vec<(String, String)>)> = timed(
            "xrevrange",
            redis::cmd("XREVRANGE")
                .arg(keys::audit(room))
                .arg(end)
                .arg("-")
                .arg("COUNT")
                .arg(limit)
                .query_async(&mut conn),
        )
        .await?;
        Ok(raw
            .into_iter()
            .map(|(id, fields)| {
                let field = |name: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                AuditEntry {
                    action: field("action"),
                    actor: field("actor"),
                    target: field("target"),
                    detail: field("detail"),
                    id,
                }
            })
            .collect())
    }
}
