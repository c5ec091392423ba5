//! One side flooding or failing to read must not spoil the other side's meeting: a flood is
//! cut to the connection's allowance, the other side is never pushed out of the room by
//! the flooder's volume, and a connection the server gives up on is closed for real, with
//! its reason and close code.

use sangdam_tests::app::{spawn_app, spawn_app_with, test_fair, test_settings, BUYER_2, VENDOR_2};
use sangdam_tests::signal::{in_a_call, Event, SignalClient};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn ice(n: usize) -> Value {
    json!({"type": "ice", "candidate": {
        "candidate": format!("candidate:{n} 1 udp 2130706431 192.0.2.10 {} typ host", 10_000 + n % 50_000),
        "sdpMid": "0", "sdpMLineIndex": 0}})
}

/// Reads until nothing comes for `quiet`; returns every message and how the socket ended,
/// if it did.
async fn drain(
    c: &mut SignalClient,
    quiet: Duration,
) -> (Vec<Value>, Option<Option<(u16, String)>>) {
    let mut got = Vec::new();
    loop {
        match c.next_event(quiet).await {
            Event::Message(m) => got.push(m),
            Event::Closed(frame) => return (got, Some(frame)),
            Event::Nothing => return (got, None),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_side_flooding_ice_is_cut_to_its_allowance_and_the_slow_other_side_stays() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, mut vendor) = in_a_call(
        &app.ws_url,
        &app.token(BUYER_2),
        &app.token(VENDOR_2),
        "live-2",
    )
    .await;

    // The vendor sends twenty thousand candidates as fast as it can; the buyer, like an old
    // laptop, reads nothing meanwhile.
    let start = Instant::now();
    for n in 0..20_000 {
        assert!(
            vendor.try_send(ice(n)).await,
            "the server keeps reading the flood"
        );
    }
    let flood = start.elapsed();

    // The buyer is still in the room, and got no more than the allowance let through.
    let (got, ended) = drain(&mut buyer, Duration::from_millis(500)).await;
    assert_eq!(ended, None, "the buyer's connection stays open");
    assert!(
        got.iter().all(|m| m["type"] == "ice"),
        "nothing but relayed candidates reached the buyer: {:?}",
        got.iter().find(|m| m["type"] != "ice")
    );
    let allowed = 200.0 + 50.0 * (flood.as_secs_f64() + 1.0);
    assert!(
        (got.len() as f64) <= allowed && got.len() >= 200,
        "{} of 20,000 candidates relayed in {flood:?}; the allowance is {allowed}",
        got.len()
    );
    // The vendor was told, briefly.
    let (told, ended) = drain(&mut vendor, Duration::from_millis(500)).await;
    assert_eq!(ended, None);
    let refusals = told.iter().filter(|m| m["code"] == "rate_limited").count();
    assert!(refusals >= 1, "the flooder hears why: {told:?}");
    assert!(
        refusals <= 2 + flood.as_secs() as usize,
        "once a second, not once a message"
    );

    // Once it slows down, its signaling flows again, both ways.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    vendor
        .send(json!({"type": "answer", "sdp": "v=0 answer"}))
        .await;
    assert_eq!(buyer.recv_type("answer").await["sdp"], "v=0 answer");
    buyer
        .send(json!({"type": "offer", "sdp": "v=0 offer"}))
        .await;
    assert_eq!(vendor.recv_type("offer").await["sdp"], "v=0 offer");
}

/// A candidate of about 50 KiB (within the frame limit), so a few fill a socket's buffers.
fn big_ice(n: usize) -> Value {
    let mut v = ice(n);
    v["candidate"]["candidate"] = json!(format!("candidate:{n} {}", "x".repeat(50 * 1024)));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_stops_reading_is_closed_as_too_slow_and_the_other_side_sees_it_go() {
    // A small outbox (16, of which 2 are kept for the room's own messages) and an allowance
    // high enough that only reading decides what happens.
    let mut settings = test_settings();
    settings.server.outbox_messages = 16;
    settings.server.inbound_bytes_per_second = 1e12;
    settings.server.inbound_byte_burst = 1e12;
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
    let mut buyer = SignalClient::connect_small(&app.ws_url).await;
    buyer
        .send(json!({"type": "join", "v": 1, "token": app.token(BUYER_2), "meeting": "live-2"}))
        .await;
    assert_eq!(buyer.recv().await["type"], "joined");
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_2), "live-2").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    assert_eq!(vendor.recv_type("call_ready").await["offerer"], false);

    // The buyer stops reading. The vendor's big candidates fill the buyer's socket and then
    // the share of its outbox that relayed signaling may take; the rest is refused back.
    let mut refused = false;
    for n in 0..150 {
        vendor.send(big_ice(n)).await;
        if let Event::Message(m) = vendor.next_event(Duration::from_millis(20)).await {
            refused |= m["code"] == "rate_limited";
        }
    }
    assert!(refused, "the vendor was told the buyer is not keeping up");
    // The vendor leaves and comes back: the room's own messages for the buyer (peer_left,
    // peer_joined, call_ready) overflow what is kept for them, and the server gives up on
    // the buyer.
    let mut gone = false;
    for _ in 0..5 {
        vendor.send(json!({"type": "leave"})).await;
        let (v, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_2), "live-2").await;
        vendor = v;
        assert_eq!(joined["type"], "joined", "{joined}");
        if joined["peer_present"] == false {
            gone = true;
            break;
        }
    }
    assert!(gone, "the vendor finds the buyer gone from the room");

    // The buyer, reading again, gets what was on its way, then why it was closed, and the
    // close code for a connection too slow to read.
    let (got, ended) = drain(&mut buyer, Duration::from_secs(3)).await;
    let last = got.last().expect("the buyer hears something");
    assert_eq!(
        (
            last["type"].clone(),
            last["code"].clone(),
            last["fatal"].clone()
        ),
        (json!("error"), json!("too_slow"), json!(true)),
        "{last}"
    );
    assert_eq!(ended, Some(Some((4002, "too_slow".to_string()))));
    // And it may come back: the room takes it again.
    let (_buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_2), "live-2").await;
    assert_eq!(joined["type"], "joined");
    assert_eq!(vendor.recv_type("peer_joined").await["side"], "buyer");
}
