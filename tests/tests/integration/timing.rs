//! Rooms on real time: a short slot opens, warns and closes by the server's clock. (The
//! exact boundaries are tested in the core with explicit timestamps; here the server's room
//! task must act on them.)

use sangdam_tests::app::{now, spawn_app_with, test_fair_at, test_settings, BUYER_1, VENDOR_1};
use sangdam_tests::signal::SignalClient;
use std::time::Duration;

#[tokio::test]
async fn a_room_waits_in_check_in_goes_live_and_closes_at_the_slot_end() {
    let mut settings = test_settings();
    settings.rooms.grace_seconds = 0;
    settings.rooms.warning_minutes = vec![];
    // Live in 3 s (time enough to join during check-in on a loaded machine), for 2 s.
    let start = now() + Duration::from_millis(3000);
    let app = spawn_app_with(settings, test_fair_at(start, Duration::from_secs(2))).await;

    let (mut buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["phase"], "check-in", "{joined}");
    assert_eq!(joined["window"]["starts_at"], start.as_millis());
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("peer_joined").await["side"], "vendor");

    // No call before the slot starts; then the room goes live and the call is ready.
    let live = buyer.recv_type("phase").await;
    assert_eq!(live["phase"], "live");
    assert_eq!(live["at"], start.as_millis());
    assert!(now() >= start, "live is announced at the start, not before");
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    assert_eq!(vendor.recv_type("call_ready").await["offerer"], false);

    let closed = vendor.recv_type("closed").await;
    assert_eq!(closed["reason"], "timer");
    assert!(closed["server_time"].as_i64().unwrap() >= start.as_millis() + 2000);
    assert_eq!(buyer.recv_type("closed").await["reason"], "timer");
    assert!(buyer.closed_within(Duration::from_secs(5)).await);
    assert!(vendor.closed_within(Duration::from_secs(5)).await);

    // A closed room stays closed.
    let (mut late, first) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(first["code"], "room_closed", "{first}");
    assert!(late.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_pair_waiting_in_the_room_gets_call_ready_at_the_slot_start_itself() {
    // The lobby's periodic tick is an hour: the room's own timer starts the call.
    let mut settings = test_settings();
    settings.lobby.tick_seconds = 3600;
    let start = now() + Duration::from_millis(3000);
    let app = spawn_app_with(settings, test_fair_at(start, Duration::from_secs(600))).await;
    let (mut buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["phase"], "check-in", "{joined}");
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert!(now() < start, "both are in before the start");

    for (name, side) in [("buyer", &mut buyer), ("vendor", &mut vendor)] {
        side.recv_type("call_ready").await;
        let at = now();
        assert!(at >= start, "{name}: call_ready before the slot start");
        assert!(
            at.since(start) < Duration::from_secs(1),
            "{name}: call_ready {:?} after the slot start",
            at.since(start)
        );
    }
}

#[tokio::test]
async fn warnings_reach_both_sides_with_the_time_left() {
    let mut settings = test_settings();
    settings.rooms.grace_seconds = 0;
    // A two-minute slot that started 57 s ago: its one-minute warning is due in 3 s, time
    // enough for both sides to join first on a loaded machine.
    settings.rooms.warning_minutes = vec![1];
    let start = now() - Duration::from_millis(57_000);
    let app = spawn_app_with(settings, test_fair_at(start, Duration::from_secs(120))).await;
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    let w = buyer.recv_type("warning").await;
    assert_eq!(w["remaining_s"], 60);
    assert_eq!(vendor.recv_type("warning").await["remaining_s"], 60);
}
