//! Who is in which room, and who sends, for the chat scenarios.

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::{
    cli::{Args, Scenario},
    signin::LoadUser,
};

/// Puts users in rooms for the scenario: returns each user's room and which users send.
///
/// `fanout` and `login`: everyone in General, `--senders` spread evenly. `dm`: pairs in
/// their direct rooms, the first of each pair sends. `rooms`: named rooms of
/// `--room-size`, created by their first member, who sends.
pub(super) async fn arrange(
    args: &Args,
    users: &[LoadUser],
) -> anyhow::Result<(Vec<String>, Vec<usize>)> {
    let http = reqwest::Client::new();
    let n = users.len();
    match args.scenario {
        Scenario::Fanout | Scenario::Login => {
            let senders = args.senders.clamp(1, n);
            Ok((
                vec!["0".into(); n],
                (0..senders).map(|i| i * n / senders).collect(),
            ))
        }
        Scenario::Dm => {
            let mut rooms = vec![String::new(); n];
            let mut senders = Vec::new();
            for pair in (0..n / 2 * 2).step_by(2) {
                let (a, b) = (&users[pair], &users[pair + 1]);
                let r: Value = http
                    .post(format!("{}/api/rooms/direct", a.url))
                    .bearer_auth(&a.token)
                    .json(&json!({"userId": b.id}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let id = r["id"].as_str().context("direct room id")?.to_owned();
                rooms[pair] = id.clone();
                rooms[pair + 1] = id;
                senders.push(pair);
            }
            if n % 2 == 1 {
                rooms[n - 1] = rooms[0].clone();
            }
            Ok((rooms, senders))
        }
        Scenario::Rooms => {
            let size = args.room_size.max(2);
            let run: u32 = rand::random();
            let mut rooms = vec![String::new(); n];
            let mut senders = Vec::new();
            for (j, start) in (0..n).step_by(size).enumerate() {
                let owner = &users[start];
                let r: Value = http
                    .post(format!("{}/api/rooms", owner.url))
                    .bearer_auth(&owner.token)
                    .json(&json!({"name": format!("lg-{run:08x}-{j}")}))
                    .send()
                    .await?
                    .json()
                    .await?;
                let id = r["id"].as_str().context("room id")?.to_owned();
                for u in &users[start..(start + size).min(n)] {
                    if u.id != owner.id {
                        let s = http
                            .post(format!("{}/api/rooms/{id}/join", u.url))
                            .bearer_auth(&u.token)
                            .send()
                            .await?;
                        if s.status() != 200 {
                            bail!("join: {}", s.status());
                        }
                    }
                    rooms[users.iter().position(|x| x.id == u.id).unwrap_or(0)] = id.clone();
                }
                senders.push(start);
            }
            Ok((rooms, senders))
        }
        Scenario::Idle | Scenario::History => unreachable!(),
    }
}
