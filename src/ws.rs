//! `/ws`: authenticates the socket, registers it with the hub, routes the client's frames
//! to the modules and writes the hub's frames out.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use chat_auth::{AuthStore, Session, SESSION_COOKIE};
use chat_core::protocol::Message;
use chat_core::{
    metrics,
    protocol::{ClientEvent, ClientKind, ErrorEvent, Ready, UserView},
    Action, EventKind, RoomId, TextInput,
};
use chat_messages::{
    ClientId, Emoji, Membership, MessageId, MessageText, MessagesStore, ReadDate, ReplyTo,
    SendError,
};
use chat_presence::PresenceStore;
use chat_rooms::{Access, RoomsStore};
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

use crate::hub::{CloseReason, Conn, Frame, Hub};

/// Largest frame a client may send; larger ones get an `error` (the socket stays open).
pub const MAX_CLIENT_FRAME: usize = 16 * 1024;
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
const TYPING_EVERY: Duration = Duration::from_millis(1000);

/// What the WebSocket route needs.
#[derive(Clone)]
pub struct WsState {
    pub hub: Hub,
    pub auth: AuthStore,
    pub rooms: RoomsStore,
    pub messages: MessagesStore,
    pub presence: PresenceStore,
    pub allowed_origins: Arc<Vec<String>>,
    pub server_id: Arc<str>,
    /// True while the `MESSAGES` subscription is live.
    pub pubsub_live: Arc<std::sync::atomic::AtomicBool>,
    /// On a cluster, the sharded subscriptions a socket waits for before `ready`.
    pub shards: Option<crate::shards::Shards>,
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
    state: Data<&WsState>,
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
    if state.max_sockets_per_user > 0
        && state.hub.connections_of(session.user_id) >= state.max_sockets_per_user
    {
        return Err(poem::Error::from_string(
            format!(
                "too many open sockets: at most {} per user",
                state.max_sockets_per_user
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let state = state.0.clone();
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
        .on_upgrade(move |socket| run(state, session, socket).instrument(span)))
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// How long a socket waits for its sharded subscriptions (on a cluster).
const SUBSCRIBE_WAIT: Duration = Duration::from_secs(5);

async fn run(state: WsState, session: Session, socket: WebSocketStream) {
    let user = session.user_id;
    let seq = state.hub.membership_seq();
    let rooms = match state.rooms.rooms_of(user).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "ws: loading rooms failed");
            return;
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
    let (conn, rx, exact) = state.hub.register(user, session.id(), &rooms, seq, ready);
    if !exact {
        reload_rooms(&state, user).await;
    }
    if let Some(shards) = &state.shards {
        // On a cluster: the socket's channels are subscribed before it hears `ready` (and
        // catches up from there), or it is closed to retry.
        if !shards
            .ensure(state.hub.channels_of(user), SUBSCRIBE_WAIT)
            .await
        {
            tracing::warn!("ws: subscribing the socket's channels failed; closing it to retry");
            conn.close(CloseReason::Resync);
        }
    }
    metrics::WS_OPEN.inc();
    metrics::WS_OPENED.inc();
    tracing::debug!(conn = conn.id, "ws: open");

    if let Err(e) = state.presence.connect(user).await {
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

    let mut last_typing: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = conn.cancelled().cancelled() => break,
            frame = stream.next() => {
                last_seen.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                match frame {
                    Some(Ok(WsMessage::Text(text))) => {
                        // Boxed: the handling future is big and lives only while a frame is handled,
                        // so an idle socket's task stays small.
                        Box::pin(handle_frame(&state, &session, &conn, &text, &mut last_typing)).await;
                    }
                    Some(Ok(WsMessage::Binary(_))) => {
                        send_error(&conn, "invalid_frame", "frames are JSON text", None);
                    }
                    Some(Ok(WsMessage::Close(_))) | None => {
                        conn.close(CloseReason::Client);
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "ws: read error");
                        conn.close(CloseReason::Error);
                        break;
                    }
                }
            }
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
    state.hub.unregister(&conn);
    metrics::WS_OPEN.dec();
    metrics::WS_CLOSED
        .with_label_values(&[conn.reason().label()])
        .inc();
    let grace = conn.reason() != CloseReason::Shutdown;
    if let Err(e) = state.presence.disconnect(user, grace).await {
        tracing::warn!(error = %e, "ws: presence disconnect failed");
    }
    tracing::debug!(reason = conn.reason().label(), "ws: closed");
}

/// Reads the user's rooms again until the hub can vouch for them (a membership event
/// arrived while they were read). Until then, and if it never settles, the hub answers
/// "ask Redis" for this user's rooms: slower, never wrong.
async fn reload_rooms(state: &WsState, user: chat_core::UserId) {
    for _ in 0..3 {
        let seq = state.hub.membership_seq();
        match state.rooms.rooms_of(user).await {
            Ok(rooms) if state.hub.reload(user, &rooms, seq) => return,
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
        metrics::DELIVERY_LATENCY.observe((now_secs() - date).max(0.0));
    }
    Ok(())
}

/// The `ack` data around the stored message's JSON, as [`chat_core::protocol::Ack`] serializes it, without
/// parsing or re-serializing the message.
fn ack_json(client_id: Option<&str>, message_json: &str) -> String {
    let mut data = String::with_capacity(message_json.len() + 96);
    data.push('{');
    if let Some(c) = client_id {
        data.push_str(r#""clientId":"#);
        data.push_str(&serde_json::to_string(c).unwrap_or_default());
        data.push(',');
    }
    data.push_str(r#""message":"#);
    data.push_str(message_json);
    data.push('}');
    data
}

/// The room and message a change frame names (and its `clientId`, checked).
fn target(
    room: &str,
    message: &str,
    client_id: Option<&str>,
) -> Result<(RoomId, MessageId), chat_core::Rejection> {
    let room = room
        .parse::<RoomId>()
        .map_err(|_| ("invalid_room_id", "roomId: not a room id"))?;
    let id = MessageId::parse(message)?;
    client_id.map(ClientId::parse).transpose()?;
    Ok((room, id))
}

/// Answers a change frame: `ack` with the message as it is now, or the refusal.
fn answer(conn: &Conn, client_id: Option<String>, result: Result<Message, SendError>) {
    match result.and_then(|m| {
        serde_json::to_string(&m).map_err(|e| SendError::Internal(chat_core::Failure::from(e)))
    }) {
        Ok(json) => conn.push(&Hub::frame(
            EventKind::Ack,
            &ack_json(client_id.as_deref(), &json),
            None,
        )),
        Err(e) => send_refusal(conn, e, client_id),
    }
}

fn send_error(conn: &Conn, error: &str, message: &str, client_id: Option<String>) {
    send_error_event(
        conn,
        ErrorEvent {
            error: error.to_owned(),
            message: message.to_owned(),
            client_id,
            retry_after_ms: None,
        },
    );
}

fn send_error_event(conn: &Conn, e: ErrorEvent) {
    if let Ok(data) = serde_json::to_string(&e) {
        conn.push(&Hub::frame(EventKind::Error, &data, None));
    }
}

fn send_refusal(conn: &Conn, e: SendError, client_id: Option<String>) {
    match e.body() {
        Some((body, wait)) => send_error_event(
            conn,
            ErrorEvent {
                error: body.error,
                message: body.message,
                client_id,
                retry_after_ms: wait.map(|w| w.as_millis().max(1) as u64),
            },
        ),
        None => {
            tracing::error!(detail = ?e, "ws: internal error");
            send_error(
                conn,
                "internal",
                "the server could not do this; retry",
                client_id,
            );
        }
    }
}

/// Explains why a frame is not a valid client event.
fn why_invalid(text: &str) -> (&'static str, String) {
    #[derive(serde::Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        kind: String,
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(_) => ("bad_json", "the frame is not JSON".to_owned()),
        Ok(_) => match serde_json::from_str::<Typed>(text) {
            Err(_) => ("invalid_frame", "type: missing".to_owned()),
            Ok(t) if ClientKind::parse(&t.kind).is_none() => (
                "unknown_type",
                format!(
                    "type: '{}' is not an event a client sends",
                    t.kind.chars().take(40).collect::<String>()
                ),
            ),
            Ok(t) => {
                let detail = serde_json::from_str::<ClientEvent>(text)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                (
                    "invalid_frame",
                    format!("data: invalid {} event: {detail}", t.kind),
                )
            }
        },
    }
}

async fn handle_frame(
    state: &WsState,
    session: &Session,
    conn: &Conn,
    text: &str,
    last_typing: &mut Option<Instant>,
) {
    if text.len() > MAX_CLIENT_FRAME {
        return send_error(conn, "frame_too_large", "frames are at most 16 KiB", None);
    }
    let event = match serde_json::from_str::<ClientEvent>(text) {
        Ok(e) => e,
        Err(_) => {
            let (code, msg) = why_invalid(text);
            return send_error(conn, code, &msg, None);
        }
    };
    let user = session.user_id;
    match event {
        // Hot path: every message a socket sends.
        ClientEvent::Message(m) => {
            let Ok(room) = m.room_id.parse::<RoomId>() else {
                return send_error(
                    conn,
                    "invalid_room_id",
                    "roomId: not a room id",
                    m.client_id,
                );
            };
            let checked = MessageText::parse(&m.message).and_then(|text| {
                let client_id = m.client_id.as_deref().map(ClientId::parse).transpose()?;
                let reply_to = m.reply_to.as_deref().map(ReplyTo::parse).transpose()?;
                Ok((text, client_id, reply_to))
            });
            let (text, client_id, reply_to) = match checked {
                Ok(checked) => checked,
                Err((code, msg)) => return send_error(conn, code, msg, m.client_id),
            };
            let membership = if state.hub.is_member(user, &room) {
                Membership::Known
            } else {
                Membership::Unknown
            };
            match state
                .messages
                .send(
                    user,
                    &room,
                    &text,
                    client_id.as_ref(),
                    reply_to.as_ref().map(|r| &r.0),
                    membership,
                )
                .await
            {
                // Queued right behind the sender's own `message` (the store handed it to
                // the hub): the writer sends both in one flush.
                Ok(sent) => conn.push(&Hub::frame(
                    EventKind::Ack,
                    &ack_json(m.client_id.as_deref(), &sent.json),
                    None,
                )),
                Err(e) => send_refusal(conn, e, m.client_id),
            }
        }
        ClientEvent::Typing(r) => {
            let Ok(room) = r.room_id.parse::<RoomId>() else {
                return send_error(conn, "invalid_room_id", "roomId: not a room id", None);
            };
            // Throttled after the id is checked (a malformed frame always gets its error),
            // before membership is (which may cost a Redis round trip).
            if last_typing.is_some_and(|t| t.elapsed() < TYPING_EVERY) {
                return;
            }
            *last_typing = Some(Instant::now());
            match state.rooms.access(user, &room).await {
                // Over the user's typing rate (many sockets at once) the signal is dropped:
                // it is only a hint.
                Ok(Access::Member)
                    if state.rooms.limiter().check(user, Action::Typing).is_err() => {}
                Ok(Access::Member) => {
                    if let Err(e) = state.rooms.typing(user, &session.username, &room).await {
                        tracing::warn!(error = %e, "ws: typing failed");
                    }
                }
                Ok(Access::NotMember) => {
                    send_error(conn, "not_member", "roomId: you are not in this room", None)
                }
                Ok(Access::NotFound) => send_error(conn, "not_found", "roomId: no such room", None),
                Err(e) => send_refusal(conn, SendError::Internal(e), None),
            }
        }
        ClientEvent::Edit(e) => {
            let checked = target(&e.room_id, &e.message_id, e.client_id.as_deref())
                .and_then(|t| Ok((t, MessageText::parse(&e.message)?)));
            match checked {
                Ok(((room, id), text)) => {
                    let edited = state.messages.edit(user, &room, &id, &text).await;
                    answer(conn, e.client_id, edited);
                }
                Err((code, msg)) => send_error(conn, code, msg, e.client_id),
            }
        }
        ClientEvent::Delete(d) => match target(&d.room_id, &d.message_id, d.client_id.as_deref()) {
            Ok((room, id)) => {
                let deleted = state.messages.delete(user, &room, &id).await;
                answer(conn, d.client_id, deleted);
            }
            Err((code, msg)) => send_error(conn, code, msg, d.client_id),
        },
        ClientEvent::React(r) => {
            let checked = target(&r.room_id, &r.message_id, r.client_id.as_deref())
                .and_then(|t| Ok((t, Emoji::parse(&r.emoji)?)));
            match checked {
                Ok(((room, id), emoji)) => {
                    let reacted = state.messages.react(user, &room, &id, &emoji, r.add).await;
                    answer(conn, r.client_id, reacted);
                }
                Err((code, msg)) => send_error(conn, code, msg, r.client_id),
            }
        }
        ClientEvent::Read(r) => {
            let Ok(room) = r.room_id.parse::<RoomId>() else {
                return send_error(conn, "invalid_room_id", "roomId: not a room id", None);
            };
            let date = match ReadDate::check(r.date) {
                Ok(d) => d,
                Err((code, msg)) => return send_error(conn, code, msg, None),
            };
            if let Err(e) = state.messages.mark_read(user, &room, date).await {
                send_refusal(conn, e, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chat_core::protocol::{Ack, Message};

    #[test]
    fn an_ack_built_around_the_stored_json_reads_as_the_ack_type() {
        let m = Message {
            id: "0190".into(),
            from: "3".into(),
            date: 1764316000.125,
            message: "say \"hi\" \u{1f600}".into(),
            room_id: "1:3".into(),
            ..Default::default()
        };
        let json = serde_json::to_string(&m).unwrap();
        for client_id in [None, Some("c-\"1\"")] {
            let ack: Ack = serde_json::from_str(&super::ack_json(client_id, &json)).unwrap();
            assert_eq!(ack.client_id.as_deref(), client_id);
            assert_eq!(ack.message, m);
        }
    }
}
