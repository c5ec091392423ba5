//! TURN over TCP and over TLS for a server that reads packets: each accepted stream is cut
//! into STUN messages and ChannelData frames (RFC 5766 §11.5: over a stream ChannelData is
//! padded to four bytes) and handed to the `turn` server as if it were a datagram from the
//! stream's peer; what the server sends to that peer is written to its stream. Networks
//! that allow only TCP, or only TLS to port 443, reach the relay this way.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tracing::debug;
use webrtc_util::Conn;

/// A stream connection with nothing from its client this long is closed (a client in a
/// call sends ICE checks every few seconds; an allocation is refreshed every few minutes).
const IDLE: Duration = Duration::from_secs(120);
/// A TLS handshake must finish in this time.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// Stream connections held at most; beyond, new ones are closed at once.
const MAX_STREAMS: usize = 4096;
/// Frames waiting for the server, and for one client's stream: beyond, frames are dropped
/// as a congested UDP path would drop them.
const INGRESS: usize = 1024;
const EGRESS: usize = 256;

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];

type Writers = Arc<Mutex<HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>>>;

pub struct StreamListener {
    local: SocketAddr,
    ingress: tokio::sync::Mutex<mpsc::Receiver<(Vec<u8>, SocketAddr)>>,
    writers: Writers,
    accept: tokio::task::JoinHandle<()>,
}

impl StreamListener {
    /// Accepts on `listener`, with TLS first when `tls` is given.
    pub fn start(listener: TcpListener, tls: Option<TlsAcceptor>) -> Self {
        let local = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (tx, rx) = mpsc::channel(INGRESS);
        let writers: Writers = Arc::default();
        let accept = tokio::spawn(accept_loop(listener, tls, tx, writers.clone()));
        Self {
            local,
            ingress: tokio::sync::Mutex::new(rx),
            writers,
            accept,
        }
    }
}

impl Drop for StreamListener {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    ingress: mpsc::Sender<(Vec<u8>, SocketAddr)>,
    writers: Writers,
) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if writers.lock().expect("writers lock").len() >= MAX_STREAMS {
            debug!(%peer, "TURN stream refused: too many open");
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let ingress = ingress.clone();
        let writers = writers.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve(tcp, peer, ingress, writers).await,
                Some(acceptor) => match tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await
                {
                    Ok(Ok(stream)) => serve(stream, peer, ingress, writers).await,
                    Ok(Err(e)) => debug!(%peer, error = %e, "TURN TLS handshake failed"),
                    Err(_) => debug!(%peer, "TURN TLS handshake timed out"),
                },
            }
        });
    }
}

/// Reads frames from one client and writes what the server sends it, until either side
/// ends or the client goes quiet.
async fn serve<S>(
    stream: S,
    peer: SocketAddr,
    ingress: mpsc::Sender<(Vec<u8>, SocketAddr)>,
    writers: Writers,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let (tx, mut egress) = mpsc::channel::<Vec<u8>>(EGRESS);
    writers.lock().expect("writers lock").insert(peer, tx);
    let write = tokio::spawn(async move {
        while let Some(frame) = egress.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    let mut frames = Frames::default();
    let mut buf = vec![0u8; 16 * 1024];
    'read: loop {
        let n = match tokio::time::timeout(IDLE, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        frames.push(&buf[..n]);
        loop {
            match frames.next() {
                Ok(Some(frame)) => {
                    // Full: dropped, as the network would drop a datagram.
                    if ingress.try_send((frame, peer)).is_err() && ingress.is_closed() {
                        break 'read;
                    }
                }
                Ok(None) => break,
                Err(()) => {
                    debug!(%peer, "TURN stream sent something that is not STUN or ChannelData");
                    break 'read;
                }
            }
        }
    }
    writers.lock().expect("writers lock").remove(&peer);
    write.abort();
}

/// Cuts a byte stream into STUN messages and ChannelData frames.
#[derive(Default)]
pub struct Frames {
    buf: Vec<u8>,
}

impl Frames {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame (ChannelData without its padding), `None` until one has
    /// arrived, `Err` for bytes that are neither.
    #[allow(clippy::should_implement_trait, clippy::result_unit_err)]
    pub fn next(&mut self) -> Result<Option<Vec<u8>>, ()> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]]));
        let (frame, consumed) = match self.buf[0] >> 6 {
            // STUN carries its magic cookie: anything else (a TLS hello sent to the plain
            // port, say) is no STUN.
            0b00 if self.buf.len() >= 8 && self.buf[4..8] != MAGIC_COOKIE => return Err(()),
            0b00 => (20 + len, 20 + len),
            0b01 => (4 + len, (4 + len).next_multiple_of(4)),
            _ => return Err(()),
        };
        if self.buf.len() < consumed {
            return Ok(None);
        }
        let out = self.buf[..frame].to_vec();
        self.buf.drain(..consumed);
        Ok(Some(out))
    }
}

