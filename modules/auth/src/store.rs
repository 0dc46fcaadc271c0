//! Accounts and sessions in Redis. Handlers call this; nothing else touches the keys.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use chat_core::{context::timed, redis, Ctx, Failure, SessionEnded, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    keys,
    password::{self, Purpose, Verdict},
    AuthSettings, Password, Username,
};

/// Called as accounts come and go, so other modules can keep their part of a user in step
/// (the rooms module puts a new user in General and takes a deleted one out of every room).
#[async_trait::async_trait]
pub trait AccountHooks: Send + Sync {
    /// After an account is created.
    async fn user_created(&self, id: UserId) -> Result<(), Failure>;
    /// While an account is being deleted, before its sessions end. Must be idempotent: a
    /// deletion that failed half-way is run again.
    async fn user_deleted(&self, id: UserId) -> Result<(), Failure>;
}

/// The field of `user:{id}` that a password change or a deletion increments: a login that
/// checked the password before it re-reads it after its session is indexed.
const CREDENTIALS_GENERATION: &str = "credentials";

/// The name a deleted account's messages are shown under (no username can contain a
/// space, so nobody can take it).
pub const DELETED_NAME: &str = "Deleted user";

/// Past this many indexed sessions, a login drops the expired ones from the index.
const SESSIONS_BEFORE_PRUNE: u64 = 32;

/// An authenticated session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: UserId,
    pub username: String,
    pub(crate) token_hash: String,
}

impl Session {
    /// The session's id: the hash of its token that names it in Redis (never the token).
    pub fn id(&self) -> &str {
        &self.token_hash
    }
}

/// A user just created.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub username: String,
}

/// What a sign-up came to.
#[derive(Debug)]
pub enum Registered {
    Created(NewUser),
    /// The name is taken (ignoring case).
    Taken,
    /// The client's address signed up as often as it may this hour: retry after this.
    Limited(Duration),
}

/// What a change to one's own account (password, deletion) came to.
#[derive(Debug, PartialEq, Eq)]
pub enum AccountChange {
    Done,
    /// The password given is not the account's: nothing changed.
    WrongPassword,
    /// Too many wrong passwords for this account from this address: retry after this.
    Limited(Duration),
}

/// What a password check came to.
enum Checked {
    /// The password is the account's: its id, and its credentials' generation as read with
    /// the hash checked (a password change or a deletion moves it).
    Valid(UserId, u64),
    Invalid,
    Limited(Duration),
}

pub enum LoginOutcome {
    /// The session and the token that names it (sent to the client once, never stored).
    Ok(Session, String),
    Invalid,
    /// The password is right, but a site admin banned the account.
    Banned,
    Limited(Duration),
}

/// A site admin's ban of an account, as stored in `site_bans`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SiteBan {
    pub by: String,
    pub reason: String,
    /// Unix ms.
    pub date: u64,
}

/// The auth module's store: accounts, sessions and login throttling.
#[derive(Clone)]
pub struct AuthStore {
    ctx: Ctx,
    settings: Arc<AuthSettings>,
    hooks: Arc<RwLock<Vec<Arc<dyn AccountHooks>>>>,
}

impl AuthStore {
    pub fn new(ctx: Ctx, settings: AuthSettings) -> Self {
        password::warm_up();
        Self {
            ctx,
            settings: Arc::new(settings),
            hooks: Arc::default(),
        }
    }

    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// Registers hooks run as accounts are created and deleted.
    pub fn on_account(&self, hook: Arc<dyn AccountHooks>) {
        if let Ok(mut hooks) = self.hooks.write() {
            hooks.push(hook);
        }
    }

