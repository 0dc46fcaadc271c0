//! `/ws`: authenticates the socket, registers it with the hub, applies the client's
//! frames ([`command`]: read → parse → apply → reply) and writes the hub's frames out.

mod command;

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chat_auth::{AuthStore, Session, SESSION_COOKIE};
use chat_core::{
    metrics,
    protocol::{Ready, UserView},
    EventKind,
};
use chat_messages::MessagesStore;
use chat_presence::PresenceStore;
use chat_rooms::RoomsStore;
use futures_util::{SinkExt, StreamExt};
use poem::{
    handler,
    http::{header, StatusCode},
    web::{
        websocket::{CloseCode, Message as WsMessage, WebSocket, WebSocketConfig, WebSocketStream},
        Data,
    },
    IntoResponse, Request,
};
use tracing::Instrument;

pub use self::command::MAX_CLIENT_FRAME;
use self::command::{Command, Pace, Reply};
use crate::{
    dispatch::Dispatch,
    hub::{Admission, CloseReason, Conn, Frame, Hub},
};

/// Frames above this are refused by the WebSocket layer itself (the socket closes).
const HARD_FRAME_LIMIT: usize = 256 * 1024;
/// Ping period; a peer silent for [`IDLE_LIMIT`] is dropped.
const PING_EVERY: Duration = Duration::from_secs(25);
const IDLE_LIMIT: Duration = Duration::from_secs(70);
/// Frames written per flush when the queue has a backlog.
const WRITE_BATCH: usize = 64;
/// A write or flush that cannot finish in this time (the peer stopped reading) closes the
/// socket as a slow consumer.
const WRITE_DEADLINE: Duration = Duration::from_secs(10);
/// Minimum time between two `typing` events a socket relays.
pub(crate) const TYPING_EVERY: Duration = Duration::from_millis(1000);

/// What the WebSocket route needs; shared by every socket.
pub struct WsState {
    /// The hub and the subscriptions behind it.
    pub dispatch: Dispatch,
    pub auth: AuthStore,
    pub rooms: RoomsStore,
    pub messages: MessagesStore,
    pub presence: PresenceStore,
    pub allowed_origins: Arc<Vec<String>>,
    pub server_id: Arc<str>,
    /// True while the `MESSAGES` subscription is live.
    pub pubsub_live: Arc<std::sync::atomic::AtomicBool>,
    /// WebSockets one user may hold open here (0: no limit).
    pub max_sockets_per_user: usize,
}

fn token(req: &Request) -> Option<String> {
    if let Some(v) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_owned());
        }
    }
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == SESSION_COOKIE).then(|| v.to_owned())
        })
}

