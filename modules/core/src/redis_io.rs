//! The Redis connection every part uses — one Redis or a Redis Cluster behind one type —
//! and the one way commands are timed.
//!
//! [`Redis`] is a multiplexed connection: the commands of every concurrent task share its
//! writes and reads, with no pool checkout per command, and it reconnects by itself
//! ([`Reconnecting`]: a command never waits longer than one connection attempt). On a
//! cluster it follows `MOVED`/`ASK` redirects and failovers, and a pipeline whose commands
//! live in different hash slots (a message stored in its room and the sender's read marker
//! moved in theirs) is split by slot: each slot's commands stay in order in one
//! sub-pipeline, the sub-pipelines run at once, and the replies come back in the
//! pipeline's order. Transactions (`MULTI`) are never split: a transaction must stay in one
//! slot, and Redis says `CROSSSLOT` when it does not.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use redis::{
    aio::{ConnectionLike, MultiplexedConnection},
    cluster_async::ClusterConnection,
    cluster_routing::{get_slot, RoutingInfo, SingleNodeRoutingInfo},
    AsyncConnectionConfig, Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult,
    Value,
};

use crate::error::Failure;

/// One Redis, or a Redis Cluster. Cheap to clone: clones share the connection.
#[derive(Clone)]
pub enum Redis {
    Single(Reconnecting),
    Cluster(ClusterConnection, Arc<Replicas>),
}

impl Redis {
    pub fn cluster(conn: ClusterConnection) -> Self {
        Redis::Cluster(conn, Arc::default())
    }

    /// One Redis at `client`'s address, connected on first use (it need not be up yet).
    pub fn single(client: Client) -> Self {
        Redis::Single(Reconnecting::new(client))
    }
}

/// A multiplexed connection to one Redis that is replaced when it fails.
///
/// No command ever waits longer than one connection attempt: while Redis is away each
/// command fails at once (no attempt more often than [`Reconnecting::RETRY_AFTER`]), and
/// the first command after Redis returns connects again. (redis-rs's `ConnectionManager`
/// makes every command wait on a shared reconnect that backs off 1 s, then 60–120 s: a
/// Redis restart that outlasted its first two attempts left every request of an
/// instance hanging for a minute or two.)
#[derive(Clone)]
pub struct Reconnecting(Arc<Link>);

struct Link {
    client: Client,
    config: AsyncConnectionConfig,
    /// The connection in use and its generation (which failure replaces which).
    current: parking_lot::RwLock<Option<(u64, MultiplexedConnection)>>,
    /// Held while connecting: one attempt at a time. The last failed attempt's time and
    /// error, for the commands that come right after it.
    connecting: tokio::sync::Mutex<Option<(Instant, String)>>,
    generation: std::sync::atomic::AtomicU64,
}

impl Reconnecting {
    /// A command that finds the last attempt failed less than this ago fails without
    /// another one.
    pub const RETRY_AFTER: Duration = Duration::from_millis(250);
    const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

    fn new(client: Client) -> Self {
        Self(Arc::new(Link {
            client,
            config: AsyncConnectionConfig::new()
                .set_connection_timeout(Self::CONNECT_TIMEOUT)
                .set_response_timeout(Self::RESPONSE_TIMEOUT),
            current: parking_lot::RwLock::new(None),
            connecting: tokio::sync::Mutex::new(None),
            generation: Default::default(),
        }))
    }

    async fn connection(&self) -> RedisResult<(u64, MultiplexedConnection)> {
        if let Some(c) = self.0.current.read().clone() {
            return Ok(c);
        }
        let mut failed = self.0.connecting.lock().await;
        if let Some(c) = self.0.current.read().clone() {
            return Ok(c); // connected by the attempt this one waited for
        }
        if let Some((at, error)) = &*failed {
            if at.elapsed() < Self::RETRY_AFTER {
                return Err(unreachable(error.clone()));
            }
        }
        match self
            .0
            .client
            .get_multiplexed_async_connection_with_config(&self.0.config)
            .await
        {
            Ok(conn) => {
                let generation = self.0.generation.fetch_add(1, Ordering::Relaxed);
                *self.0.current.write() = Some((generation, conn.clone()));
                *failed = None;
                Ok((generation, conn))
            }
            Err(e) => {
                *failed = Some((Instant::now(), e.to_string()));
                Err(e)
            }
        }
    }

