//! The chat scenarios (`fanout`, `rooms`, `dm`, `login`): every socket receives, the
//! senders post at `--rate` in total; a 0.5 s lead, `--warmup`, then `--duration` measured
//! (latency only for messages sent in that window), then the receivers drain.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::{json, Value};

use super::{arrange::arrange, login::login_storm};
use crate::{
    cli::{Args, Scenario},
    costs::{cost_per_message, RedisStats},
    delivery::{receive, send},
    report::{histogram, quantiles, round},
    sample::{window_end, window_start, Proc},
    signin::{sign_in, LoadUser},
    ws::connect_all,
};

pub(super) async fn run(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    let (rooms, senders) = arrange(args, users).await?;
    let t = Instant::now();
    let (sockets, connect_hist, _) = connect_all(args, users).await?;
    let connect_secs = t.elapsed().as_secs_f64();
    let mut members: HashMap<&str, u64> = HashMap::new();
    for r in &rooms {
        *members.entry(r.as_str()).or_default() += 1;
    }

    // The storm's users sign in before the clock starts, so the storm logs in during the
    // window however long set-up takes on this machine.
    let storm_users = if args.scenario == Scenario::Login {
        let mut storm_args = args.clone();
        storm_args.prefix = format!("{}storm", args.prefix);
        storm_args.sessions = None;
        sign_in(&storm_args, 20).await?
    } else {
        Vec::new()
    };
    let run: u32 = rand::random();
    let epoch = Instant::now();
    let lead = Duration::from_millis(500);
    let warm_end = lead + Duration::from_secs_f64(args.warmup);
    let send_end = warm_end + Duration::from_secs_f64(args.duration);
    let window = (warm_end.as_micros() as u64, send_end.as_micros() as u64);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let per_sender = Duration::from_secs_f64(senders.len() as f64 / args.rate.max(0.001));

    let mut recv_tasks = Vec::with_capacity(sockets.len());
    let mut send_tasks = Vec::new();
    for (i, ws) in sockets.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        recv_tasks.push(tokio::spawn(receive(
            stream,
            epoch,
            window,
            Arc::clone(&stop),
        )));
        if let Some(k) = senders.iter().position(|s| *s == i) {
            let offset = per_sender.mul_f64(k as f64 / senders.len() as f64) + lead;
            send_tasks.push((
                rooms[i].clone(),
                tokio::spawn(send(
                    sink,
                    run,
                    k as u32,
                    rooms[i].clone(),
                    per_sender,
                    offset,
                    epoch,
                    epoch + send_end,
                    Arc::clone(&sent),
                )),
            ));
        } else {
            // Receive-only sockets keep their sink alive until the end.
            tokio::spawn(async move {
                tokio::time::sleep(send_end + Duration::from_secs(4)).await;
                drop(sink);
            });
        }
    }

    let storm = (!storm_users.is_empty())
        .then(|| tokio::spawn(login_storm(args.clone(), storm_users, epoch + send_end)));

    tokio::time::sleep(warm_end).await;
    let redis = match &args.redis {
        Some(url) => Some(RedisStats::connect(url).await?),
        None => None,
    };
    let stats_before = match &redis {
        Some(r) => Some(r.commandstats().await?),
        None => None,
    };
    let sent_before = sent.load(Ordering::Relaxed);
    let measured = window_start(procs);
    tokio::time::sleep(send_end - warm_end).await;
    let resources = window_end(procs, &measured);
    let sent_in_window = sent.load(Ordering::Relaxed).saturating_sub(sent_before);
    let stats_after = match &redis {
        Some(r) => Some(r.commandstats().await?),
        None => None,
    };
    let mut expected = 0u64;
    for (room, task) in send_tasks {
        let n = task.await?;
        expected += n * members.get(room.as_str()).copied().unwrap_or(0);
    }
    stop.store(true, Ordering::Relaxed);
    let mut latency = histogram()?;
    let (mut measured_n, mut unique, mut dups, mut ooo, mut errors, mut bytes) = (0, 0, 0, 0, 0, 0);
    for t in recv_tasks {
        let s = t.await?;
        latency.add(&s.latency)?;
        measured_n += s.measured;
        unique += s.unique;
        dups += s.duplicates;
        ooo += s.out_of_order;
        errors += s.errors;
        bytes += s.bytes;
    }
    let secs = args.duration;
    let mut report = json!({
        "sent_per_second": round(sent.load(Ordering::Relaxed) as f64 / (secs + args.warmup)),
        "delivered_per_second": round(measured_n as f64 / secs),
        "received_mb_per_second": round(bytes as f64 / 1048576.0 / (secs + args.warmup)),
        "latency_ms": quantiles(&latency),
        "deliveries_expected": expected,
        "deliveries_unique": unique,
        "lost": expected.saturating_sub(unique),
        "duplicated": dups,
        "out_of_order": ooo,
        "errors": errors,
        "senders": senders.len(),
        "rooms": members.len(),
        "connect_ms": quantiles(&connect_hist),
        "connect_seconds": round(connect_secs),
        "processes": resources,
    });
    report["cost_per_message"] = cost_per_message(
        &report["processes"],
        measured.secs(),
        sent_in_window,
        stats_before.as_ref().zip(stats_after.as_ref()),
    );
    if let Some(storm) = storm {
        report["login"] = storm.await??;
    }
    Ok(report)
}
