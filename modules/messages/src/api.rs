//! `/api/rooms/{id}/messages` and `/api/rooms/{id}/read`.

use chat_auth::SessionAuth;
use chat_core::{protocol::Message, ErrorBody, Failure, RoomId};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi, Tags,
};

use crate::{Cursor, Membership, MessagesStore, SendError};

#[derive(Tags)]
enum ApiTags {
    /// Messages and read markers.
    Messages,
}

/// A page of history.
#[derive(Debug, Object)]
pub struct MessagePage {
    /// The messages, oldest first.
    pub messages: Vec<Message>,
    /// Pass as `before=` for the next older page; `null` at the start of the room.
    pub before: Option<String>,
    /// Pass as `after=` to continue with newer messages.
    pub after: Option<String>,
    /// On the page that reaches the beginning of the kept history: the date up to which
    /// older messages were removed by the room's retention limit. Absent when none were.
    #[oai(rename = "trimmedBefore", skip_serializing_if_is_none)]
    pub trimmed_before: Option<f64>,
}

/// A message to post.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PostMessage {
    /// The text: non-empty after trimming, at most 4,000 characters.
    pub message: Option<String>,
    /// An id of the client's choosing (1–64 printable characters): a retry with the same
    /// `clientId` returns the first message instead of posting a second.
    pub client_id: Option<String>,
}

/// Where the caller has read up to.
#[derive(Debug, Object)]
pub struct ReadUpTo {
    /// The `date` of the newest message read.
    pub date: Option<f64>,
}

