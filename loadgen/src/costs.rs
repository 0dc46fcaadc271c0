//! Redis's own counts (`INFO commandstats`) and the cost of one message: server and Redis
//! CPU, Redis commands.

use std::collections::HashMap;

use anyhow::Context;
use chat_core::redis;
use serde_json::{json, Value};

use crate::report::round;

/// A connection to the servers' Redis, for `INFO commandstats`.
pub(crate) struct RedisStats(redis::aio::MultiplexedConnection);

impl RedisStats {
    pub(crate) async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).with_context(|| format!("--redis {url}"))?;
        Ok(Self(client.get_multiplexed_async_connection().await?))
    }

    /// Calls so far, per command.
    pub(crate) async fn commandstats(&self) -> anyhow::Result<CommandCalls> {
        let text: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut self.0.clone())
            .await?;
        Ok(parse_commandstats(&text))
    }
}

/// Calls so far, per Redis command.
pub(crate) type CommandCalls = HashMap<String, u64>;

/// `cmdstat_evalsha:calls=12,usec=…` lines → command → calls.
fn parse_commandstats(text: &str) -> CommandCalls {
    text.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// Server and Redis CPU µs per message, and Redis commands per message (commands run
/// inside scripts count too, as Redis counts them).
///
/// "Per message" means per message *stored* in the window when Redis is given (its `ZADD`
/// calls: one per stored message), else per message sent: a server that falls behind
/// stores fewer than were sent, and dividing by what was sent would flatter it.
pub(crate) fn cost_per_message(
    processes: &Value,
    secs: f64,
    sent: u64,
    stats: Option<(&CommandCalls, &CommandCalls)>,
) -> Value {
    let calls: Vec<(String, u64)> = stats
        .map(|(before, after)| {
            after
                .iter()
                .map(|(k, v)| {
                    let d = v.saturating_sub(before.get(k).copied().unwrap_or(0));
                    (k.clone(), d)
                })
                .filter(|(k, d)| *d > 0 && k != "info")
                .collect()
        })
        .unwrap_or_default();
    let stored = stats.map(|_| {
        calls
            .iter()
            .find(|(k, _)| k == "zadd")
            .map_or(0, |(_, d)| *d)
    });
    let n = stored.unwrap_or(sent).max(1) as f64;
    let cpu_us = |prefix: &str| {
        let total: f64 = processes
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(_, v)| v["cpu_percent"].as_f64().unwrap_or(0.0))
            .sum();
        round(total / 100.0 * secs * 1e6 / n)
    };
    let mut out = json!({
        "sent": sent,
        "stored": stored,
        "server_cpu_us": cpu_us("redis-chat"),
        "redis_cpu_us": cpu_us("redis-server"),
    });
    if stats.is_some() {
        let mut per: Vec<(String, f64)> = calls
            .into_iter()
            .map(|(k, d)| (k, round(d as f64 / n)))
            .collect();
        per.sort_by(|a, b| b.1.total_cmp(&a.1));
        out["redis_commands"] = json!(round(per.iter().map(|(_, v)| v).sum::<f64>()));
        out["redis_commands_by_name"] =
            Value::Object(per.into_iter().map(|(k, v)| (k, json!(v))).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commandstats_are_read_per_command() {
        let text = "# Commandstats\r\ncmdstat_evalsha:calls=12,usec=700,usec_per_call=58.33,rejected_calls=0,failed_calls=0\r\ncmdstat_zadd:calls=3,usec=9\r\n";
        let m = parse_commandstats(text);
        assert_eq!(m.get("evalsha"), Some(&12));
        assert_eq!(m.get("zadd"), Some(&3));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn costs_are_per_stored_message_without_info_calls() {
        let processes = json!({
            "redis-chat[1]": {"cpu_percent": 50.0},
            "redis-server[2]": {"cpu_percent": 25.0},
            "loadgen": {"cpu_percent": 90.0},
        });
        let before: CommandCalls = [("zadd".into(), 10), ("info".into(), 1)].into();
        let after: CommandCalls = [
            ("zadd".into(), 60),
            ("evalsha".into(), 50),
            ("info".into(), 2),
        ]
        .into();
        let c = cost_per_message(&processes, 2.0, 100, Some((&before, &after)));
        assert_eq!(c["sent"], 100);
        assert_eq!(c["stored"], 50);
        assert_eq!(c["server_cpu_us"], 20000.0);
        assert_eq!(c["redis_cpu_us"], 10000.0);
        assert_eq!(c["redis_commands"], 2.0);
        assert_eq!(
            c["redis_commands_by_name"],
            json!({"zadd": 1.0, "evalsha": 1.0})
        );
        let c = cost_per_message(&processes, 2.0, 100, None);
        assert_eq!(c["stored"], Value::Null);
        assert_eq!(c["server_cpu_us"], 10000.0);
        assert!(c.get("redis_commands").is_none());
    }
}
