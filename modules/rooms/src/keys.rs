//! Every Redis key of the rooms module; nobody else formats them.

use chat_core::{RoomId, UserId};

/// `user:{id}:rooms`: ids of the rooms the user belongs to (the seed's).
pub fn user_rooms(user: UserId) -> String {
    format!("user:{user}:rooms")
}

/// `room:{id}:name`: a named room's name (the seed's).
pub fn room_name(room: &RoomId) -> String {
    format!("room:{room}:name")
}

/// `room:{id}:members`: the members of a named room.
pub fn room_members(room: &RoomId) -> String {
    format!("room:{room}:members")
}

/// `user:{id}:muted`: ids of the rooms the user muted (no notifications; unread still
/// counted).
pub fn muted(user: UserId) -> String {
    format!("user:{user}:muted")
}

/// Last named-room id handed out (`INCR`).
pub const TOTAL_ROOMS: &str = "total_rooms";

/// Sorted set of named room ids (score = id): the directory of joinable rooms.
pub const NAMED_ROOMS: &str = "named_rooms";

/// `room_name:{lowercase name}` → room id: keeps named rooms' names unique.
pub fn name_claim(lowercase: &str) -> String {
    format!("room_name:{lowercase}")
}

/// `roles:{room:<id>}`: hash of user id → `owner`, `admin` or `moderator` (a member
/// without a field is a plain member). The braces are literal: a Redis Cluster hash tag
/// that puts a room's roles, bans and audit log in one slot, so the moderation script
/// checks ranks and changes them atomically on a cluster.
pub fn roles(room: &RoomId) -> String {
    format!("roles:{{room:{room}}}")
}

/// `bans:{room:<id>}`: hash of user id → JSON `{"by", "reason", "date", "until"?}` (ms;
/// a ban past its `until` is over). Same slot as [`roles`].
pub fn bans(room: &RoomId) -> String {
    format!("bans:{{room:{room}}}")
}

/// `audit:{room:<id>}`: stream of what moderators did (`action`, `actor`, `target`,
/// `detail`), the newest [`AUDIT_KEPT`] or so kept. Same slot as [`roles`].
pub fn audit(room: &RoomId) -> String {
    format!("audit:{{room:{room}}}")
}

/// Audit entries kept per room (trimmed approximately, `MAXLEN ~`).
pub const AUDIT_KEPT: u64 = 1000;

/// `settings:{room:<id>}`: hash of a named room's settings; field `visibility` is
/// `private` for a private room (absent: public). Same slot as [`roles`].
pub fn settings(room: &RoomId) -> String {
    format!("settings:{{room:{room}}}")
}

/// `invites:{room:<id>}`: hash of the room's pending invitations: invitation id → JSON
/// `{"userId", "by", "date"}`, and `user:<id>` → the id of that user's invitation. Same
/// slot as [`roles`].
pub fn invites(room: &RoomId) -> String {
    format!("invites:{{room:{room}}}")
}

/// The field of [`invites`] naming `user`'s pending invitation.
pub fn invite_of(user: UserId) -> String {
    format!("user:{user}")
}

/// `user:{id}:invites`: hash of the user's pending invitations: invitation id → room id.
pub fn user_invites(user: UserId) -> String {
    format!("user:{user}:invites")
}

/// `links:{room:<id>}`: hash of the room's invite links: link id → JSON `{"hash", "by",
/// "date", "until", "maxUses"?, "uses"}` (`hash`: the SHA-256 of the token, never the
/// token). Same slot as [`roles`].
pub fn links(room: &RoomId) -> String {
    format!("links:{{room:{room}}}")
}

/// `invite_link:<sha256 of the token>` → `"<room id> <link id>"`, expiring with the link.
pub fn invite_link(token_hash: &str) -> String {
    format!("invite_link:{token_hash}")
}

/// `reports:{room:<id>}`: hash of the room's reports: report id → JSON, and
/// `by:<user>:<message id>` → the id of that user's open report of that message. Same
/// slot as [`roles`].
pub fn reports(room: &RoomId) -> String {
    format!("reports:{{room:{room}}}")
}

/// `reports_open:{room:<id>}`: sorted set of open report ids, score = date (ms).
pub fn reports_open(room: &RoomId) -> String {
    format!("reports_open:{{room:{room}}}")
}

/// `reports_closed:{room:<id>}`: sorted set of closed report ids, score = when closed
/// (ms); those past their keeping are removed as others close.
pub fn reports_closed(room: &RoomId) -> String {
    format!("reports_closed:{{room:{room}}}")
}

/// `mutes:{room:<id>}`: hash of user id → until when (unix ms) a moderator made them
/// read-only in the room. Same slot as [`roles`], and as the room's messages: the store
/// script reads it as it stores.
pub fn mutes(room: &RoomId) -> String {
    format!("mutes:{{room:{room}}}")
}
