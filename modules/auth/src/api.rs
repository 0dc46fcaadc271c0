//! `/api/auth/*` and the session security scheme every module's API uses.

use chat_core::{metrics, ErrorBody, Failure, UserId};
use poem::Request;
use poem_openapi::{
    auth::{ApiKey, Bearer},
    payload::Json,
    ApiResponse, Object, OpenApi, SecurityScheme, Tags,
};

use crate::{
    store::{AccountChange, LoginOutcome, Registered},
    AuthStore, LoginName, LoginPassword, Password, Session, Username,
};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sid";

#[derive(Tags)]
enum ApiTags {
    /// Accounts and sessions.
    Auth,
}

/// Session token in the `sid` cookie (set by login; browsers send it by themselves).
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "sid",
    key_in = "cookie",
    checker = "check_cookie"
)]
pub struct CookieAuth(pub Session);

/// The token from the login response as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub Session);

/// A signed-in user: the session cookie or a bearer token.
#[derive(SecurityScheme)]
pub enum SessionAuth {
    Bearer(BearerAuth),
    Cookie(CookieAuth),
}

impl SessionAuth {
    pub fn session(&self) -> &Session {
        match self {
            SessionAuth::Bearer(b) => &b.0,
            SessionAuth::Cookie(c) => &c.0,
        }
    }

    pub fn user_id(&self) -> UserId {
        self.session().user_id
    }
}

