//! On a Redis Cluster: the sharded subscriptions that follow this instance's sockets.
//!
//! Events travel on sharded channels (`SPUBLISH`), one per room, one per user and a few
//! for presence (see `chat_core::channels`). This instance subscribes (`SSUBSCRIBE`) only
//! to the channels its sockets need, each on the master that owns the channel's slot, over
//! one RESP3 connection per master. One task (the *keeper*) owns those connections:
//!
//! - a socket opening, and a membership event (a room joined, a direct room opened) for a
//!   user here, wait until their channels are subscribed (`src/dispatch.rs` asks through
//!   [`Subscriptions::ensure`]), so nothing published after the client's catch-up point is
//!   missed;
//! - every [`CHECK_EVERY`] the keeper pings each connection, subscribes what is wanted and
//!   missing, and unsubscribes what no socket needs any more.
//!
//! A subscription is lost when its connection drops or goes silent (a master killed, a
//! failover), when its slot has another owner in the slot map (a master cut off from the
//! cluster), or when Redis ends it because its slot moved (an unsolicited `sunsubscribe`).
//! Then the keeper drops that connection and reloads the slot map, and its channels are
//! subscribed again on their slots' owners (retried at every check) and *recovered*: each
//! channel's event log (`<channel>:log`, in the channel's slot, written by the script that
//! publishes) is read from the last offset this instance saw on that channel, its missed
//! envelopes delivered in order, then the live ones held meanwhile (minus repeats). The
//! sockets stay open. Only the sockets of a channel whose gap cannot be recovered — the log
//! no longer holds that offset (trimmed, or lost in a failover), or the channel stayed
//! unsubscribed longer than the recovery bound — are closed to resync: their clients
//! reconnect and catch up with `after=`. A socket is never left silently missing events.
//!
//! The keeper sees this instance only as [`Listeners`]: the channels its sockets want, and
//! where envelopes and losses go. Envelopes are handed over by each connection's reader
//! task, not by the keeper, so a slow subscription change never holds up delivery.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use chat_core::{
    channels, metrics,
    redis::{
        self, aio::MultiplexedConnection, cluster_async::ClusterConnection,
        cluster_routing::get_slot, AsyncConnectionConfig, ConnectionAddr, ConnectionInfo,
        ProtocolVersion, PushInfo, PushKind, RedisConnectionInfo, Value,
    },
    redis_io::{slot_map, SlotRange},
    Offset,
};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::{
    dispatch::{Listeners, Subscriptions},
    recovery::{log_end, replay, Recovery, Unrecoverable},
};

/// How often each connection is pinged and the subscriptions are reconciled.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long one subscription command or ping may take before its connection counts as lost.
const COMMAND_DEADLINE: Duration = Duration::from_secs(3);
/// Tries of one subscription, the slot map read again before each after the first.
const SUBSCRIBE_ATTEMPTS: u32 = 4;
/// How long one pass of subscriptions may take before the rest count as failed.
const PASS_DEADLINE: Duration = Duration::from_secs(4);

/// A master's address.
type Addr = (String, u16);

enum Ctl {
    /// Subscribe these (if not yet), then say whether all are.
    Ensure(Vec<String>, oneshot::Sender<bool>),
    /// A push that is not a message, from the connection of this epoch.
    Push(u64, PushInfo),
}

/// Where this instance stands in one subscribed channel's event log.
#[derive(Default)]
struct Position {
    /// The newest offset delivered (`None` before the subscription's baseline is read).
    last: Option<Offset>,
    /// While the channel is being (re)subscribed and caught up: the live envelopes that
    /// arrived meanwhile, delivered after the log's.
    held: Option<Vec<String>>,
}

/// Every subscribed channel's [`Position`]: the readers deliver through it, the keeper
/// catches up through it.
type Positions = Arc<parking_lot::Mutex<HashMap<String, Position>>>;

/// A live envelope of `channel` from a reader: held while the channel catches up, skipped
/// if already delivered (its offset not past the last), delivered otherwise.
fn on_live(positions: &Positions, listeners: &dyn Listeners, channel: &str, payload: &str) {
    let mut positions = positions.lock();
    let Some(p) = positions.get_mut(channel) else {
        return listeners.on_envelope(payload);
    };
    if let Some(held) = &mut p.held {
        return held.push(payload.to_owned());
    }
    if let Some(offset) = Offset::of_envelope(payload) {
        if p.last.is_some_and(|last| offset <= last) {
            return;
        }
        p.last = Some(offset);
    }
    // Under the lock: the keeper's catch-up of this channel cannot interleave.
    listeners.on_envelope(payload);
}

