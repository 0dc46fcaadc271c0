//! `/api/rooms/{id}/members`, `/bans`, `/audit`: roles and moderation.

use chat_auth::SessionAuth;
use chat_core::{protocol::UserView, ErrorBody, Failure, RoomId, RoomKind, UserId};
use chat_presence::PresenceStore;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi, Tags,
};

use crate::{
    input::{AuditCursor, BanReason, PageCursor},
    roles::{Moderated, Role},
    store::Access,
    RoomsStore,
};

#[derive(Tags)]
enum ApiTags {
    /// Members, roles and moderation of a room.
    Moderation,
}

/// A member of a room and their role.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct Member {
    pub user: UserView,
    pub role: Role,
    /// Until when (unix seconds) a moderator made them read-only (absent: they are not).
    #[oai(skip_serializing_if_is_none)]
    pub muted_until: Option<f64>,
}

/// How long a member stays read-only.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewMute {
    /// Seconds (at most 30 days).
    #[oai(validator(minimum(value = "1"), maximum(value = "2592000")))]
    pub expires_in_secs: u64,
}

/// A role to give.
#[derive(Debug, Object)]
pub struct RoleChange {
    /// `member`, `moderator`, `admin` or `owner`. One gives roles below one's own; an owner
    /// also makes owners; anyone may step down (except a room's last owner).
    pub role: Role,
}

/// A ban to give.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewBan {
    /// Why (shown to moderators, and to the banned user when they try to join).
    pub reason: BanReason,
    /// How long it lasts, in seconds (absent: until lifted).
    #[oai(
        nullable,
        validator(minimum(value = "1"), maximum(value = "315360000"))
    )]
    pub expires_in_secs: Option<u64>,
}

/// A ban in force.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct BanView {
    /// The banned user (`username` is "Deleted user" for an account since deleted).
    pub user: UserView,
    /// The moderator who banned them.
    pub by: String,
    pub reason: String,
    /// When, in unix seconds.
    pub date: f64,
    /// When it ends, in unix seconds (absent: until lifted).
    #[oai(skip_serializing_if_is_none)]
    pub expires_at: Option<f64>,
}

/// One thing a moderator did.
#[derive(Debug, Clone, Object)]
pub struct AuditEntryView {
    /// The entry's id: `before` of the next (older) page.
    pub id: String,
    /// `role`, `kick`, `ban` or `unban`.
    pub action: String,
    /// Who did it.
    pub actor: String,
    /// To whom.
    pub target: String,
    /// The new role, or the ban's reason.
    pub detail: String,
    /// When, in unix seconds.
    pub date: f64,
}

