//! # chat-core
//!
//! The little that every redis-chat module shares, and nothing more:
//!
//! - [`Ctx`]: the handles a module needs (the Redis connection, the event bus, the rate limiter),
//!   cheap to clone; each module's own settings stay with the module;
//! - ids ([`UserId`], [`RoomId`]) that are validated once, at the edge;
//! - [`input`]: inputs that declare their schema and their check together, and
//!   [`contract`]: the HTTP layer's answers declared for every operation;
//! - the pub/sub [`envelope`] carried on the `MESSAGES` channel and the [`Events`] bus that
//!   publishes it and hands it to this instance's sockets;
//! - the WebSocket [`protocol`] types, one tagged enum per direction;
//! - the JSON error body every 4xx/5xx carries ([`ErrorBody`]);
//! - the Prometheus [`metrics`] every part records into;
//! - per-user rate [`limits`], in memory;
//! - [`lua`]: how a module runs its Lua scripts;
//! - the [`templates`] of events a Lua script completes (a message around its date).
//!
//! This crate owns no Redis keys. Every key belongs to exactly one module. Its modules
//! depend on each other one way: `context` on `envelope`, both on `redis_io`.

pub mod context;
pub mod contract;
pub mod envelope;
pub mod error;
pub mod ids;
pub mod input;
pub mod limits;
pub mod lua;
pub mod metrics;
pub mod protocol;
pub mod redis_io;
pub mod scan;
pub mod templates;
#[cfg(feature = "testing")]
pub mod testing;

pub use context::{Ctx, Redis};
pub use contract::{Contract, Described};
pub use envelope::{
    audience_of, channels, route, Audience, Envelope, EventSink, Events, Offset, PublishTarget,
    Route, SessionEnded, Topic, MESSAGES_CHANNEL,
};
pub use error::{ErrorBody, Failure};
pub use ids::{RoomId, RoomKind, UserId};
pub use input::{Rejection, TextInput};
pub use limits::{Action, Limiter, Rate, Rates};
pub use protocol::{ClientEvent, ClientKind, EventKind, Message, ServerEvent};
pub use redis;

/// The clock: unix seconds with a fraction (0 if the clock is before 1970).
pub fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
