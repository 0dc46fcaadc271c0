//! The `login` scenario's storm: logins at `--login-rate` while the chat goes on.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    cli::Args,
    report::{histogram, quantiles},
    signin::LoadUser,
};

/// Logs `users` in `--login-rate` times a second until `until` (at least once).
pub(super) async fn login_storm(
    args: Args,
    users: Vec<LoadUser>,
    until: Instant,
) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let hist = Arc::new(parking_lot::Mutex::new(histogram()?));
    let failures = Arc::new(AtomicU64::new(0));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.login_rate.max(0.1)));
    let mut tasks = Vec::new();
    let mut i = 0usize;
    while i == 0 || Instant::now() < until {
        tick.tick().await;
        let u = users[i % users.len()].clone();
        i += 1;
        let (http, hist, failures, password) = (
            http.clone(),
            Arc::clone(&hist),
            Arc::clone(&failures),
            args.password.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = http
                .post(format!("{}/api/auth/login", u.url))
                .json(&json!({"username": u.name, "password": password}))
                .send()
                .await;
            match r {
                Ok(r) if r.status() == 200 => {
                    let _ = hist.lock().record(t.elapsed().as_micros() as u64);
                }
                _ => {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let h = hist.lock();
    Ok(
        json!({"logins": h.len(), "failures": failures.load(Ordering::Relaxed), "latency_ms": quantiles(&h)}),
    )
}