#[derive(ApiResponse)]
pub enum PageResponse {
    /// A page of messages.
    #[oai(status = 200)]
    Ok(Json<MessagePage>),
    /// A parameter is invalid; `message` names it.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The caller is not a member of this named room (join it first).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room (or not one of the caller's direct rooms).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum PostResponse {
    /// The message was stored and delivered (or, for a repeated `clientId`, was before).
    #[oai(status = 201)]
    Created(Json<Message>),
    /// A field is invalid; `message` names it.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The caller is not a member of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The caller posts faster than their message rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum ReadResponse {
    /// The read marker is at `date` or later.
    #[oai(status = 204)]
    Done,
    /// `date` is invalid.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The caller is not a member of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

/// Maps a refusal to the error body and status class the handlers share.
enum Refusal {
    Bad(ErrorBody),
    Forbidden(ErrorBody),
    NotFound(ErrorBody),
    /// Over a rate: the body, and whole seconds to wait.
    TooMany(ErrorBody, u64),
}

fn refusal(e: SendError) -> poem::Result<Refusal> {
    Ok(match e {
        SendError::Invalid(code, msg) => Refusal::Bad(ErrorBody::new(code, msg)),
        SendError::NotMember => Refusal::Forbidden(ErrorBody::new(
            "not_member",
            "roomId: you are not in this room",
        )),
        SendError::NotFound => {
            Refusal::NotFound(ErrorBody::new("not_found", "roomId: no such room"))
        }
        SendError::RateLimited(wait) => Refusal::TooMany(
            ErrorBody::new(
                "rate_limited",
                format!("too many messages; retry in {:.1} s", wait.as_secs_f64()),
            ),
            wait.as_secs_f64().ceil().max(1.0) as u64,
        ),
        SendError::Internal(f) => return Err(f.into()),
    })
}

/// The messages module's API.
pub struct MessagesApi {
    store: MessagesStore,
}

impl MessagesApi {
    pub fn new(store: MessagesStore) -> Self {
        Self { store }
    }
}

#[OpenApi(prefix_path = "/api/rooms", tag = "ApiTags::Messages")]
impl MessagesApi {
    /// Room history
    ///
    /// A page of messages, oldest first. Without cursors: the newest `limit` messages.
    /// `before=` pages back through history with the `before` cursor of the previous page;
    /// `after=` returns what came after (a message's `date` works as a cursor), for catching
    /// up after a reconnect. Cursors stay right while new messages arrive.
    #[oai(path = "/:id/messages", method = "get", operation_id = "listMessages")]
    async fn list(
        &self,
        auth: SessionAuth,
        id: Path<String>,
        /// Older than this cursor.
        before: Query<Option<String>>,
        /// Newer than this cursor.
        after: Query<Option<String>>,
        /// Page size, 1–100 (default 50).
        limit: Query<Option<u32>>,
    ) -> poem::Result<PageResponse> {
        let bad =
            |code: &str, msg: &str| Ok(PageResponse::BadRequest(Json(ErrorBody::new(code, msg))));
        let limit = limit.0.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return bad("invalid_limit", "limit: 1 to 100");
        }
        if before.0.is_some() && after.0.is_some() {
            return bad(
                "invalid_cursor",
                "before, after: give one of them, not both",
            );
        }
        let parse = |c: &Option<String>| c.as_deref().map(Cursor::parse);
        let (before, after) = (parse(&before.0), parse(&after.0));
        if matches!(before, Some(None)) {
            return bad("invalid_cursor", "before: not a cursor");
        }
        if matches!(after, Some(None)) {
            return bad("invalid_cursor", "after: not a cursor");
        }
        let Ok(room) = id.0.parse::<RoomId>() else {
            return Ok(PageResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "id: no such room",
            ))));
        };
        if let Err(e) = self.store.check_access(auth.user_id(), &room).await {
            return Ok(match refusal(e)? {
                Refusal::Forbidden(b) => PageResponse::Forbidden(Json(b)),
                Refusal::Bad(b) => PageResponse::BadRequest(Json(b)),
                Refusal::NotFound(b) => PageResponse::NotFound(Json(b)),
                Refusal::TooMany(..) => {
                    return Err(Failure::internal("reading is not rate-limited").into())
                }
            });
        }
        let page = self
            .store
            .page(
                &room,
                before.flatten().as_ref(),
                after.flatten().as_ref(),
                limit as usize,
            )
            .await?;
        Ok(PageResponse::Ok(Json(MessagePage {
            messages: page.messages,
            before: page.before,
            after: page.after,
            trimmed_before: page.trimmed_before,
        })))
    }

    /// Post a message
    ///
    /// The server sets `id`, `from` and `date`, stores the message and delivers it to the
    /// room's members on every instance.
    #[oai(path = "/:id/messages", method = "post", operation_id = "postMessage")]
    async fn post(
        &self,
        auth: SessionAuth,
        id: Path<String>,
        body: Json<PostMessage>,
    ) -> poem::Result<PostResponse> {
        let Ok(room) = id.0.parse::<RoomId>() else {
            return Ok(PostResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "id: no such room",
            ))));
        };
        let text = body.message.as_deref().unwrap_or_default();
        match self
            .store
            .send(
                auth.user_id(),
                &room,
                text,
                body.client_id.as_deref(),
                Membership::Unknown,
            )
            .await
        {
            Ok(sent) => Ok(PostResponse::Created(Json(sent.message))),
            Err(e) => Ok(match refusal(e)? {
                Refusal::Bad(b) => PostResponse::BadRequest(Json(b)),
                Refusal::Forbidden(b) => PostResponse::Forbidden(Json(b)),
                Refusal::NotFound(b) => PostResponse::NotFound(Json(b)),
                Refusal::TooMany(b, secs) => PostResponse::TooMany(Json(b), secs),
            }),
        }
    }

    /// Mark a room read
    ///
    /// Moves the caller's read marker forward to `date` (never back); the caller's other
    /// tabs and instances get `room.read`.
    #[oai(path = "/:id/read", method = "post", operation_id = "markRead")]
    async fn read(
        &self,
        auth: SessionAuth,
        id: Path<String>,
        body: Json<ReadUpTo>,
    ) -> poem::Result<ReadResponse> {
        if id.0.parse::<RoomId>().is_err() {
            return Ok(ReadResponse::NotFound(Json(ErrorBody::new(
                "not_found",
                "id: no such room",
            ))));
        }
        let date = body.date.unwrap_or(f64::NAN);
        match self.store.mark_read(auth.user_id(), &id.0, date).await {
            Ok(()) => Ok(ReadResponse::Done),
            Err(e) => Ok(match refusal(e)? {
                Refusal::Bad(b) => ReadResponse::BadRequest(Json(b)),
                Refusal::Forbidden(b) => ReadResponse::Forbidden(Json(b)),
                Refusal::NotFound(b) => ReadResponse::NotFound(Json(b)),
                Refusal::TooMany(..) => {
                    return Err(Failure::internal("read markers are not rate-limited").into())
                }
            }),
        }
    }
}
