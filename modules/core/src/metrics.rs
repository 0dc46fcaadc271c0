//! Every Prometheus metric the server exports, in one registry.
//!
//! Names follow Prometheus conventions (`_total`, `_seconds`); label sets are bounded: no
//! user or room ids, only route templates, methods, statuses, event types and reasons.

use std::sync::LazyLock;

use prometheus::{
    exponential_buckets, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, Opts, Registry,
};

pub static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let r = Registry::new();
    #[cfg(target_os = "linux")]
    {
        let _ = r.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ));
    }
    r
});

fn reg<T: prometheus::core::Collector + Clone + 'static>(c: T) -> T {
    let _ = REGISTRY.register(Box::new(c.clone()));
    c
}

fn latency_buckets() -> Vec<f64> {
    // 50 µs .. ~1.6 s
    exponential_buckets(0.000_05, 2.0, 16).unwrap_or_default()
}

pub static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_http_requests_total",
            "HTTP requests answered, by route template, method and status.",
        ),
        &["route", "method", "status"],
    )
    .unwrap())
});

pub static HTTP_DURATION: LazyLock<HistogramVec> = LazyLock::new(|| {
    reg(HistogramVec::new(
        HistogramOpts::new(
            "redis_chat_http_request_duration_seconds",
            "HTTP request latency, by route template and method.",
        )
        .buckets(latency_buckets()),
        &["route", "method"],
    )
    .unwrap())
});

pub static WS_OPEN: LazyLock<IntGauge> = LazyLock::new(|| {
    reg(IntGauge::new(
        "redis_chat_ws_connections",
        "WebSocket connections open on this instance.",
    )
    .unwrap())
});

pub static WS_OPENED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_ws_connections_opened_total",
        "WebSocket connections accepted.",
    )
    .unwrap())
});

pub static WS_CLOSED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_ws_connections_closed_total",
            "WebSocket connections closed, by reason.",
        ),
        &["reason"],
    )
    .unwrap())
});

pub static MESSAGES_UNREPLICATED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_messages_unreplicated_total",
        "Messages acknowledged on a cluster before the replicas asked for had them (the wait timed out): a failover could lose these.",
    )
    .unwrap())
});

pub static MESSAGES_SENT: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_messages_sent_total",
        "Chat messages accepted and stored by this instance.",
    )
    .unwrap())
});

pub static MESSAGES_CHANGED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_messages_changed_total",
            "Changes to stored messages by this instance, by kind: edit, delete, react, unreact.",
        ),
        &["change"],
    )
    .unwrap())
});

pub static MESSAGES_DELIVERED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_messages_delivered_total",
        "Events written to sockets by this instance.",
    )
    .unwrap())
});

pub static MESSAGES_DROPPED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_messages_dropped_total",
            "Events not delivered to a socket, by reason.",
        ),
        &["reason"],
    )
    .unwrap())
});

pub static DELIVERY_LATENCY: LazyLock<Histogram> = LazyLock::new(|| {
    reg(Histogram::with_opts(
        HistogramOpts::new(
            "redis_chat_delivery_latency_seconds",
            "Time from a message's acceptance (its date) to its write on a socket.",
        )
        .buckets(latency_buckets()),
    )
    .unwrap())
});

pub static ENVELOPES_IN: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_pubsub_envelopes_received_total",
            "Envelopes received on MESSAGES from other instances, by type.",
        ),
        &["type"],
    )
    .unwrap())
});

pub static ENVELOPES_OUT: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_pubsub_envelopes_published_total",
            "Envelopes published on MESSAGES, by type.",
        ),
        &["type"],
    )
    .unwrap())
});

pub static REDIS_LATENCY: LazyLock<HistogramVec> = LazyLock::new(|| {
    reg(HistogramVec::new(
        HistogramOpts::new(
            "redis_chat_redis_command_duration_seconds",
            "Redis command latency, by operation.",
        )
        .buckets(latency_buckets()),
        &["op"],
    )
    .unwrap())
});

pub static REDIS_ERRORS: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_redis_errors_total",
        "Redis commands or connections that failed.",
    )
    .unwrap())
});

pub static PUBSUB_CHANNELS: LazyLock<IntGauge> = LazyLock::new(|| {
    reg(IntGauge::new(
        "redis_chat_pubsub_channels",
        "Pub/sub channels subscribed: MESSAGES on one Redis; on a cluster, the sharded channels this instance's sockets need.",
    )
    .unwrap())
});

pub static PUBSUB_LOST: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_pubsub_lost_total",
        "Subscriptions lost (connection, failover, slot migration, silence).",
    )
    .unwrap())
});

pub static RECOVERIES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_recoveries_total",
            "Event-stream gaps after a lost subscription: recovered from the event log, or resynced (the log did not reach back, or the gap was too long).",
        ),
        &["outcome"],
    )
    .unwrap())
});

