//! Invitations: to one user (`invites:{room:<id>}`, and the user's own list
//! `user:{id}:invites`), or by link (`links:{room:<id>}`; only a token's SHA-256 is kept,
//! `invite_link:<sha256>` finds its room).
//!
//! Whoever takes an invitation (accepting, declining, revoking, a ban) removes its field
//! with `HDEL`: the one `HDEL` that answers 1 took it, so an invitation is used once.

use chat_auth::{hash_token, new_token};
use chat_core::{
    context::timed,
    lua::{read, Lua},
    now_secs,
    protocol::{InviteReceived, InviteRemoved, ServerEvent, UserView},
    redis,
    scan::{scan_page, Scan, ScanCursor},
    Failure, RoomId, UserId,
};
use serde::{Deserialize, Serialize};

use crate::{keys, RoomsStore};

/// Pending invitations one user may hold at once.
pub const MAX_PENDING_INVITES: u64 = 100;

/// A pending invitation, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    pub user_id: String,
    pub by: String,
    /// Unix milliseconds.
    pub date: u64,
}

/// An invite link, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub hash: String,
    pub by: String,
    pub date: u64,
    /// When it ends (unix ms).
    pub until: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u64>,
    #[serde(default)]
    pub uses: u64,
}

/// What inviting did.
pub enum Invited {
    /// A new invitation, with its id.
    New(String),
    /// The user already had one to this room: its id.
    Pending(String),
    /// The user holds as many pending invitations as they may.
    Full,
}

/// What using a link found.
pub enum LinkUse {
    /// Counted: the room and its id.
    Used(RoomId),
    /// No such link, past its end, or used up.
    Gone,
}

/// `use_link.lua`.
#[derive(Clone)]
pub(crate) struct UseLink(Lua);

impl UseLink {
    pub fn new() -> Self {
        Self(Lua::new(include_str!("scripts/use_link.lua")))
    }
}

fn now_ms() -> u64 {
    (now_secs() * 1000.0) as u64
}

fn json<T: Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| Failure::internal(e.to_string()))
}

impl RoomsStore {
    /// Invites `target` to `room` (named `name`), as `actor`; the target's sockets get
    /// `invite.received`. Inviting again returns the pending invitation.
    pub async fn invite(
        &self,
        actor: UserId,
        room: &RoomId,
        name: &str,
        target: UserId,
    ) -> Result<Invited, Failure> {
        let mut conn = self.ctx.redis()?;
        let (pending, held): (Option<String>, u64) = timed(
            "hget",
            redis::pipe()
                .cmd("HGET")
                .arg(keys::invites(room))
                .arg(keys::invite_of(target))
                .cmd("HLEN")
                .arg(keys::user_invites(target))
                .query_async(&mut conn),
        )
        .await?;
        if let Some(id) = pending {
            return Ok(Invited::Pending(id));
        }
        if held >= MAX_PENDING_INVITES {
            return Ok(Invited::Full);
        }
        let id = new_token()[..32].to_owned();
        let invite = Invite {
            user_id: target.to_string(),
            by: actor.to_string(),
            date: now_ms(),
        };
        // The room's side first, written before it is claimed for the user, so a claimed
        // id always names an invitation: of two made at once, one claim stands (HSETNX),
        // and the other takes its own back and answers the one that stands.
        let (claimed, winner): (bool, Option<String>) = timed(
            "hsetnx",
            redis::pipe()
                .cmd("HSET")
                .arg(keys::invites(room))
                .arg(&id)
                .arg(json(&invite)?)
                .ignore()
                .cmd("HSETNX")
                .arg(keys::invites(room))
                .arg(keys::invite_of(target))
                .arg(&id)
                .cmd("HGET")
                .arg(keys::invites(room))
                .arg(keys::invite_of(target))
                .query_async(&mut conn),
        )
        .await?;
        if !claimed {
            let _: () = timed(
                "hdel",
                redis::cmd("HDEL")
                    .arg(keys::invites(room))
                    .arg(&id)
                    .query_async(&mut conn),
            )
            .await?;
            return Ok(Invited::Pending(winner.unwrap_or_default()));
        }
        let _: () = timed(
            "hset",
            redis::cmd("HSET")
                .arg(keys::user_invites(target))
                .arg(&id)
                .arg(room.as_str())
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let by = self.auth.username(actor).await?.unwrap_or_default();
        let event = InviteReceived {
            id: id.clone(),
            room_id: room.to_string(),
            room_name: name.to_owned(),
            user_id: target.to_string(),
            invited_by: UserView {
                id: actor.to_string(),
                username: by,
                online: true,
            },
            date: invite.date as f64 / 1000.0,
        };
        self.ctx
            .events()
            .publish(&ServerEvent::InviteReceived(event))
            .await?;
        Ok(Invited::New(id))
    }

    /// The invitation `id` of `room`, if pending.
    pub async fn invite_in(&self, room: &RoomId, id: &str) -> Result<Option<Invite>, Failure> {
        let mut conn = self.ctx.redis()?;
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::invites(room))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// `user`'s pending invitation `id`: its room and the invitation.
    pub async fn invite_of(
        &self,
        user: UserId,
        id: &str,
    ) -> Result<Option<(RoomId, Invite)>, Failure> {
        let mut conn = self.ctx.redis()?;
        let room: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::user_invites(user))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let Some(room) = room.and_then(|r| r.parse::<RoomId>().ok()) else {
            return Ok(None);
        };
        Ok(self
            .invite_in(&room, id)
            .await?
            .filter(|i| i.user_id == user.to_string())
            .map(|i| (room, i)))
    }

