//! Lua scripts: each a `.lua` file of its module, embedded at build time and run by
//! `EVALSHA`, loaded again when Redis has lost it. A module wraps each of its scripts in
//! one typed function that names its keys and arguments and reads its answer into an enum.

use std::borrow::Cow;

use redis::{aio::ConnectionLike, Cmd, FromRedisValue, Value};

use crate::error::Failure;

/// One script: its source and its SHA1, run by `EVALSHA` and loaded when Redis lacks it.
#[derive(Clone)]
pub struct Lua {
    source: Cow<'static, str>,
    hash: String,
}

/// The Lua function `publish_logged(command, channel, log, log_len, envelope)` that every
/// script publishing an event calls (see [`Lua::publishing`]).
const PUBLISH_LOGGED: &str = include_str!("scripts/publish_logged.lua");

impl Lua {
    pub fn new(source: &'static str) -> Self {
        Self::from_source(Cow::Borrowed(source))
    }

    /// A script that publishes events: `source` may call `publish_logged`, which logs an
    /// envelope in its channel's capped log before publishing it with its `offset`.
    pub fn publishing(source: &'static str) -> Self {
        Self::from_source(Cow::Owned(format!("{PUBLISH_LOGGED}\n{source}")))
    }

    fn from_source(source: Cow<'static, str>) -> Self {
        let hash = redis::Script::new(&source).get_hash().to_owned();
        Self { source, hash }
    }

    /// `EVALSHA <hash> <keys…>`; the caller appends the arguments.
    pub fn call(&self, keys: &[&str]) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&self.hash).arg(keys.len()).arg(keys);
        cmd
    }

    /// Runs `cmd` (from [`Lua::call`]); when Redis has lost its scripts (a restart,
    /// `SCRIPT FLUSH`, a replica promoted) the call changed nothing: load and run it again.
    pub async fn run<C: ConnectionLike>(
        &self,
        conn: &mut C,
        cmd: &Cmd,
    ) -> redis::RedisResult<Value> {
        match cmd.query_async(conn).await {
            Err(e) if e.kind() == redis::ErrorKind::NoScriptError => {
                self.load(conn).await?;
                cmd.query_async(conn).await
            }
            other => other,
        }
    }

    pub async fn load<C: ConnectionLike>(&self, conn: &mut C) -> redis::RedisResult<()> {
        redis::cmd("SCRIPT")
            .arg("LOAD")
            .arg(&*self.source)
            .query_async::<String>(conn)
            .await
            .map(drop)
    }
}

/// Reads a script's answer into `T`, or says which script answered what.
pub fn read<T: FromRedisValue>(script: &str, value: Value) -> Result<T, Failure> {
    redis::from_owned_redis_value(value)
        .map_err(|e| Failure::internal(format!("redis {script} answered: {e}")))
}