#[derive(ApiResponse)]
pub enum Moderation {
    /// Done (or nothing to change).
    #[oai(status = 204)]
    Done,
    /// The caller may not: they are not in the room (`not_member`), their role is too low
    /// for this (`not_allowed`), or the target's rank is not below theirs (`outranked`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, no such member of it, or no such ban.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The room has no such moderation (`not_moderated`: direct rooms, and kicks and bans
    /// in General, which everyone is in), or it would lose its last owner (`last_owner`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum MembersPage {
    /// Members with their roles (order unspecified). `Link: </api/rooms/{id}/members?
    /// limit=…&cursor=…>; rel="next"` names the next page; the last page has no `Link`.
    #[oai(status = 200)]
    Ok(Json<Vec<Member>>, #[oai(header = "Link")] Option<String>),
    /// The caller is not in this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum BansPage {
    /// Bans in force (order unspecified), with a `Link` to the next page while there is one.
    #[oai(status = 200)]
    Ok(Json<Vec<BanView>>, #[oai(header = "Link")] Option<String>),
    /// The caller is not a moderator of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum AuditPage {
    /// The newest entries first.
    #[oai(status = 200)]
    Ok(Json<Vec<AuditEntryView>>),
    /// The caller is not an admin of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

/// The place a path acts in, or (from the enclosing handler) the answer that stops it.
macro_rules! or_stop {
    ($place:expr) => {
        match $place {
            Ok(p) => p,
            Err(stop) => return Ok(stop.into()),
        }
    };
}
pub(crate) use or_stop;

/// The room a moderation path names, as the caller stands in it.
pub(crate) struct Place {
    pub room: RoomId,
    pub name: String,
    pub role: Role,
}

/// Why a path stops before it acts: the status and body.
pub(crate) enum Stop {
    Forbidden(&'static str, &'static str),
    NotFound(&'static str),
    Conflict(&'static str, &'static str),
}

pub(crate) fn body(error: &str, message: &str) -> Json<ErrorBody> {
    Json(ErrorBody::new(error, message))
}

impl From<Stop> for Moderation {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Forbidden(e, m) => Moderation::Forbidden(body(e, m)),
            Stop::NotFound(m) => Moderation::NotFound(body("not_found", m)),
            Stop::Conflict(e, m) => Moderation::Conflict(body(e, m)),
        }
    }
}

macro_rules! stop_into {
    ($t:ident) => {
        impl From<Stop> for $t {
            fn from(stop: Stop) -> Self {
                match stop {
                    Stop::Forbidden(e, m) | Stop::Conflict(e, m) => $t::Forbidden(body(e, m)),
                    Stop::NotFound(m) => $t::NotFound(body("not_found", m)),
                }
            }
        }
    };
}
stop_into!(MembersPage);
stop_into!(BansPage);
stop_into!(AuditPage);

pub(crate) const NO_ROOM: Stop = Stop::NotFound("id: no such room");
pub(crate) const NOT_ALLOWED: Stop =
    Stop::Forbidden("not_allowed", "your role in this room does not allow it");
const OUTRANKED: Stop = Stop::Forbidden(
    "outranked",
    "userId: their role is not below yours, or you may not give that role",
);
pub(crate) const NOT_MODERATED: Stop = Stop::Conflict(
    "not_moderated",
    "id: direct rooms have no roles, and everyone is in General (a site ban removes a user)",
);
const LAST_OWNER: Stop = Stop::Conflict(
    "last_owner",
    "the room's last owner stays owner: make another member owner first",
);

/// Where `user` stands in `room`: a member (with their role), or a site admin (as an
/// owner, in the room or not). Direct rooms have no moderation; a private room one is not
/// in does not exist.
pub(crate) async fn place(
    store: &RoomsStore,
    user: UserId,
    room: RoomId,
) -> Result<Result<Place, Stop>, Failure> {
    let name = match room.kind() {
        RoomKind::General => "General".to_owned(),
        RoomKind::Direct(..) => {
            return Ok(match store.access(user, &room).await? {
                Access::Member => Err(NOT_MODERATED),
                _ => Err(NO_ROOM),
            })
        }
        RoomKind::Named => match store.names(std::slice::from_ref(&room)).await?.pop() {
            Some(Some(n)) => n,
            _ => return Ok(Err(NO_ROOM)),
        },
    };
    if !store.is_site_admin(user).await? {
        match store.access(user, &room).await? {
            Access::Member => {}
            Access::NotMember => {
                return Ok(Err(Stop::Forbidden(
                    "not_member",
                    "id: you are not in this room",
                )))
            }
            Access::NotFound => return Ok(Err(NO_ROOM)),
        }
    }
    let role = store.role(user, &room).await?;
    Ok(Ok(Place { room, name, role }))
}

/// The room, where `user` has at least `least` rank.
pub(crate) async fn staff(
    store: &RoomsStore,
    user: UserId,
    room: RoomId,
    least: Role,
) -> Result<Result<Place, Stop>, Failure> {
    Ok(match place(store, user, room).await? {
        Ok(p) if p.role >= least => Ok(p),
        Ok(_) => Err(NOT_ALLOWED),
        Err(stop) => Err(stop),
    })
}

/// Unix seconds of a millisecond date.
pub(crate) fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// Most members or bans one page holds.
pub const MAX_PAGE: u32 = 1000;

/// The moderation API.
pub struct MembersApi {
    store: RoomsStore,
    presence: PresenceStore,
}

impl MembersApi {
    pub fn new(store: RoomsStore, presence: PresenceStore) -> Self {
        Self { store, presence }
    }

    /// The 404 for a `target` who is not an account in `room`, if they are not.
    async fn not_member(&self, room: &RoomId, target: UserId) -> Result<Option<Stop>, Failure> {
        let member =
            self.exists(target).await? && self.store.access(target, room).await? == Access::Member;
        Ok((!member).then_some(Stop::NotFound("userId: no such member of this room")))
    }

    /// Whether `user` is an account (not deleted).
    async fn exists(&self, user: UserId) -> Result<bool, Failure> {
        self.store.auth().is_active(user).await
    }

    fn verdict(done: Moderated) -> Moderation {
        match done {
            Moderated::Done(_) | Moderated::Same => Moderation::Done,
            Moderated::Forbidden => OUTRANKED.into(),
            Moderated::LastOwner => LAST_OWNER.into(),
            Moderated::Absent => Stop::NotFound("userId: no such ban").into(),
        }
    }
}

#[OpenApi(prefix_path = "/api/rooms", tag = "ApiTags::Moderation")]
impl MembersApi {
    /// A room's members
    ///
    /// Members with their roles, paged: at most `limit` (default 100) per page, and a
    /// `Link` header to the next page while there is one. General lists every account.
    #[oai(path = "/:id/members", method = "get", operation_id = "listMembers")]
    async fn members(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        /// Members per page (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `cursor` of the previous page's `Link` header.
        cursor: Query<Option<PageCursor>>,
    ) -> poem::Result<MembersPage> {
        let place = or_stop!(place(&self.store, auth.user_id(), id.0).await?);
        let limit = limit.0.unwrap_or(100).clamp(1, MAX_PAGE);
        let from = cursor.0.map(|c| c.0).unwrap_or_default();
        let (members, next) = self
            .store
            .members_page(&place.room, from, limit as usize)
            .await?;
        let ids: Vec<UserId> = members.iter().map(|(u, _, _)| *u).collect();
        let views = self.presence.views(&ids).await?;
        let known: std::collections::HashMap<String, (Role, Option<u64>)> = members
            .into_iter()
            .map(|(u, r, m)| (u.to_string(), (r, m)))
            .collect();
        let page = views
            .into_iter()
            .map(|user| {
                let (role, muted) = known.get(&user.id).copied().unwrap_or((Role::Member, None));
                Member {
                    role,
                    muted_until: muted.map(secs),
                    user,
                }
            })
            .collect();
        let link = next.map(|c| {
            format!(
                "</api/rooms/{}/members?limit={limit}&cursor={}>; rel=\"next\"",
                place.room,
                c.to_text()
            )
        });
        Ok(MembersPage::Ok(Json(page), link))
    }

    /// Give a member a role
    ///
    /// One gives roles below one's own rank, to members below it; an owner also makes
    /// other members owners (handing over ownership); anyone may step down, but a room
    /// keeps at least one owner. The room's members get `member.role`.
    #[oai(
        path = "/:id/members/:user_id/role",
        method = "put",
        operation_id = "setMemberRole"
    )]
    async fn set_role(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
        body: Json<RoleChange>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(place(&self.store, me, id.0).await?);
        let target = user_id.0;
        if let Some(stop) = self.not_member(&place.room, target).await? {
            return Ok(stop.into());
        }
        let done = self
            .store
            .set_role(me, &place.room, target, body.0.role)
            .await?;
        Ok(Self::verdict(done))
    }