    /// Takes invitation `id` of `user` in `room` away (whoever takes it first wins: false
    /// when it was gone already); their sockets get `invite.removed` with `reason`.
    pub async fn take_invite(
        &self,
        room: &RoomId,
        user: UserId,
        id: &str,
        reason: &str,
    ) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        let taken: u32 = timed(
            "hdel",
            redis::cmd("HDEL")
                .arg(keys::invites(room))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        let _: () = timed(
            "hdel",
            redis::pipe()
                .cmd("HDEL")
                .arg(keys::invites(room))
                .arg(keys::invite_of(user))
                .ignore()
                .cmd("HDEL")
                .arg(keys::user_invites(user))
                .arg(id)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        if taken == 0 {
            return Ok(false);
        }
        let event = InviteRemoved {
            id: id.to_owned(),
            room_id: room.to_string(),
            user_id: user.to_string(),
            reason: reason.to_owned(),
        };
        self.ctx
            .events()
            .publish(&ServerEvent::InviteRemoved(event))
            .await?;
        Ok(true)
    }

    /// Revokes `user`'s pending invitation to `room`, if any (a ban does).
    pub(crate) async fn revoke_invite_of(
        &self,
        room: &RoomId,
        user: UserId,
    ) -> Result<(), Failure> {
        self.drop_invite_of(room, user, "revoked").await
    }

    /// Takes away `user`'s pending invitation to `room`, if any, for `reason` (a join by
    /// other means uses it up: `accepted`).
    pub(crate) async fn drop_invite_of(
        &self,
        room: &RoomId,
        user: UserId,
        reason: &str,
    ) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let id: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::invites(room))
                .arg(keys::invite_of(user))
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        if let Some(id) = id {
            self.take_invite(room, user, &id, reason).await?;
        }
        Ok(())
    }

    /// Revokes the invitations and links to `room` whose maker `keep` refuses (a member
    /// removed, or no longer allowed to invite once the room went private).
    pub(crate) async fn revoke_made_by(
        &self,
        room: &RoomId,
        keep: impl Fn(&str) -> bool,
    ) -> Result<(), Failure> {
        for (id, link) in self.links_of(room).await? {
            if !keep(&link.by) {
                self.revoke_link(room, &id).await?;
            }
        }
        let mut from = ScanCursor::default();
        loop {
            let (page, next) = self.room_invites(room, from, 1000).await?;
            for (id, invite) in page {
                if keep(&invite.by) {
                    continue;
                }
                if let Ok(user) = invite.user_id.parse() {
                    self.take_invite(room, user, &id, "revoked").await?;
                }
            }
            match next {
                Some(n) => from = n,
                None => return Ok(()),
            }
        }
    }

    /// `user`'s pending invitations: `(id, room, invitation)`, oldest first. Ones whose
    /// room side is gone are dropped from the list.
    pub async fn invites_of(&self, user: UserId) -> Result<Vec<(String, RoomId, Invite)>, Failure> {
        let mut conn = self.ctx.redis()?;
        let held: Vec<(String, String)> = timed(
            "hgetall",
            redis::cmd("HGETALL")
                .arg(keys::user_invites(user))
                .query_async(&mut conn),
        )
        .await?;
        let held: Vec<(String, RoomId)> = held
            .into_iter()
            .filter_map(|(id, room)| Some((id, room.parse().ok()?)))
            .collect();
        if held.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for (id, room) in &held {
            pipe.cmd("HGET").arg(keys::invites(room)).arg(id);
        }
        let found: Vec<Option<String>> = timed("hget", pipe.query_async(&mut conn)).await?;
        let mut out = Vec::new();
        let mut stale = Vec::new();
        for ((id, room), raw) in held.into_iter().zip(found) {
            match raw.and_then(|r| serde_json::from_str::<Invite>(&r).ok()) {
                Some(i) if i.user_id == user.to_string() => out.push((id, room, i)),
                _ => stale.push(id),
            }
        }
        if !stale.is_empty() {
            let _: Result<(), _> = redis::cmd("HDEL")
                .arg(keys::user_invites(user))
                .arg(&stale)
                .query_async(&mut conn)
                .await;
        }
        out.sort_by_key(|(_, _, i)| i.date);
        Ok(out)
    }

    /// A page of `room`'s pending invitations: `(id, invitation)`.
    pub async fn room_invites(
        &self,
        room: &RoomId,
        from: ScanCursor,
        limit: usize,
    ) -> Result<(Vec<(String, Invite)>, Option<ScanCursor>), Failure> {
        let mut conn = self.ctx.redis()?;
        let (items, next) =
            scan_page(&mut conn, Scan::Hash, &keys::invites(room), from, limit).await?;
        let invites = items
            .into_iter()
            .filter_map(|item| {
                let mut item = item.into_iter();
                let id = item.next()?;
                let invite = serde_json::from_str(&item.next()?).ok()?;
                Some((id, invite))
            })
            .collect();
        Ok((invites, next))
    }

    /// Makes an invite link to `room` by `actor`, lasting `secs`, for at most `max_uses`
    /// joins: its id, token (shown once: only its hash is kept) and what is stored.
    pub async fn create_link(
        &self,
        actor: UserId,
        room: &RoomId,
        secs: u64,
        max_uses: Option<u64>,
    ) -> Result<(String, String, Link), Failure> {
        let token = new_token();
        let id = new_token()[..16].to_owned();
        let date = now_ms();
        let link = Link {
            hash: hash_token(&token),
            by: actor.to_string(),
            date,
            until: date + secs * 1000,
            max_uses,
            uses: 0,
        };
        let mut conn = self.ctx.redis()?;
        let _: () = timed(
            "hset",
            redis::pipe()
                .cmd("HSET")
                .arg(keys::links(room))
                .arg(&id)
                .arg(json(&link)?)
                .ignore()
                .cmd("SET")
                .arg(keys::invite_link(&link.hash))
                .arg(format!("{room} {id}"))
                .arg("PXAT")
                .arg(link.until)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        Ok((id, token, link))
    }

    /// `room`'s invite links that hold now, `(id, link)`, newest first (ended ones are
    /// removed).
    pub async fn links_of(&self, room: &RoomId) -> Result<Vec<(String, Link)>, Failure> {
        let mut conn = self.ctx.redis()?;
        let all: Vec<(String, String)> = timed(
            "hgetall",
            redis::cmd("HGETALL")
                .arg(keys::links(room))
                .query_async(&mut conn),
        )
        .await?;
        let now = now_ms();
        let mut out = Vec::new();
        let mut ended = Vec::new();
        for (id, raw) in all {
            match serde_json::from_str::<Link>(&raw) {
                Ok(l) if l.until > now => out.push((id, l)),
                _ => ended.push(id),
            }
        }
        if !ended.is_empty() {
            let _: Result<(), _> = redis::cmd("HDEL")
                .arg(keys::links(room))
                .arg(&ended)
                .query_async(&mut conn)
                .await;
        }
        out.sort_by_key(|(_, l)| std::cmp::Reverse(l.date));
        Ok(out)
    }

    /// Revokes invite link `id` of `room`: false when there was none.
    pub async fn revoke_link(&self, room: &RoomId, id: &str) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::links(room))
                .arg(id)
                .query_async(&mut conn),
        )
        .await?;
        let Some(link) = raw.and_then(|r| serde_json::from_str::<Link>(&r).ok()) else {
            return Ok(false);
        };
        let (removed,): (u32,) = timed(
            "hdel",
            redis::pipe()
                .cmd("HDEL")
                .arg(keys::links(room))
                .arg(id)
                .cmd("DEL")
                .arg(keys::invite_link(&link.hash))
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        Ok(removed == 1)
    }

    /// The room an invite link's token leads to, if the link holds (nothing is counted).
    pub async fn link_room(&self, token: &str) -> Result<Option<(RoomId, String)>, Failure> {
        let mut conn = self.ctx.redis()?;
        let found: Option<String> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::invite_link(&hash_token(token)))
                .query_async(&mut conn),
        )
        .await?;
        Ok(found.and_then(|f| {
            let (room, id) = f.split_once(' ')?;
            Some((room.parse().ok()?, id.to_owned()))
        }))
    }

    /// Counts one use of link `id` of `room`; a link used up is removed.
    pub async fn use_link(&self, room: &RoomId, id: &str) -> Result<LinkUse, Failure> {
        let mut cmd = self.use_link.0.call(&[&keys::links(room)]);
        cmd.arg(id).arg(now_ms());
        let mut conn = self.ctx.redis()?;
        let answer = timed("evalsha", self.use_link.0.run(&mut conn, &cmd)).await?;
        let status: String = read("use_link", answer)?;
        drop(conn);
        match status.as_str() {
            "ok" => Ok(LinkUse::Used(room.clone())),
            "last" => {
                self.revoke_link(room, id).await?;
                Ok(LinkUse::Used(room.clone()))
            }
            "gone" => Ok(LinkUse::Gone),
            other => Err(Failure::internal(format!(
                "redis use_link answered {other}"
            ))),
        }
    }
}
