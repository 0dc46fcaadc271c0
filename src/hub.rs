//! The local registry of WebSocket connections, and the queues an event is pushed into.
//!
//! The hub knows connections and rooms only: `src/dispatch.rs` hands it every event with
//! its audience (from its producer, or routed by [`chat_core::route`] from the type and
//! data of another instance's envelope), and knows nothing of subscriptions:
//!
//! | type | goes to |
//! |---|---|
//! | `message`, `typing`, `message.edited`, `message.deleted`, `reaction.changed` | sockets of the room's members (`typing`: not the typist) |
//! | `show.room` | sockets of the direct room's two users |
//! | `room.joined`, `room.left`, `room.read`, `room.muted` | sockets of that user (`joined`/`left` update the room index) |
//! | `user.connected`, `user.disconnected` | every socket |
//!
//! Membership is answered from memory: General is everyone; a direct room's members are
//! in its id; named rooms are indexed for the users connected here (loaded at connect,
//! kept current by `room.joined`/`room.left`). No Redis round trip per delivery.
//!
//! The same index answers "may this user post here?" on the WebSocket's hot path
//! ([`Hub::is_member`]), for named and direct rooms alike, once it is known to be exact for
//! that user: the rooms loaded at connect count only if no membership event was processed
//! while they were being read (a sequence number tells); otherwise the socket reloads them.
//! A "no" is never final: the caller asks Redis. A leave made on another instance takes
//! effect here when its `room.left` arrives (the subscription's latency); a lost
//! subscription closes every socket that depended on it, so the index is never staler
//! than that.
//!
//! On a cluster the same index says which sharded channels the sockets here need
//! ([`Hub::channels_of`], [`Hub::wanted_channels`]); dispatch has them subscribed.
//!
//! Each event is serialized once and shared (`Arc`) by every queue it goes into. Each
//! socket has a bounded queue; a socket whose queue is full is closed as a slow consumer
//! instead of slowing the rest.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, OnceLock,
    },
};

use chat_core::{channels, metrics, Audience, EventKind, RoomId, RoomKind, UserId};
use chat_presence::Tally;
use parking_lot::RwLock;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One serialized event, shared by every socket it goes to.
#[derive(Debug)]
pub struct Frame {
    pub text: String,
    /// A message's `date`, for the delivery-latency histogram.
    pub date: Option<f64>,
}

/// Why a connection closed; the reason goes into the close frame and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    Client,
    SlowConsumer,
    Shutdown,
    Timeout,
    Error,
    /// The session was ended (logout).
    LoggedOut,
    /// The instance lost its subscription and may have missed events: the client should
    /// reconnect and catch up.
    Resync,
}

impl CloseReason {
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Client => "client",
            CloseReason::SlowConsumer => "slow_consumer",
            CloseReason::Shutdown => "shutdown",
            CloseReason::Timeout => "timeout",
            CloseReason::Error => "error",
            CloseReason::Resync => "resync",
            CloseReason::LoggedOut => "logged_out",
        }
    }
}

/// What the hub and a connection's tasks share.
pub struct Conn {
    pub id: u64,
    pub user: UserId,
    /// The session it was opened with (the hash that names it in Redis), so ending the
    /// session closes it.
    session: Box<str>,
    tx: mpsc::Sender<Arc<Frame>>,
    cancel: CancellationToken,
    reason: OnceLock<CloseReason>,
}

impl Conn {
    /// Asks the connection to close (the first reason given wins).
    pub fn close(&self, reason: CloseReason) {
        let _ = self.reason.set(reason);
        self.cancel.cancel();
    }

