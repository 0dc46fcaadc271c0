//! `/api/rooms/{id}/invites`, `/api/invites`, `/api/rooms/{id}/invite-links`,
//! `/api/invite-links/{token}/accept`: invitations to one user, and invite links.

use chat_auth::SessionAuth;
use chat_core::{
    input::string_schema, protocol::UserView, Action, ErrorBody, Failure, Rejection, RoomId,
    RoomKind, TextInput, UserId,
};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    registry::MetaSchema,
    ApiResponse, Object, OpenApi, Tags,
};

use crate::{
    api::{too_many, too_many_rooms},
    input::PageCursor,
    invites::{Invite, Invited, Link, LinkUse},
    members_api::{body, or_stop, place, secs, staff, Place, Stop, NOT_ALLOWED},
    roles::Role,
    store::Access,
    RoomsStore,
};

#[derive(Tags)]
enum ApiTags {
    /// Invitations to rooms: to a user, or by link.
    Invitations,
}

/// `len` lowercase hex digits; anything else names nothing (404).
fn hex_id(s: &str, len: usize, what: &'static str) -> Result<String, Rejection> {
    if s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(s.to_owned())
    } else {
        Err(("not_found", what))
    }
}

macro_rules! hex_input {
    ($t:ident, $len:expr, $doc:expr, $missing:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $t(String);

        impl TextInput for $t {
            const NAME: &'static str = stringify!($t);

            fn schema() -> MetaSchema {
                string_schema(
                    $doc,
                    Some($len),
                    Some($len),
                    Some(concat!("^[0-9a-f]{", stringify!($len), "}$")),
                )
            }

            fn parse(s: &str) -> Result<Self, Rejection> {
                hex_id(s, $len, $missing).map(Self)
            }

            fn to_text(&self) -> String {
                self.0.clone()
            }
        }
        chat_core::text_input!($t);
    };
}

hex_input!(
    InviteId,
    32,
    "An invitation's id (32 hex digits).",
    "inviteId: no such invitation"
);
hex_input!(
    LinkId,
    16,
    "An invite link's id (16 hex digits).",
    "linkId: no such invite link"
);
hex_input!(
    LinkToken,
    64,
    "An invite link's token (64 hex digits), as in its `url`.",
    "token: no such invite link, or it ended"
);

/// Whom to invite.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewInvite {
    /// The user's id.
    pub user_id: UserId,
}

/// A pending invitation.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct InviteView {
    pub id: String,
    pub room_id: String,
    pub room_name: String,
    /// The invited user.
    pub user: UserView,
    /// Who invited them.
    pub invited_by: UserView,
    /// When, in unix seconds.
    pub date: f64,
}

/// A room one has entered.
#[derive(Debug, Clone, Object)]
pub struct EnteredRoom {
    /// The room's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An invite link to make.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewInviteLink {
    /// How long it lasts, in seconds (default 7 days, at most 30).
    #[oai(nullable, validator(minimum(value = "60"), maximum(value = "2592000")))]
    pub expires_in_secs: Option<u64>,
    /// How many people may join with it (absent: any number until it ends).
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "1000")))]
    pub max_uses: Option<u64>,
}

/// An invite link.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct InviteLinkView {
    pub id: String,
    /// The secret that joins: only in the answer that made the link (only its hash is
    /// kept).
    #[oai(skip_serializing_if_is_none)]
    pub token: Option<String>,
    /// Where the browser client accepts it (`/?invite=<token>`): only with `token`.
    #[oai(skip_serializing_if_is_none)]
    pub url: Option<String>,
    pub room_id: String,
    /// Who made it.
    pub by: String,
    /// When, in unix seconds.
    pub date: f64,
    /// When it ends, in unix seconds.
    pub expires_at: f64,
    /// How many may join with it (absent: any number).
    #[oai(skip_serializing_if_is_none)]
    pub max_uses: Option<u64>,
    /// How many did.
    pub uses: u64,
}

