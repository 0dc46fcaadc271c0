//! `/api/rooms` (the room listing, creating, joining and leaving rooms).

use std::sync::Arc;

use chat_auth::SessionAuth;
use chat_core::{
    protocol::{Message, UserView},
    Action, ErrorBody, Failure, RoomId, RoomKind, UserId,
};
use chat_presence::PresenceStore;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi, Tags,
};

use crate::{
    roles::Role,
    store::{Access, Created},
    RoomActivity, RoomName, RoomSearch, RoomsStore,
};

#[derive(Tags)]
enum ApiTags {
    /// Rooms: General, direct rooms and named rooms.
    Rooms,
}

/// What kind of room it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Kind {
    /// Room `0`: everyone is in it.
    General,
    /// Two users' private room.
    Direct,
    /// A named room anyone can join.
    Named,
}

/// Who may find and join a named room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Visibility {
    /// Listed in discovery; anyone joins.
    Public,
    /// Unlisted; joined only by invitation. To everyone else it does not exist (404).
    Private,
}

/// A room as its member sees it in the room list.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct RoomSummary {
    /// The room's id: `0`, `{a}:{b}` (direct) or digits (named).
    pub id: String,
    /// What to show: `General`, the other user's name, or the room's name.
    pub name: String,
    /// What kind of room it is.
    pub kind: Kind,
    /// The other user of a direct room (absent for other rooms).
    #[oai(skip_serializing_if_is_none)]
    pub peer: Option<UserView>,
    /// The newest message (absent in an empty room).
    #[oai(skip_serializing_if_is_none)]
    pub last_message: Option<Box<Message>>,
    /// Messages after the caller's read marker.
    pub unread: u64,
    /// Of those, the ones that mention the caller (`@username`).
    pub mentions: u64,
    /// Whether the caller muted the room (no notifications; `unread` still counts).
    pub muted: bool,
    /// The caller's role in the room (`member` in direct rooms; `owner` everywhere for a
    /// site admin).
    pub role: Role,
    /// A named room's visibility (absent for General and direct rooms).
    #[oai(skip_serializing_if_is_none)]
    pub visibility: Option<Visibility>,
    /// Until when (unix seconds) a moderator made the caller read-only here (absent: they
    /// are not): their posts, edits and reactions are refused with `muted` until then.
    #[oai(skip_serializing_if_is_none)]
    pub read_only_until: Option<f64>,
}

/// A named room one can join.
#[derive(Debug, Clone, Object)]
pub struct JoinableRoom {
    /// The room's id.
    pub id: String,
    /// The room's name.
    pub name: String,
    /// How many members it has.
    pub members: u64,
}

/// A page of joinable rooms.
#[derive(Debug, Clone, Object)]
pub struct JoinablePage {
    /// This page, ordered by creation.
    pub rooms: Vec<JoinableRoom>,
    /// How many rooms match the filter in all.
    pub total: u64,
}

/// A new named room.
#[derive(Debug, Object)]
pub struct NewRoom {
    /// The room's name.
    pub name: RoomName,
    /// `public` (the default) or `private`.
    #[oai(nullable)]
    pub visibility: Option<Visibility>,
}

/// A change of a named room's settings.
#[derive(Debug, Object)]
pub struct RoomChange {
    /// `public` or `private` (admins and owners).
    #[oai(nullable)]
    pub visibility: Option<Visibility>,
}

#[derive(ApiResponse)]
pub enum UpdateResponse {
    /// The room as it is now.
    #[oai(status = 200)]
    Ok(Json<RoomSummary>),
    /// The caller is not an admin or owner of the room (`not_allowed`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room (or one the caller is not in and may not see).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// General and direct rooms have no settings (`not_named`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
}

/// Whom to open a direct room with.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DirectWith {
    /// The other user's id.
    pub user_id: UserId,
}