    pub fn cancelled(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn reason(&self) -> CloseReason {
        self.reason.get().copied().unwrap_or(CloseReason::Client)
    }

    /// Queues a frame for this socket; closes it as a slow consumer when its queue is full.
    ///
    /// Hot path: runs once per socket per delivered event.
    pub fn push(&self, frame: &Arc<Frame>) {
        match self.tx.try_send(Arc::clone(frame)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                if self.reason.get().is_none() {
                    tracing::warn!(conn = self.id, user = %self.user, "closing a slow consumer");
                }
                metrics::MESSAGES_DROPPED
                    .with_label_values(&["slow_consumer"])
                    .inc();
                self.close(CloseReason::SlowConsumer);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

#[derive(Default)]
struct Registry {
    users: HashMap<UserId, Vec<Arc<Conn>>>,
    /// Sockets admitted under their user's cap and not yet registered ([`Admission`]).
    admitted: HashMap<UserId, usize>,
    /// Named room → users connected here who are in it.
    named: HashMap<RoomId, HashSet<UserId>>,
    /// User connected here → their named and direct rooms.
    user_rooms: HashMap<UserId, HashSet<RoomId>>,
    /// Users whose `user_rooms` is exact (loaded with no membership event in between).
    exact: HashSet<UserId>,
    /// Membership events processed so far.
    seq: u64,
}

impl Registry {
    fn unadmit(&mut self, user: UserId) {
        if let Some(n) = self.admitted.get_mut(&user) {
            *n -= 1;
            if *n == 0 {
                self.admitted.remove(&user);
            }
        }
    }

    fn index(&mut self, user: UserId, room: RoomId) {
        let kind = room.kind();
        if kind == RoomKind::General || !self.users.contains_key(&user) {
            return;
        }
        if kind == RoomKind::Named {
            self.named.entry(room.clone()).or_default().insert(user);
        }
        self.user_rooms.entry(user).or_default().insert(room);
    }

    fn unindex(&mut self, user: UserId, room: &RoomId) {
        if let Some(set) = self.named.get_mut(room) {
            set.remove(&user);
            if set.is_empty() {
                self.named.remove(room);
            }
        }
        if let Some(set) = self.user_rooms.get_mut(&user) {
            set.remove(room);
        }
    }

    /// Forgets what is indexed for `user`.
    fn forget(&mut self, user: UserId) {
        self.exact.remove(&user);
        for room in self.user_rooms.remove(&user).unwrap_or_default() {
            if let Some(set) = self.named.get_mut(&room) {
                set.remove(&user);
                if set.is_empty() {
                    self.named.remove(&room);
                }
            }
        }
    }

    /// The sharded channels of `user` alone: their own and their named and direct rooms'.
    fn own_channels(&self, user: UserId) -> impl Iterator<Item = String> + '_ {
        let rooms = self.user_rooms.get(&user).into_iter().flatten();
        std::iter::once(channels::user(user)).chain(rooms.map(channels::room))
    }

    /// Replaces `user`'s rooms with `rooms`, read from Redis when the sequence number was
    /// `seq`: exact if no membership event came since.
    fn load(&mut self, user: UserId, rooms: &[RoomId], seq: u64) -> bool {
        if seq != self.seq {
            return false;
        }
        self.forget(user);
        for room in rooms {
            self.index(user, room.clone());
        }
        if self.users.contains_key(&user) {
            self.exact.insert(user);
        }
        true
    }
}

/// A socket admitted under its user's cap ([`Hub::admit`]) and counted until it is
/// registered ([`Hub::register`]) or given up (dropped: the upgrade failed, the client left).
pub struct Admission {
    hub: Hub,
    user: UserId,
    counted: bool,
}

impl Drop for Admission {
    fn drop(&mut self) {
        if self.counted {
            self.hub.inner.reg.write().unadmit(self.user);
        }
    }
}

/// The sharded channels every socket needs: General's and presence.
fn shared_channels() -> impl Iterator<Item = String> {
    channels::all_presence().chain([channels::room(&RoomId::general())])
}

/// The hub: cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    reg: RwLock<Registry>,
    next_id: AtomicU64,
    /// The counter of [`Hub::tally`].
    tallies: AtomicU64,
    queue: usize,
}

impl Hub {
    pub fn new(queue: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                reg: RwLock::default(),
                next_id: AtomicU64::new(1),
                tallies: AtomicU64::new(0),
                queue: queue.max(8),
            }),
        }
    }

    /// The membership sequence number, to pass to [`Hub::register`] and [`Hub::reload`]
    /// with the rooms read from Redis after it.
    pub fn membership_seq(&self) -> u64 {
        self.inner.reg.read().seq
    }

    /// Admits one more socket of `user` if they hold fewer than `cap` here (0: no cap),
    /// counting it from now: sockets opened at once cannot all pass the cap while each
    /// waits for its upgrade and its rooms.
    pub fn admit(&self, user: UserId, cap: usize) -> Option<Admission> {
        let mut reg = self.inner.reg.write();
        let open = reg.users.get(&user).map_or(0, Vec::len);
        let waiting = reg.admitted.get(&user).copied().unwrap_or(0);
        if cap > 0 && open + waiting >= cap {
            return None;
        }
        *reg.admitted.entry(user).or_default() += 1;
        Some(Admission {
            hub: self.clone(),
            user,
            counted: true,
        })
    }

    /// Registers the admitted connection of a user who is in `rooms` (read from Redis
    /// after [`Hub::membership_seq`] gave `seq`), with `first` queued before any event can
    /// reach it. Returns the connection, the receiving end of its queue, and whether the
    /// user's room index is exact (when not, call [`Hub::reload`]).
    pub fn register(
        &self,
        mut admission: Admission,
        session: &str,
        rooms: &[RoomId],
        seq: u64,
        first: Option<Arc<Frame>>,
    ) -> (Arc<Conn>, mpsc::Receiver<Arc<Frame>>, bool) {
        let user = admission.user;
        let (tx, rx) = mpsc::channel(self.inner.queue);
        let conn = Arc::new(Conn {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            user,
            session: session.into(),
            tx,
            cancel: CancellationToken::new(),
            reason: OnceLock::new(),
        });
        if let Some(frame) = first {
            conn.push(&frame);
        }
        let mut reg = self.inner.reg.write();
        // From admitted to open under one lock: never counted twice, nor not at all.
        reg.unadmit(user);
        admission.counted = false;
        let first_here = !reg.users.contains_key(&user);
        reg.users.entry(user).or_default().push(Arc::clone(&conn));
        let exact = if reg.load(user, rooms, seq) {
            true
        } else if first_here {
            // Membership changed while the rooms were read: deliver by them for now (as
            // good as it gets until the reload), but do not vouch for them.
            for room in rooms {
                reg.index(user, room.clone());
            }
            false
        } else {
            // The index already follows this user's events; a stale list must not undo them.
            reg.exact.contains(&user)
        };
        (conn, rx, exact)
    }

    /// Replaces `user`'s room index with `rooms`, read from Redis after
    /// [`Hub::membership_seq`] gave `seq`; false (and nothing changed) when a membership
    /// event came in between.
    pub fn reload(&self, user: UserId, rooms: &[RoomId], seq: u64) -> bool {
        self.inner.reg.write().load(user, rooms, seq)
    }

    /// Whether `user` (connected here) is known to be in `room`. `false` means "ask Redis".
    ///
    /// Hot path: once per message a socket sends.
    pub fn is_member(&self, user: UserId, room: &RoomId) -> bool {
        match room.kind() {
            RoomKind::General => true,
            RoomKind::Direct(..) if !room.direct_has(user) => false,
            _ => {
                let reg = self.inner.reg.read();
                reg.exact.contains(&user)
                    && reg.user_rooms.get(&user).is_some_and(|r| r.contains(room))
            }
        }
    }

    /// Removes a connection; forgets the user's rooms with their last connection here.
    pub fn unregister(&self, conn: &Conn) {
        let mut reg = self.inner.reg.write();
        let last = match reg.users.get_mut(&conn.user) {
            Some(list) => {
                list.retain(|c| c.id != conn.id);
                list.is_empty()
            }
            None => false,
        };
        if last {
            reg.users.remove(&conn.user);
            reg.forget(conn.user);
        }
    }

    /// Closes every connection (on shutdown, or to resync); returns how many.
    pub fn close_all(&self, reason: CloseReason) -> usize {
        let reg = self.inner.reg.read();
        reg.users.values().flatten().for_each(|c| c.close(reason));
        reg.users.values().map(Vec::len).sum()
    }

    /// Every user with connections here, and how many.
    pub fn local_users(&self) -> Vec<(UserId, usize)> {
        self.inner
            .reg
            .read()
            .users
            .iter()
            .map(|(u, l)| (*u, l.len()))
            .collect()
    }

    /// How many connections `user` has open here, numbered: a later tally (after a
    /// register or unregister) has a higher counter, so presence keeps the newest count.
    pub fn tally(&self, user: UserId) -> Tally {
        // Under the lock that register and unregister write under: the counter and the
        // count agree.
        let reg = self.inner.reg.read();
        Tally {
            here: reg.users.get(&user).map_or(0, Vec::len),
            counter: self.inner.tallies.fetch_add(1, Ordering::Relaxed) + 1,
        }
    }

    /// Connections `user` has open here.
    pub fn connections_of(&self, user: UserId) -> usize {
        self.inner.reg.read().users.get(&user).map_or(0, Vec::len)
    }

    /// Connections open here.
    pub fn connections(&self) -> usize {
        self.inner.reg.read().users.values().map(Vec::len).sum()
    }

    /// Builds the frame `{"type": kind, "data": data}` once.
    pub fn frame(kind: EventKind, data: &str, date: Option<f64>) -> Arc<Frame> {
        let tag = kind.as_str();
        let mut text = String::with_capacity(data.len() + tag.len() + 20);
        text.push_str(r#"{"type":""#);
        text.push_str(tag);
        text.push_str(r#"","data":"#);
        text.push_str(data);
        text.push('}');
        Arc::new(Frame { text, date })
    }

    /// Follows the membership an event changes (a join, a leave, a new direct room) in
    /// the room index. Returns the room when a user connected here has just entered it:
    /// on a cluster its channel must be subscribed before they hear of it.
    pub fn track(&self, kind: EventKind, audience: &Audience, data: &str) -> Option<RoomId> {
        match (kind, audience) {
            (EventKind::RoomJoined | EventKind::RoomLeft, _) => {
                self.track_membership(kind == EventKind::RoomJoined, data)
            }
            (_, Audience::Direct(room)) => self.track_direct(room),
            _ => None,
        }
    }

    /// Closes the sockets of a user-level audience (one user, a direct room's two).
    pub fn close_audience(&self, audience: &Audience, reason: CloseReason) {
        let users: Vec<UserId> = match audience {
            Audience::User(u) => vec![*u],
            Audience::Direct(room) => match room.kind() {
                RoomKind::Direct(a, b) => vec![a, b],
                _ => vec![],
            },
            _ => vec![],
        };
        let reg = self.inner.reg.read();
        for c in users.iter().filter_map(|u| reg.users.get(u)).flatten() {
            c.close(reason);
        }
    }

    /// Queues `frame` for the sockets here of `audience`.
    ///
    /// Hot path: a queue push per recipient socket under a read lock.
    pub fn push(&self, audience: &Audience, frame: &Arc<Frame>) {
        let reg = self.inner.reg.read();
        let send_to = |user: &UserId| {
            if let Some(list) = reg.users.get(user) {
                for c in list {
                    c.push(frame);
                }
            }
        };
        let (room, except) = match audience {
            Audience::Everyone(_) => {
                reg.users.values().flatten().for_each(|c| c.push(frame));
                return;
            }
            Audience::User(u) => return send_to(u),
            Audience::Room(room, except) => (room, *except),
            Audience::Direct(room) => (room, None),
        };
        match room.kind() {
            RoomKind::General => reg
                .users
                .iter()
                .filter(|(u, _)| Some(**u) != except)
                .flat_map(|(_, l)| l)
                .for_each(|c| c.push(frame)),
            RoomKind::Direct(a, b) => {
                for u in [a, b] {
                    if Some(u) != except {
                        send_to(&u);
                    }
                }
            }
            RoomKind::Named => {
                if let Some(users) = reg.named.get(room) {
                    users
                        .iter()
                        .filter(|u| Some(**u) != except)
                        .for_each(send_to);
                }
            }
        }
    }

    /// Closes this instance's sockets opened with session `id`.
    pub fn close_session(&self, id: &str) {
        for c in self.inner.reg.read().users.values().flatten() {
            if *c.session == *id {
                c.close(CloseReason::LoggedOut);
            }
        }
    }

    /// The sessions the sockets here were opened with, each once.
    pub fn sessions(&self) -> Vec<String> {
        let reg = self.inner.reg.read();
        let set: HashSet<&str> = reg.users.values().flatten().map(|c| &*c.session).collect();
        set.into_iter().map(str::to_owned).collect()
    }

    /// Follows a join or a leave; returns the room when a user connected here joined it.
    fn track_membership(&self, joined: bool, data: &str) -> Option<RoomId> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct MembershipChange {
            user_id: UserId,
            room_id: RoomId,
        }
        let MembershipChange { user_id, room_id } = serde_json::from_str(data).ok()?;
        let mut reg = self.inner.reg.write();
        reg.seq += 1;
        if joined {
            let local = reg.users.contains_key(&user_id);
            reg.index(user_id, room_id.clone());
            local.then_some(room_id)
        } else {
            reg.unindex(user_id, &room_id);
            None
        }
    }

    /// A new direct room: both users are in it. Returns it when either is connected here.
    fn track_direct(&self, room: &RoomId) -> Option<RoomId> {
        let RoomKind::Direct(a, b) = room.kind() else {
            return None;
        };
        let mut reg = self.inner.reg.write();
        reg.seq += 1;
        reg.index(a, room.clone());
        reg.index(b, room.clone());
        (reg.users.contains_key(&a) || reg.users.contains_key(&b)).then(|| room.clone())
    }

    /// The sharded channels `user`'s sockets here need: [`shared_channels`] and theirs.
    pub fn channels_of(&self, user: UserId) -> Vec<String> {
        let reg = self.inner.reg.read();
        shared_channels().chain(reg.own_channels(user)).collect()
    }

    /// Every sharded channel the sockets here need (none when there are none).
    pub fn wanted_channels(&self) -> HashSet<String> {
        let reg = self.inner.reg.read();
        if reg.users.is_empty() {
            return HashSet::new();
        }
        let own = reg.users.keys().flat_map(|u| reg.own_channels(*u));
        shared_channels().chain(own).collect()
    }

    /// Subscriptions to `lost` were lost: close (to resync) every socket that needed one of
    /// them. Returns how many sockets were closed.
    pub fn resync(&self, lost: &HashSet<String>) -> usize {
        let shared = shared_channels().any(|c| lost.contains(&c));
        let reg = self.inner.reg.read();
        let mut closed = 0;
        for (user, list) in &reg.users {
            if shared || reg.own_channels(*user).any(|c| lost.contains(&c)) {
                for c in list {
                    c.close(CloseReason::Resync);
                    closed += 1;
                }
            }
        }
        closed
    }
}
