//! The shared context handed to every module.

use std::{sync::Arc, time::Duration};

use mobc_redis::RedisConnectionManager;

use crate::{envelope::Events, error::Failure};

/// The Redis command pool (pub/sub uses a dedicated connection of its own, see `src/redis.rs`).
pub type Pool = mobc::Pool<RedisConnectionManager>;
/// A connection checked out of [`Pool`].
pub type RedisConn = mobc::Connection<RedisConnectionManager>;
/// The hot path's connection: one multiplexed connection that reconnects by itself and
/// pipelines the commands of every concurrent task into shared writes and reads, with no
/// pool checkout per command.
pub type Multiplexed = mobc_redis::redis::aio::ConnectionManager;

/// Settings the modules read; the server fills them from its configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a session lives without being used.
    pub session_ttl: Duration,
    /// Whether the session cookie carries `Secure`.
    pub cookie_secure: bool,
    /// Keep a seed-written bcrypt hash instead of upgrading it to argon2 at login
    /// (for while the seed's own server still shares the Redis).
    pub keep_bcrypt: bool,
    /// Failed logins allowed per username or client address within `login_window`.
    pub login_max_failures: u32,
    /// The window over which failed logins are counted and the lockout lasts.
    pub login_window: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Per-user rates of what a signed-in user does.
    pub rates: crate::Rates,
    /// Messages kept per room; older ones are removed as new ones arrive (0: keep all).
    pub room_max_messages: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            cookie_secure: false,
            keep_bcrypt: false,
            login_max_failures: 10,
            login_window: Duration::from_secs(300),
            trust_proxy: false,
            rates: crate::Rates::default(),
            room_max_messages: 100_000,
        }
    }
}

/// Cheap-to-clone handle on everything shared: the Redis pool, the event bus, the settings
/// and the id of this server instance.
#[derive(Clone)]
pub struct Ctx {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    multiplexed: Option<Multiplexed>,
    events: Events,
    limiter: crate::Limiter,
    settings: Settings,
}

impl Ctx {
    /// `multiplexed` is `None` only where no Redis is reached (printing the OpenAPI
    /// document); the hot path then answers with an error.
    pub fn new(
        pool: Pool,
        multiplexed: Option<Multiplexed>,
        events: Events,
        settings: Settings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                multiplexed,
                events,
                limiter: crate::Limiter::new(settings.rates),
                settings,
            }),
        }
    }

    /// The multiplexed connection of the hot path (cheap to clone).
    pub fn multiplexed(&self) -> Result<Multiplexed, Failure> {
        self.inner
            .multiplexed
            .clone()
            .ok_or_else(|| Failure::internal("redis: no multiplexed connection"))
    }

    /// Checks a connection out of the pool.
    pub async fn redis(&self) -> Result<RedisConn, Failure> {
        let started = std::time::Instant::now();
        let conn = self.inner.pool.get().await.map_err(|e| {
            crate::metrics::REDIS_ERRORS.inc();
            Failure::internal(format!("redis pool: {e}"))
        });
        crate::metrics::REDIS_POOL_WAIT.observe(started.elapsed().as_secs_f64());
        conn
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The per-user rate limiter.
    pub fn limiter(&self) -> &crate::Limiter {
        &self.inner.limiter
    }

    pub fn events(&self) -> &Events {
        &self.inner.events
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The id of this server instance, as carried in every envelope it publishes.
    pub fn server_id(&self) -> &str {
        self.inner.events.server_id()
    }
}

/// Runs one Redis command or pipeline and records its latency and errors.
///
/// Hot path: every Redis call of every module goes through here.
pub async fn timed<T, F>(op: &'static str, fut: F) -> Result<T, Failure>
where
    F: std::future::Future<Output = Result<T, mobc_redis::redis::RedisError>>,
{
    let timer = crate::metrics::REDIS_LATENCY
        .with_label_values(&[op])
        .start_timer();
    let out = fut.await;
    timer.observe_duration();
    out.map_err(|e| {
        crate::metrics::REDIS_ERRORS.inc();
        Failure::internal(format!("redis {op}: {e}"))
    })
}
