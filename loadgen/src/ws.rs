//! The users' WebSockets: opened from a chosen source address, with small buffers, ready
//! once the server's `ready` frame arrives.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Instant,
};

use anyhow::{bail, Context};
use futures_util::{stream::SplitSink, StreamExt};
use hdrhistogram::Histogram;
use tokio::{net::TcpStream, sync::Semaphore};
use tokio_tungstenite::{tungstenite, WebSocketStream};

use crate::{cli::Args, report::histogram, signin::LoadUser};

/// One user's socket.
pub(crate) type Ws = WebSocketStream<TcpStream>;
/// The sending half of a socket.
pub(crate) type Sink = SplitSink<Ws, tungstenite::Message>;

fn ws_url(base: &str) -> String {
    let rest = base.trim_end_matches('/');
    if let Some(r) = rest.strip_prefix("https://") {
        format!("wss://{r}/ws")
    } else {
        format!("ws://{}/ws", rest.trim_start_matches("http://"))
    }
}

/// Opens a user's socket from source address `source` and waits for `ready`.
pub(crate) async fn connect(user: &LoadUser, source: IpAddr) -> anyhow::Result<Ws> {
    let url = ws_url(&user.url);
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(url.as_str())?;
    req.headers_mut()
        .insert("authorization", format!("Bearer {}", user.token).parse()?);
    let host = reqwest::Url::parse(&user.url)?;
    let addr: SocketAddr = tokio::net::lookup_host((
        host.host_str().unwrap_or("127.0.0.1"),
        host.port().unwrap_or(80),
    ))
    .await?
    .next()
    .context("no address")?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    if source.is_ipv4() == addr.is_ipv4() {
        socket.bind(SocketAddr::new(source, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    // Small buffers: the generator holds tens of thousands of sockets in the `idle` scenario.
    let mut config = tungstenite::protocol::WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    config.write_buffer_size = 0;
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(req, stream, Some(config)).await?;
    loop {
        match ws.next().await {
            Some(Ok(tungstenite::Message::Text(t))) if t.starts_with(r#"{"type":"ready""#) => {
                return Ok(ws)
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed before ready"),
        }
    }
}

/// The source address of the `i`th socket: 127.0.0.1 … 127.0.0.`--source-ips`.
pub(crate) fn source_ip(args: &Args, i: usize) -> IpAddr {
    let n = args.source_ips.max(1) as usize;
    IpAddr::from([127, 0, 0, 1 + (i % n) as u8])
}

/// Opens one socket per entry of `users`, `--concurrency` at a time: the sockets, the
/// connect times (µs) and how many failed (any failure fails the run).
pub(crate) async fn connect_all(
    args: &Args,
    users: &[LoadUser],
) -> anyhow::Result<(Vec<Ws>, Histogram<u64>, u64)> {
    let sem = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(users.len());
    for (i, u) in users.iter().enumerate() {
        let (u, sem, src) = (u.clone(), Arc::clone(&sem), source_ip(args, i));
        tasks.push(tokio::spawn(async move {
            let _p = sem.acquire().await?;
            let t = Instant::now();
            let ws = connect(&u, src).await?;
            Ok::<_, anyhow::Error>((ws, t.elapsed()))
        }));
    }
    let mut hist = histogram()?;
    let mut sockets = Vec::with_capacity(users.len());
    let mut errors = 0;
    for t in tasks {
        match t.await? {
            Ok((ws, took)) => {
                hist.record(took.as_micros() as u64)?;
                sockets.push(ws);
            }
            Err(e) => {
                errors += 1;
                if errors <= 3 {
                    eprintln!("connect failed: {e:#}");
                }
            }
        }
    }
    if sockets.len() < users.len() {
        bail!("{errors} of {} sockets failed to connect", users.len());
    }
    Ok((sockets, hist, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls_follow_the_base_url() {
        assert_eq!(ws_url("http://127.0.0.1:4000"), "ws://127.0.0.1:4000/ws");
        assert_eq!(ws_url("http://127.0.0.1:4000/"), "ws://127.0.0.1:4000/ws");
        assert_eq!(ws_url("https://chat.example/"), "wss://chat.example/ws");
    }
}
