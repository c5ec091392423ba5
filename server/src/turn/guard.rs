//! Where the relay may not go. Two layers, both deciding by the core's [`PeerPolicy`]:
//! - [`GuardedListener`] sits between the clients and the `turn` server and answers a
//!   CreatePermission or ChannelBind naming a refused peer with 403 Forbidden itself (as
//!   coturn answers for its denied ranges), and drops such a Send indication, before the
//!   server installs anything;
//! - [`GuardedRelays`] binds the relay sockets and wraps each, so that no packet goes to or
//!   comes from a refused address whatever reached the server. It also keeps the relay's
//!   own allocations reachable behind NAT: a relay address advertised as the public IP is
//!   reached on the bound one, and packets from the bound one are seen as from the public.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sangdam_signaling::turn::{credentials, PeerPolicy};
use stun::attributes::{ATTR_REALM, ATTR_USERNAME, ATTR_XOR_PEER_ADDRESS};
use stun::error_code::{ErrorCodeAttribute, CODE_FORBIDDEN};
use stun::integrity::MessageIntegrity;
use stun::message::{
    Message, MessageType, Setter, CLASS_ERROR_RESPONSE, CLASS_INDICATION, CLASS_REQUEST,
    METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION, METHOD_SEND,
};
use stun::textattrs::TextAttribute;
use stun::xoraddr::XorMappedAddress;
use tokio::net::UdpSocket;
use tracing::info;
use webrtc_util::Conn;

use super::{RelayCounters, TurnPlan};

/// The relay addresses of this relay's live allocations (as advertised and as bound):
/// the peers that are always fine, because they are other participants' relays.
#[derive(Clone, Default)]
pub struct LiveRelays(Arc<Mutex<HashSet<SocketAddr>>>);

impl LiveRelays {
    pub fn contains(&self, addr: SocketAddr) -> bool {
        let addr = SocketAddr::new(canonical(addr.ip()), addr.port());
        self.0.lock().expect("live relays lock").contains(&addr)
    }

    fn insert(&self, addrs: &[SocketAddr]) {
        self.0.lock().expect("live relays lock").extend(addrs);
    }