/// The handle dispatch holds. Cheap to clone.
#[derive(Clone)]
pub struct Shards {
    tx: mpsc::UnboundedSender<Ctl>,
}

#[async_trait::async_trait]
impl Subscriptions for Shards {
    async fn ensure(&self, channels: Vec<String>, wait: Duration) -> bool {
        let (done, answer) = oneshot::channel();
        if self.tx.send(Ctl::Ensure(channels, done)).is_err() {
            return false;
        }
        matches!(tokio::time::timeout(wait, answer).await, Ok(Ok(true)))
    }
}

/// Creates the handle and the keeper; run the keeper with [`Keeper::run`].
pub fn new(
    cluster: ClusterConnection,
    auth: RedisConnectionInfo,
    live: Arc<AtomicBool>,
    recovery: Recovery,
) -> (Shards, Keeper) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shards = Shards { tx: tx.clone() };
    let keeper = Keeper {
        cluster,
        auth,
        listeners: None,
        live,
        tx,
        rx,
        slots: Vec::new(),
        nodes: HashMap::new(),
        subscribed: HashMap::new(),
        leaving: HashMap::new(),
        next_epoch: 1,
        positions: Positions::default(),
        lost: HashMap::new(),
        recovery,
    };
    (shards, keeper)
}

struct Node {
    epoch: u64,
    conn: MultiplexedConnection,
    channels: HashSet<String>,
    reader: tokio::task::JoinHandle<()>,
}

/// The task that owns the per-master subscriber connections.
pub struct Keeper {
    cluster: ClusterConnection,
    auth: RedisConnectionInfo,
    /// Set by [`Keeper::run`].
    listeners: Option<Arc<dyn Listeners>>,
    live: Arc<AtomicBool>,
    tx: mpsc::UnboundedSender<Ctl>,
    rx: mpsc::UnboundedReceiver<Ctl>,
    /// The slot map, reloaded when it proves stale.
    slots: Vec<SlotRange>,
    nodes: HashMap<Addr, Node>,
    /// Channel → the master it is subscribed on.
    subscribed: HashMap<String, Addr>,
    /// `sunsubscribe` replies expected, per connection (epoch) and channel: those of
    /// unsubscriptions asked for. Any other `sunsubscribe` is Redis ending a subscription.
    leaving: HashMap<(u64, String), u32>,
    next_epoch: u64,
    positions: Positions,
    /// Channels whose subscription was lost, and since when: recovered once subscribed
    /// again.
    lost: HashMap<String, std::time::Instant>,
    recovery: Recovery,
}

