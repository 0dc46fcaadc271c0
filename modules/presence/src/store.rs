//! Presence in Redis: connection counts per user and server, the `online_users` set, and
//! the heartbeat that lets survivors clean up after a dead instance.

use std::time::Duration;

use chat_auth::AuthStore;
use chat_core::{
    context::timed,
    metrics,
    protocol::{ServerEvent, UserView},
    redis,
    scan::{scan_page, Scan, ScanCursor},
    Ctx, Failure, UserId,
};

use crate::{
    keys,
    scripts::{AdjustConnections, Connections, Count},
};

/// How often an instance heartbeats and sweeps.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// An instance silent this long is dead: its users are cleared.
pub const DEAD_AFTER: Duration = Duration::from_secs(15);

/// Where a page of online users starts: an `SSCAN` cursor of `online_users` and how many
/// members of that scan step earlier pages took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnlineCursor {
    pub scan: u64,
    pub skip: usize,
}

/// Why [`PresenceStore::start`] did not finish.
#[derive(Debug)]
pub enum StartError {
    /// A live process holds this `SERVER_ID`: starting again will not help.
    InUse(String),
    /// Redis failed: worth another try.
    Failed(Failure),
}

impl From<Failure> for StartError {
    fn from(f: Failure) -> Self {
        Self::Failed(f)
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InUse(id) => write!(
                f,
                "SERVER_ID '{id}' is in use by a running instance; give this one another id"
            ),
            Self::Failed(e) => write!(f, "{e}"),
        }
    }
}
/// How long after a user's last connection closes they are declared offline.
pub const OFFLINE_GRACE: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct PresenceStore {
    ctx: Ctx,
    auth: AuthStore,
    adjust: std::sync::Arc<AdjustConnections>,
    /// This process's token in `server:{id}:instance`.
    instance: std::sync::Arc<str>,
    /// Whether this process has heartbeated: only then does a missing entry in
    /// `presence_servers` mean a peer cleared it.
    beating: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// When this process took its `SERVER_ID`, in Redis's ms: the epoch of its counts.
    epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// How many connections of a user this instance holds, and a number it raised when it
/// counted them (a later count has a higher one): connection counts in Redis are set, not
/// added to, and a count re-sent or arriving late is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub here: usize,
    pub counter: u64,
}

/// Redis's clock, in ms: every instance scores heartbeats by the same clock, so one whose
/// own clock runs ahead cannot make its peers look dead.
async fn redis_now_ms(conn: &mut chat_core::Redis) -> Result<u64, Failure> {
    let (secs, micros): (u64, u64) = timed("time", redis::cmd("TIME").query_async(conn)).await?;
    Ok(secs * 1000 + micros / 1000)
}

impl PresenceStore {
    /// The accounts this presence describes.
    pub fn auth(&self) -> &AuthStore {
        &self.auth
    }

    pub fn new(ctx: Ctx, auth: AuthStore) -> Self {
        Self {
            ctx,
            auth,
            adjust: std::sync::Arc::new(AdjustConnections::new()),
            instance: {
                let bytes: [u8; 8] = rand::random();
                bytes
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
                    .into()
            },
            beating: Default::default(),
            epoch: Default::default(),
        }
    }

    async fn adjust(&self, user: UserId, tally: Tally) -> Result<Connections, Failure> {
        let mut conn = self.ctx.redis()?;
        let server = self.ctx.server_id();
        let count = Count {
            here: tally.here,
            epoch: self.epoch.load(std::sync::atomic::Ordering::Acquire),
            counter: tally.counter,
        };
        self.adjust.run(&mut conn, user, server, count).await
    }

    async fn view(&self, user: UserId, online: bool) -> Result<UserView, Failure> {
        let username = self.auth.username(user).await?.unwrap_or_default();
        Ok(UserView {
            id: user.to_string(),
            username,
            online,
        })
    }

    /// One command on a key and a user id (`SADD`, `SREM`, `HLEN`…), timed.
    async fn on_user(
        &self,
        op: &'static str,
        key: &str,
        user: Option<UserId>,
    ) -> Result<i64, Failure> {
        let mut cmd = redis::cmd(op);
        cmd.arg(key);
        if let Some(u) = user {
            cmd.arg(u.0);
        }
        let mut conn = self.ctx.redis()?;
        timed(op, cmd.query_async(&mut conn)).await
    }

    /// A connection of `user` opened on this instance, which now holds `tally`.
    pub async fn connect(&self, user: UserId, tally: Tally) -> Result<(), Failure> {
        let Connections { here, .. } = self.adjust(user, tally).await?;
        if here == 1 {
            // Add-only: the set lists users who had a connection here, so a crash sweep
            // finds them; `clear_server` prunes it. Removing on disconnect could race a
            // reconnect and lose the user from the set.
            self.on_user(
                "SADD",
                &keys::server_users(self.ctx.server_id()),
                Some(user),
            )
            .await?;
        }
        if self.on_user("SADD", keys::ONLINE_USERS, Some(user)).await? == 1 {
            let view = self.view(user, true).await?;
            self.ctx
                .events()
                .publish(&ServerEvent::UserConnected(view))
                .await?;
        }
        Ok(())
    }

