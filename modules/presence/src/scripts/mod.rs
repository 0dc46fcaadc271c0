//! The module's Lua script, in its own `.lua` file, behind one typed wrapper.

use chat_core::{
    context::timed,
    lua::{read, Lua},
    redis, Failure, UserId,
};
use redis::aio::ConnectionLike;

use crate::keys;

/// `adjust_connections.lua`: sets a user's connection count on one server, idempotently.
pub(crate) struct AdjustConnections(Lua);

/// A user's open connections after [`AdjustConnections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Connections {
    /// On the server that counted.
    pub here: i64,
    /// On every server.
    pub total: i64,
}

/// How many connections of a user a process holds, and when it counted them: a count with
/// a higher `(epoch, counter)` is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Count {
    pub here: usize,
    /// When the process started, in Redis's ms.
    pub epoch: u64,
    /// Raised by the process for every count it takes.
    pub counter: u64,
}

/// How long the sequences of a user's counts outlive their last count: far longer than
/// any command can be delayed or re-sent.
const SEQUENCES_KEPT_SECS: u64 = 24 * 3600;

impl AdjustConnections {
    pub fn new() -> Self {
        Self(Lua::new(include_str!("adjust_connections.lua")))
    }

    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        user: UserId,
        server: &str,
        count: Count,
    ) -> Result<Connections, Failure> {
        let mut cmd = self
            .0
            .call(&[&keys::connections(user), &keys::connection_sequences(user)]);
        cmd.arg(server)
            .arg(count.here)
            .arg(count.epoch)
            .arg(count.counter)
            .arg(SEQUENCES_KEPT_SECS);
        let value = timed("presence_adjust", self.0.run(conn, &cmd)).await?;
        let (here, total) = read("adjust_connections", value)?;
        Ok(Connections { here, total })
    }
}

#[cfg(test)]
mod tests {
    use chat_core::testing::ScratchRedis;

    use super::*;

    #[tokio::test]
    async fn connections_are_counted_per_server_and_in_all() {
        let redis = ScratchRedis::start().await;
        let mut conn = redis.connect().await.unwrap();
        let adjust = AdjustConnections::new();
        let shared = conn.clone();
        let count = |server: &'static str, here: usize, counter: u64| {
            let (adjust, mut conn) = (&adjust, shared.clone());
            async move {
                let count = Count {
                    here,
                    epoch: 1000,
                    counter,
                };
                adjust
                    .run(&mut conn, UserId(3), server, count)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count("a", 1, 1).await, Connections { here: 1, total: 1 });
        assert_eq!(count("a", 2, 2).await, Connections { here: 2, total: 2 });
        assert_eq!(count("b", 1, 1).await, Connections { here: 1, total: 3 });
        assert_eq!(count("a", 1, 3).await, Connections { here: 1, total: 2 });
        assert_eq!(count("a", 0, 4).await, Connections { here: 0, total: 1 });
        let servers: Vec<String> = redis::cmd("HKEYS")
            .arg("user:3:connections")
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(servers, ["b"], "a server at zero is dropped");
        assert_eq!(count("b", 0, 2).await, Connections { here: 0, total: 0 });
    }

    /// Issue 20, item 7: the cluster client re-sends a script after a connection reset or
    /// a timeout. Counting up by one, a re-sent "opened" counted a connection twice, and
    /// the user showed online for good. The same count sent again, or an older one that
    /// arrives late, changes nothing; a new process (a later epoch) starts afresh.
    #[tokio::test]
    async fn a_count_sent_twice_or_late_changes_nothing() {
        let redis = ScratchRedis::start().await;
        let mut conn = redis.connect().await.unwrap();
        let adjust = AdjustConnections::new();
        let run = |here: usize, epoch: u64, counter: u64| {
            let (adjust, mut conn) = (&adjust, conn.clone());
            async move {
                let count = Count {
                    here,
                    epoch,
                    counter,
                };
                adjust.run(&mut conn, UserId(4), "a", count).await.unwrap()
            }
        };
        let opened = run(1, 5000, 7).await;
        assert_eq!(opened, Connections { here: 1, total: 1 });
        assert_eq!(run(1, 5000, 7).await, opened, "sent again");
        assert_eq!(run(0, 5000, 8).await, Connections { here: 0, total: 0 });
        assert_eq!(
            run(1, 5000, 7).await,
            Connections { here: 0, total: 0 },
            "the open, re-sent after the close"
        );
        assert_eq!(
            run(2, 4000, 90).await,
            Connections { here: 0, total: 0 },
            "a count of an earlier process"
        );
        assert_eq!(
            run(1, 6000, 1).await,
            Connections { here: 1, total: 1 },
            "a later process"
        );
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut conn)
            .await
            .unwrap();
        let ttl: i64 = redis::cmd("TTL")
            .arg("{user:4:connections}:seq")
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(
            keys.contains(&"{user:4:connections}:seq".to_owned()),
            "{keys:?}"
        );
        assert!(ttl > 0, "the sequences expire");
    }
}
