//! Accepting connections: socket options, and a deadline for a request's headers.
//!
//! Nagle's algorithm is off (chat frames are small; with it on, a frame written while an
//! earlier one is unacknowledged waits for the peer's delayed ACK, up to 40 ms on Linux).
//! `TCP_USER_TIMEOUT` bounds how long sent data may stay unacknowledged, so a dead peer is
//! dropped by the kernel in seconds, not hours. And a connection must deliver its first
//! request's headers within a deadline: a client that trickles them (slowloris) is cut off
//! instead of holding a descriptor for as long as it likes. Idle keep-alive connections are
//! closed by the server's idle timeout (set where the server is built).

use std::{
    future::Future,
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use poem::listener::{Acceptor, TcpAcceptor};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long sent data may stay unacknowledged before the kernel drops the connection.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(30);

/// The acceptor: TCP with the options above, each connection behind a header deadline.
pub struct Accept {
    pub inner: TcpAcceptor,
    pub header_timeout: Duration,
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
            HeaderDeadline::new(io, self.header_timeout),
            local,
            remote,
            scheme,
        ))
    }
}

/// An I/O stream that fails its reads once `deadline` passes before the end of the first
/// request's headers (`\r\n\r\n`) has been read; after that it is the stream itself.
pub struct HeaderDeadline<T> {
    inner: T,
    /// `None` once the headers are in.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// How much of `\r\n\r\n` the bytes read so far end with.
    matched: usize,
}

impl<T> HeaderDeadline<T> {
    fn new(inner: T, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: Some(Box::pin(tokio::time::sleep(timeout))),
            matched: 0,
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
                if this.deadline.is_some() {
                    let fresh = buf.filled()[before..].to_vec();
                    if this.scan(&fresh) {
                        this.deadline = None;
                    }
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
                        "request headers not received in time",
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
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
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
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_end_of_headers_is_found_across_reads() {
        let mut d = HeaderDeadline::new((), Duration::from_secs(1));
        assert!(!d.scan(b"GET / HTTP/1.1\r\nHost: x\r"));
        assert!(!d.scan(b"\n\r"));
        assert!(d.scan(b"\nbody"));
        let mut d = HeaderDeadline::new((), Duration::from_secs(1));
        assert!(!d.scan(b"a\r\n\r\r\n"));
        assert!(d.scan(b"\r\n"));
    }
}