    /// Drops connection `generation` if `result` shows it broken, so that the next
    /// command connects again. A timeout counts: a connection that stopped answering
    /// (Redis restarted behind it) must not keep taking commands.
    fn check<T>(&self, generation: u64, result: RedisResult<T>) -> RedisResult<T> {
        if let Err(e) = &result {
            if e.is_unrecoverable_error() || e.is_timeout() || e.is_io_error() {
                let mut current = self.0.current.write();
                if current.as_ref().is_some_and(|(g, _)| *g == generation) {
                    *current = None;
                }
            }
        }
        result
    }

    async fn command(&self, cmd: &Cmd) -> RedisResult<Value> {
        let (generation, mut conn) = self.connection().await?;
        let result = conn.send_packed_command(cmd).await;
        self.check(generation, result)
    }

    async fn commands(
        &self,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        let (generation, mut conn) = self.connection().await?;
        let result = conn.send_packed_commands(pipeline, offset, count).await;
        self.check(generation, result)
    }
}

fn unreachable(detail: String) -> RedisError {
    RedisError::from((ErrorKind::IoError, "Redis is unreachable", detail))
}

/// How many replicas each master has connected now (by `ROLE`), read again at most once a
/// second by whichever command needs it: a message waits only for replicas that exist.
#[derive(Default)]
pub struct Replicas {
    /// When last read, and what.
    known: parking_lot::RwLock<Option<(Instant, Vec<ReplicatedRange>)>>,
    reading: AtomicBool,
}

impl Replicas {
    const FRESH: Duration = Duration::from_secs(1);

    async fn of_slot(&self, conn: &mut ClusterConnection, slot: u16) -> u32 {
        let stale = self
            .known
            .read()
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() > Self::FRESH);
        if stale && !self.reading.swap(true, Ordering::AcqRel) {
            /// Clears the flag however the read ends (a caller's future may be dropped).
            struct Reading<'a>(&'a AtomicBool);
            impl Drop for Reading<'_> {
                fn drop(&mut self) {
                    self.0.store(false, Ordering::Release);
                }
            }
            let _reading = Reading(&self.reading);
            if let Ok(Ok(ranges)) =
                tokio::time::timeout(Self::FRESH, connected_replicas(conn)).await
            {
                *self.known.write() = Some((Instant::now(), ranges));
            }
        }
        self.known
            .read()
            .as_ref()
            .and_then(|(_, ranges)| {
                ranges
                    .iter()
                    .find(|(start, end, _)| *start <= slot && slot <= *end)
            })
            .map_or(0, |(_, _, n)| *n)
    }
}

/// First slot, last slot, and the replicas connected to their master.
type ReplicatedRange = (u16, u16, u32);

/// Every slot range with the replicas connected to its master; a master that does not
/// answer counts as having none.
async fn connected_replicas(conn: &mut ClusterConnection) -> RedisResult<Vec<ReplicatedRange>> {
    let map = slot_map(conn).await?;
    let mut by_master: HashMap<(String, u16), u32> = HashMap::new();
    for r in &map {
        let node = (r.host.clone(), r.port);
        if by_master.contains_key(&node) {
            continue;
        }
        // ROLE on a master: ["master", offset, [[ip, port, offset], …]].
        let role = conn.run_on(&redis::cmd("ROLE"), Some(node.clone())).await;
        let n = match role {
            Ok(Value::Array(parts)) => match parts.get(2) {
                Some(Value::Array(replicas)) => replicas.len() as u32,
                _ => 0,
            },
            _ => 0,
        };
        by_master.insert(node, n);
    }
    Ok(map
        .into_iter()
        .map(|r| {
            let n = by_master.get(&(r.host, r.port)).copied().unwrap_or(0);
            (r.start, r.end, n)
        })
        .collect())
}

