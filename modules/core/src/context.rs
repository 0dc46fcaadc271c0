//! The shared context handed to every module.

use std::sync::Arc;

pub use crate::redis_io::{timed, Redis};
use crate::{envelope::Events, error::Failure};

/// Cheap-to-clone handle on everything shared: the Redis connection, the event bus, the per-user
/// rate limiter and the id of this server instance. Each module's own settings are its
/// own (handed to its store).
#[derive(Clone)]
pub struct Ctx {
    inner: Arc<Inner>,
}

struct Inner {
    redis: Option<Redis>,
    events: Events,
    limiter: crate::Limiter,
}

impl Ctx {
    /// `redis` is `None` only where no Redis is reached (printing the OpenAPI document);
    /// every command then answers with an error.
    pub fn new(redis: Option<Redis>, events: Events, rates: crate::Rates) -> Self {
        Self {
            inner: Arc::new(Inner {
                redis,
                events,
                limiter: crate::Limiter::new(rates),
            }),
        }
    }

    /// The shared connection: cheap to clone, every clone multiplexed over the same
    /// connection (one Redis) or connections (a cluster). Used as `&mut conn`.
    pub fn redis(&self) -> Result<Redis, Failure> {
        self.inner
            .redis
            .clone()
            .ok_or_else(|| Failure::internal("redis: not connected"))
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