/// Same-origin (Origin's host equals Host), a configured origin, or no Origin at all
/// (not a browser).
fn origin_allowed(req: &Request, allowed: &[String]) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    if allowed.iter().any(|a| a == origin || a == "*") {
        return true;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[handler]
pub async fn ws_handler(
    req: &Request,
    ws: WebSocket,
    state: Data<&Arc<WsState>>,
) -> poem::Result<impl IntoResponse> {
    if !state.pubsub_live.load(Ordering::SeqCst) {
        // A socket opened now would miss what is published until the subscription is
        // back: let the client retry (and catch up) a moment later.
        return Err(poem::Error::from_string(
            "the server is reconnecting to Redis; retry shortly",
            StatusCode::SERVICE_UNAVAILABLE,
        ));
    }
    if !origin_allowed(req, &state.allowed_origins) {
        return Err(poem::Error::from_string(
            "origin: not allowed to open a WebSocket here",
            StatusCode::FORBIDDEN,
        ));
    }
    let session = match token(req) {
        Some(t) => state.auth.session(&t).await?,
        None => None,
    };
    let Some(session) = session else {
        return Err(poem::Error::from_string(
            "not signed in or the session expired",
            StatusCode::UNAUTHORIZED,
        ));
    };
    let hub = state.dispatch.hub();
    let Some(admission) = hub.admit(session.user_id, state.max_sockets_per_user) else {
        return Err(poem::Error::from_string(
            format!(
                "too many open sockets: at most {} per user",
                state.max_sockets_per_user
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    };
    let state = Arc::clone(state.0);
    // Small buffers: an idle socket costs a few KB, not the 2 × 128 KiB of the defaults.
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 1024;
    config.write_buffer_size = 8 * 1024;
    config.max_write_buffer_size = 1024 * 1024;
    config.max_message_size = Some(HARD_FRAME_LIMIT);
    config.max_frame_size = Some(HARD_FRAME_LIMIT);
    let span = tracing::info_span!("ws", user = %session.user_id);
    Ok(ws
        .config(config)
        .on_upgrade(move |socket| run(state, session, admission, socket).instrument(span)))
}

/// Serves one socket: registers it, then reads → parses → applies its frames until it
/// closes.
///
/// Per socket: this task and the writer live as long as the socket, so what they hold
/// across the read loop is kept small (the state is shared, the setup's values are dropped
/// once registered, and frame handling is boxed: its large future exists only while a
/// frame is handled).
async fn run(state: Arc<WsState>, session: Session, admission: Admission, socket: WebSocketStream) {
    let user = session.user_id;
    let username: Box<str> = session.username.as_str().into();
    let Some((conn, rx)) = Box::pin(open(&state, &session, admission)).await else {
        return;
    };
    drop(session);
    metrics::WS_OPEN.inc();
    metrics::WS_OPENED.inc();
    tracing::debug!(conn = conn.id, "ws: open");
    let tally = state.dispatch.hub().tally(user);
    if let Err(e) = Box::pin(state.presence.connect(user, tally)).await {
        tracing::warn!(error = %e, "ws: presence connect failed");
    }

    let (sink, mut stream) = socket.split();
    let last_seen = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let writer = tokio::spawn(write_loop(
        sink,
        rx,
        Arc::clone(&conn),
        Arc::clone(&last_seen),
        started,
    ));

    let mut pace = Pace::default();
    loop {
        let reads_due = pace.reads_due();
        tokio::select! {
            _ = conn.cancelled().cancelled() => break,
            _ = tokio::time::sleep_until(reads_due.unwrap_or_else(Instant::now).into()),
                if reads_due.is_some() => {
                for read in pace.due_reads() {
                    if let Command::Read { room, date } = read {
                        let reply = Box::pin(Command::mark_read(&state, user, room, date)).await;
                        if let Some(frame) = reply.frame() {
                            conn.push(&frame);
                        }
                    }
                }
            }
            frame = stream.next() => {
                last_seen.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                let reply = match frame {
                    Some(Ok(WsMessage::Text(text))) => match Command::parse(&text) {
                        Ok(command) => {
                            Box::pin(command.apply(&state, user, &username, &mut pace)).await
                        }
                        Err(refused) => Reply::refused(refused),
                    },
                    Some(Ok(WsMessage::Binary(_))) => Reply::refused((
                        ("invalid_frame", "frames are JSON text".into()),
                        None,
                    )),
                    Some(Ok(WsMessage::Close(_))) | None => {
                        conn.close(CloseReason::Client);
                        break;
                    }
                    Some(Ok(_)) => Reply::Nothing,
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "ws: read error");
                        conn.close(CloseReason::Error);
                        break;
                    }
                };
                if let Some(frame) = reply.frame() {
                    conn.push(&frame);
                }
            }
        }
    }
    // Reads still waiting land before the socket goes (the last one a user sent counts).
    for read in pace.due_reads() {
        if let Command::Read { room, date } = read {
            let _ = Box::pin(Command::mark_read(&state, user, room, date)).await;
        }
    }
    let mut writer = writer;
    if tokio::time::timeout(Duration::from_secs(5), &mut writer)
        .await
        .is_err()
    {
        // Dropping a JoinHandle does not stop its task: abort it, so the write half (and
        // with it the descriptor) goes now.
        writer.abort();
    }
    state.dispatch.hub().unregister(&conn);
    metrics::WS_OPEN.dec();
    metrics::WS_CLOSED
        .with_label_values(&[conn.reason().label()])
        .inc();
    let grace = conn.reason() != CloseReason::Shutdown;
    let tally = state.dispatch.hub().tally(user);
    if let Err(e) = Box::pin(state.presence.disconnect(user, tally, grace)).await {
        tracing::warn!(error = %e, "ws: presence disconnect failed");
    }
    tracing::debug!(reason = conn.reason().label(), "ws: closed");
}

/// Registers a new socket with the hub, `ready` queued first, and (on a cluster) has its
/// channels subscribed before it hears `ready`, or closes it to retry.
async fn open(
    state: &WsState,
    session: &Session,
    admission: Admission,
) -> Option<(Arc<Conn>, tokio::sync::mpsc::Receiver<Arc<Frame>>)> {
    let user = session.user_id;
    let hub = state.dispatch.hub();
    let seq = hub.membership_seq();
    let rooms = match state.rooms.rooms_of(user).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "ws: loading rooms failed");
            return None;
        }
    };
    let ready = Ready {
        user: UserView {
            id: user.to_string(),
            username: session.username.clone(),
            online: true,
        },
        server_id: state.server_id.to_string(),
    };
    let ready = serde_json::to_string(&ready)
        .ok()
        .map(|data| Hub::frame(EventKind::Ready, &data, None));
    let (conn, rx, exact) = hub.register(admission, session.id(), &rooms, seq, ready);
    if !exact {
        reload_rooms(state, user).await;
    }
    if !state.dispatch.open(user).await {
        tracing::warn!("ws: subscribing the socket's channels failed; closing it to retry");
        conn.close(CloseReason::Resync);
    }
    Some((conn, rx))
}