impl ConnectionLike for Redis {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Redis::Single(c) => Box::pin(c.command(cmd)),
            Redis::Cluster(c, _) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Redis::Single(c) => Box::pin(c.commands(pipeline, offset, count)),
            // A transaction is sent with `offset` > 0 (its MULTI and queued replies skipped).
            Redis::Cluster(c, _) => {
                if offset == 0 {
                    Box::pin(cluster_pipeline(c, pipeline, count))
                } else {
                    c.req_packed_commands(pipeline, offset, count)
                }
            }
        }
    }

    fn get_db(&self) -> i64 {
        0
    }
}

/// Where one command of a pipeline must run on a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    /// The node that owns this slot.
    Slot(u16),
    /// Anywhere (no key: `TIME`, `PING`).
    Anywhere,
    /// On its own: the cluster connection splits it (a multi-key `DEL`, `SCRIPT LOAD`).
    Alone,
}

fn place(cmd: &Cmd) -> Place {
    match RoutingInfo::for_routable(cmd) {
        Some(RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(_))) => {
            first_key(cmd).map_or(Place::Anywhere, |key| Place::Slot(get_slot(key)))
        }
        Some(RoutingInfo::MultiNode(_)) => Place::Alone,
        _ => Place::Anywhere,
    }
}

/// The key a single-slot command is routed by: its first argument, or for a script the
/// first of its keys.
fn first_key(cmd: &Cmd) -> Option<&[u8]> {
    let mut args = cmd.args_iter().map(|a| match a {
        redis::Arg::Simple(bytes) => Some(bytes),
        redis::Arg::Cursor => None,
    });
    let name = args.next()??;
    if [
        &b"EVAL"[..],
        b"EVALSHA",
        b"EVAL_RO",
        b"EVALSHA_RO",
        b"FCALL",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
    {
        let _script = args.next()?;
        let numkeys: usize = std::str::from_utf8(args.next()??).ok()?.parse().ok()?;
        return if numkeys > 0 { args.next()? } else { None };
    }
    args.next()?
}

async fn cluster_pipeline(
    conn: &mut ClusterConnection,
    pipeline: &Pipeline,
    count: usize,
) -> RedisResult<Vec<Value>> {
    let places: Vec<Place> = pipeline.cmd_iter().map(place).collect();
    let mut slots = places.iter().filter_map(|p| match p {
        Place::Slot(s) => Some(*s),
        _ => None,
    });
    let first = slots.next();
    let one_slot = slots.all(|s| Some(s) == first) && !places.contains(&Place::Alone);
    if one_slot {
        return conn.req_packed_commands(pipeline, 0, count).await;
    }
    // Group by slot, keeping each slot's commands in their order.
    let mut groups: HashMap<Place, (Vec<usize>, Pipeline)> = HashMap::new();
    let mut alone = Vec::new();
    for (i, (cmd, place)) in pipeline.cmd_iter().zip(&places).enumerate() {
        match place {
            Place::Alone | Place::Anywhere => alone.push((i, cmd)),
            slot => {
                let (indices, pipe) = groups
                    .entry(*slot)
                    .or_insert_with(|| (vec![], Pipeline::new()));
                indices.push(i);
                pipe.add_command(cmd.clone());
            }
        }
    }
    let grouped = groups.into_values().map(|(indices, pipe)| {
        let mut c = conn.clone();
        async move {
            let n = indices.len();
            let values = c.req_packed_commands(&pipe, 0, n).await?;
            Ok::<_, redis::RedisError>(indices.into_iter().zip(values).collect::<Vec<_>>())
        }
    });
    let single = alone.into_iter().map(|(i, cmd)| {
        let mut c = conn.clone();
        async move { Ok::<_, redis::RedisError>(vec![(i, c.req_packed_command(cmd).await?)]) }
    });
    let (grouped, single) = futures_util::future::join(
        futures_util::future::try_join_all(grouped),
        futures_util::future::try_join_all(single),
    )
    .await;
    let mut out = vec![Value::Nil; places.len()];
    for (i, v) in grouped?.into_iter().chain(single?).flatten() {
        out[i] = v;
    }
    Ok(out)
}

impl Redis {
    /// Every key matching `pattern`, by `SCAN` (on each master of a cluster).
    pub async fn scan_match(&mut self, pattern: &str) -> RedisResult<Vec<String>> {
        let mut found = Vec::new();
        match self {
            Redis::Single(c) => scan_node(c, None, pattern, &mut found).await?,
            Redis::Cluster(c, _) => {
                for (host, port) in masters(c).await? {
                    scan_node(c, Some((host, port)), pattern, &mut found).await?;
                }
            }
        }
        Ok(found)
    }

    /// Runs `cmd` (a write to `key`'s slot) and, on a cluster, `WAIT`s in the same pipeline
    /// on the same connection until up to `replicas` replicas of that slot's master have it
    /// (no more than are connected now), or `timeout`. Returns the reply and, when it
    /// waited, (how many replicas have it, how many were waited for). The two travel
    /// together: if the connection fails, both are retried (on the slot's new master after
    /// a failover), so a `WAIT` never answers for a write another connection made.
    pub async fn write_and_wait(
        &mut self,
        cmd: &Cmd,
        key: &str,
        replicas: u32,
        timeout: Duration,
    ) -> RedisResult<(Value, Option<(u32, u32)>)> {
        let Redis::Cluster(c, known) = self else {
            return Ok((self.req_packed_command(cmd).await?, None));
        };
        let slot = get_slot(key.as_bytes());
        let asked = if replicas == 0 {
            0
        } else {
            replicas.min(known.of_slot(c, slot).await)
        };
        if asked == 0 {
            return Ok((c.req_packed_command(cmd).await?, None));
        }
        let mut pipe = Pipeline::new();
        pipe.add_command(cmd.clone())
            .cmd("WAIT")
            .arg(asked)
            .arg(timeout.as_millis() as u64);
        let route =
            redis::cluster_routing::Route::new(slot, redis::cluster_routing::SlotAddr::Master);
        let mut out = c
            .route_pipeline(&pipe, 0, 2, SingleNodeRoutingInfo::SpecificNode(route))
            .await?
            .into_iter();
        let reply = out.next().unwrap_or(Value::Nil);
        let acked: u32 = redis::from_owned_redis_value(out.next().unwrap_or(Value::Nil))?;
        Ok((reply, Some((acked, asked))))
    }

    /// Whether this is a cluster connection.
    pub fn is_cluster(&self) -> bool {
        matches!(self, Redis::Cluster(..))
    }

    /// `PING` on every node this connection writes to (each master of a cluster).
    pub async fn ping_all(&mut self) -> RedisResult<()> {
        let ping = redis::cmd("PING");
        match self {
            Redis::Single(c) => c.run_on(&ping, None).await.map(drop),
            Redis::Cluster(c, _) => {
                for node in masters(c).await? {
                    c.run_on(&ping, Some(node)).await?;
                }
                Ok(())
            }
        }
    }
}

async fn scan_node<C: ClusterRoute>(
    conn: &mut C,
    node: Option<(String, u16)>,
    pattern: &str,
    found: &mut Vec<String>,
) -> RedisResult<()> {
    let mut cursor: u64 = 0;
    loop {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000);
        let (next, keys): (u64, Vec<String>) =
            redis::from_owned_redis_value(conn.run_on(&cmd, node.clone()).await?)?;
        found.extend(keys);
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// Runs a command on one node of a cluster, or on the one Redis.
trait ClusterRoute {
    fn run_on<'a>(
        &'a mut self,
        cmd: &'a Cmd,
        node: Option<(String, u16)>,
    ) -> RedisFuture<'a, Value>;
}

impl ClusterRoute for Reconnecting {
    fn run_on<'a>(&'a mut self, cmd: &'a Cmd, _: Option<(String, u16)>) -> RedisFuture<'a, Value> {
        Box::pin(self.command(cmd))
    }
}

impl ClusterRoute for ClusterConnection {
    fn run_on<'a>(
        &'a mut self,
        cmd: &'a Cmd,
        node: Option<(String, u16)>,
    ) -> RedisFuture<'a, Value> {
        match node {
            None => self.req_packed_command(cmd),
            Some((host, port)) => Box::pin(self.route_command(
                cmd,
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port }),
            )),
        }
    }
}