#[derive(ApiResponse)]
pub enum InviteResponse {
    /// Invited: the user sees it live (`invite.received`) and in `GET /api/invites`.
    #[oai(status = 201)]
    Created(Json<InviteView>),
    /// The user was invited already: the pending invitation.
    #[oai(status = 200)]
    Pending(Json<InviteView>),
    /// The caller is not in the room (`not_member`), or may not invite to it
    /// (`not_allowed`: in a private room, moderators and up invite).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, or no such user.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The user is in the room (`already_member`), banned from it (`banned`), or holds as
    /// many pending invitations as one may (`too_many_invites`); direct rooms and General
    /// take no invitations (`not_invitable`); their invitation changed as this ran
    /// (`conflict`: retry).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller invites faster than their rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum EnterResponse {
    /// The caller is in the room (they get `room.joined`).
    #[oai(status = 200)]
    Ok(Json<EnteredRoom>),
    /// The caller is banned from the room (`banned`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such invitation or link (or it ended, was used up or revoked).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The caller is in as many rooms as they may be (`too_many_rooms`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller joins rooms faster than their rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum Removed {
    /// Done.
    #[oai(status = 204)]
    Done,
    /// The caller may not (`not_allowed`, `not_member`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, invitation or link.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum RoomInvites {
    /// The room's pending invitations (order unspecified), with a `Link` to the next page
    /// while there is one.
    #[oai(status = 200)]
    Ok(
        Json<Vec<InviteView>>,
        #[oai(header = "Link")] Option<String>,
    ),
    /// The caller is not a moderator of the room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum LinkCreated {
    /// The link: share its `url` (or `token`); it is shown only now.
    #[oai(status = 201)]
    Created(Json<InviteLinkView>),
    /// The caller may not make links to this room (`not_allowed`, `not_member`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// Direct rooms and General take no invitations (`not_invitable`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller invites faster than their rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum LinksList {
    /// The room's invite links that hold, newest first (without their tokens).
    #[oai(status = 200)]
    Ok(Json<Vec<InviteLinkView>>),
    /// The caller is not a moderator of the room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

macro_rules! from_stop {
    ($t:ident, $conflict:expr) => {
        impl From<Stop> for $t {
            fn from(stop: Stop) -> Self {
                match stop {
                    Stop::Forbidden(e, m) => $t::Forbidden(body(e, m)),
                    Stop::NotFound(m) => $t::NotFound(body("not_found", m)),
                    Stop::Conflict(e, m) => $conflict(body(e, m)),
                }
            }
        }
    };
}
from_stop!(InviteResponse, InviteResponse::Conflict);
from_stop!(LinkCreated, LinkCreated::Conflict);
from_stop!(Removed, Removed::Forbidden);
from_stop!(RoomInvites, RoomInvites::Forbidden);
from_stop!(LinksList, LinksList::Forbidden);

const NOT_INVITABLE: Stop = Stop::Conflict(
    "not_invitable",
    "id: only named rooms take invitations (everyone is in General)",
);

/// Default life of an invite link: a week.
const LINK_DEFAULT_SECS: u64 = 7 * 24 * 3600;

/// The answer that `user` is in `room`.
fn entered(room: &RoomId, name: &str) -> EnterResponse {
    EnterResponse::Ok(Json(EnteredRoom {
        id: room.to_string(),
        name: name.to_owned(),
    }))
}

/// The invitations API.
pub struct InvitesApi {
    store: RoomsStore,
}

impl InvitesApi {
    pub fn new(store: RoomsStore) -> Self {
        Self { store }
    }

    /// The named room `id`, where `user` may invite: any member of a public room, the
    /// moderators and up of a private one.
    async fn inviter(&self, user: UserId, room: RoomId) -> Result<Result<Place, Stop>, Failure> {
        if room.kind() != RoomKind::Named {
            return Ok(match place(&self.store, user, room).await? {
                Ok(_) => Err(NOT_INVITABLE),
                Err(stop) => Err(stop),
            });
        }
        let p = match place(&self.store, user, room).await? {
            Ok(p) => p,
            Err(stop) => return Ok(Err(stop)),
        };
        let private = self
            .store
            .private(std::slice::from_ref(&p.room))
            .await?
            .pop()
            .unwrap_or(false);
        Ok(if private && p.role < Role::Moderator {
            Err(NOT_ALLOWED)
        } else {
            Ok(p)
        })
    }

    async fn view(
        &self,
        id: String,
        room: &RoomId,
        room_name: String,
        invite: Invite,
    ) -> Result<InviteView, Failure> {
        let ids: Vec<UserId> = [&invite.user_id, &invite.by]
            .iter()
            .filter_map(|u| u.parse().ok())
            .collect();
        let names = self.store.auth().usernames(&ids).await?;
        let name = |i: usize| names.get(i).cloned().flatten().unwrap_or_default();
        Ok(InviteView {
            id,
            room_id: room.to_string(),
            room_name,
            user: UserView {
                id: invite.user_id.clone(),
                username: name(0),
                online: false,
            },
            invited_by: UserView {
                id: invite.by.clone(),
                username: name(1),
                online: false,
            },
            date: secs(invite.date),
        })
    }

