//! What one hostile or broken client can do to an instance, and what it cannot.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite;

/// The kernel's state of the server's end of the TCP connection to `client_port`
/// (`/proc/net/tcp`, hex: `01` = established), or `None` once the socket is gone.
fn server_side_state(server_port: u16, client_port: u16) -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
        (port(f.get(1)?)? == server_port && port(f.get(2)?)? == client_port)
            .then(|| f.get(3).map(|s| s.to_string()))
            .flatten()
    })
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_closed_and_its_connection_ended() {
    let redis = TestRedis::start().await;
    let mut config = config_for(&redis);
    config.ws_queue = 8;
    let app = TestApp::spawn_with(config).await;
    let reader = app.user("reader").await;
    let talker = app.user("talker").await;

    // The reader's socket: a tiny receive buffer, and nobody reads it after `ready`.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket
        .connect(format!("127.0.0.1:{}", app.port).parse().unwrap())
        .await
        .unwrap();
    let client_port = stream.local_addr().unwrap().port();
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://127.0.0.1:{}/ws",
        app.port
    ))
    .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", reader.token).parse().unwrap(),
    );
    let (stalled, _) = tokio_tungstenite::client_async(req, stream).await.unwrap();
    assert_eq!(
        server_side_state(app.port, client_port).as_deref(),
        Some("01")
    );

    // The talker floods General (and reads everything it is sent, like a healthy client).
    let talking = talker.connect(&app).await;
    let (mut out, mut inbound) = talking.ws.split();
    let drain = tokio::spawn(async move { while inbound.next().await.is_some() {} });
    let text = "x".repeat(4000);
    for i in 0..1500 {
        let frame = json!({"type": "message", "data": {"roomId": "0", "message": text, "clientId": format!("f{i}")}});
        out.send(tungstenite::Message::text(frame.to_string()))
            .await
            .unwrap();
    }
    assert!(
        eventually(40, || async {
            server_side_state(app.port, client_port).as_deref() != Some("01")
        })
        .await,
        "the server still holds the stalled connection open"
    );
    // The instance carries on for everyone else.
    let mut fresh = reader.connect(&app).await;
    talker.say("0", "still here").await;
    while fresh.expect("message").await["message"] != "still here" {}
    drop(stalled);
    drain.abort();
}