#[derive(ApiResponse)]
pub enum CreateResponse {
    /// The room was created; the caller is in it.
    #[oai(status = 201)]
    Created(Json<RoomSummary>),
    /// A room with this name exists, ignoring case (`room_name_taken`), or the caller is in
    /// as many rooms as they may be (`too_many_rooms`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller creates rooms faster than their rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum DirectResponse {
    /// The direct room (created if it did not exist).
    #[oai(status = 200)]
    Ok(Json<RoomSummary>),
    /// No such user.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The other user is the caller.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller opens direct rooms faster than their rate; retry after `Retry-After`
    /// seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum JoinResponse {
    /// The room; the caller is in it (joining a room one is in changes nothing).
    #[oai(status = 200)]
    Ok(Json<RoomSummary>),
    /// The caller is banned from this room (`banned`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such named room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The caller is in as many rooms as they may be (`too_many_rooms`): leave one first.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller joins rooms faster than their rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

/// The body of a 409 for a user in as many rooms as they may be.
pub(crate) fn too_many_rooms(cap: u64) -> Json<ErrorBody> {
    Json(ErrorBody::new(
        "too_many_rooms",
        format!("you are in {cap} rooms, as many as one may be; leave one first"),
    ))
}

/// The body and `Retry-After` seconds of a 429 for an action over the caller's rate.
pub(crate) fn too_many(what: &str, wait: std::time::Duration) -> (Json<ErrorBody>, u64) {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    (
        Json(ErrorBody::new(
            "rate_limited",
            format!("too many {what}; retry in {secs} s"),
        )),
        secs,
    )
}

#[derive(ApiResponse)]
pub enum MuteResponse {
    /// The room is muted (or unmuted) for the caller.
    #[oai(status = 204)]
    Done,
    /// The caller is not a member of this named room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room (or not one of the caller's direct rooms).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum LeaveResponse {
    /// The caller is no longer a member.
    #[oai(status = 204)]
    Left,
    /// No such room, or the caller is not in it.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// General and direct rooms cannot be left (`not_leavable`); the room's last owner
    /// stays until they make another member owner (`last_owner`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
}

/// The rooms module's API.
pub struct RoomsApi {
    store: RoomsStore,
    presence: PresenceStore,
    activity: Arc<dyn RoomActivity>,
}

fn not_found(what: &str) -> Json<ErrorBody> {
    Json(ErrorBody::new("not_found", format!("{what}: no such room")))
}

impl RoomsApi {
    pub fn new(
        store: RoomsStore,
        presence: PresenceStore,
        activity: Arc<dyn RoomActivity>,
    ) -> Self {
        Self {
            store,
            presence,
            activity,
        }
    }

