//! The accept loop, in place of `axum::serve`, because a fair day's clients include slow
//! and hostile ones: every request's headers must arrive within a deadline, and the number
//! of connections is capped overall and per address, so a few hundred clients that open
//! sockets and then dribble (or never send) their headers cannot hold the server's
//! descriptors. Connections over a cap are closed at once, before anything is read.

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tracing::{debug, warn};

/// The limits the accept loop enforces (`[server]` in the settings).
#[derive(Clone, Debug)]
pub struct Limits {
    /// A request's headers must be complete this long after its first byte (or, for the
    /// first request, after the connection opened).
    pub header_read_timeout: Duration,
    /// Open connections at most, overall (0: no cap).
    pub max_connections: usize,
    /// Open connections at most from one address (0: no cap). Behind a reverse proxy every
    /// client has the proxy's address: set 0 there and let the proxy cap.
    pub max_connections_per_address: usize,
}

/// Counts open connections; a [`Slot`] gives its place back when dropped.
#[derive(Default)]
struct Census {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

struct Slot {
    census: Arc<Mutex<Census>>,
    address: IpAddr,
}

/// A connection's place in the census, handed to every request on it (an extension): a
/// WebSocket keeps it after the upgrade, when the HTTP connection itself is done, so open
/// sockets count against the caps for as long as they are open.
#[derive(Clone)]
pub struct HeldSlot(#[allow(dead_code)] Arc<Slot>);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.census.lock().expect("census lock");
        c.total -= 1;
        if let Some(n) = c.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                c.by_address.remove(&self.address);
            }
        }
    }
}

/// A place for a new connection from `address`, or `None` if a cap is reached.
fn admit(census: &Arc<Mutex<Census>>, limits: &Limits, address: IpAddr) -> Option<Slot> {
    let mut c = census.lock().expect("census lock");
    let from_here = c.by_address.get(&address).copied().unwrap_or(0);
    let full = (limits.max_connections > 0 && c.total >= limits.max_connections)
        || (limits.max_connections_per_address > 0
            && from_here >= limits.max_connections_per_address);
    if full {
        return None;
    }
    c.total += 1;
    *c.by_address.entry(address).or_default() += 1;
    Some(Slot {
        census: census.clone(),
        address,
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and lets
/// open requests finish (WebSockets already upgraded live on in their own tasks).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let census = Arc::new(Mutex::new(Census::default()));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    let mut refused_since_log = 0u64;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors, most likely: wait rather than spin.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(slot) = admit(&census, &limits, peer.ip()) else {
            // Closed before a byte is read.
            drop(stream);
            refused_since_log += 1;
            if refused_since_log.is_power_of_two() {
                warn!(
                    address = %peer.ip(),
                    refused = refused_since_log,
                    "connection refused: too many open connections"
                );
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let held = HeldSlot(Arc::new(slot));
        let for_requests = held.clone();
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(for_requests.clone());
                req.map(Body::new)
            },
        ));
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                debug!(error = %e, "connection ended with an error");
            }
            drop(held);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_overall_and_free_their_places() {
        let census = Arc::new(Mutex::new(Census::default()));
        let limits = Limits {
            header_read_timeout: Duration::from_secs(1),
            max_connections: 3,
            max_connections_per_address: 2,
        };
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = admit(&census, &limits, a).unwrap();
        let _a2 = admit(&census, &limits, a).unwrap();
        assert!(admit(&census, &limits, a).is_none(), "two from one address");
        let _b1 = admit(&census, &limits, b).unwrap();
        assert!(admit(&census, &limits, b).is_none(), "three in all");
        drop(a1);
        assert!(
            admit(&census, &limits, b).is_some(),
            "a place was given back"
        );
        let unlimited = Limits {
            max_connections: 0,
            max_connections_per_address: 0,
            ..limits
        };
        assert!((0..100).all(|_| admit(&census, &unlimited, a)
            .map(std::mem::forget)
            .is_some()));
    }
}