impl Keeper {
    /// Runs until `stop`, handing envelopes and losses to `listeners`.
    pub async fn run(mut self, listeners: Arc<dyn Listeners>, stop: CancellationToken) {
        self.listeners = Some(listeners);
        if let Err(e) = self.reload_slots().await {
            tracing::warn!(error = %e, "reading the cluster's slot map failed; retrying");
        }
        self.live.store(true, Ordering::SeqCst);
        metrics::PUBSUB_CONNECTED.set(1);
        let mut check = tokio::time::interval(CHECK_EVERY);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                ctl = self.rx.recv() => match ctl {
                    Some(Ctl::Ensure(channels, done)) => {
                        // A socket that gave up waiting needs nothing any more.
                        if !done.is_closed() {
                            let failed = self.ensure(channels).await;
                            let _ = done.send(failed.is_empty());
                        }
                    }
                    Some(Ctl::Push(epoch, push)) => self.on_push(epoch, push).await,
                    None => break,
                },
                _ = check.tick() => self.check().await,
            }
        }
        for (_, node) in self.nodes.drain() {
            node.reader.abort();
        }
        self.live.store(false, Ordering::SeqCst);
        metrics::PUBSUB_CONNECTED.set(0);
    }

    fn listeners(&self) -> Arc<dyn Listeners> {
        Arc::clone(self.listeners.as_ref().expect("set by run"))
    }

    async fn reload_slots(&mut self) -> redis::RedisResult<()> {
        let mut slots = tokio::time::timeout(COMMAND_DEADLINE, slot_map(&mut self.cluster))
            .await
            .map_err(|_| timeout_error())??;
        slots.sort_by_key(|r| r.start);
        self.slots = slots;
        Ok(())
    }

    fn owner(&self, channel: &str) -> Option<Addr> {
        let slot = get_slot(channel.as_bytes());
        self.slots
            .iter()
            .find(|r| r.start <= slot && slot <= r.end)
            .map(|r| (r.host.clone(), r.port))
    }

    /// Subscribes every channel of `channels` not yet subscribed; returns those that could
    /// not be. A pass gives up on a master that failed (and on the rest after
    /// [`PASS_DEADLINE`]), so one unreachable master cannot hold up the others.
    async fn ensure(&mut self, channels: Vec<String>) -> Vec<String> {
        let started = tokio::time::Instant::now();
        let mut failed = Vec::new();
        let mut down: HashSet<Addr> = HashSet::new();
        for channel in channels {
            if self.subscribed.contains_key(&channel) {
                continue;
            }
            let owner = self.owner(&channel);
            if started.elapsed() > PASS_DEADLINE || owner.as_ref().is_some_and(|o| down.contains(o))
            {
                failed.push(channel);
                continue;
            }
            if let Err(e) = self.subscribe(&channel).await {
                tracing::warn!(error = %e, %channel, "subscribing failed");
                down.extend(owner);
                failed.push(channel);
            }
        }
        metrics::PUBSUB_CHANNELS.set(self.subscribed.len() as i64);
        failed
    }

    /// Subscribes `channel` on the master that owns its slot. The slot map may be stale
    /// (a failover under way, a slot moved): on a redirect or a master that cannot be
    /// reached it is read again and the subscription tried again, a few times.
    async fn subscribe(&mut self, channel: &str) -> redis::RedisResult<()> {
        let mut last = redis::RedisError::from((
            redis::ErrorKind::ClusterDown,
            "no master owns the channel's slot",
        ));
        for attempt in 0..SUBSCRIBE_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            if attempt > 0 || self.slots.is_empty() {
                if let Err(e) = self.reload_slots().await {
                    last = e;
                    continue;
                }
            }
            let Some(addr) = self.owner(channel) else {
                continue;
            };
            let (mut conn, epoch) = match self.node(&addr).await {
                Ok(node) => (node.conn.clone(), node.epoch),
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            // From here on the channel's live envelopes are held until it has caught up.
            self.positions
                .lock()
                .entry(channel.to_owned())
                .or_default()
                .held
                .get_or_insert_with(Vec::new);
            let reply = tokio::time::timeout(
                COMMAND_DEADLINE,
                redis::cmd("SSUBSCRIBE")
                    .arg(channel)
                    .query_async::<Value>(&mut conn),
            )
            .await;
            match reply {
                Ok(Ok(_)) => {
                    self.subscribed.insert(channel.to_owned(), addr.clone());
                    if let Some(node) = self.nodes.get_mut(&addr) {
                        node.channels.insert(channel.to_owned());
                    }
                    self.catch_up(channel).await;
                    return Ok(());
                }
                // The slot moved (MOVED): read the map again.
                Ok(Err(e)) if e.kind() == redis::ErrorKind::Moved => last = e,
                Ok(Err(e)) => {
                    self.lose(&addr, epoch, "subscribing failed");
                    last = e;
                }
                Err(_) => {
                    self.lose(&addr, epoch, "subscribing timed out");
                    return Err(timeout_error());
                }
            }
        }
        Err(last)
    }

    /// The connection to master `addr`, opened if need be.
    async fn node(&mut self, addr: &Addr) -> redis::RedisResult<&mut Node> {
        if !self.nodes.contains_key(addr) {
            let node = self.connect(addr).await?;
            self.nodes.insert(addr.clone(), node);
        }
        Ok(self.nodes.get_mut(addr).expect("just inserted"))
    }

    async fn connect(&mut self, addr: &Addr) -> redis::RedisResult<Node> {
        let epoch = self.next_epoch;
        self.next_epoch += 1;
        let info = ConnectionInfo {
            addr: ConnectionAddr::Tcp(addr.0.clone(), addr.1),
            redis: RedisConnectionInfo {
                protocol: ProtocolVersion::RESP3,
                ..self.auth.clone()
            },
        };
        let (push_tx, mut push_rx) = mpsc::unbounded_channel::<PushInfo>();
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(COMMAND_DEADLINE)
            .set_response_timeout(COMMAND_DEADLINE)
            .set_push_sender(push_tx);
        let conn = redis::Client::open(info)?
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let (listeners, ctl) = (self.listeners(), self.tx.clone());
        let positions = Arc::clone(&self.positions);
        // Hot path: every envelope for this instance's sockets from this master.
        let reader = tokio::spawn(async move {
            while let Some(push) = push_rx.recv().await {
                match push.kind {
                    PushKind::SMessage | PushKind::Message => {
                        if let (
                            Some(Value::BulkString(channel)),
                            Some(Value::BulkString(payload)),
                        ) = (push.data.first(), push.data.get(1))
                        {
                            match (std::str::from_utf8(channel), std::str::from_utf8(payload)) {
                                (Ok(channel), Ok(text)) => {
                                    on_live(&positions, &*listeners, channel, text)
                                }
                                _ => tracing::debug!("non-text envelope ignored"),
                            }
                        }
                    }
                    _ => {
                        if ctl.send(Ctl::Push(epoch, push)).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        tracing::info!(host = %addr.0, port = addr.1, "subscriber connected to a master");
        Ok(Node {
            epoch,
            conn,
            channels: HashSet::new(),
            reader,
        })
    }

    async fn on_push(&mut self, epoch: u64, push: PushInfo) {
        let Some(addr) = self
            .nodes
            .iter()
            .find(|(_, n)| n.epoch == epoch)
            .map(|(a, _)| a.clone())
        else {
            return; // from a connection already dropped
        };
        match push.kind {
            PushKind::Disconnection => self.lose(&addr, epoch, "connection lost"),
            PushKind::SUnsubscribe => {
                let channel = match push.data.first() {
                    Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
                    _ => String::new(),
                };
                let expected = match self.leaving.get_mut(&(epoch, channel.clone())) {
                    Some(n) => {
                        *n -= 1;
                        if *n == 0 {
                            self.leaving.remove(&(epoch, channel));
                        }
                        true
                    }
                    None => false,
                };
                if !expected {
                    // Redis ended it: the slot moved to another master. The reply order on
                    // this connection can no longer be trusted either: drop it whole.
                    self.lose(
                        &addr,
                        epoch,
                        "a subscription was ended by Redis (slot moved)",
                    );
                    let _ = self.reload_slots().await;
                }
            }
            _ => {}
        }
    }

    /// Drops the connection to `addr` (if still of `epoch`) and resyncs the sockets that
    /// needed its channels.
    fn lose(&mut self, addr: &Addr, epoch: u64, why: &str) {
        let Some(node) = self.nodes.get(addr) else {
            return;
        };
        if node.epoch != epoch {
            return;
        }
        let node = self.nodes.remove(addr).expect("present");
        node.reader.abort();
        for channel in &node.channels {
            self.subscribed.remove(channel);
        }
        self.leaving.retain(|(e, _), _| *e != epoch);
        self.slots.clear();
        metrics::PUBSUB_LOST.inc();
        metrics::PUBSUB_CHANNELS.set(self.subscribed.len() as i64);
        let now = std::time::Instant::now();
        for channel in &node.channels {
            self.lost.entry(channel.clone()).or_insert(now);
        }
        tracing::warn!(
            host = %addr.0, port = addr.1, channels = node.channels.len(), "{why}: \
             subscriptions lost; subscribing again to recover them"
        );
    }

    /// `channel` was just subscribed: after a loss, deliver what its log holds past the
    /// last offset seen, or resync its sockets when that cannot be done exactly; when new,
    /// note where its log ends. Then the live envelopes held meanwhile, in order.
    async fn catch_up(&mut self, channel: &str) {
        let log = channels::log(channel);
        let from = self.positions.lock().get(channel).and_then(|p| p.last);
        let lost_at = self.lost.remove(channel);
        let listeners = self.listeners();
        let outcome = match (lost_at, from) {
            (None, _) => Ok(None),
            (Some(at), _) if at.elapsed() > self.recovery.max_gap => {
                Err(Unrecoverable::TooLong(at.elapsed()))
            }
            (Some(_), None) => Err(Unrecoverable::Gone(Offset::default())),
            (Some(_), Some(from)) => {
                let read = replay(
                    &mut self.cluster,
                    &log,
                    from,
                    self.recovery.log_len,
                    &mut |e| listeners.on_envelope(e),
                )
                .await;
                match read {
                    Ok(Ok((replayed, last))) => Ok(Some((replayed, last))),
                    Ok(Err(why)) => Err(why),
                    Err(e) => {
                        tracing::warn!(error = %e, %channel, "reading the event log failed");
                        Err(Unrecoverable::Gone(from))
                    }
                }
            }
        };
        // Where the log ends now, for a new channel or one resynced (0-0 if unreadable:
        // the next loss then resyncs).
        let end = match outcome {
            Ok(Some(_)) => None,
            _ => Some(log_end(&mut self.cluster, &log).await.unwrap_or_default()),
        };
        let mut positions = self.positions.lock();
        let p = positions.entry(channel.to_owned()).or_default();
        let held = p.held.take().unwrap_or_default();
        match outcome {
            Ok(Some((replayed, last))) => {
                p.last = Some(last);
                metrics::RECOVERIES.with_label_values(&["recovered"]).inc();
                metrics::EVENTS_REPLAYED.inc_by(replayed);
                tracing::info!(%channel, replayed, "recovered a channel's gap from its event log");
            }
            Ok(None) => p.last = p.last.max(end),
            Err(why) => {
                p.last = end;
                let closed = listeners.resync(Some(&HashSet::from([channel.to_owned()])));
                metrics::RECOVERIES.with_label_values(&["resynced"]).inc();
                metrics::SOCKETS_RESYNCED.inc_by(closed as u64);
                tracing::warn!(%channel, %why, closed, "a channel's gap could not be recovered; its sockets resync");
            }
        }
        // Held envelopes were published after the subscription: all new, but a recovered
        // channel's log already held some of them.
        for payload in held {
            if let Some(offset) = Offset::of_envelope(&payload) {
                if lost_at.is_some() && p.last.is_some_and(|last| offset <= last) {
                    continue;
                }
                p.last = p.last.max(Some(offset));
            }
            listeners.on_envelope(&payload);
        }
    }

    /// Pings every connection, subscribes what is wanted and missing, unsubscribes what no
    /// socket needs.
    async fn check(&mut self) {
        let nodes: Vec<(Addr, u64, MultiplexedConnection)> = self
            .nodes
            .iter()
            .map(|(a, n)| (a.clone(), n.epoch, n.conn.clone()))
            .collect();
        for (addr, epoch, mut conn) in nodes {
            let pong = tokio::time::timeout(
                COMMAND_DEADLINE,
                redis::cmd("PING").query_async::<Value>(&mut conn),
            )
            .await;
            if !matches!(pong, Ok(Ok(_))) {
                self.lose(&addr, epoch, "the connection stopped answering");
            }
        }
        // A master cut off from the cluster can still answer while a replica takes its
        // slots: a subscription whose slot has another owner now is lost.
        if self.reload_slots().await.is_ok() {
            let moved: HashSet<Addr> = self
                .subscribed
                .iter()
                .filter(|(c, a)| self.owner(c).as_ref() != Some(*a))
                .map(|(_, a)| a.clone())
                .collect();
            for addr in moved {
                if let Some(epoch) = self.nodes.get(&addr).map(|n| n.epoch) {
                    self.lose(&addr, epoch, "a subscribed slot has another owner now");
                }
            }
        }
        let wanted = self.listeners().wanted_channels();
        let stale: Vec<(String, Addr)> = self
            .subscribed
            .iter()
            .filter(|(c, _)| !wanted.contains(*c))
            .map(|(c, a)| (c.clone(), a.clone()))
            .collect();
        self.lost.retain(|c, _| wanted.contains(c));
        self.positions.lock().retain(|c, _| wanted.contains(c));
        for (channel, addr) in stale {
            self.subscribed.remove(&channel);
            self.positions.lock().remove(&channel);
            let Some(node) = self.nodes.get_mut(&addr) else {
                continue;
            };
            node.channels.remove(&channel);
            *self
                .leaving
                .entry((node.epoch, channel.clone()))
                .or_default() += 1;
            let mut conn = node.conn.clone();
            let _ = tokio::time::timeout(
                COMMAND_DEADLINE,
                redis::cmd("SUNSUBSCRIBE")
                    .arg(&channel)
                    .query_async::<Value>(&mut conn),
            )
            .await;
        }
        let missing: Vec<String> = wanted
            .into_iter()
            .filter(|c| !self.subscribed.contains_key(c))
            .collect();
        let failed = self.ensure(missing).await;
        self.resync_unsubscribed(failed);
    }

    /// Sockets that need a channel that could not be subscribed would miss its events:
    /// close them to reconnect (and retry) later.
    fn resync_unsubscribed(&mut self, failed: Vec<String>) {
        // A lost channel is retried at every check while its gap is still recoverable.
        let max_gap = self.recovery.max_gap;
        let failed: HashSet<String> = failed
            .into_iter()
            .filter(|c| self.lost.get(c).is_none_or(|at| at.elapsed() > max_gap))
            .collect();
        if failed.is_empty() {
            return;
        }
        for channel in &failed {
            self.lost.remove(channel);
            if let Some(p) = self.positions.lock().get_mut(channel) {
                p.held = None;
                p.last = None;
            }
        }
        let closed = self.listeners().resync(Some(&failed));
        if closed > 0 {
            metrics::PUBSUB_LOST.inc();
            tracing::warn!(
                channels = failed.len(),
                closed,
                "channels could not be subscribed: their sockets closed to retry"
            );
        }
    }
}

fn timeout_error() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::IoError, "timed out"))
}
