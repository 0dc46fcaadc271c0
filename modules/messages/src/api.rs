//! `/api/rooms/{id}/messages` (history, posting, editing, deleting, reactions) and
//! `/api/rooms/{id}/read`.

use chat_auth::SessionAuth;
use chat_core::{protocol::Message, ErrorBody, Failure, RoomId};
use chat_rooms::{report_views, ReportReason, ReportView};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi, Tags,
};

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};

use crate::{
    attachment_ids, ClientId, Cursor, Emoji, KnownMember, MessageError, MessageId, MessageText,
    MessagesStore, Post, ReadDate, ReplyTo, UploadId,
};

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
    /// Pass as `before=` for the next older page; absent at the start of the room.
    #[oai(skip_serializing_if_is_none)]
    pub before: Option<String>,
    /// Pass as `after=` to continue with newer messages; absent on an empty room.
    #[oai(skip_serializing_if_is_none)]
    pub after: Option<String>,
    /// On the page that reaches the beginning of the kept history: the date up to which
    /// older messages were removed by the room's retention limit. Absent when none were.
    #[oai(rename = "trimmedBefore", skip_serializing_if_is_none)]
    pub trimmed_before: Option<f64>,
}

/// The fields of a message to post ([`PostMessage`] adds that it has text, files, or
/// both).
#[derive(Debug, Object)]
#[oai(rename = "PostMessageFields", rename_all = "camelCase")]
pub struct PostMessageFields {
    /// The text (may be left out when the message carries attachments).
    pub message: Option<MessageText>,
    /// An id of the client's choosing: a retry with the same `clientId` returns the first
    /// message instead of posting a second.
    pub client_id: Option<ClientId>,
    /// The `id` of the message of this room it answers; it then carries that message's
    /// quote.
    pub reply_to: Option<ReplyTo>,
    /// Files to send with it: ids of the caller's uploads in this room
    /// (`POST /api/rooms/{id}/uploads`) not sent yet, 1 to 10.
    #[oai(validator(min_items = 1, max_items = 10, unique_items))]
    pub attachments: Option<Vec<UploadId>>,
}

/// A message to post: a text, files, or both.
#[derive(Debug)]
pub struct PostMessage(pub PostMessageFields);

impl poem_openapi::types::Type for PostMessage {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "PostMessage".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        PostMessageFields::register(registry);
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| {
            let needs = |field: &'static str| {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    required: vec![field],
                    ..MetaSchema::new("object")
                }))
            };
            MetaSchema {
                description: Some("A message to post: `message`, `attachments`, or both."),
                all_of: vec![PostMessageFields::schema_ref()],
                any_of: vec![needs("message"), needs("attachments")],
                ..MetaSchema::ANY
            }
        });
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl poem_openapi::types::ParseFromJSON for PostMessage {
    fn parse_from_json(value: Option<serde_json::Value>) -> poem_openapi::types::ParseResult<Self> {
        let fields = PostMessageFields::parse_from_json(value)
            .map_err(poem_openapi::types::ParseError::propagate)?;
        if fields.message.is_none() && fields.attachments.is_none() {
            return Err(poem_openapi::types::ParseError::custom(
                chat_core::input::encode((
                    "empty_message",
                    "message: send a text, attachments, or both",
                )),
            ));
        }
        Ok(Self(fields))
    }
}

/// A message's new text.
#[derive(Debug, Object)]
pub struct EditMessage {
    /// The new text.
    pub message: MessageText,
}

/// Where the caller has read up to.
#[derive(Debug, Object)]
pub struct ReadUpTo {
    /// The `date` of the newest message read (a later date reads up to the newest).
    pub date: ReadDate,
}

