//! A real Redis Cluster for tests: six local `redis-server` processes (three masters, one
//! replica each) on 127.0.0.1, created with `redis-cli --cluster create` and controlled
//! through `redis-cli` only, so this helper does not depend on the `redis` crate's API.
//!
//! ```ignore
//! let mut cluster = TestCluster::start().await;
//! config.redis_cluster_nodes = Some(cluster.seeds());
//! // ... write through the app ...
//! let port = cluster.master_port_for("room:0").await;
//! let promoted = cluster.kill_master(port).await; // SIGKILL; returns once the replica took over
//! assert_eq!(cluster.redis_cli(&["ZCARD", "room:0"]).await, "2");
//! ```
//!
//! Timings measured with redis-server 7.0.15 on this machine: `--cluster create` takes
//! about 1 s; every node reports `cluster_state:ok` right after it, and the replicas have
//! synced about 50 ms later (with `repl-diskless-sync-delay 0`; the default of 5 s would
//! delay the first sync by that much), so `start` returns after about 2.3 s. With
//! `cluster-node-timeout 1000`, a SIGKILLed master is marked failed after ~1.6 s and its
//! replica serves its slots after 2.0–2.8 s.
//!
//! Ports: every node also listens on its cluster bus port, port + 10000. Both are picked
//! below the kernel's ephemeral range (32768 and up by default), because a bus port inside
//! it can be taken at any moment by some outgoing connection's source port (seen: a node
//! aborting with "Failed listening on port 36914 (cluster)"). Tests in other processes may
//! pick the same ports; a node that cannot listen exits, and `start` tries other ports.
#![allow(dead_code)]

