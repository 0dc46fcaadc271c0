//! The scenarios. `fanout`, `rooms`, `dm` and `login` are chat runs ([`chat`]) that differ
//! in who is in which room ([`arrange`]) and, for `login`, a storm of logins alongside
//! ([`login`]); `idle` and `history` are their own.

mod arrange;
mod chat;
mod history;
mod idle;
mod login;

use serde_json::Value;

use crate::{
    cli::{Args, Scenario},
    sample::Proc,
    signin::LoadUser,
};

/// Runs `--scenario` with the signed-in `users`, measuring `procs`: the scenario's part of
/// the report.
pub(crate) async fn run(args: &Args, users: &[LoadUser], procs: &[Proc]) -> anyhow::Result<Value> {
    match args.scenario {
        Scenario::Idle => idle::run(args, users, procs).await,
        Scenario::History => history::run(args, users, procs).await,
        Scenario::Fanout | Scenario::Rooms | Scenario::Dm | Scenario::Login => {
            chat::run(args, users, procs).await
        }
    }
}
