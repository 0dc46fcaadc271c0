//! The dedicated subscription to `MESSAGES`: reconnects and resubscribes by itself.
//!
//! A connection can also die without closing (a half-open TCP connection, a stuck proxy):
//! nothing arrives and nothing fails. So the instance pings itself through Redis pub/sub
//! every [`PING_EVERY`] on a channel of its own, `server:{id}:ping` (not `MESSAGES`, which
//! other instances and the seed's server read); a subscription that has not delivered a
//! ping for [`PONG_DEADLINE`] is treated as lost: resubscribe, and close the sockets so
//! their clients reconnect and catch up.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chat_core::{metrics, redis, MESSAGES_CHANNEL};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::dispatch::Listeners;

/// How often the instance pings its own subscription.
pub const PING_EVERY: Duration = Duration::from_secs(3);
/// A subscription silent this long (several pings) is lost.
pub const PONG_DEADLINE: Duration = Duration::from_secs(10);

/// Runs until `stop`: subscribe, hand every envelope to `listeners`, and on any error (or
/// a missed ping) wait a little (up to 5 s, growing) and start over. `live` is true while
/// subscribed.
pub async fn run(
    client: redis::Client,
    listeners: Arc<dyn Listeners>,
    server_id: Arc<str>,
    live: Arc<AtomicBool>,
    stop: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let ping_channel = format!("server:{server_id}:ping");
        let session = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(MESSAGES_CHANNEL).await?;
            pubsub.subscribe(&ping_channel).await?;
            let mut publisher = client.get_multiplexed_async_connection().await?;
            live.store(true, Ordering::SeqCst);
            metrics::PUBSUB_CONNECTED.set(1);
            tracing::info!("subscribed to {MESSAGES_CHANNEL}");
            let mut stream = pubsub.on_message();
            let mut ping = tokio::time::interval(PING_EVERY);
            let mut last_pong = Instant::now();
            loop {
                tokio::select! {
                    msg = stream.next() => {
                        let Some(msg) = msg else { break };
                        if msg.get_channel_name() == ping_channel {
                            last_pong = Instant::now();
                            continue;
                        }
                        // Hot path: one envelope per event from another instance.
                        match msg.get_payload::<String>() {
                            Ok(payload) => listeners.on_envelope(&payload),
                            Err(e) => tracing::debug!(error = %e, "non-text envelope ignored"),
                        }
                    }
                    _ = ping.tick() => {
                        if last_pong.elapsed() > PONG_DEADLINE {
                            return Err(redis::RedisError::from((
                                redis::ErrorKind::IoError,
                                "the subscription stopped delivering (no ping came back)",
                            )));
                        }
                        let sent = tokio::time::timeout(
                            PING_EVERY,
                            redis::cmd("PUBLISH")
                                .arg(&ping_channel)
                                .arg("ping")
                                .query_async::<i64>(&mut publisher),
                        )
                        .await;
                        if !matches!(sent, Ok(Ok(_))) {
                            tracing::debug!("could not ping the subscription");
                        }
                    }
                }
            }
            Ok::<(), redis::RedisError>(())
        };
        let outcome = tokio::select! {
            _ = stop.cancelled() => return,
            r = session => r,
        };
        let was_live = live.swap(false, Ordering::SeqCst);
        metrics::PUBSUB_CONNECTED.set(0);
        match outcome {
            Ok(()) => tracing::warn!("the {MESSAGES_CHANNEL} subscription ended; resubscribing"),
            Err(e) => {
                tracing::warn!(error = %e, "the {MESSAGES_CHANNEL} subscription failed; retrying")
            }
        }
        if was_live {
            // Events published while unsubscribed never reach this instance's sockets:
            // close them so their clients reconnect and catch up with `after=`.
            listeners.resync(None);
            backoff = Duration::from_millis(100);
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