async fn check(req: &Request, token: &str) -> poem::Result<Session> {
    let store = req.data::<AuthStore>().ok_or_else(|| {
        poem::Error::from_string(
            "auth store missing",
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
        )
    })?;
    match store.session(token).await? {
        Some(s) => Ok(s),
        None => Err(poem::Error::from_string(
            "not signed in or the session expired",
            poem::http::StatusCode::UNAUTHORIZED,
        )),
    }
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<Session> {
    check(req, &key.key).await
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Session> {
    check(req, &bearer.token).await
}

/// A new account's username and password.
#[derive(Debug, Object)]
pub struct NewAccount {
    /// 1–32 letters, digits, `.`, `_` or `-`; unique ignoring case.
    pub username: Username,
    /// 8–128 characters.
    pub password: Password,
}

/// Username and password, as typed at sign-in.
#[derive(Debug, Object)]
pub struct Credentials {
    /// The account's username.
    pub username: LoginName,
    /// The account's password.
    pub password: LoginPassword,
}

/// A new password, with the current one to confirm it is the account's owner.
#[derive(Debug, Object)]
pub struct PasswordChange {
    /// The account's password now.
    pub current: LoginPassword,
    /// The new password: 8–128 characters.
    pub new: Password,
}

/// The account's password, to confirm its deletion.
#[derive(Debug, Object)]
pub struct AccountDeletion {
    /// The account's password.
    pub password: LoginPassword,
}

/// A user account.
#[derive(Debug, Object)]
pub struct Account {
    /// The user's id.
    pub id: String,
    /// The user's name.
    pub username: String,
}

/// A signed-in user and their session token.
#[derive(Debug, Object)]
pub struct LoginOk {
    /// The user's id.
    pub id: String,
    /// The user's name.
    pub username: String,
    /// The session token: send it as `Authorization: Bearer <token>` (browsers use the cookie).
    pub token: String,
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// The account was created; log in to get a session.
    #[oai(status = 201)]
    Created(Json<Account>),
    /// A field is invalid; `message` names it. Nothing was written.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// The username is taken.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// This address has signed up as often as it may this hour; retry after `Retry-After`
    /// seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Too many passwords are being hashed right now; retry in a moment.
    #[oai(status = 503)]
    Busy(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Signed in: the body carries the token, `Set-Cookie` the session cookie.
    #[oai(status = 200)]
    Ok(Json<LoginOk>, #[oai(header = "Set-Cookie")] String),
    /// A field is missing or malformed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Unknown user or wrong password (the answer does not say which).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// A site admin banned this account (`banned`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Too many failed logins for this username or from this address; retry later.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Too many passwords are being checked right now; retry in a moment.
    #[oai(status = 503)]
    Busy(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// The session is ended on every instance and the cookie cleared.
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum PasswordResponse {
    /// The password is changed, and every other session of the account has ended (their
    /// sockets closed); this one goes on.
    #[oai(status = 204)]
    Changed,
    /// A field is missing or invalid (the new password's length); nothing changed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// `current` is not the account's password; nothing changed.
    #[oai(status = 403)]
    WrongPassword(Json<ErrorBody>),
    /// Too many wrong passwords for this account from this address; retry after
    /// `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Too many passwords are being checked right now; retry in a moment.
    #[oai(status = 503)]
    Busy(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum DeleteAccountResponse {
    /// The account is deleted: every session ended, the cookie cleared, the user out of
    /// every room; their messages stay, under "Deleted user".
    #[oai(status = 204)]
    Deleted(#[oai(header = "Set-Cookie")] String),
    /// The password is missing or malformed; nothing changed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Not the account's password; nothing changed.
    #[oai(status = 403)]
    WrongPassword(Json<ErrorBody>),
    /// Too many wrong passwords for this account from this address; retry after
    /// `Retry-After` seconds.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Too many passwords are being checked right now; retry in a moment.
    #[oai(status = 503)]
    Busy(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum MeResponse {
    /// The signed-in user.
    #[oai(status = 200)]
    Ok(Json<Account>),
}

/// The auth module's API.
pub struct AuthApi {
    store: AuthStore,
}

impl AuthApi {
    pub fn new(store: AuthStore) -> Self {
        Self { store }
    }

    fn cookie(&self, value: &str, max_age: u64) -> String {
        let secure = if self.store.settings().cookie_secure {
            "; Secure"
        } else {
            ""
        };
        format!(
            "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        )
    }
}

fn busy() -> ErrorBody {
    ErrorBody::new("busy", "the server is busy; retry in a moment")
}

fn wrong_password() -> ErrorBody {
    ErrorBody::new("wrong_password", "the password is not this account's")
}

fn too_many(wait: std::time::Duration) -> (ErrorBody, u64) {
    let secs = wait.as_secs().max(1);
    (
        ErrorBody::new(
            "too_many_attempts",
            format!("too many wrong passwords; try again in {secs} s"),
        ),
        secs,
    )
}

fn client_addr(req: &Request, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
        })
        .flatten();
    let ip: Option<std::net::IpAddr> = match forwarded {
        Some(f) => f.parse().ok(),
        None => req.remote_addr().as_socket_addr().map(|a| a.ip()),
    };
    match ip {
        Some(ip) => address_group(ip),
        None => forwarded.unwrap_or("local").to_owned(),
    }
}

/// The unit login throttling counts by: an IPv4 address, or an IPv6 /64 (one subscriber
/// usually holds a whole /64, and could otherwise take a fresh address per guess).
fn address_group(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[OpenApi(prefix_path = "/api/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create an account
    ///
    /// Usernames are 1–32 letters, digits, `.`, `_` or `-`, unique ignoring case (`joe` is
    /// taken when `Joe` exists; sign-in is case-sensitive); passwords are 8–128 characters.
    /// The new user is a member of General. One address may sign up a limited number of
    /// times an hour (429), and sign-ups never take more than half of the password-hashing
    /// queue: signing in goes on during a flood of sign-ups.
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        req: &Request,
        body: Json<NewAccount>,
    ) -> poem::Result<RegisterResponse> {
        let NewAccount { username, password } = body.0;
        let addr = client_addr(req, self.store.settings().trust_proxy);
        match self.store.register(&username, &password, Some(&addr)).await {
            Ok(Registered::Created(user)) => Ok(RegisterResponse::Created(Json(Account {
                id: user.id.to_string(),
                username: user.username,
            }))),
            Ok(Registered::Taken) => Ok(RegisterResponse::Conflict(Json(ErrorBody::new(
                "username_taken",
                format!("username: '{}' is taken", username.as_str()),
            )))),
            Ok(Registered::Limited(wait)) => {
                let secs = wait.as_secs().max(1);
                Ok(RegisterResponse::TooMany(
                    Json(ErrorBody::new(
                        "rate_limited",
                        format!("too many sign-ups from this address; retry in {secs} s"),
                    )),
                    secs,
                ))
            }
            Err(Failure::Busy) => Ok(RegisterResponse::Busy(Json(busy()))),
            Err(e) => Err(e.into()),
        }
    }

    /// Sign in
    ///
    /// Returns the session token and sets the `sid` cookie. Too many attempts for one
    /// username from one address (or too many from one address) are refused with 429 for a
    /// while; an address that keeps failing on a username under attack waits longer and
    /// longer, while the user's own address is not held back.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, req: &Request, body: Json<Credentials>) -> poem::Result<LoginResponse> {
        let addr = client_addr(req, self.store.settings().trust_proxy);
        let outcome = match self
            .store
            .login(body.username.as_str(), body.password.as_str(), &addr)
            .await
        {
            Ok(outcome) => outcome,
            Err(Failure::Busy) => return Ok(LoginResponse::Busy(Json(busy()))),
            Err(e) => return Err(e.into()),
        };
        match outcome {
            LoginOutcome::Ok(session, token) => {
                metrics::LOGINS.with_label_values(&["success"]).inc();
                let cookie = self.cookie(&token, self.store.settings().session_ttl.as_secs());
                Ok(LoginResponse::Ok(
                    Json(LoginOk {
                        id: session.user_id.to_string(),
                        username: session.username,
                        token,
                    }),
                    cookie,
                ))
            }
            LoginOutcome::Invalid => {
                metrics::LOGINS.with_label_values(&["failure"]).inc();
                Ok(LoginResponse::Unauthorized(Json(ErrorBody::new(
                    "invalid_credentials",
                    "username or password is wrong",
                ))))
            }
            LoginOutcome::Banned => {
                metrics::LOGINS.with_label_values(&["banned"]).inc();
                Ok(LoginResponse::Forbidden(Json(ErrorBody::new(
                    "banned",
                    "this account is banned from the site",
                ))))
            }
            LoginOutcome::Limited(wait) => {
                metrics::LOGINS.with_label_values(&["rate_limited"]).inc();
                Ok(LoginResponse::TooMany(
                    Json(ErrorBody::new(
                        "too_many_attempts",
                        format!("too many failed logins; try again in {} s", wait.as_secs()),
                    )),
                    wait.as_secs(),
                ))
            }
        }
    }

    /// Sign out
    ///
    /// Ends this session everywhere and clears the cookie.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, auth: SessionAuth) -> poem::Result<LogoutResponse> {
        self.store.logout(auth.session()).await?;
        Ok(LogoutResponse::Done(self.cookie("", 0)))
    }

    /// Sign out everywhere
    ///
    /// Ends every session of this account, this one included, on every instance (their
    /// sockets close), and clears the cookie.
    #[oai(path = "/logout-all", method = "post", operation_id = "logoutAll")]
    async fn logout_all(&self, auth: SessionAuth) -> poem::Result<LogoutResponse> {
        // This one first: whatever else happens, the caller is signed out here.
        self.store.logout(auth.session()).await?;
        self.store.end_sessions(auth.user_id(), None).await?;
        Ok(LogoutResponse::Done(self.cookie("", 0)))
    }

    /// Change my password
    ///
    /// Needs the current password (wrong ones are throttled as logins are). Every other
    /// session of the account ends; this one goes on.
    #[oai(path = "/password", method = "post", operation_id = "changePassword")]
    async fn change_password(
        &self,
        req: &Request,
        auth: SessionAuth,
        body: Json<PasswordChange>,
    ) -> poem::Result<PasswordResponse> {
        let addr = client_addr(req, self.store.settings().trust_proxy);
        let change = self
            .store
            .change_password(auth.session(), body.current.as_str(), &body.new, &addr)
            .await;
        Ok(match change {
            Ok(AccountChange::Done) => PasswordResponse::Changed,
            Ok(AccountChange::WrongPassword) => {
                PasswordResponse::WrongPassword(Json(wrong_password()))
            }
            Ok(AccountChange::Limited(wait)) => {
                let (body, secs) = too_many(wait);
                PasswordResponse::TooMany(Json(body), secs)
            }
            Err(Failure::Busy) => PasswordResponse::Busy(Json(busy())),
            Err(e) => return Err(e.into()),
        })
    }

    /// Delete my account
    ///
    /// Needs the password. Every session ends, the user leaves every room, and the name
    /// stays taken for a while (`DELETED_NAME_HOLD_DAYS`); messages stay, shown under
    /// "Deleted user".
    #[oai(path = "/me", method = "delete", operation_id = "deleteAccount")]
    async fn delete_account(
        &self,
        req: &Request,
        auth: SessionAuth,
        body: Json<AccountDeletion>,
    ) -> poem::Result<DeleteAccountResponse> {
        let addr = client_addr(req, self.store.settings().trust_proxy);
        let deletion = self
            .store
            .delete_account(auth.session(), body.password.as_str(), &addr)
            .await;
        Ok(match deletion {
            Ok(AccountChange::Done) => DeleteAccountResponse::Deleted(self.cookie("", 0)),
            Ok(AccountChange::WrongPassword) => {
                DeleteAccountResponse::WrongPassword(Json(wrong_password()))
            }
            Ok(AccountChange::Limited(wait)) => {
                let (body, secs) = too_many(wait);
                DeleteAccountResponse::TooMany(Json(body), secs)
            }
            Err(Failure::Busy) => DeleteAccountResponse::Busy(Json(busy())),
            Err(e) => return Err(e.into()),
        })
    }

    /// Who am I
    ///
    /// The signed-in user, or 401.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: SessionAuth) -> MeResponse {
        let s = auth.session();
        MeResponse::Ok(Json(Account {
            id: s.user_id.to_string(),
            username: s.username.clone(),
        }))
    }
}
