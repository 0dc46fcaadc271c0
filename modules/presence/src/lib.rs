//! # Presence module
//!
//! Who is online, across every instance.
//!
//! - **Routes**: `GET /api/users/online`, `GET /api/users?ids=…`.
//! - **Redis keys** (see [`keys`]): `online_users` (the seed's set), and ours:
//!   `user:{id}:connections` (hash: server id → open connections there),
//!   `server:{id}:users` (set: users with connections on that server) and
//!   `presence_servers` (sorted set: server id → last heartbeat, ms).
//! - **Events**: `user.connected` / `user.disconnected`, once per real change: a user is
//!   online while any connection on any instance is open, and goes offline a short grace
//!   period after the last one closes (a page reload is not a change).
//! - **Crash safety**: every instance heartbeats into `presence_servers`; the survivors
//!   clear the users of an instance silent for [`DEAD_AFTER`] (kill -9 included).
//!
//! Counting a user's connections on one server is one Lua script on their key
//! (`scripts/adjust_connections.lua`, behind one typed wrapper, tested against a real
//! `redis-server`).

mod api;
pub mod keys;
mod scripts;
mod store;

pub use api::PresenceApi;
pub use store::{PresenceStore, StartError, Tally, DEAD_AFTER, HEARTBEAT};
