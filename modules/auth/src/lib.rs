//! # Auth module
//!
//! Accounts and sessions.
//!
//! - **Routes**: `POST /api/auth/register`, `POST /api/auth/login`, `POST /api/auth/logout`,
//!   `POST /api/auth/logout-all`, `POST /api/auth/password`, `GET` and `DELETE /api/auth/me`.
//! - **Redis keys** (see [`keys`]): `total_users`, `username:{name}`, `user:{id}` (the
//!   seed's), `session:{sha256(token)}`, `user:{id}:sessions` and the login-failure counters
//!   (ours).
//! - **Sessions**: a 256-bit random token, handed out as the `sid` cookie and in the login
//!   body (for `Authorization: Bearer`); Redis stores only its SHA-256, with a sliding TTL.
//! - **Passwords**: argon2id with OWASP parameters on a few dedicated threads (never on the
//!   async workers, and bounded in memory); a seed-written
//!   bcrypt hash logs in and is upgraded to argon2.
//!
//! Other modules authenticate requests with [`SessionAuth`] and look users up through
//! [`AuthStore`].

mod admin_api;
mod api;
pub mod keys;
mod password;
mod settings;
mod store;
mod validate;

pub use admin_api::AdminApi;
pub use api::{AuthApi, BearerAuth, CookieAuth, SessionAuth, SESSION_COOKIE};
pub use settings::AuthSettings;
pub use store::{
    hash_token, new_token, AccountChange, AccountHooks, AuthStore, LoginOutcome, NewUser,
    Registered, Session, SiteBan, DELETED_NAME,
};
pub use validate::{LoginName, LoginPassword, Password, Username};