#[derive(ApiResponse)]
pub enum PageResponse {
    /// A page of messages.
    #[oai(status = 200)]
    Ok(Json<MessagePage>),
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
    Created(Json<Box<Message>>),
    /// The caller is not a member of this room (`not_member`), or a moderator made them
    /// read-only in it for a while (`muted`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, `replyTo` names no message of it (`reply_not_found`), or an attachment
    /// is not one of the caller's uploads in it (`attachment_not_found`).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// `replyTo` names a deleted message (`reply_deleted`), or an attachment was sent with
    /// another message (`attachment_taken`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The caller posts faster than their message rate; retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

/// A report of a message.
#[derive(Debug, Object)]
pub struct NewReport {
    /// Why it should be looked at.
    pub reason: ReportReason,
}

#[derive(ApiResponse)]
pub enum ReportResponse {
    /// Reported: the room's moderators see it.
    #[oai(status = 201)]
    Created(Json<Box<ReportView>>),
    /// The caller's open report of this message, made before.
    #[oai(status = 200)]
    Ok(Json<Box<ReportView>>),
    /// The caller is not a member of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, or no such message in it.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The message was deleted (`message_deleted`) or is the caller's own
    /// (`own_message`).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Over the caller's rate (reports count as messages); retry after `Retry-After`.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum ChangeResponse {
    /// The message as it is now (for a change that changed nothing, as it was).
    #[oai(status = 200)]
    Ok(Json<Box<Message>>),
    /// Not the message's author (edit, delete), not a member of the room, or read-only in
    /// it for a while (`muted`: no edits, no reactions).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, or no such message in it.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The message was deleted (`message_deleted`), a reaction would pass its bounds
    /// (`reaction_limit`: 20 different emoji per message, 10 reactions per user on one
    /// message), or the message kept changing at the same time (`conflict`: retry).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Over the caller's rate (changes count as messages); retry after `Retry-After`.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

impl ChangeResponse {
    fn of(result: Result<Message, MessageError>) -> poem::Result<Self> {
        match result {
            Ok(m) => Ok(ChangeResponse::Ok(Json(Box::new(m)))),
            Err(e) => Ok(match refusal(e)? {
                (
                    MessageError::NotMember | MessageError::NotAuthor | MessageError::Muted(_),
                    body,
                    _,
                ) => ChangeResponse::Forbidden(body),
                (
                    MessageError::Deleted | MessageError::ReactionLimit(_) | MessageError::Conflict,
                    body,
                    _,
                ) => ChangeResponse::Conflict(body),
                (MessageError::RateLimited(_), body, secs) => ChangeResponse::TooMany(body, secs),
                (_, body, _) => ChangeResponse::NotFound(body),
            }),
        }
    }
}

#[derive(ApiResponse)]
pub enum DeleteResponse {
    /// The tombstone (for a message deleted before, as it was).
    #[oai(status = 200)]
    Ok(Json<Box<Message>>),
    /// Not the message's author, or not a member of the room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room, or no such message in it.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The message kept changing at the same time (`conflict`): retry.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Over the caller's rate (changes count as messages); retry after `Retry-After`.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum ReadResponse {
    /// The read marker is at `date` or later.
    #[oai(status = 204)]
    Done,
    /// The caller is not a member of this room.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such room.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

/// Whole seconds for `Retry-After`, at least one.
fn retry_secs(wait: Option<std::time::Duration>) -> u64 {
    wait.map_or(1, |w| w.as_secs_f64().ceil().max(1.0) as u64)
}

/// A refusal's body, or the internal failure as a bare 500.
fn refusal(e: MessageError) -> poem::Result<(MessageError, Json<ErrorBody>, u64)> {
    match e.body() {
        Some((body, wait)) => Ok((e, Json(body), retry_secs(wait))),
        None => match e {
            MessageError::Internal(f) => Err(f.into()),
            _ => Err(Failure::internal("a refusal without a body").into()),
        },
    }
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
        id: Path<RoomId>,
        /// Older than this cursor.
        before: Query<Option<Cursor>>,
        /// Newer than this cursor (with `before` too: the messages between them).
        after: Query<Option<Cursor>>,
        /// Page size (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> poem::Result<PageResponse> {
        let room = id.0;
        if let Err(e) = self.store.check_access(auth.user_id(), &room).await {
            return Ok(match refusal(e)? {
                (MessageError::NotMember, body, _) => PageResponse::Forbidden(body),
                (_, body, _) => PageResponse::NotFound(body),
            });
        }
        let limit = limit.0.unwrap_or(50) as usize;
        let page = self
            .store
            .page(
                &room,
                auth.user_id(),
                before.0.as_ref(),
                after.0.as_ref(),
                limit,
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
        id: Path<RoomId>,
        body: Json<PostMessage>,
    ) -> poem::Result<PostResponse> {
        let PostMessageFields {
            message,
            client_id,
            reply_to,
            attachments,
        } = body.0 .0;
        let attachments = match attachment_ids(attachments.as_deref().unwrap_or_default()) {
            Ok(ids) => ids,
            Err(refused) => {
                return Err(poem_openapi::error::ParseRequestPayloadError {
                    reason: chat_core::input::encode(refused),
                }
                .into())
            }
        };
        let post = Post {
            text: message.as_ref(),
            client_id: client_id.as_ref(),
            reply_to: reply_to.as_ref().map(|r| &r.0),
            attachments: &attachments,
        };
        let sent = self
            .store
            .send(auth.user_id(), &id.0, post, KnownMember::Unknown)
            .await;
        match sent {
            Ok(sent) => Ok(PostResponse::Created(Json(Box::new(sent.message)))),
            Err(e) => Ok(match refusal(e)? {
                (MessageError::NotMember | MessageError::Muted(_), body, _) => {
                    PostResponse::Forbidden(body)
                }
                (MessageError::RateLimited(_), body, secs) => PostResponse::TooMany(body, secs),
                (MessageError::ReplyDeleted | MessageError::AttachmentTaken, body, _) => {
                    PostResponse::Conflict(body)
                }
                (_, body, _) => PostResponse::NotFound(body),
            }),
        }
    }

    /// Edit a message
    ///
    /// Replaces the text of one of the caller's own messages; it then carries `edited`.
    /// Every member's sockets get `message.edited`. Mentions are read from the new text
    /// (shown, not notified again).
    #[oai(
        path = "/:id/messages/:message_id",
        method = "patch",
        operation_id = "editMessage"
    )]
    async fn edit(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        message_id: Path<MessageId>,
        body: Json<EditMessage>,
    ) -> poem::Result<ChangeResponse> {
        let edited = self
            .store
            .edit(auth.user_id(), &id.0, &message_id.0, &body.0.message)
            .await;
        ChangeResponse::of(edited)
    }