    /// A connection of `user` closed on this instance. When it was their last anywhere,
    /// they go offline after [`OFFLINE_GRACE`] unless a connection reappears meanwhile.
    pub async fn disconnect(&self, user: UserId, tally: Tally, grace: bool) -> Result<(), Failure> {
        let Connections { total, .. } = self.adjust(user, tally).await?;
        if total > 0 {
            return Ok(());
        }
        if grace {
            let this = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(OFFLINE_GRACE).await;
                if let Err(e) = this.settle_offline(user).await {
                    tracing::warn!(error = %e, "presence: offline check failed");
                }
            });
            Ok(())
        } else {
            self.settle_offline(user).await
        }
    }

    /// Declares `user` offline if no instance holds a connection of theirs.
    async fn settle_offline(&self, user: UserId) -> Result<(), Failure> {
        let connections = keys::connections(user);
        if self.on_user("HLEN", &connections, None).await? > 0 {
            return Ok(());
        }
        let removed = self.on_user("SREM", keys::ONLINE_USERS, Some(user)).await?;
        // A connection may have opened between HLEN and SREM: put the user back if so.
        if self.on_user("HLEN", &connections, None).await? > 0 {
            self.on_user("SADD", keys::ONLINE_USERS, Some(user)).await?;
            return Ok(());
        }
        if removed == 1 {
            let view = self.view(user, false).await?;
            self.ctx
                .events()
                .publish(&ServerEvent::UserDisconnected(view))
                .await?;
        }
        Ok(())
    }

    /// Records this instance as alive and clears the users of instances that are not.
    /// `local` is every user with connections here and how many: if a peer cleared this
    /// instance (it looked dead, e.g. after a long pause), they are put back. Runs every
    /// [`HEARTBEAT`].
    pub async fn heartbeat(&self, local: &[(UserId, usize)]) -> Result<(), Failure> {
        let me = self.ctx.server_id();
        let mut conn = self.ctx.redis()?;
        let now = redis_now_ms(&mut conn).await?;
        let (known, _, _): (Option<f64>, i64, ()) = timed(
            "zadd",
            redis::pipe()
                .cmd("ZSCORE")
                .arg(keys::SERVERS)
                .arg(me)
                .cmd("ZADD")
                .arg(keys::SERVERS)
                .arg(now)
                .arg(me)
                .cmd("SET")
                .arg(keys::server_instance(me))
                .arg(&*self.instance)
                .arg("EX")
                .arg(DEAD_AFTER.as_secs())
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        let was_beating = self.beating.swap(true, std::sync::atomic::Ordering::SeqCst);
        if was_beating && known.is_none() && !local.is_empty() {
            tracing::warn!(
                users = local.len(),
                "presence: this instance was cleared by a peer; restoring its users"
            );
            self.restore(local).await?;
        }
        let cutoff = now.saturating_sub(DEAD_AFTER.as_millis() as u64);
        let mut conn = self.ctx.redis()?;
        let dead: Vec<String> = timed(
            "zrangebyscore",
            redis::cmd("ZRANGEBYSCORE")
                .arg(keys::SERVERS)
                .arg("-inf")
                .arg(format!("({cutoff}"))
                .query_async(&mut conn),
        )
        .await?;
        drop(conn);
        for server in dead.iter().filter(|s| *s != me) {
            self.clear_server(server).await?;
        }
        let mut conn = self.ctx.redis()?;
        let online: i64 = timed(
            "scard",
            redis::cmd("SCARD")
                .arg(keys::ONLINE_USERS)
                .query_async(&mut conn),
        )
        .await?;
        metrics::USERS_ONLINE.set(online);
        Ok(())
    }

    /// Writes this instance's connections back after a peer cleared them.
    async fn restore(&self, local: &[(UserId, usize)]) -> Result<(), Failure> {
        let me = self.ctx.server_id();
        for (user, count) in local {
            let mut conn = self.ctx.redis()?;
            let (_, _, added): ((), (), i64) = timed(
                "hset",
                redis::pipe()
                    .cmd("HSET")
                    .arg(keys::connections(*user))
                    .arg(me)
                    .arg(*count)
                    .cmd("SADD")
                    .arg(keys::server_users(me))
                    .arg(user.0)
                    .cmd("SADD")
                    .arg(keys::ONLINE_USERS)
                    .arg(user.0)
                    .query_async(&mut conn),
            )
            .await?;
            drop(conn);
            if added == 1 {
                let view = self.view(*user, true).await?;
                self.ctx
                    .events()
                    .publish(&ServerEvent::UserConnected(view))
                    .await?;
            }
        }
        Ok(())
    }

    /// Removes a server and every connection it held. The server leaves
    /// `presence_servers` last, so a sweep cut short by an error is retried on the next
    /// heartbeat; two survivors sweeping at once is harmless (each user goes offline once).
    async fn clear_server(&self, server: &str) -> Result<(), Failure> {
        let mut conn = self.ctx.redis()?;
        let users: Vec<u64> = timed(
            "smembers",
            redis::cmd("SMEMBERS")
                .arg(keys::server_users(server))
                .query_async(&mut conn),
        )
        .await?;
        if !users.is_empty() {
            tracing::info!(
                server,
                users = users.len(),
                "presence: clearing the connections of an instance"
            );
        }
        for u in users {
            let _: i64 = timed(
                "hdel",
                redis::cmd("HDEL")
                    .arg(keys::connections(UserId(u)))
                    .arg(server)
                    .query_async(&mut conn),
            )
            .await?;
            self.settle_offline(UserId(u)).await?;
        }
        let _: i64 = timed(
            "del",
            redis::cmd("DEL")
                .arg(keys::server_users(server))
                .query_async(&mut conn),
        )
        .await?;
        let _: i64 = timed(
            "zrem",
            redis::cmd("ZREM")
                .arg(keys::SERVERS)
                .arg(server)
                .query_async(&mut conn),
        )
        .await?;
        Ok(())
    }

    /// On start-up: takes this `SERVER_ID` (waiting up to [`DEAD_AFTER`] for a crashed
    /// predecessor's claim to lapse; a live process under the same id keeps renewing it,
    /// and then start-up fails), and clears what a previous life of the id left behind,
    /// before it accepts connections.
    pub async fn start(&self) -> Result<(), StartError> {
        let me = self.ctx.server_id();
        let deadline = std::time::Instant::now() + DEAD_AFTER + HEARTBEAT;
        loop {
            let mut conn = self.ctx.redis()?;
            let claimed: Option<String> = timed(
                "set",
                redis::cmd("SET")
                    .arg(keys::server_instance(me))
                    .arg(&*self.instance)
                    .arg("NX")
                    .arg("EX")
                    .arg(DEAD_AFTER.as_secs())
                    .query_async(&mut conn),
            )
            .await?;
            if claimed.is_some() {
                let now = redis_now_ms(&mut conn).await?;
                self.epoch.store(now, std::sync::atomic::Ordering::Release);
                break;
            }
            if std::time::Instant::now() > deadline {
                return Err(StartError::InUse(me.to_owned()));
            }
            tracing::warn!(
                server = me,
                "SERVER_ID is held by another process; waiting for it to lapse"
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Ok(self.clear_server(me).await?)
    }

    /// On shutdown: drop this instance's connections, its heartbeat and its claim on the id.
    pub async fn leave(&self) -> Result<(), Failure> {
        let me = self.ctx.server_id();
        self.clear_server(me).await?;
        let mut conn = self.ctx.redis()?;
        let _: i64 = timed(
            "del",
            redis::cmd("DEL")
                .arg(keys::server_instance(me))
                .query_async(&mut conn),
        )
        .await?;
        Ok(())
    }

    /// Which of `ids` are online, in order (one `SMISMEMBER`).
    pub async fn are_online(&self, ids: &[UserId]) -> Result<Vec<bool>, Failure> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("SMISMEMBER");
        cmd.arg(keys::ONLINE_USERS);
        for id in ids {
            cmd.arg(id.0);
        }
        let mut conn = self.ctx.redis()?;
        let v: Vec<i64> = timed("smismember", cmd.query_async(&mut conn)).await?;
        Ok(v.into_iter().map(|x| x == 1).collect())
    }

    /// Up to `limit` online users from `from`, and where the next page starts (`None`: no
    /// more). `SSCAN` under it: a few round trips of about `limit` members each, whatever
    /// the number online.
    pub async fn online_page(
        &self,
        from: OnlineCursor,
        limit: usize,
    ) -> Result<(Vec<UserId>, Option<OnlineCursor>), Failure> {
        let mut conn = self.ctx.redis()?;
        let from = ScanCursor {
            scan: from.scan,
            skip: from.skip,
        };
        let (items, next) =
            scan_page(&mut conn, Scan::Set, keys::ONLINE_USERS, from, limit).await?;
        let ids = items
            .iter()
            .filter_map(|item| item.first()?.parse().ok().map(UserId))
            .collect();
        Ok((
            ids,
            next.map(|c| OnlineCursor {
                scan: c.scan,
                skip: c.skip,
            }),
        ))
    }

    /// Views of users (unknown ids are left out).
    pub async fn views(&self, ids: &[UserId]) -> Result<Vec<UserView>, Failure> {
        let names = self.auth.usernames(ids).await?;
        let online = self.are_online(ids).await?;
        Ok(ids
            .iter()
            .zip(names)
            .zip(online)
            .filter_map(|((id, name), online)| {
                Some(UserView {
                    id: id.to_string(),
                    username: name?,
                    online,
                })
            })
            .collect())
    }
}
