//! `loadgen`: drives redis-chat instances with many users and measures delivery.
//!
//! Every message a load user sends carries `lg <sender> <seq> <µs since start>` as its text;
//! each receiver finds it in the frame with a substring search (no JSON parse), so the
//! generator measures end-to-end latency (send → socket read) for every delivery and checks
//! per-sender order, loss and duplicates. Scenarios: `fanout`, `rooms`, `dm`, `idle`,
//! `history`, `login`. Output: a table for people and one JSON line for comparing runs.
//!
//! It only targets the URLs it is given and stops by itself after `--duration`.
//!
//! Modules, by concern: [`cli`] the flags; `signin` users and cached sessions; `ws` the
//! sockets; `delivery` the per-socket send and receive loops; `sample` CPU and RSS from
//! `/proc`; `costs` Redis `INFO commandstats` and the cost per message; `scenarios` one
//! file per kind of run; [`report`] the table and the JSON line.

pub mod cli;
mod costs;
mod delivery;
pub mod report;
mod sample;
mod scenarios;
mod signin;
mod ws;

use std::{ffi::OsString, time::Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::{json, Value};

pub use cli::{Args, Scenario};
use report::round;

/// Runs one benchmark on a runtime of its own (`--threads` workers, default all cores), as
/// the binary does, and returns the report (the JSON line's object).
pub fn run_blocking(args: &Args) -> anyhow::Result<Value> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(t) = args.threads {
        rt.worker_threads(t.max(1));
    }
    rt.enable_all().build()?.block_on(run(args))
}

/// [`run_blocking`] for command-line arguments (those after the program name), parsed as
/// the binary parses them.
pub fn run_with_args<I, T>(args: I) -> anyhow::Result<Value>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv = std::iter::once(OsString::from("loadgen")).chain(args.into_iter().map(Into::into));
    run_blocking(&Args::try_parse_from(argv)?)
}

/// The envelopes each instance has received from pub/sub so far (`None`: no metrics).
async fn envelopes_received(urls: &[String]) -> Vec<Option<f64>> {
    let http = reqwest::Client::new();
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let text = match http.get(format!("{url}/metrics")).send().await {
            Ok(r) => r.text().await.ok(),
            Err(_) => None,
        };
        out.push(text.map(|t| {
            t.lines()
                .filter(|l| l.starts_with("redis_chat_pubsub_envelopes_received_total"))
                .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
                .sum()
        }));
    }
    out
}

/// Runs one benchmark on the current runtime and returns the report.
pub async fn run(args: &Args) -> anyhow::Result<Value> {
    if args.urls.is_empty() {
        bail!("give at least one --url");
    }
    for u in &args.urls {
        let host = reqwest::Url::parse(u).with_context(|| format!("--url {u}"))?;
        if !matches!(host.scheme(), "http" | "https") {
            bail!("--url {u}: http(s) URLs only");
        }
    }
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let started = Instant::now();
    let pids = sample::resolve_pids(&args.pids);
    let users = signin::sign_in(args, args.users).await?;
    let setup_secs = started.elapsed().as_secs_f64();
    let envelopes_before = envelopes_received(&args.urls).await;
    let mut report = scenarios::run(args, &users, &pids).await?;
    let envelopes_after = envelopes_received(&args.urls).await;
    // Per instance, from its /metrics: what its subscription handed it during the
    // scenario (room setup included). On one Redis every instance gets every envelope; on a
    // cluster, only those of its sockets' rooms and users.
    report["envelopes_received"] = json!(envelopes_before
        .iter()
        .zip(&envelopes_after)
        .map(|(b, a)| a.zip(*b).map(|(a, b)| a - b))
        .collect::<Vec<_>>());
    report["scenario"] = json!(format!("{:?}", args.scenario).to_lowercase());
    report["instances"] = json!(args.urls.len());
    report["users"] = json!(users.len());
    report["setup_seconds"] = json!(round(setup_secs));
    Ok(report)
}
