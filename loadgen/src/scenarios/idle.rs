//! The `idle` scenario: many connections, no traffic; memory and CPU per connection.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{
    cli::Args,
    report::{quantiles, round},
    sample::{sample, window_end, window_start, Proc},
    signin::LoadUser,
    ws::connect_all,
};

pub(super) async fn run(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before: Vec<Option<(f64, u64)>> = procs.iter().map(|p| sample(p.pid)).collect();
    let t = Instant::now();
    // Several sockets per user when --connections exceeds --users: the server treats each
    // as its own connection, like tabs.
    let wanted = args.connections.unwrap_or(users.len());
    let tabs: Vec<LoadUser> = (0..wanted)
        .map(|i| users[i % users.len()].clone())
        .collect();
    let (sockets, connect_hist, _) = connect_all(args, &tabs).await?;
    let connect_secs = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let w = window_start(procs);
    tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
    let resources = window_end(procs, &w);
    let mut per_conn = serde_json::Map::new();
    for (p, b) in procs.iter().zip(&before) {
        if let (Some((_, rss0)), Some((_, rss1))) = (b, sample(p.pid)) {
            per_conn.insert(
                p.name.clone(),
                json!(round(
                    (rss1 as f64 - *rss0 as f64) / sockets.len() as f64 / 1024.0
                )),
            );
        }
    }
    let n = sockets.len();
    drop(sockets);
    Ok(json!({
        "connections": n,
        "connect_seconds": round(connect_secs),
        "connect_ms": quantiles(&connect_hist),
        "rss_kb_per_connection": per_conn,
        "processes": resources,
    }))
}
