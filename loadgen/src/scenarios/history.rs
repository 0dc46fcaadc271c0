//! The `history` scenario: one room filled with `--history-messages`, then every user pages
//! through all of it again and again, checking each pass sees every message once.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite;

use crate::{
    cli::Args,
    delivery::message_frame,
    report::{histogram, quantiles, round},
    sample::{window_end, window_start, Proc},
    signin::LoadUser,
    ws::{connect, source_ip},
};

pub(super) async fn run(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let owner = &users[0];
    let run: u32 = rand::random();
    let r: Value = http
        .post(format!("{}/api/rooms", owner.url))
        .bearer_auth(&owner.token)
        .json(&json!({"name": format!("lg-history-{run:08x}")}))
        .send()
        .await?
        .json()
        .await?;
    let room = r["id"].as_str().context("room id")?.to_owned();
    for u in &users[1..] {
        http.post(format!("{}/api/rooms/{room}/join", u.url))
            .bearer_auth(&u.token)
            .send()
            .await?;
    }
    // Fill the room over one socket, as fast as acknowledgements come back.
    let mut ws = connect(owner, source_ip(args, 0)).await?;
    let fill = Instant::now();
    let mut acked = 0;
    let window = 256;
    let mut next = 0;
    while acked < args.history_messages {
        while next < args.history_messages && next - acked < window {
            let f = message_frame(&room, format!("h {next}"), format!("h{run}-{next}"));
            ws.send(tungstenite::Message::text(f)).await?;
            next += 1;
        }
        match ws.next().await {
            Some(Ok(tungstenite::Message::Text(t))) if t.starts_with(r#"{"type":"ack""#) => {
                acked += 1
            }
            Some(Ok(_)) => {}
            _ => bail!("socket closed while filling"),
        }
    }
    let fill_secs = fill.elapsed().as_secs_f64();
    let w = window_start(procs);
    let until = Instant::now() + Duration::from_secs_f64(args.duration);
    let mut tasks = Vec::new();
    for u in users.iter().cloned() {
        let (http, room, total) = (http.clone(), room.clone(), args.history_messages);
        tasks.push(tokio::spawn(async move {
            let mut hist = histogram()?;
            let (mut passes, mut bad_passes) = (0u64, 0u64);
            while Instant::now() < until {
                let mut cursor: Option<String> = None;
                let mut seen = HashSet::new();
                loop {
                    let q = cursor
                        .as_ref()
                        .map_or("limit=50".to_owned(), |c| format!("limit=50&before={c}"));
                    let t = Instant::now();
                    let page: Value = http
                        .get(format!("{}/api/rooms/{room}/messages?{q}", u.url))
                        .bearer_auth(&u.token)
                        .send()
                        .await?
                        .json()
                        .await?;
                    hist.record(t.elapsed().as_micros() as u64)?;
                    for m in page["messages"].as_array().into_iter().flatten() {
                        seen.insert(m["id"].as_str().unwrap_or_default().to_owned());
                    }
                    match page["before"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => break,
                    }
                }
                passes += 1;
                if seen.len() != total {
                    bad_passes += 1;
                }
            }
            Ok::<_, anyhow::Error>((hist, passes, bad_passes))
        }));
    }
    let mut hist = histogram()?;
    let (mut passes, mut bad) = (0, 0);
    for t in tasks {
        let (h, p, b) = t.await??;
        hist.add(&h)?;
        passes += p;
        bad += b;
    }
    Ok(json!({
        "messages_in_room": args.history_messages,
        "fill_messages_per_second": round(args.history_messages as f64 / fill_secs),
        "pages_per_second": round(hist.len() as f64 / args.duration),
        "page_latency_ms": quantiles(&hist),
        "full_passes": passes,
        "passes_with_gaps_or_duplicates": bad,
        "processes": window_end(procs, &w),
    }))
}
