//! # Rooms module
//!
//! Which rooms exist and who is in them.
//!
//! - **Routes**: `GET /api/rooms`, `GET /api/rooms/discover`, `POST /api/rooms`,
//!   `POST /api/rooms/direct`, `POST /api/rooms/{id}/join`, `POST /api/rooms/{id}/leave`;
//!   moderation: `GET /api/rooms/{id}/members`, `PUT …/members/{userId}/role`,
//!   `DELETE …/members/{userId}`, `GET …/bans`, `PUT`/`DELETE …/bans/{userId}`,
//!   `GET …/audit`.
//! - **Redis keys** (see [`keys`]): `user:{id}:rooms` and `room:{id}:name` (the seed's), and
//!   ours: `room:{id}:members` (named rooms), `total_rooms` (named room ids),
//!   `named_rooms` (the directory), `room_name:{lowercase name}` (unique names), and in
//!   each room's hash slot `roles:{room:<id>}`, `bans:{room:<id>}`, `audit:{room:<id>}`.
//! - **Events**: `show.room` (a direct room now exists: to its two members),
//!   `room.joined` / `room.left` (to the user's own sockets), `typing` (to the room),
//!   `member.role`, `member.kicked`, `member.banned` (to the room).
//! - **Rooms**: General (`0`, everyone), direct rooms `{min}:{max}`, named rooms (digits).
//!
//! The room listing shows each room's last message and unread count, which belong to the
//! messages module: it plugs in through [`RoomActivity`].

mod api;
mod input;
mod invites;
mod invites_api;
pub mod keys;
mod members_api;
mod reports;
mod reports_api;
mod roles;
mod store;

pub use api::RoomsApi;
pub use input::{RoomName, RoomSearch};
pub use invites_api::InvitesApi;
pub use members_api::MembersApi;
pub use reports::{Closing, Report};
pub use reports_api::{report_views, ReportReason, ReportView, ReportsApi};
pub use roles::{Ban, Moderated, Role};
pub use store::{Access, Activity, RoomActivity, RoomsStore, MAX_ROOM_NAME};