/// One slot range of a cluster and the address of the master that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRange {
    pub start: u16,
    pub end: u16,
    pub host: String,
    pub port: u16,
}

/// The cluster's slot map, as `CLUSTER SLOTS` gives it (from whichever node answers).
pub async fn slot_map(conn: &mut ClusterConnection) -> RedisResult<Vec<SlotRange>> {
    let value: Value = redis::cmd("CLUSTER").arg("SLOTS").query_async(conn).await?;
    let rows: Vec<Value> = redis::from_owned_redis_value(value)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let fields: Vec<Value> = redis::from_owned_redis_value(row)?;
        let mut it = fields.into_iter();
        let (Some(start), Some(end), Some(master)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let master: Vec<Value> = redis::from_owned_redis_value(master)?;
        let mut m = master.into_iter();
        let (Some(host), Some(port)) = (m.next(), m.next()) else {
            continue;
        };
        out.push(SlotRange {
            start: redis::from_owned_redis_value(start)?,
            end: redis::from_owned_redis_value(end)?,
            host: redis::from_owned_redis_value(host)?,
            port: redis::from_owned_redis_value(port)?,
        });
    }
    Ok(out)
}

/// The address of every master.
async fn masters(conn: &mut ClusterConnection) -> RedisResult<Vec<(String, u16)>> {
    let mut out: Vec<(String, u16)> = slot_map(conn)
        .await?
        .into_iter()
        .map(|r| (r.host, r.port))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Runs one Redis command or pipeline and records its latency and errors.
///
/// Hot path: every Redis call of every module goes through here.
pub async fn timed<T, F>(op: &'static str, fut: F) -> Result<T, Failure>
where
    F: std::future::Future<Output = Result<T, redis::RedisError>>,
{
    let timer = crate::metrics::REDIS_LATENCY
        .with_label_values(&[op])
        .start_timer();
    let out = fut.await;
    timer.observe_duration();
    out.map_err(|e| {
        crate::metrics::REDIS_ERRORS.inc();
        Failure::internal(format!("redis {op}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_placed_by_their_key_slot() {
        let mut zadd = redis::cmd("ZADD");
        zadd.arg("room:1").arg(1).arg("x");
        assert_eq!(place(&zadd), Place::Slot(get_slot(b"room:1")));
        let mut script = redis::cmd("EVALSHA");
        script
            .arg("abc")
            .arg(2)
            .arg("sent:{room:1}:x")
            .arg("room:1");
        assert_eq!(place(&script), Place::Slot(get_slot(b"room:1")));
        let mut keyless = redis::cmd("EVALSHA");
        keyless.arg("abc").arg(0);
        assert_eq!(place(&keyless), Place::Anywhere);
        assert_eq!(place(&redis::cmd("TIME")), Place::Anywhere);
        let mut del = redis::cmd("DEL");
        del.arg("a").arg("b");
        assert_eq!(place(&del), Place::Alone);
    }
}
