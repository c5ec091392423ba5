//! The embedded TURN relay, as participants on strict networks reach it: the credentials a
//! `joined` hands out, two webrtc-rs peers that may only relay, the relay over UDP, TCP
//! and TLS, refused credentials and refused peers.

use std::net::SocketAddr;
use std::time::Duration;

use sangdam_server::app::settings::{Secret, Settings};
use sangdam_signaling::turn::credentials;
use sangdam_signaling::Timestamp;
use sangdam_tests::app::{spawn_app_with, temp_dir, test_fair, test_settings, BUYER_1, VENDOR_1};
use sangdam_tests::rtc::{check_exchange, ice_config, run_call_with};
use sangdam_tests::signal::SignalClient;
use sangdam_tests::turn_client::{client, throwaway_certificate, Transport};
use serde_json::Value;
use tokio::net::UdpSocket;
use webrtc::util::Conn;

const TURN_SECRET: &str = "turn-secret-for-the-tests";

fn turn_settings() -> Settings {
    let mut s = test_settings();
    s.turn.secret = Secret::new(TURN_SECRET);
    s
}

/// The port of the embedded relay's `scheme:` URL with `?transport=...`, from a `joined`.
fn relay_port(joined: &Value, scheme: &str, transport: &str) -> u16 {
    let url = joined["ice_servers"][0]["urls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u.as_str())
        .find(|u| {
            u.starts_with(&format!("{scheme}:")) && u.ends_with(&format!("transport={transport}"))
        })
        .unwrap_or_else(|| panic!("no {scheme} {transport} URL in {joined}"));
    let port = url.split('?').next().unwrap().rsplit(':').next().unwrap();
    port.parse().unwrap()
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn credential(joined: &Value) -> (String, String) {
    let s = &joined["ice_servers"][0];
    (
        s["username"].as_str().unwrap().to_string(),
        s["credential"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_join_hands_out_relay_credentials_that_expire_with_the_meeting() {
    let app = spawn_app_with(turn_settings(), test_fair(Duration::from_secs(600))).await;
    let (_buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["ice_transport_policy"], "all");
    let urls: Vec<&str> = joined["ice_servers"][0]["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        urls.iter().any(|u| u.starts_with("stun:127.0.0.1:")),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .any(|u| u.starts_with("turn:127.0.0.1:") && u.ends_with("?transport=udp")),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .any(|u| u.starts_with("turn:127.0.0.1:") && u.ends_with("?transport=tcp")),
        "{urls:?}"
    );
    let (user, password) = credential(&joined);
    let (expiry, who) = user.split_once(':').unwrap();
    assert_eq!(who, BUYER_1);
    let closes_at = joined["window"]["closes_at"].as_i64().unwrap();
    let margin = turn_settings().turn.credential_margin_seconds as i64;
    assert_eq!(
        expiry.parse::<i64>().unwrap(),
        (closes_at + 999) / 1000 + margin
    );
    assert_eq!(password, credentials::password(TURN_SECRET, &user));

    // The pre-join check's own, good for the margin from now; only with a token.
    let http = reqwest::Client::new();
    let url = format!("{}/api/ice-servers", app.base_url);
    let res = http
        .get(&url)
        .bearer_auth(app.token(VENDOR_1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let (user, password) = credential(&body);
    let expiry: i64 = user.split_once(':').unwrap().0.parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + margin - 5..=now + margin + 5).contains(&expiry),
        "{user}"
    );
    assert_eq!(password, credentials::password(TURN_SECRET, &user));
    assert_eq!(body["ice_transport_policy"], "all");
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webrtc_rs_peers_that_may_only_relay_connect_through_the_embedded_turn() {
    let mut settings = turn_settings();
    settings.webrtc.ice_transport_policy = sangdam_signaling::protocol::IceTransportPolicy::Relay;
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
    let (buyer, bj) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (vendor, vj) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(bj["ice_transport_policy"], "relay");
    // webrtc-rs gathers relay candidates over UDP only; TCP and TLS are the next test's.
    let udp_only = |u: &str| u.starts_with("turn:") && u.ends_with("transport=udp");
    let (b, v) = tokio::join!(
        run_call_with(
            buyer,
            "buyer via relay",
            Duration::from_secs(40),
            ice_config(&bj, udp_only, true)
        ),
        run_call_with(
            vendor,
            "vendor via relay",
            Duration::from_secs(40),
            ice_config(&vj, udp_only, true)
        ),
    );
    let (b, v) = (b.expect("buyer's call"), v.expect("vendor's call"));
    check_exchange(&b, &v, "buyer via relay", "vendor via relay").unwrap();
    for side in [&b, &v] {
        let (local, remote) = side.selected_pair().await.expect("a selected pair");
        assert_eq!((local.as_str(), remote.as_str()), ("relay", "relay"));
    }
    println!(
        "FIGURE turn: relay-only webrtc-rs call, joined → first data-channel message {:.0} ms (buyer), {:.0} ms (vendor)",
        b.to_first_message.as_secs_f64() * 1000.0,
        v.to_first_message.as_secs_f64() * 1000.0
    );
    b.hang_up().await;
    v.hang_up().await;
}

/// Sends `what` from `from` to `to` until it arrives (the first sends only install
/// permissions), and returns the address it came from.
async fn deliver(from: &impl Conn, to: &impl Conn, what: &[u8]) -> SocketAddr {
    let target = to.local_addr().unwrap();
    let mut buf = vec![0u8; 1500];
    for _ in 0..50 {
        from.send_to(what, target).await.expect("relayed send");
        // Earlier sends may arrive late, once a permission is in: skip them.
        while let Ok(Ok((n, src))) =
            tokio::time::timeout(Duration::from_millis(200), to.recv_from(&mut buf)).await
        {
            if &buf[..n] == what {
                return src;
            }
        }
    }
    panic!("{:?} never arrived", String::from_utf8_lossy(what));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_carries_packets_for_clients_on_udp_tcp_and_tls() {
    let dir = temp_dir("turn-tls");
    let (cert, key, der) = throwaway_certificate(&dir).unwrap();
    let mut settings = turn_settings();
    settings.turn.tls_listen = "127.0.0.1:0".into();
    settings.turn.tls_cert = cert;
    settings.turn.tls_key = key;
    settings.turn.host = "localhost".into();
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
    let (_b, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (user, password) = credential(&joined);
    let at = loopback;
    let port = |scheme: &str, transport: &str| relay_port(&joined, scheme, transport);
    let udp = client(
        at(port("turn", "udp")),
        Transport::Udp,
        &user,
        &password,
        None,
    )
    .await
    .unwrap();
    let urls = joined["ice_servers"][0]["urls"].to_string();
    assert!(
        urls.contains("\"turn:localhost:"),
        "the configured host: {urls}"
    );
    let tcp_port = port("turn", "tcp");
    let tcp = client(at(tcp_port), Transport::Tcp, &user, &password, None)
        .await
        .unwrap();
    let tls = client(
        at(port("turns", "tcp")),
        Transport::Tls,
        &user,
        &password,
        Some(&der),
    )
    .await
    .unwrap();
    let (u, t, s) = (
        udp.allocate().await.expect("allocation over UDP"),
        tcp.allocate().await.expect("allocation over TCP"),
        tls.allocate().await.expect("allocation over TLS"),
    );
    // Each way needs the receiver's permission for the sender: the reply installs it.
    let _ = t.send_to(b"hello", u.local_addr().unwrap()).await;
    let _ = s.send_to(b"hello", u.local_addr().unwrap()).await;
    assert_eq!(
        deliver(&u, &t, b"udp to tcp").await,
        u.local_addr().unwrap()
    );
    assert_eq!(
        deliver(&t, &u, b"tcp to udp").await,
        t.local_addr().unwrap()
    );
    assert_eq!(
        deliver(&u, &s, b"udp to tls").await,
        u.local_addr().unwrap()
    );
    assert_eq!(
        deliver(&s, &u, b"tls to udp").await,
        s.local_addr().unwrap()
    );
    // A ChannelData frame of odd length crosses the TCP framing (padding) intact.
    assert_eq!(deliver(&t, &u, b"odd!!").await, t.local_addr().unwrap());
    for c in [udp, tcp, tls] {
        c.close().await.ok();
    }
}

#[tokio::test]
async fn expired_forged_and_altered_credentials_are_refused() {
    let app = spawn_app_with(turn_settings(), test_fair(Duration::from_secs(600))).await;
    let (_b, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let server = loopback(relay_port(&joined, "turn", "udp"));
    let (user, password) = credential(&joined);
    let expired = credentials::issue(TURN_SECRET, BUYER_1, Timestamp::from_millis(1_000));
    let other_secret = credentials::issue(
        "not-the-relays-secret",
        BUYER_1,
        Timestamp::from_millis(i64::MAX / 2),
    );
    let altered_user = user.replace(BUYER_1, VENDOR_1);
    let cases = [
        ("expired", expired.username, expired.password),
        ("wrong password", user.clone(), "c2VjcmV0".to_string()),
        (
            "another participant's name on this password",
            altered_user,
            password.clone(),
        ),
        (
            "another secret",
            other_secret.username,
            other_secret.password,
        ),
        (
            "no expiry",
            BUYER_1.to_string(),
            credentials::password(TURN_SECRET, BUYER_1),
        ),
    ];
    for (what, u, p) in cases {
        let c = client(server, Transport::Udp, &u, &p, None).await.unwrap();
        let got = c.allocate().await;
        assert!(got.is_err(), "{what}: allocated with {u}");
        c.close().await.ok();
    }
    // The genuine one works, so the refusals above are the relay's judgement.
    let c = client(server, Transport::Udp, &user, &password, None)
        .await
        .unwrap();
    c.allocate().await.expect("the issued credential allocates");
    c.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relaying_to_loopback_private_link_local_and_metadata_addresses_is_refused() {
    // A service on the relay's own host that a participant must not reach through it.
    let service = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let service_addr = service.local_addr().unwrap();
    let refused: Vec<SocketAddr> = [
        service_addr.to_string().as_str(),
        "127.0.0.53:53",
        "0.0.0.0:9",
        "10.0.0.1:9",
        "172.16.5.4:9",
        "192.168.1.1:9",
        "100.64.0.1:9",
        "169.254.1.1:9",
        "169.254.169.254:80",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();

    for allowed in [false, true] {
        let mut settings = turn_settings();
        if allowed {
            settings.turn.allow_peers = vec!["127.0.0.0/8".into()];
        }
        let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
        let (_b, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
        let port = relay_port(&joined, "turn", "udp");
        let (user, password) = credential(&joined);
        let c = client(
            SocketAddr::from(([127, 0, 0, 1], port)),
            Transport::Udp,
            &user,
            &password,
            None,
        )
        .await
        .unwrap();
        let relay = c.allocate().await.unwrap();
        if !allowed {
            for peer in &refused {
                assert!(
                    relay.send_to(b"probe", *peer).await.is_err(),
                    "a permission for {peer} was granted"
                );
            }
            let mut buf = [0u8; 64];
            let heard =
                tokio::time::timeout(Duration::from_millis(300), service.recv_from(&mut buf)).await;
            assert!(
                heard.is_err(),
                "the local service was reached through the relay"
            );
        } else {
            // Allowed explicitly, the same loopback service is reached: the refusal above
            // is the rule, not a relay that relays nothing.
            let mut buf = [0u8; 64];
            let mut got = None;
            for _ in 0..20 {
                relay
                    .send_to(b"probe", service_addr)
                    .await
                    .expect("allowed peer");
                if let Ok(Ok((n, _))) =
                    tokio::time::timeout(Duration::from_millis(200), service.recv_from(&mut buf))
                        .await
                {
                    got = Some(buf[..n].to_vec());
                    break;
                }
            }
            assert_eq!(got.as_deref(), Some(&b"probe"[..]));
        }
        c.close().await.ok();
    }
}