use std::{
    hash::{BuildHasher, Hasher},
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Nodes in the cluster: three masters with one replica each.
const NODES: usize = 6;
const MASTERS: usize = 3;
/// A node's cluster bus listens on its port plus this.
const BUS_OFFSET: u16 = 10_000;
/// Attempts at starting a cluster on fresh ports before giving up.
const START_ATTEMPTS: usize = 5;
/// How long a node may take to answer PING, and the cluster to settle after creation.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a failover may take (measured: under 3 s).
const FAILOVER_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a single `redis-cli` call may take.
const CLI_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// One `redis-server` with its own data dir (holding `nodes.conf` and `node.log`).
struct Node {
    port: u16,
    /// `None` once the node was killed.
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Node {
    fn log_path(&self) -> PathBuf {
        self.dir.path().join("node.log")
    }

    /// The last lines of the node's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Child::kill sends SIGKILL: the node gets no chance to hand over or to save.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A six-node Redis Cluster (three masters, one replica each) on local TCP ports; every
/// node still running is killed on drop.
pub struct TestCluster {
    nodes: Vec<Node>,
}

impl TestCluster {
    /// Starts six nodes, creates the cluster, and returns once every node reports
    /// `cluster_state:ok`, agrees on three masters each with a connected replica, and every
    /// replica has finished its initial sync (so a failover loses nothing written before).
    pub async fn start() -> Self {
        let mut errors = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            match Self::try_start().await {
                Ok(cluster) => return cluster,
                Err(e) => errors.push(format!("attempt {attempt}: {e}")),
            }
        }
        panic!("could not start a Redis Cluster:\n{}", errors.join("\n\n"));
    }

    /// One attempt at `start` on freshly picked ports. On failure the nodes started so far
    /// are killed (by dropping the half-built cluster).
    async fn try_start() -> Result<Self, String> {
        let mut cluster = Self { nodes: Vec::new() };
        for port in free_ports() {
            let dir = tempfile::tempdir().expect("temp dir for a cluster node");
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--protected-mode", "no"])
                .arg("--dir")
                .arg(dir.path())
                .arg("--logfile")
                .arg(dir.path().join("node.log"))
                .args(["--cluster-enabled", "yes"])
                .args(["--cluster-config-file", "nodes.conf"])
                // Fast failure detection: a dead master is failed over within ~3 s.
                .args(["--cluster-node-timeout", "1000"])
                // Keep each replica with its master, so "3 masters, 1 replica each" holds.
                .args(["--cluster-allow-replica-migration", "no"])
                .args(["--appendonly", "no", "--save", ""])
                // Start a replica's first sync at once instead of after the default 5 s.
                .args(["--repl-diskless-sync-delay", "0"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server on PATH (apt-get install redis-server)");
            cluster.nodes.push(Node {
                port,
                child: Some(child),
                dir,
            });
        }

        for i in 0..cluster.nodes.len() {
            cluster.wait_until_up(i).await?;
        }

        let mut create = tokio::process::Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for node in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", node.port));
        }
        create.args(["--cluster-replicas", "1", "--cluster-yes"]);
        let out = tokio::time::timeout(SETTLE_TIMEOUT, create.kill_on_drop(true).output())
            .await
            .map_err(|_| "redis-cli --cluster create timed out".to_owned())?
            .expect("redis-cli on PATH (apt-get install redis-tools)");
        if !out.status.success() {
            return Err(format!(
                "redis-cli --cluster create failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }

        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            match cluster.check_settled().await {
                Ok(()) => return Ok(cluster),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("cluster did not settle: {e}"))
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Waits until node `i` answers PING, and checks that the server answering is this
    /// node's process (not another test's node that took the port first).
    async fn wait_until_up(&mut self, i: usize) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let node = &mut self.nodes[i];
        let child = node.child.as_mut().expect("node just started");
        let pid = child.id();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "redis-server on port {} exited ({status}):\n{}",
                    node.port,
                    node.log_tail()
                ));
            }
            if cli(node.port, &["PING"]).await.as_deref() == Some("PONG") {
                let info = cli(node.port, &["INFO", "server"])
                    .await
                    .unwrap_or_default();
                return if info_field(&info, "process_id") == Some(pid.to_string().as_str()) {
                    Ok(())
                } else {
                    Err(format!("port {} answered by another process", node.port))
                };
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "redis-server on port {} did not answer PING:\n{}",
                    node.port,
                    node.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `Ok` when every node reports `cluster_state:ok` and sees the whole cluster healthy:
    /// six nodes, three masters each with a connected replica, every replica in sync.
    async fn check_settled(&self) -> Result<(), String> {
        for node in &self.nodes {
            let port = node.port;
            let info = cli(port, &["CLUSTER", "INFO"]).await.unwrap_or_default();
            if info_field(&info, "cluster_state") != Some("ok") {
                return Err(format!("{port}: cluster_state is not ok"));
            }
            let view = parse_nodes(&cli(port, &["CLUSTER", "NODES"]).await.unwrap_or_default());
            if view.len() != NODES || view.iter().any(|n| !n.healthy()) {
                return Err(format!("{port}: does not see {NODES} healthy nodes"));
            }
            let masters: Vec<&NodeLine> = view
                .iter()
                .filter(|n| n.is_master() && !n.slots.is_empty())
                .collect();
            if masters.len() != MASTERS {
                return Err(format!("{port}: sees {} masters with slots", masters.len()));
            }
            for m in &masters {
                if !view
                    .iter()
                    .any(|r| r.is_replica() && r.master_id.as_deref() == Some(m.id.as_str()))
                {
                    return Err(format!("{port}: master {} has no replica", m.port));
                }
            }
            if view.iter().any(|n| n.myself() && n.is_replica()) {
                let repl = cli(port, &["INFO", "replication"])
                    .await
                    .unwrap_or_default();
                if info_field(&repl, "master_link_status") != Some("up") {
                    return Err(format!("{port}: replica not in sync with its master"));
                }
            }
        }
        Ok(())
    }

    /// The seed list for `REDIS_CLUSTER_NODES`: every node, as `redis://127.0.0.1:port`,
    /// comma-separated (killed nodes included: a client must get past a dead seed).
    pub fn seeds(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}", n.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The ports of the nodes still running (killed ones left out).
    pub fn ports(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .map(|n| n.port)
            .collect()
    }

    /// The ports of the current masters (serving slots, not failed), as a live node sees
    /// them, sorted.
    pub fn master_ports(&self) -> Vec<u16> {
        let live = self.ports();
        let out = Command::new("redis-cli")
            .args(["-p", &self.live_port().to_string(), "CLUSTER", "NODES"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .expect("redis-cli on PATH");
        let mut ports: Vec<u16> = parse_nodes(&String::from_utf8_lossy(&out.stdout))
            .into_iter()
            .filter(|n| n.is_master() && n.healthy() && !n.slots.is_empty())
            .map(|n| n.port)
            .filter(|p| live.contains(p))
            .collect();
        ports.sort_unstable();
        ports
    }

    /// The port of the master currently serving `key`'s hash slot.
    pub async fn master_port_for(&self, key: &str) -> u16 {
        let port = self.live_port();
        let slot: u16 = cli(port, &["CLUSTER", "KEYSLOT", key])
            .await
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("CLUSTER KEYSLOT {key} failed on port {port}"));
        let view = parse_nodes(&cli(port, &["CLUSTER", "NODES"]).await.unwrap_or_default());
        owner_of(&view, slot)
            .unwrap_or_else(|| panic!("no live master serves slot {slot} (key {key:?})"))
    }

    /// SIGKILLs the master on `port`, then waits (up to 30 s) until every surviving node
    /// reports `cluster_state:ok` and agrees that another node (its promoted replica) now
    /// serves its slots. Returns that node's port. Panics if `port` is not a live master or
    /// if the failover does not complete in time.
    pub async fn kill_master(&mut self, port: u16) -> u16 {
        let view = parse_nodes(
            &cli(port, &["CLUSTER", "NODES"])
                .await
                .unwrap_or_else(|| panic!("node {port} does not answer")),
        );
        let me = view
            .iter()
            .find(|n| n.myself())
            .unwrap_or_else(|| panic!("node {port}: no `myself` line in CLUSTER NODES"));
        assert!(
            me.is_master() && !me.slots.is_empty(),
            "port {port} is not a master serving slots (flags {:?})",
            me.flags
        );
        let slot = me.slots[0].0;
        self.nodes
            .iter_mut()
            .find(|n| n.port == port)
            .unwrap_or_else(|| panic!("port {port} is not a node of this cluster"))
            .kill();

        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < FAILOVER_TIMEOUT {
            match self.new_owner(slot, port).await {
                Ok(new_port) => return new_port,
                Err(e) => last = e,
            }
            tokio::time::sleep(POLL).await;
        }
        panic!(
            "no failover within {FAILOVER_TIMEOUT:?} after killing master {port} \
             (slot {slot}): {last}\n{}",
            self.nodes
                .iter()
                .filter(|n| n.child.is_some())
                .map(|n| format!("--- node {} log:\n{}", n.port, n.log_tail()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The port every live node agrees now serves `slot`, once it is not `old` and every
    /// live node reports `cluster_state:ok`.
    async fn new_owner(&self, slot: u16, old: u16) -> Result<u16, String> {
        let mut agreed = None;
        for port in self.ports() {
            let info = cli(port, &["CLUSTER", "INFO"]).await.unwrap_or_default();
            if info_field(&info, "cluster_state") != Some("ok") {
                return Err(format!("{port}: cluster_state is not ok"));
            }
            let view = parse_nodes(&cli(port, &["CLUSTER", "NODES"]).await.unwrap_or_default());
            let owner = owner_of(&view, slot)
                .filter(|&p| p != old)
                .ok_or_else(|| format!("{port}: slot {slot} not yet served by a new master"))?;
            if *agreed.get_or_insert(owner) != owner {
                return Err(format!("nodes disagree on the owner of slot {slot}"));
            }
        }
        agreed.ok_or_else(|| "no live node".to_owned())
    }

    /// Runs `redis-cli -c` (cluster mode: follows MOVED/ASK redirects) against a live node
    /// and returns its trimmed output, e.g. `redis_cli(&["ZCARD", "room:0"])` gives `"2"`.
    /// Errors come back as text (`ERR ...`), as redis-cli prints them.
    pub async fn redis_cli(&self, args: &[&str]) -> String {
        let port = self.live_port().to_string();
        let mut cmd = tokio::process::Command::new("redis-cli");
        cmd.args(["-c", "-p", &port]).args(args);
        run(cmd)
            .await
            .unwrap_or_else(|| panic!("redis-cli -c -p {port} {args:?} failed"))
    }

    /// redis-cli against the node on `port` only (no redirects): for what lives on one
    /// node, such as a shard channel's subscribers (`PUBSUB SHARDNUMSUB`).
    pub async fn redis_cli_on(&self, port: u16, args: &[&str]) -> String {
        cli(port, args)
            .await
            .unwrap_or_else(|| panic!("redis-cli -p {port} {args:?} failed"))
    }

    /// Moves the hash slot of `key` from its master to another master, keys and all, the
    /// way `redis-cli --cluster reshard` does (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE).
    /// Returns the new owner's port.
    pub async fn move_slot_of(&self, key: &str) -> u16 {
        let from = self.master_port_for(key).await;
        let to = *self
            .master_ports()
            .iter()
            .find(|p| **p != from)
            .expect("another master");
        let slot = self.redis_cli_on(from, &["CLUSTER", "KEYSLOT", key]).await;
        let from_id = self.redis_cli_on(from, &["CLUSTER", "MYID"]).await;
        let to_id = self.redis_cli_on(to, &["CLUSTER", "MYID"]).await;
        self.redis_cli_on(to, &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &from_id])
            .await;
        self.redis_cli_on(from, &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id])
            .await;
        let to_port = to.to_string();
        loop {
            let keys = self
                .redis_cli_on(from, &["CLUSTER", "GETKEYSINSLOT", &slot, "100"])
                .await;
            let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            let mut args = vec!["MIGRATE", "127.0.0.1", &to_port, "", "0", "5000", "KEYS"];
            args.extend(keys.iter().copied());
            let out = self.redis_cli_on(from, &args).await;
            assert_eq!(out, "OK", "MIGRATE {keys:?}");
        }
        for port in self.master_ports() {
            self.redis_cli_on(port, &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id])
                .await;
        }
        to
    }

    /// A node still running.
    fn live_port(&self) -> u16 {
        *self
            .ports()
            .first()
            .expect("every node of the cluster was killed")
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }
}

/// `redis-cli -p port args...`: its trimmed stdout, or `None` if it could not connect,
/// failed or timed out.
async fn cli(port: u16, args: &[&str]) -> Option<String> {
    let mut cmd = tokio::process::Command::new("redis-cli");
    cmd.args(["-p", &port.to_string()]).args(args);
    run(cmd).await
}

async fn run(mut cmd: tokio::process::Command) -> Option<String> {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let out = tokio::time::timeout(CLI_TIMEOUT, cmd.output())
        .await
        .ok()?
        .expect("redis-cli on PATH (apt-get install redis-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A `field:value` line of `INFO` or `CLUSTER INFO` output.
fn info_field<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    info.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k == field).then_some(v.trim())
    })
}

/// Six ports, each free on 127.0.0.1 together with its bus port (port + 10000), from a
/// random start below the ephemeral range (see the module docs).
fn free_ports() -> Vec<u16> {
    let ephemeral_low: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768);
    let (low, high) = (
        10_000u16,
        ephemeral_low.saturating_sub(BUS_OFFSET + 500).max(15_000),
    );
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let start = low + (random % u64::from(high - low)) as u16;
    let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
    let ports: Vec<u16> = (start..high + 500)
        .filter(|&p| free(p) && free(p + BUS_OFFSET))
        .take(NODES)
        .collect();
    assert_eq!(
        ports.len(),
        NODES,
        "no {NODES} free port pairs from {start}"
    );
    ports
}

/// One line of `CLUSTER NODES`:
/// `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`
struct NodeLine {
    id: String,
    port: u16,
    flags: Vec<String>,
    /// The master's id, for a replica.
    master_id: Option<String>,
    connected: bool,
    /// Slot ranges served (inclusive); migrating/importing entries left out.
    slots: Vec<(u16, u16)>,
}

impl NodeLine {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
    fn myself(&self) -> bool {
        self.has("myself")
    }
    fn is_master(&self) -> bool {
        self.has("master")
    }
    fn is_replica(&self) -> bool {
        self.has("slave")
    }
    /// Not failed or suspected (`fail`, `fail?`), not mid-handshake, and linked.
    fn healthy(&self) -> bool {
        !["fail", "fail?", "handshake", "noaddr"]
            .iter()
            .any(|f| self.has(f))
            && (self.connected || self.myself())
    }
    fn serves(&self, slot: u16) -> bool {
        self.slots.iter().any(|&(a, b)| (a..=b).contains(&slot))
    }
}

fn parse_nodes(text: &str) -> Vec<NodeLine> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 8 {
                return None;
            }
            let addr = f[1].split(['@', ',']).next()?;
            let port: u16 = addr.rsplit_once(':')?.1.parse().ok()?;
            let slots: Vec<(u16, u16)> = f[8..]
                .iter()
                .copied()
                .filter(|s| !s.starts_with('['))
                .filter_map(|s| {
                    let (a, b) = s.split_once('-').unwrap_or((s, s));
                    Some((a.parse().ok()?, b.parse().ok()?))
                })
                .collect();
            Some(NodeLine {
                id: f[0].to_owned(),
                port,
                flags: f[2].split(',').map(str::to_owned).collect(),
                master_id: (f[3] != "-").then(|| f[3].to_owned()),
                connected: f[7] == "connected",
                slots,
            })
        })
        .collect()
}

/// The port of the healthy master serving `slot` in one node's view.
fn owner_of(view: &[NodeLine], slot: u16) -> Option<u16> {
    view.iter()
        .find(|n| n.is_master() && n.healthy() && n.serves(slot))
        .map(|n| n.port)
}
