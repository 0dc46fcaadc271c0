//! Set-up: load users registered and signed in over HTTP, their sessions cached in a file
//! between runs (`--sessions`).

use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::bail;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::cli::{Args, Placement, Scenario};

/// A signed-in load user.
#[derive(Clone)]
pub(crate) struct LoadUser {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) token: String,
    pub(crate) url: String,
}

/// Signs in `n` users named `--prefix` + index, spread over the `--url`s: a cached session
/// when it is still valid, else register (or find the name taken) and log in.
pub(crate) async fn sign_in(args: &Args, n: usize) -> anyhow::Result<Vec<LoadUser>> {
    let cached: HashMap<String, (String, String)> = args
        .sessions
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let http = reqwest::Client::new();
    let sem = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(n);
    let group = match (args.placement, args.scenario) {
        (Placement::ByRoom, Scenario::Rooms) => args.room_size.max(2),
        (Placement::ByRoom, Scenario::Dm) => 2,
        _ => 1,
    };
    for i in 0..n {
        let (http, sem, url) = (
            http.clone(),
            Arc::clone(&sem),
            args.urls[(i / group) % args.urls.len()].clone(),
        );
        let name = format!("{}{i}", args.prefix);
        let password = args.password.clone();
        let cached = cached.get(&name).cloned();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await?;
            if let Some((id, token)) = cached {
                let me = http
                    .get(format!("{url}/api/auth/me"))
                    .bearer_auth(&token)
                    .send()
                    .await?;
                if me.status() == 200 {
                    return Ok::<_, anyhow::Error>(LoadUser {
                        name,
                        id,
                        token,
                        url,
                    });
                }
            }
            let creds = json!({"username": name, "password": password});
            let r = post_patiently(&http, &format!("{url}/api/auth/register"), &creds).await?;
            if !matches!(r.status().as_u16(), 201 | 409) {
                bail!(
                    "register {name}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
            }
            let r = post_patiently(&http, &format!("{url}/api/auth/login"), &creds).await?;
            if r.status() != 200 {
                bail!(
                    "login {name}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                );
            }
            let body: Value = r.json().await?;
            Ok(LoadUser {
                name,
                id: body["id"].as_str().unwrap_or_default().to_owned(),
                token: body["token"].as_str().unwrap_or_default().to_owned(),
                url,
            })
        }));
    }
    let mut users = Vec::with_capacity(n);
    for t in tasks {
        users.push(t.await??);
    }
    if let Some(path) = &args.sessions {
        let map: HashMap<&str, (&str, &str)> = users
            .iter()
            .map(|u| (u.name.as_str(), (u.id.as_str(), u.token.as_str())))
            .collect();
        std::fs::write(path, serde_json::to_string(&map)?)?;
    }
    Ok(users)
}

/// POSTs, waiting and retrying while the server answers 503 (its password hashing queue is
/// full: it refuses rather than queue without bound).
async fn post_patiently(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
) -> anyhow::Result<reqwest::Response> {
    let mut wait = Duration::from_millis(50);
    loop {
        let r = http.post(url).json(body).send().await?;
        if r.status() != 503 {
            return Ok(r);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
    }
}
