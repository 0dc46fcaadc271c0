//! The dedicated subscription to `MESSAGES`: reconnects and resubscribes by itself.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use chat_core::{metrics, redis, MESSAGES_CHANNEL};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;

/// Runs until `stop`: subscribe, hand every envelope to the hub, and on any error wait a
/// little (up to 5 s, growing) and start over. `live` is true while subscribed.
pub async fn run(
    client: redis::Client,
    hub: Hub,
    server_id: Arc<str>,
    live: Arc<AtomicBool>,
    stop: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let session = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(MESSAGES_CHANNEL).await?;
            live.store(true, Ordering::SeqCst);
            metrics::PUBSUB_CONNECTED.set(1);
            tracing::info!("subscribed to {MESSAGES_CHANNEL}");
            let mut stream = pubsub.on_message();
            while let Some(msg) = stream.next().await {
                // Hot path: one envelope per event from another instance.
                match msg.get_payload::<String>() {
                    Ok(payload) => hub.on_envelope(&server_id, &payload),
                    Err(e) => tracing::debug!(error = %e, "non-text envelope ignored"),
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
            hub.close_all(crate::hub::CloseReason::Resync);
            backoff = Duration::from_millis(100);
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