/// Reads the user's rooms again until the hub can vouch for them (a membership event
/// arrived while they were read). Until then, and if it never settles, the hub answers
/// "ask Redis" for this user's rooms: slower, never wrong.
async fn reload_rooms(state: &WsState, user: chat_core::UserId) {
    let hub = state.dispatch.hub();
    for _ in 0..3 {
        let seq = hub.membership_seq();
        match state.rooms.rooms_of(user).await {
            Ok(rooms) if hub.reload(user, &rooms, seq) => return,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "ws: reloading rooms failed");
                return;
            }
        }
    }
}

/// Writes queued frames, coalescing a backlog into one flush; pings; closes with a reason.
///
/// Hot path: every delivered event passes through here.
async fn write_loop(
    mut sink: futures_util::stream::SplitSink<WebSocketStream, WsMessage>,
    mut rx: tokio::sync::mpsc::Receiver<Arc<Frame>>,
    conn: Arc<Conn>,
    last_seen: Arc<AtomicU64>,
    started: Instant,
) {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let result: Result<(), poem::Error> = async {
        loop {
            tokio::select! {
                biased;
                _ = conn.cancelled().cancelled() => break,
                frame = rx.recv() => {
                    let Some(frame) = frame else { break };
                    let batch = async {
                        write(&mut sink, &frame).await?;
                        for _ in 0..WRITE_BATCH {
                            match rx.try_recv() {
                                Ok(f) => write(&mut sink, &f).await?,
                                Err(_) => break,
                            }
                        }
                        sink.flush().await.map_err(io_err)
                    };
                    // A peer that stops reading fills the kernel's buffers and the write
                    // waits: it must not hold the task (and the descriptor) past a closing
                    // request or a deadline.
                    tokio::select! {
                        biased;
                        _ = conn.cancelled().cancelled() => break,
                        written = tokio::time::timeout(WRITE_DEADLINE, batch) => match written {
                            Ok(r) => r?,
                            Err(_) => {
                                conn.close(CloseReason::SlowConsumer);
                                break;
                            }
                        },
                    }
                }
                _ = ping.tick() => {
                    let idle = started.elapsed().saturating_sub(Duration::from_millis(last_seen.load(Ordering::Relaxed)));
                    if idle > IDLE_LIMIT {
                        conn.close(CloseReason::Timeout);
                        break;
                    }
                    match tokio::time::timeout(WRITE_DEADLINE, sink.send(WsMessage::Ping(Vec::new()))).await {
                        Ok(r) => r.map_err(io_err)?,
                        Err(_) => {
                            conn.close(CloseReason::SlowConsumer);
                            break;
                        }
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    if result.is_err() {
        conn.close(CloseReason::Error);
        return;
    }
    let (code, text) = match conn.reason() {
        CloseReason::SlowConsumer => (CloseCode::Again, "slow consumer: reconnect and catch up"),
        CloseReason::Shutdown => (CloseCode::Away, "server shutting down"),
        CloseReason::Timeout => (CloseCode::Away, "no pong"),
        CloseReason::Client => (CloseCode::Normal, ""),
        CloseReason::Error => (CloseCode::Error, "error"),
        CloseReason::LoggedOut => (CloseCode::Policy, "signed out"),
        CloseReason::Resync => (
            CloseCode::Again,
            "server lost its event stream: reconnect and catch up",
        ),
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = sink
            .send(WsMessage::Close(Some((code, text.to_owned()))))
            .await;
        let _ = sink.close().await;
    })
    .await;
}

fn io_err(e: impl std::fmt::Display) -> poem::Error {
    poem::Error::from_string(e.to_string(), StatusCode::INTERNAL_SERVER_ERROR)
}

async fn write(
    sink: &mut futures_util::stream::SplitSink<WebSocketStream, WsMessage>,
    frame: &Frame,
) -> Result<(), poem::Error> {
    sink.feed(WsMessage::Text(frame.text.clone()))
        .await
        .map_err(io_err)?;
    if let Some(date) = frame.date {
        metrics::MESSAGES_DELIVERED.inc();
        metrics::DELIVERY_LATENCY.observe((chat_core::now_secs() - date).max(0.0));
    }
    Ok(())
}
