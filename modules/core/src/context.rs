//! The shared context handed to every module.

use std::sync::Arc;

pub use crate::redis_io::{timed, Multiplexed, Pool, RedisConn};
use crate::{envelope::Events, error::Failure};

/// Cheap-to-clone handle on everything shared: the Redis pool, the event bus, the per-user
/// rate limiter and the id of this server instance. Each module's own settings are its
/// own (handed to its store).
#[derive(Clone)]
pub struct Ctx {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    multiplexed: Option<Multiplexed>,
    events: Events,
    limiter: crate::Limiter,
}

impl Ctx {
    /// `multiplexed` is `None` only where no Redis is reached (printing the OpenAPI
    /// document); the hot path then answers with an error.
    pub fn new(
        pool: Pool,
        multiplexed: Option<Multiplexed>,
        events: Events,
        rates: crate::Rates,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                multiplexed,
                events,
                limiter: crate::Limiter::new(rates),
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

    /// The id of this server instance, as carried in every envelope it publishes.
    pub fn server_id(&self) -> &str {
        self.inner.events.server_id()
    }
}