    /// Puts `user` in `room` (named `name`) through an invitation: the room cap, the join
    /// rate and bans hold as for joining; being in it already is fine.
    async fn enter(
        &self,
        user: UserId,
        room: &RoomId,
        name: &str,
    ) -> Result<EnterResponse, Failure> {
        if self.store.access(user, room).await? == Access::Member {
            return Ok(entered(room, name));
        }
        if let Some(refused) = self.admit(user).await? {
            return Ok(refused);
        }
        self.join(user, room, name).await
    }

    /// The room cap and the join rate, before someone enters a room: the refusal, if any.
    async fn admit(&self, user: UserId) -> Result<Option<EnterResponse>, Failure> {
        if let Err(cap) = self.store.room_for_one_more(user).await? {
            return Ok(Some(EnterResponse::Conflict(too_many_rooms(cap))));
        }
        if let Err(wait) = self.store.limiter().check(user, Action::JoinRoom) {
            let (b, secs) = too_many("rooms joined", wait);
            return Ok(Some(EnterResponse::TooMany(b, secs)));
        }
        Ok(None)
    }

    /// Puts `user` in `room` (admitted already), unless banned.
    async fn join(
        &self,
        user: UserId,
        room: &RoomId,
        name: &str,
    ) -> Result<EnterResponse, Failure> {
        if !self.store.join_unless_banned(user, room, name).await? {
            return Ok(EnterResponse::Forbidden(body(
                "banned",
                "you are banned from this room",
            )));
        }
        Ok(entered(room, name))
    }

