//! Why an operation on messages was refused: one type for sending, reading, changing and
//! reacting, answered the same way over REST and WebSocket.

use std::time::Duration;

use chat_core::{ErrorBody, Failure};

/// Why an operation on a room's messages was refused.
#[derive(Debug)]
pub enum MessageError {
    NotFound,
    NotMember,
    /// The user is over their message rate; retry after this long.
    RateLimited(Duration),
    /// No message with this id in the room.
    NoSuchMessage,
    /// Only a message's author may edit it, or delete it (besides the room's moderators).
    NotAuthor,
    /// The message was deleted: it takes no edit or reaction.
    Deleted,
    /// One's own message is not reported.
    OwnMessage,
    /// A moderator made the user read-only in this room until then (unix ms).
    Muted(u64),
    /// A reaction over the per-message or per-user bound.
    ReactionLimit(&'static str),
    /// A reply to a message the room does not have.
    ReplyNotFound,
    /// A reply to a deleted message.
    ReplyDeleted,
    /// The message kept changing under the change (others changing it at the same time).
    Conflict,
    /// An attachment that is not one of the sender's uploads in this room (or was swept).
    AttachmentNotFound,
    /// An attachment already sent with another message.
    AttachmentTaken,
    /// A message with neither text nor attachments.
    Empty,
    Internal(Failure),
}

impl MessageError {
    /// What the client is told, over REST and WebSocket alike, and for a rate limit how long
    /// to wait. `None` for an internal failure (logged by the caller, never described).
    pub fn body(&self) -> Option<(ErrorBody, Option<Duration>)> {
        let body = |code: &str, message: &str| Some((ErrorBody::new(code, message), None));
        match self {
            MessageError::NotMember => body("not_member", "roomId: you are not in this room"),
            MessageError::NotFound => body("not_found", "roomId: no such room"),
            MessageError::RateLimited(wait) => Some((
                ErrorBody::new(
                    "rate_limited",
                    format!("too many messages; retry in {:.1} s", wait.as_secs_f64()),
                ),
                Some(*wait),
            )),
            MessageError::NoSuchMessage => {
                body("not_found", "messageId: no such message in this room")
            }
            MessageError::NotAuthor => body(
                "not_author",
                "messageId: only its author may change this message (and a moderator delete it)",
            ),
            MessageError::Deleted => body("message_deleted", "messageId: this message was deleted"),
            MessageError::Muted(until) => {
                let now = (chat_core::now_secs() * 1000.0) as u64;
                Some((
                    ErrorBody::new(
                        "muted",
                        format!(
                            "roomId: a moderator made you read-only in this room until {}",
                            until / 1000
                        ),
                    ),
                    Some(Duration::from_millis(until.saturating_sub(now))),
                ))
            }
            MessageError::OwnMessage => body(
                "own_message",
                "messageId: this is your own message (edit or delete it instead)",
            ),
            MessageError::ReactionLimit(why) => body("reaction_limit", why),
            MessageError::ReplyNotFound => {
                body("reply_not_found", "replyTo: no such message in this room")
            }
            MessageError::Conflict => body(
                "conflict",
                "messageId: the message changed at the same time; retry",
            ),
            MessageError::ReplyDeleted => {
                body("reply_deleted", "replyTo: that message was deleted")
            }
            MessageError::AttachmentNotFound => body(
                "attachment_not_found",
                "attachments: not one of your uploads in this room (uploads not sent within a \
                 day are deleted)",
            ),
            MessageError::AttachmentTaken => body(
                "attachment_taken",
                "attachments: that upload was sent with another message",
            ),
            MessageError::Empty => body(
                "empty_message",
                "message: must not be empty (unless the message carries attachments)",
            ),
            MessageError::Internal(_) => None,
        }
    }
}

impl From<Failure> for MessageError {
    fn from(f: Failure) -> Self {
        MessageError::Internal(f)
    }
}
