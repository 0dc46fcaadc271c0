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
/// `room:<id>`, so the store script may read and write both atomically on one node.
pub fn sent(user: UserId, room: &RoomId, client_id: &str) -> String {
    format!("sent:{{room:{room}}}:{user}:{client_id}")
}
