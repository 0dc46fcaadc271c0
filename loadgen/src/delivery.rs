//! What every chat socket does once the clock runs: senders post paced, marked messages;
//! receivers find the marker in each frame (no JSON parse: this runs for every delivery)
//! and count latency, order, loss and duplicates.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use chat_core::protocol::{ClientEvent, SendMessage};
use futures_util::{stream::SplitStream, SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio_tungstenite::tungstenite;

use crate::{
    report::histogram,
    ws::{Sink, Ws},
};

/// What one receiving socket saw.
pub(crate) struct Seen {
    pub(crate) latency: Histogram<u64>,
    /// Deliveries of messages sent inside the measured window.
    pub(crate) measured: u64,
    pub(crate) unique: u64,
    pub(crate) duplicates: u64,
    pub(crate) out_of_order: u64,
    pub(crate) errors: u64,
    pub(crate) bytes: u64,
}

/// The text of a load message: `lg <sender> <seq> <micros>`, which [`marker`] reads back.
fn marked_text(sender: u32, seq: u64, micros: u128) -> String {
    format!("lg {sender} {seq} {micros}")
}

/// A `message` frame, as the browser client sends it (with a `clientId`).
pub(crate) fn message_frame(room: &str, text: String, client_id: String) -> String {
    let event = ClientEvent::Message(SendMessage {
        room_id: room.to_owned(),
        message: text,
        client_id: Some(client_id),
        reply_to: None,
        attachments: Vec::new(),
    });
    serde_json::to_string(&event).expect("a message frame serializes")
}

/// Parses `lg <sender> <seq> <micros>` out of a message frame without parsing the JSON.
///
/// Hot path of the generator: runs for every frame received.
pub(crate) fn marker(frame: &str) -> Option<(u32, u64, u64)> {
    if !frame.starts_with(r#"{"type":"message""#) {
        return None;
    }
    let at = frame.find(r#""message":"lg "#)? + 14;
    let rest = &frame[at..];
    let end = rest.find('"')?;
    let mut it = rest[..end].split(' ');
    Some((
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    ))
}

/// Reads a socket until it closes, or until `stop` once it has been quiet for 200 ms.
/// Latency is recorded for messages sent inside `window` (µs since `epoch`).
pub(crate) async fn receive(
    mut stream: SplitStream<Ws>,
    epoch: Instant,
    window: (u64, u64),
    stop: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen {
        latency: histogram().expect("bounds"),
        measured: 0,
        unique: 0,
        duplicates: 0,
        out_of_order: 0,
        errors: 0,
        bytes: 0,
    };
    let mut last: HashMap<u32, u64> = HashMap::new();
    loop {
        let next = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
        let frame = match next {
            Ok(Some(Ok(tungstenite::Message::Text(t)))) => t,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_))) | Ok(None) => break,
            Err(_) => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                continue;
            }
        };
        let now = epoch.elapsed().as_micros() as u64;
        seen.bytes += frame.len() as u64;
        if let Some((sender, seq, sent)) = marker(&frame) {
            match last.get(&sender) {
                Some(&l) if seq <= l => {
                    seen.duplicates += 1;
                    continue;
                }
                Some(&l) if seq != l + 1 => seen.out_of_order += 1,
                None if seq != 0 => seen.out_of_order += 1,
                _ => {}
            }
            last.insert(sender, seq);
            seen.unique += 1;
            if sent >= window.0 && sent < window.1 {
                seen.measured += 1;
                let _ = seen.latency.record(now.saturating_sub(sent).max(1));
            }
        } else if frame.starts_with(r#"{"type":"error""#) {
            seen.errors += 1;
        }
    }
    seen
}

/// Sends `count`-paced messages from one socket to `room`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send(
    mut sink: Sink,
    run: u32,
    sender: u32,
    room: String,
    interval: Duration,
    offset: Duration,
    epoch: Instant,
    until: Instant,
    sent: Arc<AtomicU64>,
) -> u64 {
    tokio::time::sleep(offset).await;
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut seq = 0u64;
    while Instant::now() < until {
        tick.tick().await;
        let t = epoch.elapsed().as_micros();
        // A clientId on every message, as the browser client sends.
        let frame = message_frame(
            &room,
            marked_text(sender, seq, t),
            format!("{run}-{sender}-{seq}"),
        );
        if sink.send(tungstenite::Message::text(frame)).await.is_err() {
            break;
        }
        seq += 1;
        sent.fetch_add(1, Ordering::Relaxed);
    }
    // Keep the socket open until the receivers are done.
    tokio::time::sleep(Duration::from_secs(3)).await;
    seq
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_without_parsing_json() {
        let f = r#"{"type":"message","data":{"id":"x","from":"3","date":1.5,"message":"lg 4 17 123456","roomId":"0"}}"#;
        assert_eq!(marker(f), Some((4, 17, 123456)));
        assert_eq!(
            marker(r#"{"type":"ack","data":{"message":{"message":"lg 1 2 3"}}}"#),
            None
        );
        assert_eq!(
            marker(r#"{"type":"message","data":{"message":"hello"}}"#),
            None
        );
    }

    #[test]
    fn sent_frames_are_protocol_messages_with_a_client_id() {
        let f = message_frame("12", marked_text(4, 17, 123456), "9-4-17".into());
        assert_eq!(
            f,
            r#"{"type":"message","data":{"roomId":"12","message":"lg 4 17 123456","clientId":"9-4-17"}}"#
        );
        let back: ClientEvent = serde_json::from_str(&f).unwrap();
        let ClientEvent::Message(m) = back else {
            panic!("{f}")
        };
        assert_eq!(m.client_id.as_deref(), Some("9-4-17"));
    }

    #[test]
    fn markers_are_found_in_the_servers_message_events() {
        // Serialized as the server serializes what it delivers, so a change to the event's
        // shape that hides the marker fails here rather than as "everything lost".
        let event = chat_core::ServerEvent::Message(chat_core::Message {
            id: "m1".into(),
            from: "7".into(),
            date: 2.25,
            message: marked_text(4, 17, 123456),
            room_id: "12".into(),
            ..Default::default()
        });
        let frame = serde_json::to_string(&event).unwrap();
        assert_eq!(marker(&frame), Some((4, 17, 123456)), "{frame}");
    }
}
