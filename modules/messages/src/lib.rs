//! # Messages module
//!
//! Chat messages: storing, fetching history, read markers.
//!
//! - **Routes**: `GET /api/rooms/{id}/messages`, `POST /api/rooms/{id}/messages`,
//!   `POST /api/rooms/{id}/read`.
//! - **WebSocket**: `message` (send) and `read` (mark read) frames arrive here through
//!   [`MessagesStore::send`] and [`MessagesStore::mark_read`].
//! - **Redis keys** (see [`keys`]): `room:{id}` (the seed's sorted set of message JSON,
//!   score = date), and ours: `user:{id}:read` (read markers) and
//!   `user:{id}:sent:{roomId}:{clientId}` (retry de-duplication, 24 h).
//! - **Events**: `message` (to the room), `room.read` (to the user's own sockets).
//!
//! Storing and publishing a message is one Lua script on the room's key: Redis runs it
//! atomically, so every instance sees a room's messages in the order they were stored, and
//! each message gets a `date` strictly greater than the one before it in its room. That
//! makes `date` an exact history cursor.

mod api;
pub mod keys;
mod store;

pub use api::MessagesApi;
pub use store::{Cursor, MessagesStore, Page, SendError};