    /// Delete a message
    ///
    /// Deletes one of the caller's own messages, or, for the room's moderators and up, a
    /// message of someone they outrank: a tombstone (`deleted: true`, empty text; `moderated: true` when a moderator
    /// removed it) keeps its place in the history, nothing else of it is kept. Every
    /// member's sockets get `message.deleted`. Deleting a tombstone again answers it and
    /// changes nothing.
    #[oai(
        path = "/:id/messages/:message_id",
        method = "delete",
        operation_id = "deleteMessage"
    )]
    async fn delete(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        message_id: Path<MessageId>,
    ) -> poem::Result<DeleteResponse> {
        let deleted = self
            .store
            .delete(auth.user_id(), &id.0, &message_id.0)
            .await;
        Ok(match ChangeResponse::of(deleted)? {
            ChangeResponse::Ok(m) => DeleteResponse::Ok(m),
            ChangeResponse::Forbidden(b) => DeleteResponse::Forbidden(b),
            ChangeResponse::TooMany(b, secs) => DeleteResponse::TooMany(b, secs),
            ChangeResponse::NotFound(b) => DeleteResponse::NotFound(b),
            ChangeResponse::Conflict(b) => DeleteResponse::Conflict(b),
        })
    }

    /// React to a message
    ///
    /// Adds the caller's reaction `emoji` (URL-encoded) to a message of a room they are in;
    /// the answer carries the message's reactions as the caller sees them. Every member's
    /// sockets get `reaction.changed`. Reacting again with the same emoji changes nothing.
    #[oai(
        path = "/:id/messages/:message_id/reactions/:emoji",
        method = "put",
        operation_id = "addReaction"
    )]
    async fn add_reaction(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        message_id: Path<MessageId>,
        emoji: Path<Emoji>,
    ) -> poem::Result<ChangeResponse> {
        let reacted = self
            .store
            .react(auth.user_id(), &id.0, &message_id.0, &emoji.0, true)
            .await;
        ChangeResponse::of(reacted)
    }

    /// Take back a reaction
    ///
    /// Removes the caller's reaction `emoji` from a message; every member's sockets get
    /// `reaction.changed`. Without such a reaction nothing changes.
    #[oai(
        path = "/:id/messages/:message_id/reactions/:emoji",
        method = "delete",
        operation_id = "removeReaction"
    )]
    async fn remove_reaction(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        message_id: Path<MessageId>,
        emoji: Path<Emoji>,
    ) -> poem::Result<ChangeResponse> {
        let reacted = self
            .store
            .react(auth.user_id(), &id.0, &message_id.0, &emoji.0, false)
            .await;
        ChangeResponse::of(reacted)
    }

    /// Report a message
    ///
    /// Any member reports someone else's message to the room's moderators, who see it
    /// live (`report.created`) and in `GET /api/rooms/{id}/reports`. Reporting a message
    /// again while the first report is open answers that one. Counts against the message
    /// rate.
    #[oai(
        path = "/:id/messages/:message_id/reports",
        method = "post",
        operation_id = "reportMessage"
    )]
    async fn report(
        &self,
        auth: SessionAuth,
        id: Path<RoomId>,
        message_id: Path<MessageId>,
        body: Json<NewReport>,
    ) -> poem::Result<ReportResponse> {
        let filed = self
            .store
            .report(auth.user_id(), &id.0, &message_id.0, body.reason.as_str())
            .await;
        match filed {
            Ok((new, report)) => {
                let view = report_views(self.store.rooms(), vec![report], false)
                    .await?
                    .pop()
                    .ok_or_else(|| Failure::internal("a report vanished"))?;
                let view = Json(Box::new(view));
                Ok(if new {
                    ReportResponse::Created(view)
                } else {
                    ReportResponse::Ok(view)
                })
            }
            Err(e) => Ok(match refusal(e)? {
                (MessageError::NotMember, body, _) => ReportResponse::Forbidden(body),
                (MessageError::Deleted | MessageError::OwnMessage, body, _) => {
                    ReportResponse::Conflict(body)
                }
                (MessageError::RateLimited(_), body, secs) => ReportResponse::TooMany(body, secs),
                (_, body, _) => ReportResponse::NotFound(body),
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
        id: Path<RoomId>,
        body: Json<ReadUpTo>,
    ) -> poem::Result<ReadResponse> {
        match self.store.mark_read(auth.user_id(), &id.0, body.date).await {
            Ok(()) => Ok(ReadResponse::Done),
            Err(e) => Ok(match refusal(e)? {
                (MessageError::NotMember, body, _) => ReadResponse::Forbidden(body),
                (_, body, _) => ReadResponse::NotFound(body),
            }),
        }
    }
}
