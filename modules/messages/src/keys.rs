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

/// `user:{id}:sent:{roomId}:{clientId}`: the message a `clientId` produced in a room, so a
/// retry returns it (the same `clientId` in another room is another message).
pub fn sent(user: UserId, room: &RoomId, client_id: &str) -> String {
    format!("user:{user}:sent:{room}:{client_id}")
}