/// ChannelData written to a stream is padded to four bytes; STUN messages always are.
pub fn padded(buf: &[u8]) -> Vec<u8> {
    let mut out = buf.to_vec();
    if buf.first().is_some_and(|b| b >> 6 == 0b01) {
        out.resize(buf.len().next_multiple_of(4), 0);
    }
    out
}

#[async_trait]
impl Conn for StreamListener {
    async fn connect(&self, _addr: SocketAddr) -> webrtc_util::Result<()> {
        Err(io::Error::from(io::ErrorKind::Unsupported).into())
    }

    async fn recv(&self, _buf: &mut [u8]) -> webrtc_util::Result<usize> {
        Err(io::Error::from(io::ErrorKind::Unsupported).into())
    }

    async fn recv_from(&self, buf: &mut [u8]) -> webrtc_util::Result<(usize, SocketAddr)> {
        let (frame, peer) = self
            .ingress
            .lock()
            .await
            .recv()
            .await
            .ok_or_else(|| io::Error::from(io::ErrorKind::ConnectionAborted))?;
        let n = frame.len().min(buf.len());
        buf[..n].copy_from_slice(&frame[..n]);
        Ok((n, peer))
    }

    async fn send(&self, _buf: &[u8]) -> webrtc_util::Result<usize> {
        Err(io::Error::from(io::ErrorKind::Unsupported).into())
    }

    async fn send_to(&self, buf: &[u8], target: SocketAddr) -> webrtc_util::Result<usize> {
        let tx = self
            .writers
            .lock()
            .expect("writers lock")
            .get(&target)
            .cloned();
        match tx {
            // Full: dropped, as a congested path drops a datagram.
            Some(tx) => {
                let _ = tx.try_send(padded(buf));
                Ok(buf.len())
            }
            None => Err(io::Error::from(io::ErrorKind::NotConnected).into()),
        }
    }

    fn local_addr(&self) -> webrtc_util::Result<SocketAddr> {
        Ok(self.local)
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        None
    }

    async fn close(&self) -> webrtc_util::Result<()> {
        self.accept.abort();
        self.writers.lock().expect("writers lock").clear();
        Ok(())
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_cut_into_stun_messages_and_unpadded_channel_data() {
        let mut stun = vec![0x00, 0x01, 0x00, 0x04];
        stun.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
        stun.extend_from_slice(&[7; 12]);
        stun.extend_from_slice(&[1, 2, 3, 4]);
        let chan = [0x40, 0x00, 0x00, 0x03, 9, 9, 9];
        let mut stream = stun.clone();
        stream.extend_from_slice(&padded(&chan));
        stream.extend_from_slice(&stun);
        let mut frames = Frames::default();
        // Byte by byte: a frame comes out only when it is whole.
        let mut out = Vec::new();
        for b in &stream {
            frames.push(&[*b]);
            while let Some(f) = frames.next().unwrap() {
                out.push(f);
            }
        }
        assert_eq!(out, vec![stun.clone(), chan.to_vec(), stun]);
        assert_eq!(padded(&chan).len(), 8);
    }

    #[test]
    fn bytes_that_are_neither_end_the_stream() {
        let mut frames = Frames::default();
        frames.push(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0x03]);
        assert_eq!(frames.next(), Err(()), "a TLS hello on the plain port");
        let mut frames = Frames::default();
        frames.push(&[0xff, 0, 0, 0]);
        assert_eq!(frames.next(), Err(()));
    }
}
