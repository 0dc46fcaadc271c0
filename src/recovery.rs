//! Catching up with a channel's event log after a lost subscription (see `src/pubsub.rs`
//! for one Redis, `src/shards.rs` for a cluster): every envelope our instances publish
//! (but `typing`) is first appended to its channel's capped log, and published with the
//! entry's id as its `offset`.

use std::time::Duration;

use chat_core::{
    redis::{self, aio::ConnectionLike, Value},
    Offset,
};

/// Log entries read per round trip while recovering.
const PAGE: usize = 1000;

/// How far back a lost subscription is recovered.
#[derive(Debug, Clone, Copy)]
pub struct Recovery {
    /// Entries kept in the event log (as the publishers trim it).
    pub log_len: u64,
    /// A longer gap is not recovered: the sockets resync.
    pub max_gap: Duration,
}

/// Why a gap could not be recovered.
pub enum Unrecoverable {
    TooLong(Duration),
    /// The log does not reach back to the last offset seen.
    Gone(Offset),
}

impl std::fmt::Display for Unrecoverable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unrecoverable::TooLong(gap) => write!(f, "the gap lasted {} ms", gap.as_millis()),
            Unrecoverable::Gone(from) => write!(f, "the event log no longer holds {from}"),
        }
    }
}

/// Delivers the log's envelopes after `from`, oldest first, in pages; answers how many and
/// the last offset, or that the log does not reach back to `from`.
pub async fn replay<C: ConnectionLike>(
    conn: &mut C,
    log: &str,
    from: Offset,
    log_len: u64,
    deliver: &mut (dyn FnMut(&str) + Send),
) -> redis::RedisResult<Result<(u64, Offset), Unrecoverable>> {
    let empty_at_start = from == Offset::default();
    if empty_at_start {
        // The log was empty when this instance first subscribed: nothing can have been
        // trimmed unless it has filled up since.
        let len: u64 = redis::cmd("XLEN").arg(log).query_async(conn).await?;
        if len >= log_len {
            return Ok(Err(Unrecoverable::Gone(from)));
        }
    }
    // The first page starts at `from` itself (inclusive): finding it proves the log still
    // reaches back that far (trimming removes the oldest first).
    let mut start = if empty_at_start {
        "-".to_owned()
    } else {
        from.to_string()
    };
    let (mut last, mut replayed, mut first_page) = (from, 0u64, true);
    loop {
        let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
            .arg(log)
            .arg(&start)
            .arg("+")
            .arg("COUNT")
            .arg(PAGE)
            .query_async(conn)
            .await?;
        let reaches_back = entries.first().map(|(id, _)| id.parse()) == Some(Ok(from));
        if first_page && !empty_at_start && !reaches_back {
            return Ok(Err(Unrecoverable::Gone(from)));
        }
        first_page = false;
        let full = entries.len() == PAGE;
        for (id, fields) in entries {
            let Ok(offset) = id.parse::<Offset>() else {
                continue;
            };
            if offset <= last {
                continue;
            }
            last = offset;
            if let Some((_, envelope)) = fields.iter().find(|(k, _)| k == "e") {
                deliver(envelope);
                replayed += 1;
            }
        }
        if !full {
            return Ok(Ok((replayed, last)));
        }
        start = format!("({last}");
    }
}

/// The id of the log's newest entry (`0-0` when it is empty or missing).
pub async fn log_end<C: ConnectionLike>(conn: &mut C, log: &str) -> redis::RedisResult<Offset> {
    let newest: Vec<(String, Value)> = redis::cmd("XREVRANGE")
        .arg(log)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await?;
    Ok(newest
        .first()
        .and_then(|(id, _)| id.parse().ok())
        .unwrap_or_default())
}
