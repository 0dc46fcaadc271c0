//! For tests only (feature `testing`): a private `redis-server` on a unix socket, so a
//! module can call its scripts directly against the real thing.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

/// A private, empty `redis-server` (from PATH) in a directory of its own; killed and
/// removed on drop.
pub struct ScratchRedis {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl ScratchRedis {
    /// Starts it and waits until it answers.
    pub async fn start() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("chat-scratch-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let socket = dir.join("redis.sock");
        let child = Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--unixsocket",
            ])
            .arg(&socket)
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (apt-get install redis-server)");
        let redis = Self { child, dir, socket };
        for _ in 0..200 {
            if let Ok(mut c) = redis.connect().await {
                if redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
                {
                    return redis;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not start");
    }

    /// A client of it.
    pub fn client(&self) -> redis::Client {
        redis::Client::open(format!("redis+unix://{}", self.socket.display()))
            .expect("a unix socket address")
    }

    /// A new connection to it.
    pub async fn connect(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        self.client().get_multiplexed_async_connection().await
    }
}

/// The calls of each command a Redis ran since its last `CONFIG RESETSTAT` (or start),
/// scripts' own commands included: how tests check what an operation costs Redis without
/// timing anything.
pub async fn command_calls<C: redis::aio::ConnectionLike>(
    conn: &mut C,
) -> std::collections::HashMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .expect("INFO commandstats");
    info.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let n = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), n))
        })
        .collect()
}

/// Starts counting [`command_calls`] afresh.
pub async fn reset_command_calls<C: redis::aio::ConnectionLike>(conn: &mut C) {
    redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async::<()>(conn)
        .await
        .expect("CONFIG RESETSTAT");
}

impl Drop for ScratchRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