    /// Creates an account. `Ok(None)` when the name is taken. Of two concurrent
    /// registrations of one name exactly one wins: the name is claimed with `SET NX`.
    pub async fn register(
        &self,
        name: &Username,
        password: &Password,
        from: Option<&str>,
    ) -> Result<Registered, Failure> {
        let mut conn = self.ctx.redis()?;
        let taken: u32 = timed(
            "exists",
            redis::cmd("EXISTS")
                .arg(keys::username(name.as_str()))
                .arg(keys::username_lower(name.as_str()))
                .query_async(&mut conn),
        )
        .await?;
        if taken > 0 {
            return Ok(Registered::Taken);
        }
        // Counted once the name is known free: a taken name costs no hash.
        let max = self.settings.registrations_per_hour;
        let counted = from.filter(|_| max > 0).map(keys::registrations_by_addr);
        if let Some(key) = &counted {
            let (n, ttl): (u32, i64) = timed(
                "incr",
                redis::pipe()
                    .cmd("INCR")
                    .arg(key)
                    .cmd("EXPIRE")
                    .arg(key)
                    .arg(3600)
                    .arg("NX")
                    .ignore()
                    .cmd("TTL")
                    .arg(key)
                    .query_async(&mut conn),
            )
            .await?;
            if n > max {
                // A refused sign-up is not a sign-up: it must not extend the wait.
                let _: i64 =
                    timed("decr", redis::cmd("DECR").arg(key).query_async(&mut conn)).await?;
                return Ok(Registered::Limited(Duration::from_secs(
                    u64::try_from(ttl).unwrap_or(3600).max(1),
                )));
            }
        }
        drop(conn);
        let hashed = password::hash(Purpose::SignUp, password.as_str().to_owned()).await;
        let created = match hashed {
            Ok(hash) => self.create(name.as_str(), &hash).await,
            Err(e) => Err(e),
        };
        if let (Err(_) | Ok(None), Some(key)) = (&created, &counted) {
            // Nothing was created (busy, or the name went meanwhile): not counted.
            let mut conn = self.ctx.redis()?;
            let _: i64 = timed("decr", redis::cmd("DECR").arg(key).query_async(&mut conn)).await?;
        }
        Ok(match created? {
            Some(user) => Registered::Created(user),
            None => Registered::Taken,
        })
    }

    /// Creates an account with an already hashed password (the demo data and tests use
    /// this to write seed-style bcrypt hashes).
    pub async fn create(&self, name: &str, hash: &str) -> Result<Option<NewUser>, Failure> {
        let mut conn = self.ctx.redis()?;
        let id: u64 = timed(
            "incr",
            redis::cmd("INCR")
                .arg(keys::TOTAL_USERS)
                .query_async(&mut conn),
        )
        .await?;
        let id = UserId(id);
        // The name ignoring case first: `joe` is taken when `Joe` exists.
        let (folded, holder): (Option<String>, String) = timed(
            "set",
            redis::pipe()
                .cmd("SET")
                .arg(keys::username_lower(name))
                .arg(name)
                .arg("NX")
                .cmd("GET")
                .arg(keys::username_lower(name))
                .query_async(&mut conn),
        )
        .await?;
        if holder != name {
            return Ok(None);
        }
        let claimed: Option<String> = timed(
            "set",
            redis::cmd("SET")
                .arg(keys::username(name))
                .arg(keys::user(id))
                .arg("NX")
                .query_async(&mut conn),
        )
        .await?;
        if claimed.is_none() {
            if folded.is_some() {
                let _: Result<i64, _> = redis::cmd("DEL")
                    .arg(keys::username_lower(name))
                    .query_async(&mut conn)
                    .await;
            }
            return Ok(None);
        }
        let written: Result<(), Failure> = timed(
            "hset",
            redis::cmd("HSET")
                .arg(keys::user(id))
                .arg("username")
                .arg(name)
                .arg("password")
                .arg(hash)
                .query_async(&mut conn),
        )
        .await;
        if let Err(e) = written {
            // Free the name again: a claimed name without an account could never log in.
            let _: Result<i64, _> = redis::cmd("DEL")
                .arg(keys::username(name))
                .arg(keys::username_lower(name))
                .query_async(&mut conn)
                .await;
            return Err(e);
        }
        drop(conn);
        for hook in self.hooks() {
            hook.user_created(id).await?;
        }
        Ok(Some(NewUser {
            id,
            username: name.to_owned(),
        }))
    }

