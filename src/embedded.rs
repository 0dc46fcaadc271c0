//! The embedded default: a private `redis-server` with its data under `DATA_DIR`.

use std::{path::Path, process::Stdio, time::Duration};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// A `redis-server` child process, listening on a unix socket only. [`EmbeddedRedis::stop`]
/// asks it to `SHUTDOWN`, so Redis flushes its append-only file before it exits; dropping
/// it without `stop` (a panic) kills it. If the server itself is killed with SIGKILL, the
/// child outlives it until the next start replaces its socket.
pub struct EmbeddedRedis {
    child: Option<Child>,
    url: String,
}

impl EmbeddedRedis {
    pub async fn start(bin: &str, data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating DATA_DIR {}", data_dir.display()))?;
        let dir = data_dir.canonicalize()?;
        let socket = dir.join("redis.sock");
        let _ = std::fs::remove_file(&socket);
        let child = Command::new(bin)
            .arg("--port")
            .arg("0")
            .arg("--unixsocket")
            .arg(&socket)
            .arg("--unixsocketperm")
            .arg("700")
            .arg("--dir")
            .arg(&dir)
            .arg("--appendonly")
            .arg("yes")
            .arg("--appendfsync")
            .arg("everysec")
            .arg("--save")
            .arg("")
            .arg("--daemonize")
            .arg("no")
            .arg("--logfile")
            .arg(dir.join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "redis-chat needs Redis and found no `{bin}` on PATH. Either install it (Debian/Ubuntu: \
                 `sudo apt-get install redis-server`; macOS: `brew install redis`), or point the server at a \
                 Redis you already run with REDIS_URL=redis://host:6379. `make run` installs it for you \
                 on Debian-like systems."
            ),
            Err(e) => return Err(e).with_context(|| format!("starting {bin}")),
        };
        let url = format!("redis+unix://{}", socket.display());
        let mut this = Self {
            child: Some(child),
            url,
        };
        this.wait_ready().await?;
        tracing::info!(dir = %dir.display(), "embedded redis-server started");
        Ok(this)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = chat_core::redis::Client::open(self.url.as_str())?;
        for _ in 0..200 {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!("redis-server exited at start ({status}); see redis.log in DATA_DIR");
                }
            }
            if let Ok(mut c) = client.get_multiplexed_async_connection().await {
                let pong: Result<String, _> =
                    chat_core::redis::cmd("PING").query_async(&mut c).await;
                if pong.is_ok() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("redis-server did not answer within 10 s")
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Asks Redis to `SHUTDOWN` (it flushes the append-only file first) and waits for it.
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(client) = chat_core::redis::Client::open(self.url.as_str()) {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await {
                let _: Result<(), _> = chat_core::redis::cmd("SHUTDOWN").query_async(&mut c).await;
            }
        }
        if tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
        tracing::info!("embedded redis-server stopped");
    }
}
