//! The dedicated subscription to `MESSAGES`: reconnects and resubscribes by itself, and
//! recovers what it missed meanwhile, so sockets stay open through a Redis blip.
//!
//! Every envelope our instances publish (but `typing`) is first appended to the channel's
//! event log, the capped stream `MESSAGES:log`, by the same script that publishes it, and
//! published with its entry id as `offset` (see `chat_core::Offset`). This subscription
//! remembers the last offset it saw. When it is lost (the connection killed, Redis
//! restarted, a half-open connection noticed by a missed ping), it subscribes again and
//! then reads the log after that offset: every envelope missed in the gap is delivered, in
//! order, before the live ones, and a live one already replayed is skipped. Recovery is
//! done once for the instance, not once per socket.
//!
//! Only when the gap cannot be recovered exactly — the log no longer holds the last offset
//! seen (trimmed past it, or Redis came back without it: a restart that lost writes), or
//! the gap lasted longer than [`Recovery::max_gap`] — are the sockets closed to resync;
//! their clients reconnect with jitter and catch up with `after=`.
//!
//! A connection can also die without closing (a half-open TCP connection, a stuck proxy):
//! nothing arrives and nothing fails. So the instance pings itself through Redis pub/sub
//! every [`PING_EVERY`] on a channel of its own, `server:{id}:ping` (not `MESSAGES`, which
//! other instances and the seed's server read); a subscription that has not delivered a
//! ping for [`PONG_DEADLINE`] is treated as lost.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chat_core::{
    channels, metrics,
    redis::{self, aio::MultiplexedConnection},
    Offset, MESSAGES_CHANNEL,
};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::{
    dispatch::Listeners,
    recovery::{log_end, replay, Recovery, Unrecoverable},
};

/// How often the instance pings its own subscription.
pub const PING_EVERY: Duration = Duration::from_secs(3);
/// A subscription silent this long (several pings) is lost.
pub const PONG_DEADLINE: Duration = Duration::from_secs(10);
/// The longest wait between attempts to subscribe again: once Redis is back, live delivery
/// resumes within about this long.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Where this instance stands in `MESSAGES`'s event log.
#[derive(Debug, Default)]
struct Position {
    /// The newest offset delivered; `Offset::default()` when the log was empty (or
    /// missing) at the first subscription; `None` before the first subscription.
    last: Option<Offset>,
    /// When the subscription was lost, while it is.
    lost_at: Option<Instant>,
}

/// Runs until `stop`: subscribe, catch up from the event log, hand every envelope to
/// `listeners`, and on any error (or a missed ping) wait a little (up to [`MAX_BACKOFF`], growing) and
/// start over. `live` is true while subscribed and caught up.
pub async fn run(
    client: redis::Client,
    listeners: Arc<dyn Listeners>,
    server_id: Arc<str>,
    live: Arc<AtomicBool>,
    recovery: Recovery,
    stop: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    let mut position = Position::default();
    let log = channels::log(MESSAGES_CHANNEL);
    loop {
        let ping_channel = format!("server:{server_id}:ping");
        let session = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(MESSAGES_CHANNEL).await?;
            pubsub.subscribe(&ping_channel).await?;
            let mut publisher = client.get_multiplexed_async_connection().await?;
            // Subscribed: what is published from now on is queued on `pubsub`. What was
            // published before is in the log: replay it, then the queue (minus repeats).
            catch_up(&mut publisher, &log, &mut position, recovery, &*listeners).await?;
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
                            Ok(payload) => {
                                if let Some(offset) = Offset::of_envelope(&payload) {
                                    if position.last.is_some_and(|last| offset <= last) {
                                        continue; // replayed from the log already
                                    }
                                    position.last = Some(offset);
                                }
                                listeners.on_envelope(&payload);
                            }
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
            metrics::PUBSUB_LOST.inc();
            position.lost_at = Some(Instant::now());
            backoff = Duration::from_millis(100);
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Freshly subscribed: on the first subscription, note where the log ends; after a loss,
/// deliver what the log holds past the last offset seen, or — when it cannot be recovered
/// exactly — close the sockets to resync and start again from the log's end.
async fn catch_up(
    conn: &mut MultiplexedConnection,
    log: &str,
    position: &mut Position,
    recovery: Recovery,
    listeners: &dyn Listeners,
) -> redis::RedisResult<()> {
    let (Some(from), Some(lost_at)) = (position.last, position.lost_at) else {
        position.last = Some(log_end(conn, log).await?);
        return Ok(());
    };
    let gap = lost_at.elapsed();
    let outcome = if gap > recovery.max_gap {
        Err(Unrecoverable::TooLong(gap))
    } else {
        replay(conn, log, from, recovery.log_len, &mut |e| {
            listeners.on_envelope(e)
        })
        .await?
    };
    position.lost_at = None;
    match outcome {
        Ok((replayed, last)) => {
            position.last = Some(last);
            metrics::RECOVERIES.with_label_values(&["recovered"]).inc();
            metrics::EVENTS_REPLAYED.inc_by(replayed);
            tracing::info!(
                replayed,
                gap_ms = gap.as_millis() as u64,
                "recovered the {MESSAGES_CHANNEL} gap from its event log"
            );
        }
        Err(why) => {
            position.last = Some(log_end(conn, log).await?);
            let closed = listeners.resync(None);
            metrics::RECOVERIES.with_label_values(&["resynced"]).inc();
            metrics::SOCKETS_RESYNCED.inc_by(closed as u64);
            tracing::warn!(%why, closed, "the {MESSAGES_CHANNEL} gap could not be recovered; sockets resync");
        }
    }
    Ok(())
}
