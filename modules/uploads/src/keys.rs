//! Every Redis key of the uploads module; nobody else formats them.
//!
//! A room's uploads live in its hash slot (`{room:<id>}`), so the scripts that attach,
//! release and discard them are atomic on a Redis Cluster too.

use chat_core::{RoomId, UserId};

/// `upload:<id>`: the room an upload belongs to (its id alone names it in a download URL).
pub fn upload_room(id: &str) -> String {
    format!("upload:{id}")
}

/// `uploads:{room:<id>}`: hash of upload id → its record (JSON: owner, name, size, type,
/// dimensions, storage keys, when it was made, and the message it is attached to once it
/// is).
pub fn records(room: &RoomId) -> String {
    format!("uploads:{{room:{room}}}")
}

/// `uploads:unattached:{room:<id>}`: sorted set of the room's uploads not attached to a
/// message yet, scored by when they were made; swept once old enough.
pub fn unattached(room: &RoomId) -> String {
    format!("uploads:unattached:{{room:{room}}}")
}

/// `uploads:trash:{room:<id>}`: sorted set of storage keys to delete, scored by when to
/// try (again). A key leaves it only once storage confirmed the delete.
pub fn trash(room: &RoomId) -> String {
    format!("uploads:trash:{{room:{room}}}")
}

/// `uploads:rooms`: set of the rooms that ever had an upload (what the sweeper walks).
pub fn rooms() -> &'static str {
    "uploads:rooms"
}

/// `uploads:bytes:<user>:<day>`: bytes a user uploaded on a day (UTC, days since 1970);
/// expires after two days.
pub fn daily_bytes(user: UserId, day: u64) -> String {
    format!("uploads:bytes:{user}:{day}")
}

/// `uploads:sweeping`: held (with a TTL) by the instance sweeping, so one sweeps at a time.
pub fn sweep_lease() -> &'static str {
    "uploads:sweeping"
}
