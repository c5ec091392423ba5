//! A TURN client for tests, over UDP, TCP or TLS: webrtc-rs's `turn` client (the one its
//! ICE agent uses) on a socket of our choosing. webrtc-rs's ICE agent gathers relay
//! candidates over UDP only, so the relay's TCP and TLS transports are proved with this
//! client allocating and relaying directly (and in Chromium, which speaks all three).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sangdam_server::turn::stream::{padded, Frames};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Mutex;
use webrtc::turn::client::{Client, ClientConfig};
use webrtc::util::Conn;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    /// TLS, trusting exactly this certificate (DER).
    Tls,
}

/// One stream to the relay as a packet `Conn`: frames out, frames in.
struct StreamConn<S> {
    server: SocketAddr,
    local: SocketAddr,
    reader: Mutex<(tokio::io::ReadHalf<S>, Frames)>,
    writer: Mutex<tokio::io::WriteHalf<S>>,
}

#[async_trait::async_trait]
impl<S> Conn for StreamConn<S>
where
    S: AsyncRead + AsyncWrite + Send + Sync + 'static,
{
    async fn connect(&self, _: SocketAddr) -> webrtc::util::Result<()> {
        Ok(())
    }
    async fn recv(&self, buf: &mut [u8]) -> webrtc::util::Result<usize> {
        Ok(self.recv_from(buf).await?.0)
    }
    async fn recv_from(&self, buf: &mut [u8]) -> webrtc::util::Result<(usize, SocketAddr)> {
        let mut guard = self.reader.lock().await;
        let (reader, frames) = &mut *guard;
        let mut chunk = [0u8; 4096];
        loop {
            match frames.next() {
                Ok(Some(frame)) => {
                    let n = frame.len().min(buf.len());
                    buf[..n].copy_from_slice(&frame[..n]);
                    return Ok((n, self.server));
                }
                Ok(None) => {}
                Err(()) => return Err(io::Error::from(io::ErrorKind::InvalidData).into()),
            }
            let n = reader.read(&mut chunk).await?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
            frames.push(&chunk[..n]);
        }
    }
    async fn send(&self, buf: &[u8]) -> webrtc::util::Result<usize> {
        self.writer.lock().await.write_all(&padded(buf)).await?;
        Ok(buf.len())
    }
    async fn send_to(&self, buf: &[u8], _: SocketAddr) -> webrtc::util::Result<usize> {
        self.send(buf).await
    }
    fn local_addr(&self) -> webrtc::util::Result<SocketAddr> {
        Ok(self.local)
    }
    fn remote_addr(&self) -> Option<SocketAddr> {
        Some(self.server)
    }
    async fn close(&self) -> webrtc::util::Result<()> {
        let _ = self.writer.lock().await.shutdown().await;
        Ok(())
    }
    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}

fn stream_conn<S>(stream: S, server: SocketAddr, local: SocketAddr) -> Arc<dyn Conn + Send + Sync>
where
    S: AsyncRead + AsyncWrite + Send + Sync + 'static,
{
    let (r, w) = tokio::io::split(stream);
    Arc::new(StreamConn {
        server,
        local,
        reader: Mutex::new((r, Frames::default())),
        writer: Mutex::new(w),
    })
}

/// A TURN client connected to `server` over `transport` with these credentials, listening
/// (not yet allocated). For TLS, `trust` is the relay's certificate (DER).
pub async fn client(
    server: SocketAddr,
    transport: Transport,
    username: &str,
    password: &str,
    trust: Option<&[u8]>,
) -> anyhow::Result<Client> {
    let conn: Arc<dyn Conn + Send + Sync> = match transport {
        Transport::Udp => Arc::new(UdpSocket::bind("127.0.0.1:0").await?),
        Transport::Tcp => {
            let tcp = TcpStream::connect(server).await?;
            let local = tcp.local_addr()?;
            stream_conn(tcp, server, local)
        }
        Transport::Tls => {
            use tokio_rustls::rustls::{self, pki_types::CertificateDer, RootCertStore};
            let mut roots = RootCertStore::empty();
            roots.add(CertificateDer::from(
                trust.context("TLS needs the relay's certificate")?.to_vec(),
            ))?;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let tcp = TcpStream::connect(server).await?;
            let local = tcp.local_addr()?;
            let name = rustls::pki_types::ServerName::try_from("localhost")?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .context("TLS handshake with the relay")?;
            stream_conn(tls, server, local)
        }
    };
    let client = Client::new(ClientConfig {
        stun_serv_addr: String::new(),
        turn_serv_addr: server.to_string(),
        username: username.to_string(),
        password: password.to_string(),
        realm: String::new(),
        software: String::new(),
        rto_in_ms: 0,
        conn,
        vnet: None,
    })
    .await?;
    client.listen().await?;
    Ok(client)
}

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files into
/// `dir`: (cert path, key path, cert DER).
pub fn throwaway_certificate(
    dir: &std::path::Path,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf, Vec<u8>)> {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])?;
    let cert_path = dir.join("turn-cert.pem");
    let key_path = dir.join("turn-key.pem");
    std::fs::write(&cert_path, cert.cert.pem())?;
    std::fs::write(&key_path, cert.key_pair.serialize_pem())?;
    Ok((cert_path, key_path, cert.cert.der().to_vec()))
}
