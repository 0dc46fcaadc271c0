//! A real S3-compatible server on loopback for the upload tests: `s3s-fs` (installed by
//! `scripts/ensure-deps.sh test`, pinned there), which checks every request's signature.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

pub const ACCESS_KEY: &str = "redis-chat-test";
pub const SECRET_KEY: &str = "redis-chat-test-secret";
pub const BUCKET: &str = "chat";

pub struct S3Server {
    pub endpoint: String,
    /// Where it keeps objects: `<root>/<bucket>/<key>`.
    pub root: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

/// The s3s-fs binary: `S3S_FS_BIN`, else where the deps script installs it, else `PATH`.
fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("S3S_FS_BIN") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cached = home.join(".cache/redis-chat/tools/bin/s3s-fs");
    if cached.exists() {
        return cached;
    }
    PathBuf::from("s3s-fs")
}

impl S3Server {
    pub async fn start() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join(BUCKET)).unwrap();
        let port = super::free_port();
        let mut this = Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
            port,
            child: None,
        };
        this.spawn().await;
        this
    }

    async fn spawn(&mut self) {
        let child = Command::new(binary())
            .arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--access-key")
            .arg(ACCESS_KEY)
            .arg("--secret-key")
            .arg(SECRET_KEY)
            .arg(self.root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting s3s-fs ({}): {e}; install it with `scripts/ensure-deps.sh test`",
                    binary().display()
                )
            });
        self.child = Some(child);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("s3s-fs did not listen on {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    /// The keys of the objects stored, sorted (not s3s-fs's own bookkeeping files).
    pub fn objects(&self) -> Vec<String> {
        super::files_under(&self.root.path().join(BUCKET))
            .into_iter()
            .filter(|key| !key.starts_with('.') && !key.contains("/."))
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
