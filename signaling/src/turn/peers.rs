//! Where the relay may send: a TURN server that relays to any address lets a participant
//! reach the server's own loopback services, the host's private network or a cloud
//! metadata endpoint (the class of coturn CVE-2020-26262). Every permission, channel and
//! relayed packet is checked here; those classes are refused unless a deployment allows a
//! range explicitly. The relay's own allocations (another participant's relay address)
//! are always reachable: two participants who both need the relay meet through it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use serde::Serialize;

/// The kinds of address the relay refuses by default.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerClass {
    /// 0.0.0.0/8, `::`: "this host" — reaches the relay's own services.
    Unspecified,
    /// 127/8, `::1`.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, and 100.64/10 (carrier-grade NAT).
    Private,
    /// 169.254.169.254 and `fd00:ec2::254`: cloud metadata services (credentials!).
    Metadata,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// fc00::/7.
    UniqueLocal,
    /// Multicast and broadcast: a relay sends to one peer, never to a group.
    Multicast,
}

impl PeerClass {
    /// The class `ip` falls in, or `None` for an ordinary public unicast address.
    /// IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries,
    /// so the v6 spelling is no way around the v4 rule.
    pub fn of(ip: IpAddr) -> Option<PeerClass> {
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::of_v4(v4),
                None => Self::of_v6(v6),
            },
        }
    }

    fn of_v4(ip: Ipv4Addr) -> Option<PeerClass> {
        let [a, b, ..] = ip.octets();
        Some(if a == 0 {
            PeerClass::Unspecified
        } else if ip.is_loopback() {
            PeerClass::Loopback
        } else if ip == Ipv4Addr::new(169, 254, 169, 254) {
            PeerClass::Metadata
        } else if ip.is_link_local() {
            PeerClass::LinkLocal
        } else if ip.is_private() || (a == 100 && (b & 0xc0) == 64) {
            PeerClass::Private
        } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
            PeerClass::Multicast
        } else {
            return None;
        })
    }

    fn of_v6(ip: Ipv6Addr) -> Option<PeerClass> {
        let first = ip.segments()[0];
        Some(if ip.is_unspecified() {
            PeerClass::Unspecified
        } else if ip.is_loopback() {
            PeerClass::Loopback
        } else if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
            PeerClass::Metadata
        } else if (first & 0xffc0) == 0xfe80 {
            PeerClass::LinkLocal
        } else if (first & 0xfe00) == 0xfc00 {
            PeerClass::UniqueLocal
        } else if ip.is_multicast() {
            PeerClass::Multicast
        } else {
            return None;
        })
    }
}

/// A peer the relay will not reach, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("relaying to {addr} is refused: {class:?} addresses are not allowed (turn.allow_peers)")]
pub struct RefusedPeer {
    pub addr: SocketAddr,
    pub class: PeerClass,
}

/// Which peers one relay may reach.
#[derive(Clone, Debug, Default)]
pub struct PeerPolicy {
    /// Ranges of the refused classes a deployment allows (e.g. its own LAN, or loopback in
    /// tests).
    allowed: Vec<IpNet>,
}

impl PeerPolicy {
    pub fn new(allowed: Vec<IpNet>) -> Self {
        Self { allowed }
    }

    /// Whether the relay may reach `addr`. `own_allocation`: `addr` is one of this
    /// relay's live allocations (another participant's relay address) — the relay knows
    /// which, the rule only says that those are always fine. A port in the relay's range
    /// is not enough: other programs' sockets live there too.
    pub fn check(&self, addr: SocketAddr, own_allocation: bool) -> Result<(), RefusedPeer> {
        let Some(class) = PeerClass::of(addr.ip()) else {
            return Ok(());
        };
        let ip = canonical(addr.ip());
        if own_allocation || self.allowed.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        Err(RefusedPeer { addr, class })
    }
}

/// IPv4-mapped IPv6 as the IPv4 address, so allow-lists written in v4 match both spellings.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_class_the_issue_names_is_refused_by_default() {
        let policy = PeerPolicy::default();
        for (addr, class) in [
            ("127.0.0.1:22", PeerClass::Loopback),
            ("127.255.0.9:80", PeerClass::Loopback),
            ("[::1]:80", PeerClass::Loopback),
            ("0.0.0.0:80", PeerClass::Unspecified),
            ("[::]:80", PeerClass::Unspecified),
            ("10.1.2.3:80", PeerClass::Private),
            ("172.16.0.1:80", PeerClass::Private),
            ("172.31.255.255:80", PeerClass::Private),
            ("192.168.1.1:80", PeerClass::Private),
            ("100.64.0.1:80", PeerClass::Private),
            ("169.254.1.1:80", PeerClass::LinkLocal),
            ("169.254.169.254:80", PeerClass::Metadata),
            ("[fe80::1]:80", PeerClass::LinkLocal),
            ("[fc00::1]:80", PeerClass::UniqueLocal),
            ("[fd12:3456::1]:80", PeerClass::UniqueLocal),
            ("[fd00:ec2::254]:80", PeerClass::Metadata),
            ("224.0.0.1:80", PeerClass::Multicast),
            ("255.255.255.255:80", PeerClass::Multicast),
            ("[ff02::1]:80", PeerClass::Multicast),
            // The v6 spelling of a v4 address is the v4 address.
            ("[::ffff:127.0.0.1]:80", PeerClass::Loopback),
            ("[::ffff:169.254.169.254]:80", PeerClass::Metadata),
        ] {
            assert_eq!(
                policy.check(at(addr), false),
                Err(RefusedPeer {
                    addr: at(addr),
                    class
                }),
                "{addr}"
            );
        }
    }

    #[test]
    fn public_addresses_pass() {
        let policy = PeerPolicy::default();
        for addr in [
            "8.8.8.8:3478",
            "172.32.0.1:1",
            "100.128.0.1:1",
            "[2001:db8::1]:9",
        ] {
            assert_eq!(policy.check(at(addr), false), Ok(()), "{addr}");
        }
    }

    #[test]
    fn an_allowed_range_and_the_relays_own_allocations_pass_and_nothing_else() {
        let policy = PeerPolicy::new(vec!["10.20.0.0/16".parse().unwrap()]);
        assert_eq!(policy.check(at("10.20.3.4:5"), false), Ok(()));
        assert_eq!(policy.check(at("[::ffff:10.20.3.4]:5"), false), Ok(()));
        assert!(policy.check(at("10.21.3.4:5"), false).is_err());
        assert_eq!(policy.check(at("127.0.0.1:50000"), true), Ok(()));
        assert!(policy.check(at("127.0.0.1:50000"), false).is_err());
    }
}
