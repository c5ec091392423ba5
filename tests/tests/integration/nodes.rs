//! Several nodes, one fair: two `sangdam` servers sharing one Redis pair a buyer on one
//! with a vendor on the other, show a vendor the same place from either, and lose no queue
//! entry when one of them is killed.

use sangdam_server::app::settings::{Secret, Settings};
use sangdam_server::files::fair::write_fair_dir;
use sangdam_tests::app::{
    issuer, now, spawn_app_with, test_fair, test_settings, TestApp, BUYER_1, SECRET, VENDOR_1,
    VENDOR_2,
};
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::rtc::{check_exchange, run_call};
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn shared(redis: &RedisServer) -> Settings {
    let mut s = test_settings();
    s.redis.url = Secret::new(redis.url());
    s.lobby.tick_seconds = 1;
    s
}

async fn two_nodes(redis: &RedisServer) -> (TestApp, TestApp) {
    let fair = test_fair(Duration::from_secs(600));
    let a = spawn_app_with(shared(redis), fair.clone()).await;
    let b = spawn_app_with(shared(redis), fair).await;
    (a, b)
}

async fn hello(url: &str, token: &str) -> SignalClient {
    let mut c = SignalClient::connect(url).await;
    c.send(json!({"type": "hello", "v": 1, "token": token}))
        .await;
    assert_eq!(c.recv().await["type"], "welcome");
    c
}

async fn place(c: &mut SignalClient) -> Value {
    loop {
        let s = c.recv_type("vendor_status").await;
        if let Some(p) = s["places"].as_array().and_then(|p| p.first()) {
            return p.clone();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_on_one_node_and_a_vendor_on_another_meet_over_webrtc() {
    let redis = RedisServer::start();
    let (a, b) = two_nodes(&redis).await;
    let (buyer, joined) = SignalClient::join(&a.ws_url, &a.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    // Give node A's presence a moment to reach node B's copy of the room, or not: either
    // way node B learns of the buyer within a heartbeat.
    let (vendor, joined) = SignalClient::join(&b.ws_url, &b.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let (bo, vo) = tokio::join!(
        run_call(buyer, "노드 A의 구매자", Duration::from_secs(30)),
        run_call(vendor, "노드 B의 판매자", Duration::from_secs(30)),
    );
    let (bo, vo) = (bo.expect("buyer's call"), vo.expect("vendor's call"));
    check_exchange(&bo, &vo, "노드 A의 구매자", "노드 B의 판매자").unwrap();
    println!(
        "FIGURE two nodes: data channel up in buyer {:?} / vendor {:?}",
        bo.to_first_message, vo.to_first_message
    );
    bo.hang_up().await;
    vo.hang_up().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_sees_the_same_place_whichever_node_they_reach() {
    let redis = RedisServer::start();
    let (a, b) = two_nodes(&redis).await;
    let mut first = hello(&a.lobby_url(), &a.token(VENDOR_2)).await;
    first
        .send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    assert_eq!(place(&mut first).await["position"], 1);
    let mut second = hello(&b.lobby_url(), &b.token(VENDOR_1)).await;
    second
        .send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    assert_eq!(place(&mut second).await["position"], 2);
    // The same vendor, now through the other node.
    let mut again = hello(&b.lobby_url(), &b.token(VENDOR_2)).await;
    let p = place(&mut again).await;
    assert_eq!(p["position"], 1);
    assert_eq!(p["waiting"], 2);
}

/// A `sangdam` process serving `dir` with the shared Redis; returns it and its base URL.
fn start_node(dir: &std::path::Path, redis: &RedisServer) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sangdam-node"))
        .args(["serve", "--listen", "127.0.0.1:0", "--fair"])
        .arg(dir)
        .env("SANGDAM_REDIS_URL", redis.url())
        .env("SANGDAM_SECRET", SECRET)
        .env("SANGDAM_LOBBY__TICK_SECONDS", "1")
        .env("SANGDAM_WEBRTC__ICE_SERVERS", "[]")
        .env("SANGDAM_TURN__LISTEN", "127.0.0.1:0")
        // Anything the node writes relative to its working directory stays in `dir`.
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sangdam-node binary starts");
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the node prints its address")
            .expect("readable output");
        if let Some(url) = line.trim().strip_prefix("http://") {
            break format!("http://{url}");
        }
    };
    // Keep draining stdout so the node never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_node_loses_no_queue_entry() {
    let redis = RedisServer::start();
    let dir = std::env::temp_dir().join(format!(
        "sangdam-nodes-{}-{}",
        std::process::id(),
        now().as_millis()
    ));
    let fair = test_fair(Duration::from_secs(600));
    write_fair_dir(&fair, 9 * 60, &dir).unwrap();
    let tokens = issuer(&test_settings(), SECRET);
    let token = |p: &str| {
        let p = fair
            .participant(&sangdam_signaling::ParticipantId::parse(p).unwrap())
            .unwrap();
        tokens.issue(&fair, p, None, 0, now())
    };
    let (mut node_a, base_a) = start_node(&dir, &redis);
    let (mut node_b, base_b) = start_node(&dir, &redis);
    let lobby = |base: &str| format!("{}/ws/lobby", base.replace("http://", "ws://"));

    let mut v2 = hello(&lobby(&base_a), &token(VENDOR_2)).await;
    v2.send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    assert_eq!(place(&mut v2).await["position"], 1);
    let mut v1 = hello(&lobby(&base_a), &token(VENDOR_1)).await;
    v1.send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    assert_eq!(place(&mut v1).await["position"], 2);

    node_a.kill().expect("SIGKILL");
    node_a.wait().unwrap();
    assert!(v1.closed_within(Duration::from_secs(5)).await);

    // Both vendors come back through the surviving node and find their places.
    let mut v1 = hello(&lobby(&base_b), &token(VENDOR_1)).await;
    let mut v2 = hello(&lobby(&base_b), &token(VENDOR_2)).await;
    assert_eq!(place(&mut v2).await["position"], 1);
    let p = place(&mut v1).await;
    assert_eq!(p["position"], 2);
    assert_eq!(p["waiting"], 2);
    node_b.kill().unwrap();
    node_b.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_node_room_survives_a_redis_outage() {
    let mut redis = RedisServer::start();
    let (a, b) = two_nodes(&redis).await;
    let (mut buyer, _) = SignalClient::join(&a.ws_url, &a.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&b.ws_url, &b.token(VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    assert_eq!(vendor.recv_type("call_ready").await["offerer"], false);

    // Longer than the presence TTL: nobody may be declared gone while nobody can hear.
    redis.stop();
    let quiet = tokio::time::Instant::now() + Duration::from_secs(7);
    while tokio::time::Instant::now() < quiet {
        if let Some(m) = buyer.try_recv(Duration::from_millis(200)).await {
            assert_ne!(m["type"], "peer_left", "{m}");
        }
        if let Some(m) = vendor.try_recv(Duration::from_millis(200)).await {
            assert_ne!(m["type"], "peer_left", "{m}");
        }
    }
    redis.restart();
    // Signaling crosses nodes again once the bus is back (no restart of either node).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "relay resumes after Redis returns"
        );
        buyer
            .send(json!({"type": "offer", "sdp": "v=0 after outage"}))
            .await;
        if let Some(m) = vendor.try_recv(Duration::from_millis(500)).await {
            assert_ne!(m["type"], "peer_left", "{m}");
            if m["type"] == "offer" {
                assert_eq!(m["sdp"], "v=0 after outage");
                break;
            }
        }
    }
}