    /// Builds the listing entries of `rooms` as `user` sees them, most recent first.
    async fn summaries(&self, user: UserId, rooms: &[RoomId]) -> Result<Vec<RoomSummary>, Failure> {
        let peers: Vec<UserId> = rooms
            .iter()
            .filter_map(|r| match r.kind() {
                RoomKind::Direct(a, b) => Some(if a == user { b } else { a }),
                _ => None,
            })
            .collect();
        // Keyed by id: a peer without an account (deleted by hand) is left out, not shifted.
        let peer_views: std::collections::HashMap<String, UserView> = self
            .presence
            .views(&peers)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), v))
            .collect();
        let named: Vec<RoomId> = rooms
            .iter()
            .filter(|r| r.kind() == RoomKind::Named)
            .cloned()
            .collect();
        let mut names = self.store.names(&named).await?.into_iter();
        let mut private = self.store.private(&named).await?.into_iter();
        let (activity, muted, roles) = futures_util::future::join3(
            self.activity.activity(user, rooms),
            self.store.muted(user),
            self.store.standing_in(user, rooms),
        )
        .await;
        let (activity, muted, roles) = (activity?, muted?, roles?);
        let mut out = Vec::with_capacity(rooms.len());
        for ((room, activity), (role, read_only)) in rooms.iter().zip(activity).zip(roles) {
            let (name, kind, peer, visibility) = match room.kind() {
                RoomKind::General => ("General".to_owned(), Kind::General, None, None),
                RoomKind::Direct(a, b) => {
                    let other = if a == user { b } else { a };
                    let peer = peer_views.get(&other.to_string()).cloned();
                    let Some(peer) = peer else { continue };
                    (peer.username.clone(), Kind::Direct, Some(peer), None)
                }
                RoomKind::Named => {
                    let visibility = if private.next().unwrap_or(false) {
                        Visibility::Private
                    } else {
                        Visibility::Public
                    };
                    match names.next().flatten() {
                        Some(n) => (n, Kind::Named, None, Some(visibility)),
                        None => continue,
                    }
                }
            };
            out.push(RoomSummary {
                id: room.to_string(),
                name,
                kind,
                peer,
                last_message: activity.last.map(Box::new),
                unread: activity.unread,
                mentions: activity.mentions,
                muted: muted.contains(room.as_str()),
                role,
                visibility,
                read_only_until: read_only.map(|u| u as f64 / 1000.0),
            });
        }
        out.sort_by(|a, b| {
            let da = a.last_message.as_ref().map_or(0.0, |m| m.date);
            let db = b.last_message.as_ref().map_or(0.0, |m| m.date);
            db.total_cmp(&da).then_with(|| a.name.cmp(&b.name))
        });
        Ok(out)
    }

    async fn summary(&self, user: UserId, room: &RoomId) -> Result<Option<RoomSummary>, Failure> {
        Ok(self
            .summaries(user, std::slice::from_ref(room))
            .await?
            .pop())
    }

    async fn set_muted(
        &self,
        user: UserId,
        room: &RoomId,
        muted: bool,
    ) -> poem::Result<MuteResponse> {
        match self.store.access(user, room).await? {
            Access::Member => {
                self.store.set_muted(user, room, muted).await?;
                Ok(MuteResponse::Done)
            }
            Access::NotMember => Ok(MuteResponse::Forbidden(Json(ErrorBody::new(
                "not_member",
                "id: you are not in this room",
            )))),
            Access::NotFound => Ok(MuteResponse::NotFound(not_found("id"))),
        }
    }

    /// A named room's id and name, or `None` when it is not a named room that exists.
    async fn named(&self, room: RoomId) -> Result<Option<(RoomId, String)>, Failure> {
        if room.kind() != RoomKind::Named {
            return Ok(None);
        }
        Ok(self
            .store
            .names(std::slice::from_ref(&room))
            .await?
            .pop()
            .flatten()
            .map(|n| (room, n)))
    }
}

#[OpenApi(prefix_path = "/api/rooms", tag = "ApiTags::Rooms")]
impl RoomsApi {
    /// My rooms
    ///
    /// The caller's rooms with display name, last message and unread count, most recently
    /// active first.
    #[oai(path = "/", method = "get", operation_id = "listRooms")]
    async fn list(&self, auth: SessionAuth) -> poem::Result<Json<Vec<RoomSummary>>> {
        let user = auth.user_id();
        let rooms = self.store.rooms_of(user).await?;
        Ok(Json(self.summaries(user, &rooms).await?))
    }

    /// Rooms to join
    ///
    /// Named rooms the caller is not in, optionally filtered by a part of their name, paged.
    #[oai(path = "/discover", method = "get", operation_id = "discoverRooms")]
    async fn discover(
        &self,
        auth: SessionAuth,
        /// Part of the name to look for (case-insensitive).
        q: Query<Option<RoomSearch>>,
        /// How many matching rooms to skip.
        #[oai(validator(minimum(value = "0"), maximum(value = "4294967295")))]
        offset: Query<Option<u32>>,
        /// Page size (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> poem::Result<Json<JoinablePage>> {
        let (page, total) = self
            .store
            .discover(
                auth.user_id(),
                q.0.as_ref().map_or("", RoomSearch::as_str),
                offset.0.unwrap_or(0) as usize,
                limit.0.unwrap_or(20) as usize,
            )
            .await?;
        Ok(Json(JoinablePage {
            rooms: page
                .into_iter()
                .map(|(id, name, members)| JoinableRoom {
                    id: id.to_string(),
                    name,
                    members,
                })
                .collect(),
            total: total as u64,
        }))
    }

