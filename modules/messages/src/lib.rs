//! # Messages module
//!
//! Chat messages: sending, history, edits and deletions, reactions, replies, mentions,
//! read markers.
//!
//! - **Routes**: `GET`/`POST /api/rooms/{id}/messages` (history, send),
//!   `PATCH`/`DELETE /api/rooms/{id}/messages/{messageId}` (edit, delete),
//!   `PUT`/`DELETE /api/rooms/{id}/messages/{messageId}/reactions/{emoji}`,
//!   `POST /api/rooms/{id}/read`.
//! - **WebSocket**: the `message`, `edit`, `delete`, `react` and `read` frames arrive at
//!   the same store methods as their routes ([`MessagesStore::send`] and the rest).
//! - **Redis keys** (see [`keys`]): `room:{id}` (the seed's sorted set of message JSON,
//!   score = date), and ours: `user:{id}:read` (read markers), `user:{id}:mentions`
//!   (unread mentions), `sent:{room:<id>}:<user>:<clientId>` (retry de-duplication, 24 h),
//!   `trimmed:{room:<id>}` (retention), `reactions:{room:<id>}`, `ids:{room:<id>}` (message
//!   id → score, to find a message by id in O(1)). The braces are a cluster
//!   hash tag that keeps a key in its room's slot, so one script can change them together.
//! - **Events**: `message`, `message.edited`, `message.deleted`, `reaction.changed` (to the
//!   room), `room.read` (to the user's own sockets).
//!
//! The store (`store.rs`) holds what every operation shares; each operation is a file of
//! its own (`send`, `history`, `change`, `read`) over the shared `lookup` of a message by
//! id and the `mentions` bookkeeping, and no operation calls another. Redis work that
//! must be atomic is a Lua script in `scripts/`, each behind one typed wrapper.

mod api;
mod change;
mod error;
mod history;
mod input;
pub mod keys;
mod lookup;
mod mentions;
mod read;
mod scripts;
mod send;
mod store;

pub use api::MessagesApi;
pub use error::MessageError;
pub use history::Page;
pub use input::{
    attachment_ids, ClientId, Cursor, Emoji, MessageId, MessageText, ReadDate, ReplyTo, UploadId,
};
pub use send::{Post, Sent};
pub use store::{Durability, KnownMember, MessagesStore};
