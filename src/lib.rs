//! # redis-chat
//!
//! The server: configuration, the embedded Redis, the WebSocket hub over the `MESSAGES`
//! channel (or a cluster's sharded channels), HTTP plumbing and telemetry. The chat itself lives in the module crates under
//! `modules/` (auth, rooms, messages, presence); [`app`] is the one place that puts them
//! together.

pub mod app;
pub mod config;
mod demo;
pub mod dispatch;
pub mod embedded;
pub mod http;
pub mod hub;
pub mod net;
pub mod pubsub;
pub mod recovery;
pub mod shards;
pub mod telemetry;
pub mod ws;

pub use app::{openapi_json, Application};
pub use config::Config;
pub use demo::{DEMO_PASSWORD, DEMO_USERS};