    /// Create a named room
    ///
    /// The creator joins it. Names are 1–64 characters (trimmed) and unique, ignoring case.
    #[oai(path = "/", method = "post", operation_id = "createRoom")]
    async fn create(&self, auth: SessionAuth, body: Json<NewRoom>) -> poem::Result<CreateResponse> {
        let name = body.name.as_str();
        if let Err(cap) = self.store.room_for_one_more(auth.user_id()).await? {
            return Ok(CreateResponse::Conflict(too_many_rooms(cap)));
        }
        if let Err(wait) = self
            .store
            .limiter()
            .check(auth.user_id(), Action::CreateRoom)
        {
            let (body, secs) = too_many("new rooms", wait);
            return Ok(CreateResponse::TooMany(body, secs));
        }
        let private = body.visibility == Some(Visibility::Private);
        match self
            .store
            .create_named(auth.user_id(), name, private)
            .await?
        {
            Created::NameTaken => Ok(CreateResponse::Conflict(Json(ErrorBody::new(
                "room_name_taken",
                format!("name: a room named '{name}' exists"),
            )))),
            Created::Room(room) => match self.summary(auth.user_id(), &room).await? {
                Some(s) => Ok(CreateResponse::Created(Json(s))),
                None => Err(Failure::internal("room vanished after creation").into()),
            },
        }
    }