    /// Claims the case-folded name of every account that lacks one (accounts written before
    /// the claims existed, or by the seed's server), at start. One `SCAN` pass (over each master of a cluster).
    pub async fn claim_folded_names(&self) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let found = timed("scan", conn.scan_match(&keys::username("*"))).await?;
        for batch in found.chunks(1000) {
            let mut pipe = redis::pipe();
            for key in batch {
                let name = key.strip_prefix(&keys::username("")).unwrap_or(key);
                pipe.cmd("SET")
                    .arg(keys::username_lower(name))
                    .arg(name)
                    .arg("NX")
                    .ignore();
            }
            let _: () = timed("set", pipe.query_async(&mut conn)).await?;
        }
        Ok(())
    }

    /// How many user ids were handed out (`total_users`).
    pub async fn user_count(&self) -> Result<u64, Failure> {
        let mut conn = self.ctx.redis()?;
        let n: Option<u64> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::TOTAL_USERS)
                .query_async(&mut conn),
        )
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// The id of a username, reading the seed's `user:{id}` value or a bare id.
    pub async fn user_id(&self, name: &str) -> Result<Option<UserId>, Failure> {
        let mut conn = self.ctx.redis()?;
        let v: Option<String> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::username(name))
                .query_async(&mut conn),
        )
        .await?;
        Ok(v.and_then(|v| v.strip_prefix("user:").unwrap_or(&v).parse().ok()))
    }

    /// The account named `name`, ignoring case (`None`: no such account, or deleted).
    pub async fn find_user(&self, name: &str) -> Result<Option<UserId>, Failure> {
        if let Some(id) = self.user_id(name).await? {
            return Ok(Some(id));
        }
        let mut conn = self.ctx.redis()?;
        let holder: Option<String> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::username_lower(name))
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        match holder {
            Some(holder) if holder != name => self.user_id(&holder).await,
            _ => Ok(None),
        }
    }

    /// The name of a user, `None` when there is no such user.
    pub async fn username(&self, id: UserId) -> Result<Option<String>, Failure> {
        Ok(self.usernames(&[id]).await?.pop().flatten())
    }

    /// The names of several users in one round trip, in order.
    pub async fn usernames(&self, ids: &[UserId]) -> Result<Vec<Option<String>>, Failure> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.cmd("HGET").arg(keys::user(*id)).arg("username");
        }
        let mut conn = self.ctx.redis()?;
        timed("hget", pipe.query_async(&mut conn)).await
    }

    /// Checks a password, with throttling that a stranger cannot turn against a user:
    ///
    /// - per (username, address): `max` attempts per window, counted before the password
    ///   is checked (parallel guesses cannot slip under it); a success clears it. This is
    ///   the limit an attacker at one address meets.
    /// - per address, any username: ten times `max` attempts, counted before hashing, so
    ///   one address cannot make the server hash for a thousand names; successes do not
    ///   count, so people sharing an address (NAT) are not held back by it.
    /// - per username, from anywhere: past `max` failures, an address that has already
    ///   failed on that name waits a growing delay (2, 4, … up to 60 s) between attempts.
    ///   An address that has not failed on it (the user's own) is not delayed: no lockout.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        addr: &str,
    ) -> Result<LoginOutcome, Failure> {
        Ok(match self.check_password(name, password, addr).await? {
            Checked::Valid(id, generation) => {
                if self.site_ban_of(id).await?.is_some() {
                    return Ok(LoginOutcome::Banned);
                }
                let (session, token) = self.start_session(id, name).await?;
                // A ban, a password change or a deletion that came meanwhile ended every
                // session it could see, but maybe not this one: read them again, after it
                // is indexed, and end it if one happened.
                let banned = self.site_ban_of(id).await?.is_some();
                if banned || !self.still_the_same(id, generation).await? {
                    self.logout(&session).await?;
                    return Ok(if banned {
                        LoginOutcome::Banned
                    } else {
                        LoginOutcome::Invalid
                    });
                }
                LoginOutcome::Ok(session, token)
            }
            Checked::Invalid => LoginOutcome::Invalid,
            Checked::Limited(wait) => LoginOutcome::Limited(wait),
        })
    }

    /// Checks `name`'s password with the throttling described at [`AuthStore::login`].
    async fn check_password(
        &self,
        name: &str,
        password: &str,
        addr: &str,
    ) -> Result<Checked, Failure> {
        let settings = &self.settings;
        let (by_pair, by_addr, by_name, delay) = (
            keys::failures_by_pair(name, addr),
            keys::failures_by_addr(addr),
            keys::failures_by_name(name),
            keys::login_delay(name),
        );
        let mut conn = self.ctx.redis()?;
        let max = settings.login_max_failures;
        let window = settings.login_window.as_secs();
        // At 0, login throttling is off: nothing is counted or refused.
        let counted = max > 0;
        if counted {
            let (n_pair, ttl_pair, n_addr, ttl_addr, ttl_delay): (u32, i64, u32, i64, i64) = timed(
                "incr",
                redis::pipe()
                    .cmd("INCR")
                    .arg(&by_pair)
                    .cmd("EXPIRE")
                    .arg(&by_pair)
                    .arg(window)
                    .arg("NX")
                    .ignore()
                    .cmd("TTL")
                    .arg(&by_pair)
                    .cmd("INCR")
                    .arg(&by_addr)
                    .cmd("EXPIRE")
                    .arg(&by_addr)
                    .arg(window)
                    .arg("NX")
                    .ignore()
                    .cmd("TTL")
                    .arg(&by_addr)
                    .cmd("PTTL")
                    .arg(&delay)
                    .query_async(&mut conn),
            )
            .await?;
            let refusal = if n_pair > max {
                Some(ttl_pair)
            } else if n_addr > max.saturating_mul(10) {
                Some(ttl_addr)
            } else if n_pair > 1 && ttl_delay > 0 {
                Some((ttl_delay + 999) / 1000)
            } else {
                None
            };
            if let Some(wait) = refusal {
                // A refused attempt is not an attempt: it must not extend the wait.
                uncount(&mut conn, "DECR", &by_pair, &by_addr).await?;
                return Ok(Checked::Limited(Duration::from_secs(
                    if wait < 0 { window } else { wait as u64 }.max(1),
                )));
            }
        }
        let id: Option<String> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::username(name))
                .query_async(&mut conn),
        )
        .await?;
        let id: Option<UserId> =
            id.and_then(|v| v.strip_prefix("user:").unwrap_or(&v).parse().ok());
        let (stored, generation): (Option<String>, Option<u64>) = match id {
            Some(id) => {
                timed(
                    "hmget",
                    redis::cmd("HMGET")
                        .arg(keys::user(id))
                        .arg("password")
                        .arg(CREDENTIALS_GENERATION)
                        .query_async(&mut conn),
                )
                .await?
            }
            None => (None, None),
        };
        drop(conn);
        let verdict = password::verify(password.to_owned(), stored).await?;
        let mut conn = self.ctx.redis()?;
        match (verdict, id) {
            (Verdict::Valid { upgrade }, Some(id)) => {
                if upgrade && !settings.keep_bcrypt {
                    let hash = password::hash(Purpose::SignIn, password.to_owned()).await?;
                    let _: () = timed(
                        "hset",
                        redis::cmd("HSET")
                            .arg(keys::user(id))
                            .arg("password")
                            .arg(&hash)
                            .query_async(&mut conn),
                    )
                    .await?;
                }
                // A success clears the pair and is not held against the address.
                if counted {
                    uncount(&mut conn, "DEL", &by_pair, &by_addr).await?;
                }
                Ok(Checked::Valid(id, generation.unwrap_or(0)))
            }
            _ if !counted => Ok(Checked::Invalid),
            _ => {
                // The name's failures from anywhere; past the limit, addresses that keep
                // failing on it wait longer and longer.
                let (n, _): (u32, i64) = timed(
                    "incr",
                    redis::pipe()
                        .cmd("INCR")
                        .arg(&by_name)
                        .cmd("EXPIRE")
                        .arg(&by_name)
                        .arg(window)
                        .arg("NX")
                        .query_async(&mut conn),
                )
                .await?;
                if n >= max {
                    let secs = 2u64.saturating_pow((n - max + 1).min(6)).min(60);
                    let _: () = timed(
                        "set",
                        redis::cmd("SET")
                            .arg(&delay)
                            .arg(n)
                            .arg("EX")
                            .arg(secs)
                            .query_async(&mut conn),
                    )
                    .await?;
                }
                Ok(Checked::Invalid)
            }
        }
    }

    /// A new session for `id`, indexed under the user so that it can be ended with the
    /// others; the index drops expired sessions once it holds more than a few.
    async fn start_session(&self, id: UserId, name: &str) -> Result<(Session, String), Failure> {
        let token = new_token();
        let token_hash = hash_token(&token);
        let mut conn = self.ctx.redis()?;
        let ((), indexed): ((), u64) = timed(
            "set",
            redis::pipe()
                .cmd("SET")
                .arg(keys::session(&token_hash))
                .arg(format!("{id}:{name}"))
                .arg("EX")
                .arg(self.settings.session_ttl.as_secs())
                .cmd("SADD")
                .arg(keys::user_sessions(id))
                .arg(&token_hash)
                .ignore()
                .cmd("SCARD")
                .arg(keys::user_sessions(id))
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        if indexed > SESSIONS_BEFORE_PRUNE {
            self.prune_sessions(id).await?;
        }
        let session = Session {
            user_id: id,
            username: name.to_owned(),
            token_hash,
        };
        Ok((session, token))
    }

    /// Drops the user's expired sessions from their index.
    async fn prune_sessions(&self, id: UserId) -> Result<(), Failure> {
        let ids = self.session_ids(id).await?;
        let alive = self.sessions_alive(&ids).await?;
        let dead: Vec<&String> = ids
            .iter()
            .zip(alive)
            .filter_map(|(s, alive)| (!alive).then_some(s))
            .collect();
        if dead.is_empty() {
            return Ok(());
        }
        let mut conn = self.ctx.redis()?;
        timed(
            "srem",
            redis::cmd("SREM")
                .arg(keys::user_sessions(id))
                .arg(dead)
                .query_async(&mut conn),
        )
        .await
    }

    /// The ids of the user's sessions (some may have expired).
    async fn session_ids(&self, id: UserId) -> Result<Vec<String>, Failure> {
        let mut conn = self.ctx.redis()?;
        timed(
            "smembers",
            redis::cmd("SMEMBERS")
                .arg(keys::user_sessions(id))
                .query_async(&mut conn),
        )
        .await
    }

    /// Ends every session of the user but `keep`, on every instance: the sessions are
    /// deleted and sockets opened with them close. Returns how many were ended.
    pub async fn end_sessions(&self, user: UserId, keep: Option<&str>) -> Result<usize, Failure> {
        let ended: Vec<String> = self
            .session_ids(user)
            .await?
            .into_iter()
            .filter(|s| Some(s.as_str()) != keep)
            .collect();
        if ended.is_empty() {
            return Ok(0);
        }
        let mut pipe = redis::pipe();
        for id in &ended {
            pipe.cmd("DEL").arg(keys::session(id)).ignore();
        }
        pipe.cmd("SREM")
            .arg(keys::user_sessions(user))
            .arg(&ended)
            .ignore();
        let mut conn = self.ctx.redis()?;
        let () = timed("del", pipe.query_async(&mut conn)).await?;
        drop(conn);
        for session in &ended {
            let event = SessionEnded {
                user_id: user.to_string(),
                session: session.clone(),
            };
            self.ctx.events().session_ended(&event).await?;
        }
        Ok(ended.len())
    }

    /// Changes the signed-in user's password once `current` is checked (throttled as a
    /// login is), and ends every other session of theirs: whoever knew the old password
    /// is signed out everywhere but here.
    pub async fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &Password,
        addr: &str,
    ) -> Result<AccountChange, Failure> {
        let id = match self.check_own_password(session, current, addr).await? {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        let hash = password::hash(Purpose::SignIn, new.as_str().to_owned()).await?;
        let mut conn = self.ctx.redis()?;
        // One transaction on one key: a login reads the hash and the generation together.
        let () = timed(
            "hset",
            redis::pipe()
                .atomic()
                .cmd("HSET")
                .arg(keys::user(id))
                .arg("password")
                .arg(hash)
                .ignore()
                .cmd("HINCRBY")
                .arg(keys::user(id))
                .arg(CREDENTIALS_GENERATION)
                .arg(1)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        self.end_sessions(id, Some(session.id())).await?;
        Ok(AccountChange::Done)
    }

    /// Deletes the signed-in user's account once `password` is checked:
    ///
    /// 1. other modules let go of the user (memberships go);
    /// 2. the name can no longer sign in, and stays taken for
    ///    [`AuthSettings::deleted_name_hold`] (its case-folded claim is held, then lapses);
    /// 3. `user:{id}` keeps only `username` = [`DELETED_NAME`] and `deleted` (ms): messages
    ///    stay, shown under that name;
    /// 4. every session ends (sockets close);
    /// 5. the password goes last, so that a deletion cut short can be asked again.
    pub async fn delete_account(
        &self,
        session: &Session,
        password: &str,
        addr: &str,
    ) -> Result<AccountChange, Failure> {
        let id = match self.check_own_password(session, password, addr).await? {
            Ok(id) => id,
            Err(refused) => return Ok(refused),
        };
        // Its other tabs stop first: nothing of theirs races what the modules remove.
        self.end_sessions(id, None).await?;
        for hook in self.hooks() {
            hook.user_deleted(id).await?;
        }
        let name = session.username.as_str();
        // A name ADMIN_USERS lists is never free again: whoever took it would be an admin.
        let hold = if self.is_site_admin(id).await? {
            u64::MAX
        } else {
            self.settings.deleted_name_hold.as_secs().max(1)
        };
        let mut conn = self.ctx.redis()?;
        let now: (u64, u64) = timed("time", redis::cmd("TIME").query_async(&mut conn)).await?;
        let deleted_ms = now.0 * 1000 + now.1 / 1000;
        // The folded claim first: the name is never free in between.
        let mut claim = redis::cmd("SET");
        claim
            .arg(keys::username_lower(name))
            .arg(format!("deleted:{id}"));
        if hold != u64::MAX {
            claim.arg("EX").arg(hold);
        }
        let () = timed(
            "set",
            redis::pipe()
                .add_command(claim)
                .ignore()
                .cmd("DEL")
                .arg(keys::username(name))
                .ignore()
                .cmd("HSET")
                .arg(keys::user(id))
                .arg("username")
                .arg(DELETED_NAME)
                .arg("deleted")
                .arg(deleted_ms)
                .ignore()
                .cmd("HINCRBY")
                .arg(keys::user(id))
                .arg(CREDENTIALS_GENERATION)
                .arg(1)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        self.end_sessions(id, None).await?;
        let mut conn = self.ctx.redis()?;
        let () = timed(
            "hdel",
            redis::pipe()
                .cmd("HDEL")
                .arg(keys::user(id))
                .arg("password")
                .arg(CREDENTIALS_GENERATION)
                .ignore()
                .cmd("DEL")
                .arg(keys::user_sessions(id))
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        Ok(AccountChange::Done)
    }

    /// The session's user, if `password` is theirs (throttled as a login is).
    async fn check_own_password(
        &self,
        session: &Session,
        password: &str,
        addr: &str,
    ) -> Result<Result<UserId, AccountChange>, Failure> {
        Ok(
            match self
                .check_password(&session.username, password, addr)
                .await?
            {
                Checked::Valid(id, _) if id == session.user_id => Ok(id),
                Checked::Valid(..) | Checked::Invalid => Err(AccountChange::WrongPassword),
                Checked::Limited(wait) => Err(AccountChange::Limited(wait)),
            },
        )
    }

    /// Up to `limit` accounts (not deleted) with ids from `from` on, in id order, and the id
    /// the next page starts at (`None`: no more). One round trip for the count, one for
    /// the page: ids are handed out in order, so a page reads `limit` of them at most.
    pub async fn users_from(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<(Vec<UserId>, Option<u64>), Failure> {
        let mut conn = self.ctx.redis()?;
        let total: Option<u64> = timed(
            "get",
            redis::cmd("GET")
                .arg(keys::TOTAL_USERS)
                .query_async(&mut conn),
        )
        .await?;
        let (from, total) = (from.max(1), total.unwrap_or(0));
        let last = total.min(from.saturating_add(limit as u64).saturating_sub(1));
        if from > last {
            return Ok((Vec::new(), None));
        }
        let ids: Vec<UserId> = (from..=last).map(UserId).collect();
        let mut pipe = redis::pipe();
        for id in &ids {
            pipe.cmd("HMGET")
                .arg(keys::user(*id))
                .arg("username")
                .arg("deleted");
        }
        let found: Vec<(Option<String>, Option<String>)> =
            timed("hmget", pipe.query_async(&mut conn)).await?;
        let active = ids
            .into_iter()
            .zip(found)
            .filter(|(_, (name, deleted))| name.is_some() && deleted.is_none())
            .map(|(id, _)| id)
            .collect();
        Ok((active, (last < total).then_some(last + 1)))
    }

    /// Whether any site admin is named (`ADMIN_USERS`).
    pub fn has_site_admins(&self) -> bool {
        !self.settings.admins.is_empty()
    }

    /// Whether `user` is a site admin. No round trip when there are none.
    pub async fn is_site_admin(&self, user: UserId) -> Result<bool, Failure> {
        if !self.has_site_admins() {
            return Ok(false);
        }
        let name = self.username(user).await?;
        Ok(name.is_some_and(|n| self.settings.admins.contains(&n.to_lowercase())))
    }

    /// Which of `users` are site admins, in order (one round trip, none without admins).
    pub async fn site_admins_among(&self, users: &[UserId]) -> Result<Vec<bool>, Failure> {
        if !self.has_site_admins() {
            return Ok(vec![false; users.len()]);
        }
        Ok(self
            .usernames(users)
            .await?
            .into_iter()
            .map(|n| n.is_some_and(|n| self.settings.admins.contains(&n.to_lowercase())))
            .collect())
    }

    /// Bans `target` from the whole site, as `by`: every session ends at once (sockets
    /// closed on every instance) and signing in is refused until the ban is lifted.
    pub async fn site_ban(&self, by: UserId, target: UserId, reason: &str) -> Result<(), Failure> {
        let ban = SiteBan {
            by: by.to_string(),
            reason: reason.to_owned(),
            date: (chat_core::now_secs() * 1000.0) as u64,
        };
        let json = serde_json::to_string(&ban).map_err(|e| Failure::internal(e.to_string()))?;
        let mut conn = self.ctx.redis()?;
        let _: () = timed(
            "hset",
            redis::cmd("HSET")
                .arg(keys::SITE_BANS)
                .arg(target.0)
                .arg(json)
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        self.end_sessions(target, None).await?;
        Ok(())
    }

    /// Lifts `target`'s site ban: false when there was none.
    pub async fn lift_site_ban(&self, target: UserId) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        let n: u32 = timed(
            "hdel",
            redis::cmd("HDEL")
                .arg(keys::SITE_BANS)
                .arg(target.0)
                .query_async(&mut conn),
        )
        .await?;
        Ok(n == 1)
    }

    /// `user`'s site ban, if any.
    pub async fn site_ban_of(&self, user: UserId) -> Result<Option<SiteBan>, Failure> {
        let mut conn = self.ctx.redis()?;
        let raw: Option<String> = timed(
            "hget",
            redis::cmd("HGET")
                .arg(keys::SITE_BANS)
                .arg(user.0)
                .query_async(&mut conn),
        )
        .await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Every site ban, oldest first.
    pub async fn site_bans(&self) -> Result<Vec<(UserId, SiteBan)>, Failure> {
        let mut conn = self.ctx.redis()?;
        let all: Vec<(String, String)> = timed(
            "hgetall",
            redis::cmd("HGETALL")
                .arg(keys::SITE_BANS)
                .query_async(&mut conn),
        )
        .await?;
        let mut bans: Vec<(UserId, SiteBan)> = all
            .into_iter()
            .filter_map(|(id, raw)| Some((id.parse().ok()?, serde_json::from_str(&raw).ok()?)))
            .collect();
        bans.sort_by_key(|(_, b)| b.date);
        Ok(bans)
    }

    /// Whether account `id` is not deleted and its credentials are still of `generation`.
    async fn still_the_same(&self, id: UserId, generation: u64) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        let (now, deleted): (Option<u64>, Option<String>) = timed(
            "hmget",
            redis::cmd("HMGET")
                .arg(keys::user(id))
                .arg(CREDENTIALS_GENERATION)
                .arg("deleted")
                .query_async(&mut conn),
        )
        .await?;
        Ok(deleted.is_none() && now.unwrap_or(0) == generation)
    }

    /// Whether `id` is an account that exists and was not deleted.
    pub async fn is_active(&self, id: UserId) -> Result<bool, Failure> {
        let mut conn = self.ctx.redis()?;
        let (name, deleted): (Option<String>, Option<String>) = timed(
            "hmget",
            redis::cmd("HMGET")
                .arg(keys::user(id))
                .arg("username")
                .arg("deleted")
                .query_async(&mut conn),
        )
        .await?;
        Ok(name.is_some() && deleted.is_none())
    }

    /// Indexes under their users the sessions written before sessions were indexed (once
    /// per Redis: a marker key remembers it was done).
    pub async fn index_sessions(&self) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let done: bool = timed(
            "exists",
            redis::cmd("EXISTS")
                .arg(keys::SESSIONS_INDEXED)
                .query_async(&mut conn),
        )
        .await?;
        if done {
            return Ok(());
        }
        let found = timed("scan", conn.scan_match(&keys::session("*"))).await?;
        for batch in found.chunks(1000) {
            let mut pipe = redis::pipe();
            for key in batch {
                pipe.cmd("GET").arg(key);
            }
            let values: Vec<Option<String>> = timed("get", pipe.query_async(&mut conn)).await?;
            let mut pipe = redis::pipe();
            for (key, value) in batch.iter().zip(values) {
                let user = value
                    .as_deref()
                    .and_then(|v| v.split_once(':'))
                    .and_then(|(id, _)| id.parse::<u64>().ok());
                if let Some(user) = user {
                    let hash = key.strip_prefix(&keys::session("")).unwrap_or(key);
                    pipe.cmd("SADD")
                        .arg(keys::user_sessions(UserId(user)))
                        .arg(hash)
                        .ignore();
                }
            }
            let () = timed("sadd", pipe.query_async(&mut conn)).await?;
        }
        timed(
            "set",
            redis::cmd("SET")
                .arg(keys::SESSIONS_INDEXED)
                .arg(1)
                .query_async(&mut conn),
        )
        .await
    }

    fn hooks(&self) -> Vec<Arc<dyn AccountHooks>> {
        self.hooks.read().map(|h| h.clone()).unwrap_or_default()
    }

    /// The session a token names, refreshing its TTL. `None` when it is unknown or expired.
    ///
    /// Hot path: runs for every authenticated request and WebSocket upgrade (one `GETEX`).
    pub async fn session(&self, token: &str) -> Result<Option<Session>, Failure> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let token_hash = hash_token(token);
        let mut conn = self.ctx.redis()?;
        let v: Option<String> = timed(
            "getex",
            redis::cmd("GETEX")
                .arg(keys::session(&token_hash))
                .arg("EX")
                .arg(self.settings.session_ttl.as_secs())
                .query_async(&mut conn),
        )
        .await?;
        Ok(v.and_then(|v| {
            let (id, name) = v.split_once(':')?;
            Some(Session {
                user_id: id.parse().ok()?,
                username: name.to_owned(),
                token_hash,
            })
        }))
    }

    /// Which of these sessions (by [`Session::id`]) still exist: expired or deleted ones
    /// must not keep their sockets. One pipeline of `EXISTS` per thousand.
    pub async fn sessions_alive(&self, ids: &[String]) -> Result<Vec<bool>, Failure> {
        let mut alive = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let mut pipe = redis::pipe();
            for id in chunk {
                pipe.cmd("EXISTS").arg(keys::session(id));
            }
            let mut conn = self.ctx.redis()?;
            let found: Vec<bool> = timed("exists", pipe.query_async(&mut conn)).await?;
            alive.extend(found);
        }
        Ok(alive)
    }

    /// Ends a session on every instance: it is deleted, and sockets opened with it close.
    pub async fn logout(&self, session: &Session) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let () = timed(
            "del",
            redis::pipe()
                .cmd("DEL")
                .arg(keys::session(&session.token_hash))
                .ignore()
                .cmd("SREM")
                .arg(keys::user_sessions(session.user_id))
                .arg(&session.token_hash)
                .ignore()
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let ended = SessionEnded {
            user_id: session.user_id.to_string(),
            session: session.token_hash.clone(),
        };
        self.ctx.events().session_ended(&ended).await
    }
}

/// Takes back the attempt counted before the password check: `pair_op` is `DECR` (that one
/// attempt) or `DEL` (the pair's whole count); the address's count goes down by one.
async fn uncount(
    conn: &mut chat_core::Redis,
    pair_op: &str,
    by_pair: &str,
    by_addr: &str,
) -> Result<(), Failure> {
    timed(
        "uncount",
        redis::pipe()
            .cmd(pair_op)
            .arg(by_pair)
            .ignore()
            .cmd("DECR")
            .arg(by_addr)
            .ignore()
            .query_async(conn),
    )
    .await
}

/// A random 256-bit token, in hex (sessions; invite links).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 of a token, in hex: what is stored in its place.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
