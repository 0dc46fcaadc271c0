//! The module's Lua script, in its own `.lua` file, behind one typed wrapper.

use chat_core::{
    context::timed,
    lua::{read, Lua},
    redis, Failure, UserId,
};
use redis::aio::ConnectionLike;

use crate::keys;

/// `adjust_connections.lua`: counts a user's connections on one server up or down.
pub(crate) struct AdjustConnections(Lua);

/// A user's open connections after [`AdjustConnections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Connections {
    /// On the server that counted.
    pub here: i64,
    /// On every server.
    pub total: i64,
}

/// Which way a connection count goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Opened,
    Closed,
}

impl AdjustConnections {
    pub fn new() -> Self {
        Self(Lua::new(include_str!("adjust_connections.lua")))
    }

    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        user: UserId,
        server: &str,
        change: Change,
    ) -> Result<Connections, Failure> {
        let mut cmd = self.0.call(&[&keys::connections(user)]);
        cmd.arg(server)
            .arg(if change == Change::Opened { 1 } else { -1 });
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
        let count = |server: &'static str, change| {
            let (adjust, mut conn) = (&adjust, shared.clone());
            async move {
                adjust
                    .run(&mut conn, UserId(3), server, change)
                    .await
                    .unwrap()
            }
        };
        let (opened, closed) = (Change::Opened, Change::Closed);
        assert_eq!(count("a", opened).await, Connections { here: 1, total: 1 });
        assert_eq!(count("a", opened).await, Connections { here: 2, total: 2 });
        assert_eq!(count("b", opened).await, Connections { here: 1, total: 3 });
        assert_eq!(count("a", closed).await, Connections { here: 1, total: 2 });
        assert_eq!(count("a", closed).await, Connections { here: 0, total: 1 });
        let servers: Vec<String> = redis::cmd("HKEYS")
            .arg("user:3:connections")
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(servers, ["b"], "a server at zero is dropped");
        // A close that was never counted (a server cleared meanwhile) stays at zero there.
        assert_eq!(count("c", closed).await, Connections { here: -1, total: 1 });
        assert_eq!(count("b", closed).await, Connections { here: 0, total: 0 });
    }
}