pub static EVENTS_REPLAYED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_events_replayed_total",
        "Envelopes read back from the event log after a lost subscription.",
    )
    .unwrap())
});

pub static SOCKETS_RESYNCED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_sockets_resynced_total",
        "Sockets closed to resync because a gap in their events could not be recovered.",
    )
    .unwrap())
});

pub static PUBSUB_CONNECTED: LazyLock<IntGauge> = LazyLock::new(|| {
    reg(IntGauge::new(
        "redis_chat_pubsub_connected",
        "1 while subscribed (to MESSAGES, or on a cluster to the sharded channels).",
    )
    .unwrap())
});

pub static USERS_ONLINE: LazyLock<IntGauge> = LazyLock::new(|| {
    reg(IntGauge::new(
        "redis_chat_users_online",
        "Users online on any instance (as the presence module counts them).",
    )
    .unwrap())
});

pub static LOGINS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_logins_total",
            "Login attempts, by outcome: success, failure or rate_limited.",
        ),
        &["outcome"],
    )
    .unwrap())
});

pub static UPLOADS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_uploads_total",
            "Uploads, by outcome: stored, refused (too large, over quota, not an image it claims \
             to be), failed (storage or server trouble).",
        ),
        &["outcome"],
    )
    .unwrap())
});

pub static UPLOAD_BYTES_STORED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_upload_bytes_stored_total",
        "Bytes written to upload storage (files and thumbnails).",
    )
    .unwrap())
});

pub static UPLOAD_BYTES_DELETED: LazyLock<IntCounter> = LazyLock::new(|| {
    reg(IntCounter::new(
        "redis_chat_upload_bytes_deleted_total",
        "Bytes of uploads deleted from storage (with their message, swept, or refused).",
    )
    .unwrap())
});

pub static IMAGE_PROCESSING: LazyLock<Histogram> = LazyLock::new(|| {
    reg(Histogram::with_opts(
        HistogramOpts::new(
            "redis_chat_image_processing_seconds",
            "Time to decode, orient, re-encode and thumbnail one uploaded image.",
        )
        .buckets(exponential_buckets(0.001, 2.0, 14).unwrap_or_default()),
    )
    .unwrap())
});

pub static STORAGE_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    reg(IntCounterVec::new(
        Opts::new(
            "redis_chat_storage_errors_total",
            "Upload storage operations that failed, by operation (put, get, delete).",
        ),
        &["op"],
    )
    .unwrap())
});

/// Touches every metric so each appears in `/metrics` from the start.
pub fn init() {
    LazyLock::force(&HTTP_REQUESTS);
    LazyLock::force(&HTTP_DURATION);
    LazyLock::force(&WS_OPEN);
    LazyLock::force(&WS_OPENED);
    for r in [
        "client",
        "slow_consumer",
        "shutdown",
        "error",
        "timeout",
        "resync",
    ] {
        WS_CLOSED.with_label_values(&[r]);
    }
    LazyLock::force(&MESSAGES_SENT);
    LazyLock::force(&MESSAGES_UNREPLICATED);
    for c in ["edit", "delete", "react", "unreact"] {
        MESSAGES_CHANGED.with_label_values(&[c]);
    }
    LazyLock::force(&MESSAGES_DELIVERED);
    MESSAGES_DROPPED.with_label_values(&["slow_consumer"]);
    LazyLock::force(&DELIVERY_LATENCY);
    for t in ["message", "user.connected", "user.disconnected"] {
        ENVELOPES_IN.with_label_values(&[t]);
        ENVELOPES_OUT.with_label_values(&[t]);
    }
    REDIS_LATENCY.with_label_values(&["publish"]);
    LazyLock::force(&REDIS_ERRORS);
    LazyLock::force(&PUBSUB_CHANNELS);
    LazyLock::force(&PUBSUB_LOST);
    LazyLock::force(&PUBSUB_CONNECTED);
    for o in ["recovered", "resynced"] {
        RECOVERIES.with_label_values(&[o]);
    }
    LazyLock::force(&EVENTS_REPLAYED);
    LazyLock::force(&SOCKETS_RESYNCED);
    LazyLock::force(&USERS_ONLINE);
    for o in ["success", "failure", "rate_limited"] {
        LOGINS.with_label_values(&[o]);
    }
    for o in ["stored", "refused", "failed"] {
        UPLOADS.with_label_values(&[o]);
    }
    LazyLock::force(&UPLOAD_BYTES_STORED);
    LazyLock::force(&UPLOAD_BYTES_DELETED);
    LazyLock::force(&IMAGE_PROCESSING);
    for o in ["put", "get", "delete"] {
        STORAGE_ERRORS.with_label_values(&[o]);
    }
}
