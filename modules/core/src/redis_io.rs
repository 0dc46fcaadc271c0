//! The Redis connection types every part uses, and the one way commands are timed.

use mobc_redis::RedisConnectionManager;

use crate::error::Failure;

/// The Redis command pool (pub/sub uses a dedicated connection of its own, see `src/pubsub.rs`).
pub type Pool = mobc::Pool<RedisConnectionManager>;
/// A connection checked out of [`Pool`].
pub type RedisConn = mobc::Connection<RedisConnectionManager>;
/// The hot path's connection: one multiplexed connection that reconnects by itself and
/// pipelines the commands of every concurrent task into shared writes and reads, with no
/// pool checkout per command.
pub type Multiplexed = mobc_redis::redis::aio::ConnectionManager;

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
