//! The pub/sub envelope on the `MESSAGES` channel and the bus that carries events.
//!
//! Every instance publishes `{"serverId": "...", "type": "...", "data": {...}}` to
//! `MESSAGES` and subscribes to it; an instance ignores its own envelopes because it has
//! already handed them to its own sockets. Modules emit events through [`Events`]; the
//! WebSocket hub in `src/` is the [`EventSink`] that routes them to sockets.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::{
    error::Failure,
    metrics,
    protocol::{EventKind, ServerEvent},
    redis_io::{timed, Pool},
};

/// The channel every instance publishes to and subscribes to.
pub const MESSAGES_CHANNEL: &str = "MESSAGES";

/// One envelope as read off the channel. `data` stays raw: it is forwarded, not rebuilt.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<'a> {
    #[serde(default, borrow)]
    pub server_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    pub kind: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub data: &'a RawValue,
}

impl Envelope<'_> {
    /// The envelope text for an event whose data is already JSON.
    pub fn encode(server_id: &str, kind: &str, data_json: &str) -> String {
        let mut s = String::with_capacity(data_json.len() + server_id.len() + kind.len() + 40);
        s.push_str(r#"{"serverId":"#);
        s.push_str(&serde_json::to_string(server_id).unwrap_or_default());
        s.push_str(r#","type":"#);
        s.push_str(&serde_json::to_string(kind).unwrap_or_default());
        s.push_str(r#","data":"#);
        s.push_str(data_json);
        s.push('}');
        s
    }
}

/// What an envelope carries: an event for clients, or word between instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A [`ServerEvent`] for the sockets it concerns.
    Client(EventKind),
    /// A session was ended (sign-out): every instance closes the sockets opened with it.
    SessionEnded,
}

impl Topic {
    /// The envelope's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Client(kind) => kind.as_str(),
            Topic::SessionEnded => "session.ended",
        }
    }

    /// The topic an envelope's `type` names (`None` for one this version does not know).
    pub fn parse(tag: &str) -> Option<Self> {
        match tag {
            "session.ended" => Some(Topic::SessionEnded),
            tag => EventKind::parse(tag).map(Topic::Client),
        }
    }
}

/// The data of [`Topic::SessionEnded`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEnded {
    pub user_id: String,
    /// The session's id (the hash of its token).
    pub session: String,
}

/// Receives every event this instance should hand to its sockets, local or remote.
pub trait EventSink: Send + Sync + 'static {
    /// `data` is the event's JSON; the sink decides who gets it from `topic` and `data`.
    fn dispatch(&self, topic: Topic, data: &str);
}

/// The event bus: publish to every instance and hand to this instance's sockets.
#[derive(Clone)]
pub struct Events {
    inner: Arc<EventsInner>,
}

struct EventsInner {
    server_id: String,
    pool: Pool,
    sink: OnceLock<Arc<dyn EventSink>>,
}

impl Events {
    pub fn new(server_id: String, pool: Pool) -> Self {
        Self {
            inner: Arc::new(EventsInner {
                server_id,
                pool,
                sink: OnceLock::new(),
            }),
        }
    }

    pub fn server_id(&self) -> &str {
        &self.inner.server_id
    }

    /// Installs the local sink (the WebSocket hub) once, at start-up.
    pub fn set_sink(&self, sink: Arc<dyn EventSink>) {
        let _ = self.inner.sink.set(sink);
    }

    /// Hands an event to this instance's sockets only (its envelope went out another way,
    /// e.g. from the Lua script that stores a message).
    pub fn dispatch_local(&self, topic: Topic, data_json: &str) {
        if let Some(sink) = self.inner.sink.get() {
            sink.dispatch(topic, data_json);
        }
    }

    /// Publishes an event to every instance and hands it to this one's sockets.
    pub async fn publish(&self, event: &ServerEvent) -> Result<(), Failure> {
        let data_json = event.data_json()?;
        self.publish_raw(Topic::Client(event.kind()), &data_json)
            .await
    }

    /// Tells every instance (this one included) that a session ended.
    pub async fn session_ended(&self, ended: &SessionEnded) -> Result<(), Failure> {
        let data_json = serde_json::to_string(ended)?;
        self.publish_raw(Topic::SessionEnded, &data_json).await
    }

    async fn publish_raw(&self, topic: Topic, data_json: &str) -> Result<(), Failure> {
        let envelope = Envelope::encode(&self.inner.server_id, topic.as_str(), data_json);
        self.dispatch_local(topic, data_json);
        let mut conn = self
            .inner
            .pool
            .get()
            .await
            .map_err(|e| Failure::internal(format!("redis pool: {e}")))?;
        let _: i64 = timed(
            "publish",
            mobc_redis::redis::cmd("PUBLISH")
                .arg(MESSAGES_CHANNEL)
                .arg(envelope)
                .query_async(&mut *conn),
        )
        .await?;
        metrics::ENVELOPES_OUT
            .with_label_values(&[topic.as_str()])
            .inc();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip() {
        let s = Envelope::encode("a\"b", "message", r#"{"x":1}"#);
        let e: Envelope<'_> = serde_json::from_str(&s).unwrap();
        assert_eq!(e.server_id.as_deref(), Some("a\"b"));
        assert_eq!(e.kind, "message");
        assert_eq!(e.data.get(), r#"{"x":1}"#);
    }

    #[test]
    fn topics_round_trip() {
        for topic in EventKind::ALL
            .iter()
            .map(|k| Topic::Client(*k))
            .chain([Topic::SessionEnded])
        {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("no.such"), None);
    }
}