    fn remove(&self, addrs: &[SocketAddr]) {
        let mut set = self.0.lock().expect("live relays lock");
        for a in addrs {
            set.remove(a);
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client-facing side of one listener.
pub struct GuardedListener {
    inner: Arc<dyn Conn + Send + Sync>,
    policy: Arc<PeerPolicy>,
    live: LiveRelays,
    counters: Arc<RelayCounters>,
    /// To sign a 403 as the server signs its answers (clients may drop unsigned ones).
    secret: String,
}

/// What a client's packet asks of the relay, as far as the guard cares.
enum Verdict {
    Pass,
    /// Refused: answer this (a request) or nothing (an indication).
    Refuse(Option<Vec<u8>>),
}

impl GuardedListener {
    pub fn new(
        inner: Arc<dyn Conn + Send + Sync>,
        policy: Arc<PeerPolicy>,
        live: LiveRelays,
        counters: Arc<RelayCounters>,
        secret: &str,
    ) -> Self {
        Self {
            inner,
            policy,
            live,
            counters,
            secret: secret.to_string(),
        }
    }

    fn judge(&self, packet: &[u8]) -> Verdict {
        // ChannelData (first bits 01) goes to a channel already bound, so already judged.
        if packet.first().is_none_or(|b| b >> 6 != 0) {
            return Verdict::Pass;
        }
        let mut m = Message::new();
        m.raw = packet.to_vec();
        if m.decode().is_err() {
            return Verdict::Pass;
        }
        let method = m.typ.method;
        let asks = (m.typ.class == CLASS_REQUEST
            && (method == METHOD_CREATE_PERMISSION || method == METHOD_CHANNEL_BIND))
            || (m.typ.class == CLASS_INDICATION && method == METHOD_SEND);
        if !asks {
            return Verdict::Pass;
        }
        for peer in peers(&m) {
            if let Err(refused) = self.policy.check(peer, self.live.contains(peer)) {
                let answer = (m.typ.class == CLASS_REQUEST).then(|| self.forbidden(&m));
                info!(peer = %refused.addr, class = ?refused.class, method = %method, "TURN relay to a refused address");
                return Verdict::Refuse(answer.flatten());
            }
        }
        Verdict::Pass
    }

    /// 403 Forbidden for `request`, with MESSAGE-INTEGRITY when the request carried a
    /// username and realm (the key is the one the client signed with, if it is genuine).
    fn forbidden(&self, request: &Message) -> Option<Vec<u8>> {
        let mut attrs: Vec<Box<dyn Setter>> = vec![
            Box::new(Message {
                transaction_id: request.transaction_id,
                ..Default::default()
            }),
            Box::new(MessageType::new(request.typ.method, CLASS_ERROR_RESPONSE)),
            Box::new(ErrorCodeAttribute {
                code: CODE_FORBIDDEN,
                reason: b"Forbidden IP".to_vec(),
            }),
        ];
        let user = TextAttribute::get_from_as(request, ATTR_USERNAME).ok();
        let realm = TextAttribute::get_from_as(request, ATTR_REALM).ok();
        if let (Some(user), Some(realm)) = (user, realm) {
            let password = credentials::password(&self.secret, &user.text);
            attrs.push(Box::new(MessageIntegrity::new_long_term_integrity(
                user.text, realm.text, password,
            )));
        }
        let mut out = Message::new();
        out.build(&attrs).ok()?;
        Some(out.raw)
    }
}

/// Every XOR-PEER-ADDRESS of `m` (a CreatePermission may carry several).
fn peers(m: &Message) -> Vec<SocketAddr> {
    m.attributes
        .0
        .iter()
        .filter(|a| a.typ == ATTR_XOR_PEER_ADDRESS)
        .filter_map(|a| {
            let mut one = Message::new();
            one.transaction_id = m.transaction_id;
            one.add(ATTR_XOR_PEER_ADDRESS, &a.value);
            let mut addr = XorMappedAddress::default();
            addr.get_from_as(&one, ATTR_XOR_PEER_ADDRESS).ok()?;
            Some(SocketAddr::new(addr.ip, addr.port))
        })
        .collect()
}

#[async_trait]
impl Conn for GuardedListener {
    async fn connect(&self, addr: SocketAddr) -> webrtc_util::Result<()> {
        self.inner.connect(addr).await
    }

    async fn recv(&self, buf: &mut [u8]) -> webrtc_util::Result<usize> {
        self.inner.recv(buf).await
    }

    async fn recv_from(&self, buf: &mut [u8]) -> webrtc_util::Result<(usize, SocketAddr)> {
        loop {
            let (n, from) = self.inner.recv_from(buf).await?;
            match self.judge(&buf[..n]) {
                Verdict::Pass => return Ok((n, from)),
                Verdict::Refuse(answer) => {
                    self.counters.refused_peers.fetch_add(1, Ordering::Relaxed);
                    if let Some(answer) = answer {
                        let _ = self.inner.send_to(&answer, from).await;
                    }
                }
            }
        }
    }

    async fn send(&self, buf: &[u8]) -> webrtc_util::Result<usize> {
        self.inner.send(buf).await
    }

    async fn send_to(&self, buf: &[u8], target: SocketAddr) -> webrtc_util::Result<usize> {
        self.inner.send_to(buf, target).await
    }

    fn local_addr(&self) -> webrtc_util::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        self.inner.remote_addr()
    }

    async fn close(&self) -> webrtc_util::Result<()> {
        self.inner.close().await
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}

/// Binds relay sockets in the configured range, each wrapped in a [`GuardedRelay`].
pub struct GuardedRelays {
    bind: IpAddr,
    public: IpAddr,
    ports: RangeInclusive<u16>,
    policy: Arc<PeerPolicy>,
    live: LiveRelays,
    counters: Arc<RelayCounters>,
}

impl GuardedRelays {
    pub fn new(
        plan: &TurnPlan,
        policy: Arc<PeerPolicy>,
        live: LiveRelays,
        counters: Arc<RelayCounters>,
    ) -> Self {
        Self {
            bind: plan.relay_bind,
            public: plan.relay_public,
            ports: plan.ports.clone(),
            policy,
            live,
            counters,
        }
    }
}

#[async_trait]
impl turn::relay::RelayAddressGenerator for GuardedRelays {
    fn validate(&self) -> Result<(), turn::Error> {
        Ok(())
    }

    async fn allocate_conn(
        &self,
        use_ipv4: bool,
        requested_port: u16,
    ) -> Result<(Arc<dyn Conn + Send + Sync>, SocketAddr), turn::Error> {
        if use_ipv4 != self.bind.is_ipv4() {
            return Err(turn::Error::Other(
                "the relay has no address of that family".into(),
            ));
        }
        let (start, end) = (*self.ports.start(), *self.ports.end());
        let span = u32::from(end - start) + 1;
        let tries = if requested_port != 0 { 1 } else { span.min(64) };
        for _ in 0..tries {
            let port = if requested_port != 0 {
                requested_port
            } else {
                start + (rand::random::<u32>() % span) as u16
            };
            if !self.ports.contains(&port) {
                break;
            }
            let Ok(socket) = UdpSocket::bind(SocketAddr::new(self.bind, port)).await else {
                continue;
            };
            let addrs = vec![
                SocketAddr::new(canonical(self.public), port),
                SocketAddr::new(canonical(self.bind), port),
            ];
            self.live.insert(&addrs);
            let relay = GuardedRelay {
                socket,
                bind: self.bind,
                public: self.public,
                policy: self.policy.clone(),
                live: self.live.clone(),
                addrs,
                counters: self.counters.clone(),
            };
            return Ok((Arc::new(relay), SocketAddr::new(self.public, port)));
        }
        Err(turn::Error::Other(format!(
            "no free relay port in {start}..={end}"
        )))
    }
}

/// One allocation's relay socket.
pub struct GuardedRelay {
    socket: UdpSocket,
    bind: IpAddr,
    public: IpAddr,
    policy: Arc<PeerPolicy>,
    live: LiveRelays,
    /// This allocation's own entries in `live`.
    addrs: Vec<SocketAddr>,
    counters: Arc<RelayCounters>,
}

impl GuardedRelay {
    /// Behind NAT a peer relay's advertised address is the public IP; it is reached, and
    /// heard from, on the bound one.
    fn to_bound(&self, addr: SocketAddr) -> SocketAddr {
        if self.public != self.bind && addr.ip() == self.public && self.live.contains(addr) {
            SocketAddr::new(self.bind, addr.port())
        } else {
            addr
        }
    }

    fn to_public(&self, addr: SocketAddr) -> SocketAddr {
        if self.public != self.bind && addr.ip() == self.bind && self.live.contains(addr) {
            SocketAddr::new(self.public, addr.port())
        } else {
            addr
        }
    }
}

impl Drop for GuardedRelay {
    fn drop(&mut self) {
        self.live.remove(&self.addrs);
    }
}

#[async_trait]
impl Conn for GuardedRelay {
    async fn connect(&self, addr: SocketAddr) -> webrtc_util::Result<()> {
        Ok(self.socket.connect(addr).await?)
    }

    async fn recv(&self, buf: &mut [u8]) -> webrtc_util::Result<usize> {
        Ok(self.socket.recv(buf).await?)
    }

    async fn recv_from(&self, buf: &mut [u8]) -> webrtc_util::Result<(usize, SocketAddr)> {
        loop {
            let (n, from) = self.socket.recv_from(buf).await?;
            let from = self.to_public(from);
            if self.policy.check(from, self.live.contains(from)).is_ok() {
                return Ok((n, from));
            }
            self.counters
                .dropped_packets
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn send(&self, buf: &[u8]) -> webrtc_util::Result<usize> {
        Ok(self.socket.send(buf).await?)
    }

    async fn send_to(&self, buf: &[u8], target: SocketAddr) -> webrtc_util::Result<usize> {
        if self
            .policy
            .check(target, self.live.contains(target))
            .is_err()
        {
            self.counters
                .dropped_packets
                .fetch_add(1, Ordering::Relaxed);
            // Dropped, as a datagram may be: the sender learns nothing it could probe with.
            return Ok(buf.len());
        }
        Ok(self.socket.send_to(buf, self.to_bound(target)).await?)
    }

    fn local_addr(&self) -> webrtc_util::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        None
    }

    async fn close(&self) -> webrtc_util::Result<()> {
        self.live.remove(&self.addrs);
        Ok(())
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}