    /// Remove a member
    ///
    /// Moderators and up remove a member of lower rank from a named room: the room's
    /// members get `member.kicked`, and the removed member's sockets leave the room
    /// (`room.left` with `reason: "kicked"`) on every instance. They may join again (a ban
    /// keeps them out).
    #[oai(
        path = "/:id/members/:user_id",
        method = "delete",
        operation_id = "kickMember"
    )]
    async fn kick(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        if place.room.kind() != RoomKind::Named {
            return Ok(NOT_MODERATED.into());
        }
        let target = user_id.0;
        if let Some(stop) = self.not_member(&place.room, target).await? {
            return Ok(stop.into());
        }
        let done = self
            .store
            .kick(me, &place.room, &place.name, target)
            .await?;
        Ok(Self::verdict(done))
    }

    /// Ban a user
    ///
    /// Moderators and up ban a user of lower rank from a named room, whether they are in it
    /// or not: a member is removed as by a kick (with `member.banned`), and nobody banned
    /// joins until the ban ends or is lifted. Banning again replaces the ban.
    #[oai(path = "/:id/bans/:user_id", method = "put", operation_id = "banUser")]
    async fn ban(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
        body: Json<NewBan>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        if place.room.kind() != RoomKind::Named {
            return Ok(NOT_MODERATED.into());
        }
        let target = user_id.0;
        if !self.exists(target).await? {
            return Ok(Stop::NotFound("userId: no such user").into());
        }
        let until = body
            .expires_in_secs
            .map(|s| (chat_core::now_secs() * 1000.0) as u64 + s * 1000);
        let done = self
            .store
            .ban(
                me,
                &place.room,
                &place.name,
                target,
                body.reason.as_str(),
                until,
            )
            .await?;
        Ok(Self::verdict(done))
    }

    /// Make a member read-only
    ///
    /// Moderators and up mute a member of lower rank for a while (in a named room or
    /// General): they read, but post, edit and react nothing (`muted`) until it ends or is
    /// lifted. The room's members get `member.muted`.
    #[oai(
        path = "/:id/mutes/:user_id",
        method = "put",
        operation_id = "muteMember"
    )]
    async fn mute(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
        body: Json<NewMute>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        let target = user_id.0;
        if let Some(stop) = self.not_member(&place.room, target).await? {
            return Ok(stop.into());
        }
        let until = (chat_core::now_secs() * 1000.0) as u64 + body.expires_in_secs * 1000;
        let done = self
            .store
            .mute(me, &place.room, target, Some(until))
            .await?;
        Ok(Self::verdict(done))
    }

    /// Lift a mute
    #[oai(
        path = "/:id/mutes/:user_id",
        method = "delete",
        operation_id = "unmuteMember"
    )]
    async fn unmute(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        let done = self.store.mute(me, &place.room, user_id.0, None).await?;
        Ok(match done {
            Moderated::Absent => Stop::NotFound("userId: they are not muted").into(),
            other => Self::verdict(other),
        })
    }

    /// Lift a ban
    #[oai(
        path = "/:id/bans/:user_id",
        method = "delete",
        operation_id = "unbanUser"
    )]
    async fn unban(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        user_id: Path<UserId>,
    ) -> poem::Result<Moderation> {
        let me = auth.user_id();
        let place = or_stop!(staff(&self.store, me, id.0, Role::Moderator).await?);
        let done = self.store.unban(me, &place.room, user_id.0).await?;
        Ok(Self::verdict(done))
    }

    /// A room's bans
    ///
    /// Bans in force, for moderators and up, paged like the members.
    #[oai(path = "/:id/bans", method = "get", operation_id = "listBans")]
    async fn bans(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        /// Bans per page (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `cursor` of the previous page's `Link` header.
        cursor: Query<Option<PageCursor>>,
    ) -> poem::Result<BansPage> {
        let place = or_stop!(staff(&self.store, auth.user_id(), id.0, Role::Moderator).await?);
        let limit = limit.0.unwrap_or(100).clamp(1, MAX_PAGE);
        let from = cursor.0.map(|c| c.0).unwrap_or_default();
        let (bans, next) = self
            .store
            .bans_page(&place.room, from, limit as usize)
            .await?;
        let ids: Vec<UserId> = bans.iter().map(|(u, _)| *u).collect();
        let names = self.store.auth().usernames(&ids).await?;
        let page = bans
            .into_iter()
            .zip(names)
            .map(|((user, ban), name)| BanView {
                user: UserView {
                    id: user.to_string(),
                    username: name.unwrap_or_default(),
                    online: false,
                },
                by: ban.by,
                reason: ban.reason,
                date: secs(ban.date),
                expires_at: ban.until.map(secs),
            })
            .collect();
        let link = next.map(|c| {
            format!(
                "</api/rooms/{}/bans?limit={limit}&cursor={}>; rel=\"next\"",
                place.room,
                c.to_text()
            )
        });
        Ok(BansPage::Ok(Json(page), link))
    }

    /// A room's audit log
    ///
    /// What its moderators did, newest first, for admins and up: at most `limit` (default
    /// 50) entries older than `before`. The newest 1000 or so are kept.
    #[oai(path = "/:id/audit", method = "get", operation_id = "roomAudit")]
    async fn audit(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        /// Entries per page (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// The `id` of the oldest entry seen: the page holds older ones.
        before: Query<Option<AuditCursor>>,
    ) -> poem::Result<AuditPage> {
        let place = or_stop!(staff(&self.store, auth.user_id(), id.0, Role::Admin).await?);
        let entries = self
            .store
            .audit_page(
                &place.room,
                before.0.map(|c| (c.ms, c.n)),
                limit.0.unwrap_or(50) as usize,
            )
            .await?;
        Ok(AuditPage::Ok(Json(
            entries
                .into_iter()
                .map(|e| AuditEntryView {
                    date: e
                        .id
                        .split_once('-')
                        .and_then(|(ms, _)| ms.parse().ok())
                        .map_or(0.0, secs),
                    id: e.id,
                    action: e.action,
                    actor: e.actor,
                    target: e.target,
                    detail: e.detail,
                })
                .collect(),
        )))
    }
}
