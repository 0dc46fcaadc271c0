//! Every Redis key of the presence module; nobody else formats them.

use chat_core::UserId;

/// Ids of users with at least one live connection on any instance (the seed's key).
pub const ONLINE_USERS: &str = "online_users";

/// Server id → last heartbeat (unix ms).
pub const SERVERS: &str = "presence_servers";

/// `user:{id}:connections`: hash of server id → number of open connections there.
pub fn connections(user: UserId) -> String {
    format!("user:{user}:connections")
}

/// `{user:<id>:connections}:seq`: hash of server id → the sequence (`epoch counter`) of the
/// count it last set in [`connections`], in that key's hash slot: a count re-sent or late
/// is ignored. Expires a day after the user's last count.
pub fn connection_sequences(user: UserId) -> String {
    format!("{{user:{user}:connections}}:seq")
}

/// `server:{id}:users`: users with at least one connection on that server.
pub fn server_users(server_id: &str) -> String {
    format!("server:{server_id}:users")
}

/// `server:{id}:instance`: a random token of the process running as that server id, with a
/// TTL its heartbeats renew, so a second process cannot start under a live one's id.
pub fn server_instance(server_id: &str) -> String {
    format!("server:{server_id}:instance")
}
