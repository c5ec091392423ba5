//! A buyer and a vendor meet: two webrtc-rs peers join the same meeting through the real
//! signaling endpoint, complete ICE and talk over a data channel.

use sangdam_tests::app::{spawn_app, test_fair, BUYER_1, VENDOR_1};
use sangdam_tests::rtc::{check_exchange, run_call};
use sangdam_tests::signal::SignalClient;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_and_a_vendor_connect_over_webrtc_and_exchange_messages() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let started = Instant::now();

    let (buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["you"]["side"], "buyer");
    assert_eq!(joined["phase"], "live");
    assert_eq!(joined["peer_present"], false);
    assert_eq!(
        joined["meeting"]["enterprise"]["name"],
        "(주)함께만드는세상"
    );
    assert_eq!(
        joined["meeting"]["enterprise"]["kind_label"],
        "(예비)사회적기업"
    );

    let (vendor, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["you"]["side"], "vendor");
    assert_eq!(joined["peer_present"], true);
    assert_eq!(
        joined["meeting"]["institution"]["name"],
        "서울특별시 종로구"
    );

    let buyer_says = "안녕하세요, 종로구입니다";
    let vendor_says = "반갑습니다, 함께만드는세상입니다";
    let (b, v) = tokio::join!(
        run_call(buyer, buyer_says, Duration::from_secs(30)),
        run_call(vendor, vendor_says, Duration::from_secs(30)),
    );
    let (b, v) = (b.expect("buyer's call"), v.expect("vendor's call"));
    check_exchange(&b, &v, buyer_says, vendor_says).unwrap();
    let (to_b, to_v) = (b.to_first_message, v.to_first_message);
    b.hang_up().await;
    v.hang_up().await;
    println!(
        "FIGURE webrtc-rs peers, both joined → first data-channel message: buyer {:?}, vendor {:?} (from first join {:?})",
        to_b,
        to_v,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_side_that_reconnects_gets_a_fresh_call() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    vendor.close().await;
    assert_eq!(buyer.recv_type("peer_left").await["side"], "vendor");

    let (vendor, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["peer_present"], true);
    assert_eq!(buyer.recv_type("peer_joined").await["side"], "vendor");
    let (b, v) = tokio::join!(
        run_call(buyer, "다시 연결", Duration::from_secs(30)),
        run_call(vendor, "돌아왔습니다", Duration::from_secs(30)),
    );
    let (b, v) = (b.unwrap(), v.unwrap());
    check_exchange(&b, &v, "다시 연결", "돌아왔습니다").unwrap();
    b.hang_up().await;
    v.hang_up().await;
}

#[tokio::test]
async fn joining_from_a_second_window_replaces_the_first() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut first, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    let (_second, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["type"], "joined");
    let err = first.recv_type("error").await;
    assert_eq!(err["code"], "replaced");
    assert_eq!(err["fatal"], true);
    assert!(first.closed_within(Duration::from_secs(5)).await);
}
