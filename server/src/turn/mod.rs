//! The embedded TURN relay: UDP and TCP on one port, TLS on another, for participants
//! whose networks block direct media. The TURN protocol is webrtc-rs's `turn` server;
//! around it, Sangdam's own parts: the REST-scheme credentials ([`auth`]), TCP and TLS
//! listeners framing STUN for a packet server ([`stream`]), and the guard that keeps the
//! relay from reaching addresses it must not ([`guard`]). The rules are the core's
//! (`sangdam_signaling::turn`); this folder does the IO.

pub mod auth;
pub mod config;
pub mod guard;
pub mod stream;
pub mod tls;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, UdpSocket};
use tracing::info;
use turn::server::config::{ConnConfig, ServerConfig};
use turn::server::Server;
use webrtc_util::Conn;

pub use config::{TurnError, TurnPlan};

/// What the relay has refused and relayed, for logs, tests and benchmarks.
#[derive(Debug, Default)]
pub struct RelayCounters {
    /// Permissions, channels and sends refused for their peer address.
    pub refused_peers: AtomicU64,
    /// Packets not relayed to or from a refused address.
    pub dropped_packets: AtomicU64,
    /// Requests refused for a bad or expired credential.
    pub refused_credentials: AtomicU64,
}

impl RelayCounters {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A running relay. Dropping it does not stop it; [`Relay::close`] does.
pub struct Relay {
    server: Server,
    udp: SocketAddr,
    tcp: SocketAddr,
    tls: Option<SocketAddr>,
    host: String,
    pub counters: Arc<RelayCounters>,
}

impl Relay {
    /// Binds every listener the plan names and starts serving. UDP and TCP share a port:
    /// with port 0 the UDP port is picked first and TCP asked for the same one.
    pub async fn start(plan: &TurnPlan, secret: &str) -> Result<Relay, TurnError> {
        let bind = |what: &'static str, addr: SocketAddr| {
            move |source| TurnError::Bind { what, addr, source }
        };
        let (udp_socket, tcp_listener) = bind_pair(plan.listen).await?;
        let udp = udp_socket.local_addr().map_err(bind("UDP", plan.listen))?;
        let tcp = tcp_listener
            .local_addr()
            .map_err(bind("TCP", plan.listen))?;
        let counters = Arc::new(RelayCounters::default());
        let policy = Arc::new(plan.peer_policy());
        let live = guard::LiveRelays::default();
        let guarded = |conn: Arc<dyn Conn + Send + Sync>| -> Arc<dyn Conn + Send + Sync> {
            Arc::new(guard::GuardedListener::new(
                conn,
                policy.clone(),
                live.clone(),
                counters.clone(),
                secret,
            ))
        };
        let relays = || -> Box<dyn turn::relay::RelayAddressGenerator + Send + Sync> {
            Box::new(guard::GuardedRelays::new(
                plan,
                policy.clone(),
                live.clone(),
                counters.clone(),
            ))
        };
        let mut conn_configs = vec![
            ConnConfig {
                conn: guarded(Arc::new(udp_socket)),
                relay_addr_generator: relays(),
            },
            ConnConfig {
                conn: guarded(Arc::new(stream::StreamListener::start(tcp_listener, None))),
                relay_addr_generator: relays(),
            },
        ];
        let mut tls = None;
        if let Some(t) = &plan.tls {
            let acceptor = tls::acceptor(&t.cert, &t.key)?;
            let listener = TcpListener::bind(t.listen)
                .await
                .map_err(bind("TLS", t.listen))?;
            tls = Some(listener.local_addr().map_err(bind("TLS", t.listen))?);
            conn_configs.push(ConnConfig {
                conn: guarded(Arc::new(stream::StreamListener::start(
                    listener,
                    Some(acceptor),
                ))),
                relay_addr_generator: relays(),
            });
        }
        let server = Server::new(ServerConfig {
            conn_configs,
            realm: plan.realm.clone(),
            auth_handler: Arc::new(auth::RestAuth::new(secret, counters.clone())),
            channel_bind_timeout: std::time::Duration::from_secs(600),
            alloc_close_notify: None,
        })
        .await
        .map_err(|e| TurnError::Start(e.to_string()))?;
        info!(%udp, %tcp, tls = ?tls, relay = %plan.relay_public, ports = ?plan.ports, host = %plan.host, "TURN relay listening");
        Ok(Relay {
            server,
            udp,
            tcp,
            tls,
            host: plan.host.clone(),
            counters,
        })
    }

    /// The URLs clients are given: STUN and TURN over UDP, TURN over TCP, TURNS.
    pub fn urls(&self) -> Vec<String> {
        let host = url_host(&self.host);
        let mut urls = vec![
            format!("stun:{host}:{}", self.udp.port()),
            format!("turn:{host}:{}?transport=udp", self.udp.port()),
            format!("turn:{host}:{}?transport=tcp", self.tcp.port()),
        ];
        if let Some(tls) = self.tls {
            urls.push(format!("turns:{host}:{}?transport=tcp", tls.port()));
        }
        urls
    }

    pub fn udp_addr(&self) -> SocketAddr {
        self.udp
    }

    pub fn tcp_addr(&self) -> SocketAddr {
        self.tcp
    }

    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls
    }

    pub async fn close(&self) {
        let _ = self.server.close().await;
    }
}

/// An IPv6 literal goes in brackets in a URL.
fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// The relay's UDP socket, with a receive buffer for bursts: with the kernel's default
/// (≈ 208 KiB) a busy two-core host dropped 2–4 % of 150 Mbit/s of relayed packets in the
/// socket, with 4 MiB none (BENCHMARKS.md). The kernel caps it at `net.core.rmem_max`.
fn udp_socket(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    let _ = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

const UDP_RECEIVE_BUFFER: usize = 4 << 20;

/// UDP and TCP on the same port. With port 0, a port free for UDP may be taken for TCP:
/// a few tries with another pick.
async fn bind_pair(addr: SocketAddr) -> Result<(UdpSocket, TcpListener), TurnError> {
    let err = |what, source| TurnError::Bind { what, addr, source };
    let tries = if addr.port() == 0 { 20 } else { 1 };
    let mut last = None;
    for _ in 0..tries {
        let udp = udp_socket(addr).map_err(|e| err("UDP", e))?;
        let port = udp.local_addr().map_err(|e| err("UDP", e))?.port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(err("TCP", last.expect("at least one try")))
}
