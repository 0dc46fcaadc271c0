//! Accepting connections: socket options, and deadlines for a request's headers and for
//! the rest of the request.
//!
//! Nagle's algorithm is off (chat frames are small; with it on, a frame written while an
//! earlier one is unacknowledged waits for the peer's delayed ACK, up to 40 ms on Linux).
//! `TCP_USER_TIMEOUT` bounds how long sent data may stay unacknowledged, so a dead peer is
//! dropped by the kernel in seconds, not hours. And every request's headers must arrive
//! within a deadline from their first byte: a client that trickles them (slowloris, on a
//! new connection or a kept-alive one) is cut off instead of holding a descriptor for as
//! long as it likes. Once the headers are in, the body and the handling must be done (the
//! response started) within a second deadline, so a body trickled byte by byte is cut off
//! too. Idle keep-alive connections are closed by the server's idle timeout (set where the
//! server is built). Upgraded connections (WebSockets) are left alone: they have their own
//! pings and limits. HTTP/2 in cleartext (prior knowledge, `h2c`) is refused: browsers
//! never speak it, a proxy in front speaks HTTP/1.1 to the server, and its streams could
//! not be held to these deadlines.

use std::{
    future::Future,
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use poem::listener::{Acceptor, TcpAcceptor};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How much of a request line is kept to tell an upload from other requests.
const LINE_KEPT: usize = 256;

/// How long sent data may stay unacknowledged before the kernel drops the connection.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(30);

/// The acceptor: TCP with the options above, each connection behind the deadlines.
pub struct Accept {
    pub inner: TcpAcceptor,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// The body deadline of an upload (`POST /api/rooms/{id}/uploads`): a file of up to
    /// `UPLOAD_MAX_BYTES` needs longer than a JSON body.
    pub upload_timeout: Duration,
}

impl Acceptor for Accept {
    type Io = HeaderDeadline<tokio::net::TcpStream>;

    fn local_addr(&self) -> Vec<poem::web::LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> io::Result<(
        Self::Io,
        poem::web::LocalAddr,
        poem::web::RemoteAddr,
        poem::http::uri::Scheme,
    )> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        if let Err(e) = io.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY");
        }
        #[cfg(target_os = "linux")]
        if let Err(e) = socket2::SockRef::from(&io).set_tcp_user_timeout(Some(TCP_USER_TIMEOUT)) {
            tracing::debug!(error = %e, "TCP_USER_TIMEOUT");
        }
        Ok((
            HeaderDeadline::new(io, self.header_timeout, self.body_timeout)
                .with_upload_timeout(self.upload_timeout),
            local,
            remote,
            scheme,
        ))
    }
}

/// Where a connection is in its request/response cycle, as far as the deadline cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading a request's headers: the deadline runs.
    Headers,
    /// Headers in; the body (if any) and the response are under way: the body deadline
    /// runs until the response starts.
    Serving,
    /// A response went out; the next byte read starts a new request.
    Responded,
    /// Upgraded (WebSocket): no more deadlines.
    Off,
    /// It opened with the HTTP/2 preface: refused.
    Refused,
}

/// An I/O stream that fails its reads once a request's headers (up to `\r\n\r\n`) have
/// taken longer than `timeout` from their first byte (from the accept, for the first), or
/// once the rest of the request has taken longer than `body_timeout` from the end of its
/// headers to the start of its response.
pub struct HeaderDeadline<T> {
    inner: T,
    timeout: Duration,
    body_timeout: Duration,
    upload_timeout: Duration,
    /// The request line so far (its first [`LINE_KEPT`] bytes), to tell an upload.
    line: Vec<u8>,
    /// Running in [`Phase::Headers`] and [`Phase::Serving`].
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// How much of `\r\n\r\n` the bytes read so far end with.
    matched: usize,
    phase: Phase,
    /// Nothing read yet (to recognise the HTTP/2 preface).
    fresh: bool,
}

