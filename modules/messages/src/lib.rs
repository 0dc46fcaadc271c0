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
//!   `sent:{room:<id>}:<user>:<clientId>` (retry de-duplication, 24 h; the braces are a
//!   cluster hash tag that keeps it in its room's slot).
//! - **Events**: `message` (to the room), `room.read` (to the user's own sockets).
//!
//! Storing and publishing a message is one Lua script on the room's hash slot: Redis runs
//! it atomically, so every instance sees a room's messages in the order they were stored,
//! each message gets a `date` strictly greater than the one before it in its room (an exact
//! history cursor), and a retried `clientId` is answered from the same script, never
//! stored twice. It travels in one pipeline with the sender's read marker over the
//! multiplexed connection: one Redis round trip per message in the common case. On a
//! Redis Cluster the two go to their own slots at once, the script publishes on the room's
//! sharded channel, and the message is acknowledged once a replica has it ([`Durability`]).

mod api;
mod edits;
mod input;
pub mod keys;
mod store;

pub use api::MessagesApi;
pub use input::{ClientId, Cursor, Emoji, MessageId, MessageText, ReadDate, ReplyTo};
pub use store::{Durability, Membership, MessagesStore, Page, SendError, Sent};