    fn link_view(room: &RoomId, id: String, link: Link, token: Option<String>) -> InviteLinkView {
        InviteLinkView {
            url: token.as_ref().map(|t| format!("/?invite={t}")),
            token,
            id,
            room_id: room.to_string(),
            by: link.by,
            date: secs(link.date),
            expires_at: secs(link.until),
            max_uses: link.max_uses,
            uses: link.uses,
        }
    }
}

#[OpenApi(tag = "ApiTags::Invitations")]
impl InvitesApi {
    /// Invite a user to a room
    ///
    /// Any member invites to a public room; moderators and up to a private one. The user
    /// sees the invitation live (`invite.received`) and in `GET /api/invites`, and accepts
    /// or declines it. Inviting again answers the pending invitation.
    #[oai(
        path = "/api/rooms/:id/invites",
        method = "post",
        operation_id = "inviteUser"
    )]
    async fn invite(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        body_: Json<NewInvite>,
    ) -> poem::Result<InviteResponse> {
        let me = auth.user_id();
        let p = or_stop!(self.inviter(me, id.0).await?);
        let target = body_.0.user_id;
        if !self.store.auth().is_active(target).await? {
            return Ok(Stop::NotFound("userId: no such user").into());
        }
        if self.store.access(target, &p.room).await? == Access::Member {
            return Ok(InviteResponse::Conflict(body(
                "already_member",
                "userId: they are in this room",
            )));
        }
        if self.store.ban_of(target, &p.room).await?.is_some() {
            return Ok(InviteResponse::Conflict(body(
                "banned",
                "userId: they are banned from this room",
            )));
        }
        if let Err(wait) = self.store.limiter().check(me, Action::Invite) {
            let (b, secs) = too_many("invitations", wait);
            return Ok(InviteResponse::TooMany(b, secs));
        }
        let (id, new) = match self.store.invite(me, &p.room, &p.name, target).await? {
            Invited::New(id) => (id, true),
            Invited::Pending(id) => (id, false),
            Invited::Full => {
                return Ok(InviteResponse::Conflict(body(
                    "too_many_invites",
                    "userId: they hold as many pending invitations as one may",
                )))
            }
        };
        let Some(invite) = self.store.invite_in(&p.room, &id).await? else {
            // The pending one was taken (accepted, declined, revoked) as this ran.
            return Ok(InviteResponse::Conflict(body(
                "conflict",
                "userId: their invitation changed at the same time; retry",
            )));
        };
        let view = Json(self.view(id, &p.room, p.name, invite).await?);
        Ok(if new {
            InviteResponse::Created(view)
        } else {
            InviteResponse::Pending(view)
        })
    }

    /// A room's pending invitations
    ///
    /// For moderators and up, paged.
    #[oai(
        path = "/api/rooms/:id/invites",
        method = "get",
        operation_id = "listRoomInvites"
    )]
    async fn room_invites(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        /// Invitations per page (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `cursor` of the previous page's `Link` header.
        cursor: Query<Option<PageCursor>>,
    ) -> poem::Result<RoomInvites> {
        let p = or_stop!(staff(&self.store, auth.user_id(), id.0, Role::Moderator).await?);
        let limit = limit.0.unwrap_or(100).clamp(1, 1000);
        let from = cursor.0.map(|c| c.0).unwrap_or_default();
        let (invites, next) = self
            .store
            .room_invites(&p.room, from, limit as usize)
            .await?;
        let mut out = Vec::with_capacity(invites.len());
        for (id, invite) in invites {
            out.push(self.view(id, &p.room, p.name.clone(), invite).await?);
        }
        let link = next.map(|c| {
            format!(
                "</api/rooms/{}/invites?limit={limit}&cursor={}>; rel=\"next\"",
                p.room,
                c.to_text()
            )
        });
        Ok(RoomInvites::Ok(Json(out), link))
    }

    /// Revoke an invitation
    ///
    /// Its inviter, or the room's moderators and up. The invited user's sockets get
    /// `invite.removed`.
    #[oai(
        path = "/api/rooms/:id/invites/:invite_id",
        method = "delete",
        operation_id = "revokeInvite"
    )]
    async fn revoke(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        invite_id: Path<InviteId>,
    ) -> poem::Result<Removed> {
        let me = auth.user_id();
        let p = or_stop!(place(&self.store, me, id.0).await?);
        let Some(invite) = self.store.invite_in(&p.room, &invite_id.0 .0).await? else {
            return Ok(Stop::NotFound("inviteId: no such invitation").into());
        };
        if invite.by != me.to_string() && p.role < Role::Moderator {
            return Ok(NOT_ALLOWED.into());
        }
        let target: UserId = invite
            .user_id
            .parse()
            .map_err(|_| Failure::internal("an invitation names no user"))?;
        self.store
            .take_invite(&p.room, target, &invite_id.0 .0, "revoked")
            .await?;
        Ok(Removed::Done)
    }

    /// My invitations
    ///
    /// The caller's pending invitations, oldest first.
    #[oai(path = "/api/invites", method = "get", operation_id = "myInvites")]
    async fn mine(&self, auth: SessionAuth) -> poem::Result<Json<Vec<InviteView>>> {
        let invites = self.store.invites_of(auth.user_id()).await?;
        let rooms: Vec<RoomId> = invites.iter().map(|(_, r, _)| r.clone()).collect();
        let names = self.store.names(&rooms).await?;
        let mut out = Vec::with_capacity(invites.len());
        for ((id, room, invite), name) in invites.into_iter().zip(names) {
            // A room deleted meanwhile takes its invitations along.
            let Some(name) = name else { continue };
            out.push(self.view(id, &room, name, invite).await?);
        }
        Ok(Json(out))
    }

    /// Accept an invitation
    ///
    /// The caller joins the room (private or not; `room.joined` follows), unless banned
    /// from it since.
    #[oai(
        path = "/api/invites/:invite_id/accept",
        method = "post",
        operation_id = "acceptInvite"
    )]
    async fn accept(
        &self,
        auth: SessionAuth,
        invite_id: Path<InviteId>,
    ) -> poem::Result<EnterResponse> {
        let me = auth.user_id();
        let id = &invite_id.0 .0;
        let Some((room, _)) = self.store.invite_of(me, id).await? else {
            return Ok(EnterResponse::NotFound(body(
                "not_found",
                "inviteId: no such invitation",
            )));
        };
        let Some(Some(name)) = self.store.names(std::slice::from_ref(&room)).await?.pop() else {
            self.store.take_invite(&room, me, id, "revoked").await?;
            return Ok(EnterResponse::NotFound(body(
                "not_found",
                "inviteId: the room is gone",
            )));
        };
        let entered = self.enter(me, &room, &name).await?;
        // Used when it let them in, or when they are banned (it can never be used).
        match &entered {
            EnterResponse::Ok(_) => {
                self.store.take_invite(&room, me, id, "accepted").await?;
            }
            EnterResponse::Forbidden(_) => {
                self.store.take_invite(&room, me, id, "revoked").await?;
            }
            _ => {}
        }
        Ok(entered)
    }

    /// Decline an invitation
    #[oai(
        path = "/api/invites/:invite_id/decline",
        method = "post",
        operation_id = "declineInvite"
    )]
    async fn decline(&self, auth: SessionAuth, invite_id: Path<InviteId>) -> poem::Result<Removed> {
        let me = auth.user_id();
        let id = &invite_id.0 .0;
        let Some((room, _)) = self.store.invite_of(me, id).await? else {
            return Ok(Stop::NotFound("inviteId: no such invitation").into());
        };
        self.store.take_invite(&room, me, id, "declined").await?;
        Ok(Removed::Done)
    }

    /// Make an invite link
    ///
    /// Whoever may invite to the room makes a link that lets anyone signed in join it
    /// (private or not) until it ends or is used up. The token is in this answer only.
    #[oai(
        path = "/api/rooms/:id/invite-links",
        method = "post",
        operation_id = "createInviteLink"
    )]
    async fn create_link(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        body_: Json<NewInviteLink>,
    ) -> poem::Result<LinkCreated> {
        let me = auth.user_id();
        let p = or_stop!(self.inviter(me, id.0).await?);
        if let Err(wait) = self.store.limiter().check(me, Action::Invite) {
            let (b, secs) = too_many("invitations", wait);
            return Ok(LinkCreated::TooMany(b, secs));
        }
        let life = body_.expires_in_secs.unwrap_or(LINK_DEFAULT_SECS);
        let (id, token, link) = self
            .store
            .create_link(me, &p.room, life, body_.max_uses)
            .await?;
        Ok(LinkCreated::Created(Json(Self::link_view(
            &p.room,
            id,
            link,
            Some(token),
        ))))
    }

    /// A room's invite links
    ///
    /// For moderators and up: the links that hold, without their tokens.
    #[oai(
        path = "/api/rooms/:id/invite-links",
        method = "get",
        operation_id = "listInviteLinks"
    )]
    async fn links(&self, auth: SessionAuth, id: Path<RoomId>) -> poem::Result<LinksList> {
        let p = or_stop!(staff(&self.store, auth.user_id(), id.0, Role::Moderator).await?);
        let links = self.store.links_of(&p.room).await?;
        Ok(LinksList::Ok(Json(
            links
                .into_iter()
                .map(|(id, l)| Self::link_view(&p.room, id, l, None))
                .collect(),
        )))
    }

    /// Revoke an invite link
    ///
    /// Its maker, or the room's moderators and up.
    #[oai(
        path = "/api/rooms/:id/invite-links/:link_id",
        method = "delete",
        operation_id = "revokeInviteLink"
    )]
    async fn revoke_link(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        link_id: Path<LinkId>,
    ) -> poem::Result<Removed> {
        let me = auth.user_id();
        let p = or_stop!(place(&self.store, me, id.0).await?);
        let links = self.store.links_of(&p.room).await?;
        let Some((_, link)) = links.iter().find(|(i, _)| *i == link_id.0 .0) else {
            return Ok(Stop::NotFound("linkId: no such invite link").into());
        };
        if link.by != me.to_string() && p.role < Role::Moderator {
            return Ok(NOT_ALLOWED.into());
        }
        self.store.revoke_link(&p.room, &link_id.0 .0).await?;
        Ok(Removed::Done)
    }

    /// Join with an invite link
    ///
    /// The caller joins the link's room (private or not; `room.joined` follows), unless
    /// banned from it. Joining counts one use; a member of the room uses nothing.
    #[oai(
        path = "/api/invite-links/:token/accept",
        method = "post",
        operation_id = "acceptInviteLink"
    )]
    async fn accept_link(
        &self,
        auth: SessionAuth,
        token: Path<LinkToken>,
    ) -> poem::Result<EnterResponse> {
        const GONE: &str = "token: no such invite link, or it ended";
        let me = auth.user_id();
        let Some((room, link)) = self.store.link_room(&token.0 .0).await? else {
            return Ok(EnterResponse::NotFound(body("not_found", GONE)));
        };
        let Some(Some(name)) = self.store.names(std::slice::from_ref(&room)).await?.pop() else {
            return Ok(EnterResponse::NotFound(body("not_found", GONE)));
        };
        if self.store.access(me, &room).await? == Access::Member {
            return Ok(self.enter(me, &room, &name).await?);
        }
        if self.store.ban_of(me, &room).await?.is_some() {
            return Ok(EnterResponse::Forbidden(body(
                "banned",
                "you are banned from this room",
            )));
        }
        // Refused for the room cap or the join rate: no use of the link is spent.
        if let Some(refused) = self.admit(me).await? {
            return Ok(refused);
        }
        match self.store.use_link(&room, &link).await? {
            LinkUse::Gone => Ok(EnterResponse::NotFound(body("not_found", GONE))),
            LinkUse::Used(room) => Ok(self.join(me, &room, &name).await?),
        }
    }
}