impl<T> HeaderDeadline<T> {
    fn new(inner: T, timeout: Duration, body_timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            body_timeout,
            upload_timeout: body_timeout,
            line: Vec::new(),
            deadline: Some(Box::pin(tokio::time::sleep(timeout))),
            matched: 0,
            phase: Phase::Headers,
            fresh: true,
        }
    }

    fn with_upload_timeout(mut self, upload_timeout: Duration) -> Self {
        self.upload_timeout = upload_timeout;
        self
    }

    /// Keeps the request line's first bytes.
    fn keep_line(&mut self, bytes: &[u8]) {
        if self.line.last() == Some(&b'\n') || self.line.len() >= LINE_KEPT {
            return;
        }
        let end = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        let room = LINE_KEPT - self.line.len();
        self.line.extend_from_slice(&bytes[..end.min(room)]);
    }

    /// The body deadline of the request whose line was kept.
    fn body_deadline(&self) -> Duration {
        let line = String::from_utf8_lossy(&self.line);
        let mut parts = line.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split('?').next().unwrap_or("");
        let post = poem::http::Method::POST;
        if method == "POST" && crate::http::is_upload(&post, path) {
            self.upload_timeout
        } else {
            self.body_timeout
        }
    }

    /// Follows `\r\n\r\n` through newly read bytes; true once it is complete.
    fn scan(&mut self, bytes: &[u8]) -> bool {
        const END: &[u8] = b"\r\n\r\n";
        for &b in bytes {
            self.matched = if b == END[self.matched] {
                self.matched + 1
            } else if b == b'\r' {
                1
            } else {
                0
            };
            if self.matched == END.len() {
                return true;
            }
        }
        false
    }

    /// Bytes just read.
    fn on_read(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if std::mem::take(&mut self.fresh) && bytes.starts_with(b"PRI * HTTP/2.0") {
            self.phase = Phase::Refused;
            self.deadline = None;
            return;
        }
        if self.phase == Phase::Responded {
            self.phase = Phase::Headers;
            self.matched = 0;
            self.line.clear();
            self.deadline = Some(Box::pin(tokio::time::sleep(self.timeout)));
        }
        if self.phase == Phase::Headers {
            self.keep_line(bytes);
            if self.scan(bytes) {
                self.phase = Phase::Serving;
                self.deadline = Some(Box::pin(tokio::time::sleep(self.body_deadline())));
            }
        }
    }

    /// Bytes about to be written: a response's status line ends the request.
    fn on_write(&mut self, bytes: &[u8]) {
        if self.phase != Phase::Serving || bytes.is_empty() {
            return;
        }
        if bytes.starts_with(b"HTTP/1.1 101") {
            self.phase = Phase::Off;
            self.deadline = None;
        } else if !bytes.starts_with(b"HTTP/1.1 100") {
            self.phase = Phase::Responded;
            self.deadline = None;
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for HeaderDeadline<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if this.phase != Phase::Off {
                    let read = buf.filled()[before..].to_vec();
                    this.on_read(&read);
                }
                if this.phase == Phase::Refused {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "HTTP/2 in cleartext is not served",
                    )));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                let expired = this
                    .deadline
                    .as_mut()
                    .is_some_and(|d| d.as_mut().poll(cx).is_ready());
                if expired {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the request was not received in time",
                    )))
                } else {
                    Poll::Pending
                }
            }
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for HeaderDeadline<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.on_write(buf);
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            this.on_write(first);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_upload_gets_the_upload_deadline_and_nothing_else_does() {
        let deadline = |chunks: &[&[u8]]| {
            let mut d = HeaderDeadline::new((), Duration::from_secs(1), Duration::from_secs(30))
                .with_upload_timeout(Duration::from_secs(600));
            for c in chunks {
                d.keep_line(c);
            }
            d.body_deadline().as_secs()
        };
        assert_eq!(
            deadline(&[b"POST /api/rooms/12/uploads HTTP/1.1\r\nHost: x\r\n"]),
            600
        );
        // The line split over reads, with a query string.
        assert_eq!(
            deadline(&[b"POST /api/ro", b"oms/1:2/uploads?x=1 HTTP/1.1\r\n"]),
            600
        );
        assert_eq!(deadline(&[b"POST /api/rooms/12/messages HTTP/1.1\r\n"]), 30);
        assert_eq!(deadline(&[b"GET /api/rooms/12/uploads HTTP/1.1\r\n"]), 30);
        assert_eq!(deadline(&[b"POST /api/rooms/1/2/uploads HTTP/1.1\r\n"]), 30);
    }

    #[tokio::test]
    async fn the_end_of_headers_is_found_across_reads() {
        let mut d = HeaderDeadline::new((), Duration::from_secs(1), Duration::from_secs(1));
        assert!(!d.scan(b"GET / HTTP/1.1\r\nHost: x\r"));
        assert!(!d.scan(b"\n\r"));
        assert!(d.scan(b"\nbody"));
        let mut d = HeaderDeadline::new((), Duration::from_secs(1), Duration::from_secs(1));
        assert!(!d.scan(b"a\r\n\r\r\n"));
        assert!(d.scan(b"\r\n"));
    }

    #[tokio::test]
    async fn the_deadline_rearms_per_request_and_stops_after_an_upgrade() {
        let mut d = HeaderDeadline::new((), Duration::from_secs(1), Duration::from_secs(1));
        d.on_read(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(
            (d.phase, d.deadline.is_some()),
            (Phase::Serving, true),
            "the body deadline runs"
        );
        d.on_write(b"HTTP/1.1 200 OK\r\n");
        assert_eq!((d.phase, d.deadline.is_some()), (Phase::Responded, false));
        d.on_read(b"G");
        assert_eq!((d.phase, d.deadline.is_some()), (Phase::Headers, true));
        d.on_read(b"ET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
        d.on_write(b"HTTP/1.1 101 Switching Protocols\r\n");
        assert_eq!(d.phase, Phase::Off);
        d.on_read(b"\x81\x05hello");
        assert!(d.deadline.is_none());
        let mut h2 = HeaderDeadline::new((), Duration::from_secs(1), Duration::from_secs(1));
        h2.on_read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assert_eq!(h2.phase, Phase::Refused);
    }
}
