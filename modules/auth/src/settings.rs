//! The auth module's settings; the server fills them from its configuration.

use std::time::Duration;

/// How sessions and sign-in behave.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a session lives without being used.
    pub session_ttl: Duration,
    /// Whether the session cookie carries `Secure`.
    pub cookie_secure: bool,
    /// Keep a seed-written bcrypt hash instead of upgrading it to argon2 at login
    /// (for while the seed's own server still shares the Redis).
    pub keep_bcrypt: bool,
    /// Failed logins allowed per username or client address within `login_window` (0:
    /// login attempts are neither counted nor refused).
    pub login_max_failures: u32,
    /// The window over which failed logins are counted and the lockout lasts.
    pub login_window: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Sign-ups one client address may make per hour (0: no limit).
    pub registrations_per_hour: u32,
    /// How long a deleted account's name stays taken (nobody can pass for its owner
    /// meanwhile).
    pub deleted_name_hold: Duration,
    /// Site admins' usernames (`ADMIN_USERS`), compared ignoring case.
    pub admins: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            cookie_secure: false,
            keep_bcrypt: false,
            login_max_failures: 10,
            login_window: Duration::from_secs(300),
            trust_proxy: false,
            registrations_per_hour: 10,
            deleted_name_hold: Duration::from_secs(30 * 24 * 3600),
            admins: Vec::new(),
        }
    }
}
