//! Every Redis key of the messages module; nobody else formats them.

use chat_core::{RoomId, UserId};

/// `room:{id}`: sorted set of message JSON, score = date (the seed's).
pub fn room(room: &RoomId) -> String {
    format!("room:{room}")
}

/// `user:{id}:read`: hash of room id → date of the newest message the user has read.
pub fn read_markers(user: UserId) -> String {
    format!("user:{user}:read")
}

/// `sent:{room:<id>}:<user>:<clientId>`: the message a `clientId` produced in a room, so a
/// retry returns it (the same `clientId` in another room is another message).
///
/// The braces are literal: a Redis Cluster hash tag that puts the key in the hash slot of
/// `room:<id>`, so the store script may read and write both atomically on one node. The
/// value is `"<date> <id>"` of the message, enough to find it in the room again.
pub fn sent(user: UserId, room: &RoomId, client_id: &str) -> String {
    format!("sent:{{room:{room}}}:{user}:{client_id}")
}

/// `trimmed:{room:<id>}`: the date up to which the room's oldest messages were removed to
/// keep it within its retention (absent while nothing was). Same hash slot as the room.
pub fn trimmed(room: &RoomId) -> String {
    format!("trimmed:{{room:{room}}}")
}

/// `reactions:{room:<id>}`: hash of message id → its reactions, JSON
/// `[["<emoji>", ["<user id>", …]], …]` in the order they were first used. Same hash slot
/// as the room, so the scripts that check the message and change its reactions are atomic.
pub fn reactions(room: &RoomId) -> String {
    format!("reactions:{{room:{room}}}")
}

/// `reacted:{room:<id>}:<message id>`: hash of user id → the JSON list of the emoji that
/// user put on the message; in the room's hash slot, gone with the message's reactions.
pub fn reacted(room: &RoomId, id: &str) -> String {
    format!("reacted:{{room:{room}}}:{id}")
}

/// The prefix of [`reacted`] in `room` (the trim script adds a message id).
pub fn reacted_prefix(room: &RoomId) -> String {
    format!("reacted:{{room:{room}}}:")
}

/// `ids:{room:<id>}`: hash of message id → its score in `room:{id}` (as stored), so a
/// message is found by id in O(1); field [`INDEXED`] says every message of the room stored
/// before the index existed is in it. Same hash slot as the room: the scripts that store
/// and trim keep it.
pub fn ids(room: &RoomId) -> String {
    format!("ids:{{room:{room}}}")
}

/// The field of [`ids`] that marks a room indexed (no message id starts with `#`).
pub const INDEXED: &str = "#indexed";

/// `user:{id}:mentions`: sorted set of `"<room id> <message id>"` naming the user, score =
/// the message's date; the newest [`MENTIONS_KEPT`] are kept.
pub fn mentions(user: UserId) -> String {
    format!("user:{user}:mentions")
}

/// Mentions kept per user: enough to count the unread ones of every room.
pub const MENTIONS_KEPT: i64 = 500;
