//! Every Redis key of the auth module; nobody else formats them.

use chat_core::UserId;

/// Last user id handed out (`INCR`).
pub const TOTAL_USERS: &str = "total_users";

/// `username:{name}` → `user:{id}` (the seed's value; a bare id is accepted too).
pub fn username(name: &str) -> String {
    format!("username:{name}")
}

/// `username_lower:{lowercase name}` → the name that holds it: keeps `Joe` and `joe` from
/// both existing (they would pass for one another).
pub fn username_lower(name: &str) -> String {
    format!("username_lower:{}", name.to_ascii_lowercase())
}

/// `user:{id}`: hash with `username` and `password`.
pub fn user(id: UserId) -> String {
    format!("user:{id}")
}

/// `session:{sha256 hex of the token}` → user id, with a TTL.
pub fn session(token_hash: &str) -> String {
    format!("session:{token_hash}")
}

/// `user:{id}:sessions`: ids (token hashes) of the user's sessions, so that all of them can
/// be ended (expired ones linger until pruned at a later login).
pub fn user_sessions(id: UserId) -> String {
    format!("user:{id}:sessions")
}

/// Set once every session written before [`user_sessions`] existed has been indexed.
pub const SESSIONS_INDEXED: &str = "auth:sessions_indexed";

/// Sign-ups from one client address (an IPv6 /64) within the hour.
pub fn registrations_by_addr(addr: &str) -> String {
    format!("registrations:addr:{addr}")
}

/// Failed logins for one username, from anywhere, within the window.
pub fn failures_by_name(name: &str) -> String {
    format!("login_failures:name:{name}")
}

/// Login attempts from one client address (an IPv6 /64), any name, within the window.
pub fn failures_by_addr(addr: &str) -> String {
    format!("login_failures:addr:{addr}")
}

/// Login attempts for one username from one client address within the window.
pub fn failures_by_pair(name: &str, addr: &str) -> String {
    format!("login_failures:pair:{name}:{addr}")
}

/// Present while a username under attack makes already-failing addresses wait.
pub fn login_delay(name: &str) -> String {
    format!("login_delay:{name}")
}

/// `site_bans`: hash of user id → JSON `{"by", "reason", "date"}` of the accounts a site
/// admin banned: their sessions ended and they may not sign in.
pub const SITE_BANS: &str = "site_bans";