    /// Open a direct room
    ///
    /// Creates (or returns) the private room of the caller and another user. Idempotent.
    #[oai(path = "/direct", method = "post", operation_id = "openDirectRoom")]
    async fn direct(
        &self,
        auth: SessionAuth,
        body: Json<DirectWith>,
    ) -> poem::Result<DirectResponse> {
        let (me, other) = (auth.user_id(), body.user_id);
        if other == me {
            return Ok(DirectResponse::Conflict(Json(ErrorBody::new(
                "same_user",
                "userId: a direct room needs another user",
            ))));
        }
        if !self.store.auth().is_active(other).await? {
            return Ok(DirectResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "userId: no such user",
            ))));
        }
        if let Err(wait) = self.store.limiter().check(me, Action::OpenDirect) {
            let (body, secs) = too_many("direct rooms opened", wait);
            return Ok(DirectResponse::TooMany(body, secs));
        }
        let room = self.store.open_direct(me, other).await?;
        match self.summary(me, &room).await? {
            Some(s) => Ok(DirectResponse::Ok(Json(s))),
            None => Err(Failure::internal("direct room vanished").into()),
        }
    }

    /// Join a named room
    #[oai(path = "/:id/join", method = "post", operation_id = "joinRoom")]
    async fn join(&self, auth: SessionAuth, id: Path<RoomId>) -> poem::Result<JoinResponse> {
        let Some((room, name)) = self.named(id.0).await? else {
            return Ok(JoinResponse::NotFound(not_found("id")));
        };
        let me = auth.user_id();
        // Joining a room one is in is free: no token, no event. A private room one is not
        // in does not exist (an invitation is accepted through /api/invites).
        match self.store.access(me, &room).await? {
            Access::Member => {}
            Access::NotFound => return Ok(JoinResponse::NotFound(not_found("id"))),
            Access::NotMember => {
                if let Err(cap) = self.store.room_for_one_more(me).await? {
                    return Ok(JoinResponse::Conflict(too_many_rooms(cap)));
                }
                if let Err(wait) = self.store.limiter().check(me, Action::JoinRoom) {
                    let (body, secs) = too_many("rooms joined", wait);
                    return Ok(JoinResponse::TooMany(body, secs));
                }
                if !self.store.join_unless_banned(me, &room, &name).await? {
                    return Ok(JoinResponse::Forbidden(Json(ErrorBody::new(
                        "banned",
                        "id: you are banned from this room",
                    ))));
                }
            }
        }
        match self.summary(auth.user_id(), &room).await? {
            Some(s) => Ok(JoinResponse::Ok(Json(s))),
            None => Ok(JoinResponse::NotFound(not_found("id"))),
        }
    }

    /// Change a room's settings
    ///
    /// Admins and owners make a named room `private` (gone from discovery; joined only by
    /// invitation; 404 to everyone outside it) or `public` again. The room's members get
    /// `room.updated`.
    #[oai(path = "/:id", method = "patch", operation_id = "updateRoom")]
    async fn update(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        body: Json<RoomChange>,
    ) -> poem::Result<UpdateResponse> {
        let me = auth.user_id();
        let room = id.0;
        let admin = self.store.is_site_admin(me).await?;
        if !admin && self.store.access(me, &room).await? != Access::Member {
            return Ok(UpdateResponse::NotFound(not_found("id")));
        }
        let Some((room, name)) = self.named(room.clone()).await? else {
            return Ok(if room.kind() == RoomKind::Named {
                UpdateResponse::NotFound(not_found("id"))
            } else {
                UpdateResponse::Conflict(Json(ErrorBody::new(
                    "not_named",
                    "id: only named rooms have settings",
                )))
            });
        };
        if self.store.role(me, &room).await? < Role::Admin {
            return Ok(UpdateResponse::Forbidden(Json(ErrorBody::new(
                "not_allowed",
                "your role in this room does not allow it",
            ))));
        }
        if let Some(v) = body.visibility {
            self.store
                .set_private(&room, &name, v == Visibility::Private)
                .await?;
        }
        match self.summary(me, &room).await? {
            Some(s) => Ok(UpdateResponse::Ok(Json(s))),
            // A site admin outside the room: what the room is now, as a member would see it.
            None => Err(Failure::internal("room vanished").into()),
        }
    }

    /// Mute a room
    ///
    /// No notifications for this room on any of the caller's devices; unread messages and
    /// mentions are still counted. The caller's sockets get `room.muted`.
    #[oai(path = "/:id/mute", method = "put", operation_id = "muteRoom")]
    async fn mute(&self, auth: SessionAuth, id: Path<RoomId>) -> poem::Result<MuteResponse> {
        self.set_muted(auth.user_id(), &id.0, true).await
    }

    /// Unmute a room
    #[oai(path = "/:id/mute", method = "delete", operation_id = "unmuteRoom")]
    async fn unmute(&self, auth: SessionAuth, id: Path<RoomId>) -> poem::Result<MuteResponse> {
        self.set_muted(auth.user_id(), &id.0, false).await
    }

    /// Leave a named room
    ///
    /// General and direct rooms cannot be left.
    #[oai(path = "/:id/leave", method = "post", operation_id = "leaveRoom")]
    async fn leave(&self, auth: SessionAuth, id: Path<RoomId>) -> poem::Result<LeaveResponse> {
        if id.0.kind() != RoomKind::Named {
            return Ok(LeaveResponse::Conflict(Json(ErrorBody::new(
                "not_leavable",
                "id: only named rooms can be left",
            ))));
        }
        let Some((room, name)) = self.named(id.0).await? else {
            return Ok(LeaveResponse::NotFound(not_found("id")));
        };
        match self.store.access(auth.user_id(), &room).await? {
            Access::Member => {}
            // A private room one is not in does not exist.
            Access::NotFound => return Ok(LeaveResponse::NotFound(not_found("id"))),
            Access::NotMember => {
                return Ok(LeaveResponse::NotFound(Json(ErrorBody::new(
                    "not_member",
                    "id: you are not in this room",
                ))))
            }
        }
        if !self.store.step_down(auth.user_id(), &room).await? {
            return Ok(LeaveResponse::Conflict(Json(ErrorBody::new(
                "last_owner",
                "id: you are the room's last owner: make another member owner first",
            ))));
        }
        self.store.leave(auth.user_id(), &room, &name).await?;
        Ok(LeaveResponse::Left)
    }
}
