//! The lobby as vendors and buyers reach it: over `/ws/lobby`, on the real server, with the
//! embedded store and with a real Redis that goes away and comes back.

use sangdam_tests::app::{
    now, spawn_app_with, test_fair, test_fair_at, test_settings, BUYER_1, STAFF, VENDOR_1, VENDOR_2,
};
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::time::Duration;

async fn hello(url: &str, token: &str) -> (SignalClient, Value) {
    let mut c = SignalClient::connect(url).await;
    c.send(json!({"type": "hello", "v": 1, "token": token}))
        .await;
    let first = c.recv().await;
    (c, first)
}

fn fast_settings() -> sangdam_server::app::settings::Settings {
    let mut s = test_settings();
    s.lobby.tick_seconds = 1;
    s
}

#[tokio::test]
async fn a_booked_vendor_waits_sees_their_place_and_is_let_in_at_the_slot_start() {
    let start = now() + Duration::from_secs(3);
    let app = spawn_app_with(
        fast_settings(),
        test_fair_at(start, Duration::from_secs(600)),
    )
    .await;
    let (mut vendor, welcome) = hello(&app.lobby_url(), &app.token(VENDOR_1)).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert_eq!(welcome["role"], "vendor");
    vendor
        .send(json!({"type": "check_in", "booth": "inst-1", "meeting": "live-1"}))
        .await;
    let status = loop {
        let s = vendor.recv_type("vendor_status").await;
        if !s["places"].as_array().unwrap().is_empty() {
            break s;
        }
    };
    let place = &status["places"][0];
    assert_eq!(place["position"], 1);
    assert_eq!(place["booth"]["name"], "서울특별시 종로구");
    assert!(place["estimated_wait_s"].as_u64().unwrap() <= 3, "{place}");

    // The buyer opens their booth page; at the slot start the vendor is admitted.
    let (mut buyer, welcome) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    assert_eq!(welcome["role"], "buyer");
    let booth = buyer.recv_type("booth_status").await;
    assert_eq!(booth["queue"][0]["vendor"], VENDOR_1, "{booth}");
    assert_eq!(
        booth["queue"][0]["enterprise"]["name"],
        "(주)함께만드는세상"
    );

    let admitted = vendor.recv_type("admitted").await;
    assert_eq!(admitted["room"]["meeting"], "live-1");
    assert!(
        sangdam_tests::app::now() >= start,
        "not before the slot start"
    );
    // The admission is good for the signaling room.
    let (_room, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["type"], "joined");
}

#[tokio::test]
async fn a_booked_vendor_is_let_in_at_the_slot_start_itself_not_at_the_next_periodic_tick() {
    // The periodic tick is an hour: only a wake at the slot start can admit in time.
    let mut settings = test_settings();
    settings.lobby.tick_seconds = 3600;
    let start = now() + Duration::from_secs(3);
    let app = spawn_app_with(settings, test_fair_at(start, Duration::from_secs(600))).await;
    let (mut vendor, _) = hello(&app.lobby_url(), &app.token(VENDOR_1)).await;
    vendor
        .send(json!({"type": "check_in", "booth": "inst-1", "meeting": "live-1"}))
        .await;
    let (_buyer, welcome) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    assert_eq!(welcome["role"], "buyer");
    assert!(now() < start, "the pair is there before the slot start");

    let admitted = vendor.recv_type("admitted").await;
    let at = now();
    assert_eq!(admitted["room"]["meeting"], "live-1");
    // Let in by the tick that woke for the slot start (an hour's tick would be far later).
    let since = admitted["room"]["since"].as_i64().unwrap() - start.as_millis();
    assert!(
        (0..1000).contains(&since),
        "admitted {since} ms after the slot start: {admitted}"
    );
    // The vendor's socket looks at least every second.
    assert!(
        at.since(start) < Duration::from_secs(3),
        "admitted {:?} after the slot start",
        at.since(start)
    );
}

#[tokio::test]
async fn a_walk_in_is_let_into_free_time_and_both_sides_meet_in_its_room() {
    // The only scheduled meetings are tomorrow or long past: the booth has free time.
    let app = spawn_app_with(
        fast_settings(),
        test_fair_at(
            now() + Duration::from_secs(86_400 * 2),
            Duration::from_secs(600),
        ),
    )
    .await;
    let (mut vendor, _) = hello(&app.lobby_url(), &app.token(VENDOR_2)).await;
    vendor
        .send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    let (mut buyer, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;

    let admitted = vendor.recv_type("admitted").await;
    let meeting = admitted["room"]["meeting"].as_str().unwrap().to_string();
    assert!(meeting.starts_with("w-inst-1-"), "{admitted}");
    assert_eq!(admitted["room"]["walk_in"], true);
    assert_eq!(
        buyer.recv_type("admitted").await["room"]["meeting"],
        meeting.as_str()
    );

    let (mut b, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), &meeting).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["meeting"]["enterprise"]["name"], "초록협동조합");
    let (mut v, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_2), &meeting).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(b.recv_type("call_ready").await["offerer"], true);
    assert_eq!(v.recv_type("call_ready").await["offerer"], false);

    // Someone not admitted cannot use that room.
    let (_x, refused) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), &meeting).await;
    assert_eq!(refused["code"], "unknown_meeting", "{refused}");
}

#[tokio::test]
async fn lobby_refusals_have_codes_and_keep_the_connection() {
    let app = spawn_app_with(fast_settings(), test_fair(Duration::from_secs(600))).await;
    let (mut vendor, _) = hello(&app.lobby_url(), &app.token(VENDOR_1)).await;
    for (msg, code) in [
        (json!({"type": "admit_next"}), "wrong_role"),
        (
            json!({"type": "check_in", "booth": "inst-2", "meeting": "live-1"}),
            "not_your_meeting",
        ),
        (
            json!({"type": "check_in", "booth": "inst-1", "meeting": "later-1"}),
            "not_your_meeting",
        ),
        (json!({"type": "fly"}), "unknown_type"),
        (json!({"type": "check_in"}), "bad_message"),
    ] {
        vendor.send(msg).await;
        let err = vendor.recv_type("error").await;
        assert_eq!(err["code"], code, "{err}");
        assert_eq!(err["fatal"], false);
    }
    vendor.send_text("{oops".into()).await;
    assert_eq!(vendor.recv_type("error").await["code"], "bad_json");
    vendor.send(json!({"type": "ping", "t": 1})).await;
    assert_eq!(vendor.recv_type("pong").await["t"], 1);

    let (mut buyer, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    buyer
        .send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    assert_eq!(buyer.recv_type("error").await["code"], "wrong_role");
    buyer.send(json!({"type": "send_back"})).await;
    assert_eq!(buyer.recv_type("error").await["code"], "nobody_in_room");

    let (mut staff, refused) = hello(&app.lobby_url(), &app.token(STAFF)).await;
    assert_eq!(refused["code"], "wrong_role");
    assert_eq!(refused["fatal"], true);
    assert!(staff.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_goes_away_live_rooms_go_on_and_the_lobby_says_unavailable_until_it_returns() {
    let mut redis = RedisServer::start();
    let mut settings = fast_settings();
    settings.redis.url = sangdam_server::app::settings::Secret::new(redis.url());
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
    assert_eq!(app.get("/readyz", None).await.status(), 200);

    // A live room, and a vendor in the lobby.
    let (mut b, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (mut v, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    b.recv_type("call_ready").await;
    v.recv_type("call_ready").await;
    let (mut lobby, _) = hello(&app.lobby_url(), &app.token(VENDOR_2)).await;

    redis.stop();
    lobby
        .send(json!({"type": "check_in", "booth": "inst-2"}))
        .await;
    let err = lobby.recv_type("error").await;
    assert_eq!(err["code"], "temporarily_unavailable", "{err}");
    assert_eq!(err["fatal"], false);
    assert_eq!(
        app.get("/healthz", None).await.status(),
        200,
        "liveness ignores Redis"
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["error"]["code"], "temporarily_unavailable");

    // The room's peers still reach each other.
    b.send(json!({"type": "offer", "sdp": "v=0 during outage"}))
        .await;
    assert_eq!(v.recv_type("offer").await["sdp"], "v=0 during outage");

    // Redis returns: no restart needed.
    redis.restart();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.get("/readyz", None).await.status() != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "ready again after Redis returns"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lobby
        .send(json!({"type": "check_in", "booth": "inst-2"}))
        .await;
    let status = loop {
        let s = lobby.recv_type("vendor_status").await;
        if !s["places"].as_array().unwrap().is_empty() {
            break s;
        }
    };
    assert_eq!(status["places"][0]["position"], 1);
}

#[tokio::test]
async fn a_meeting_scoped_token_waits_for_its_meeting_only_and_does_not_run_the_queue() {
    let app = spawn_app_with(fast_settings(), test_fair(Duration::from_secs(600))).await;
    let (mut vendor, welcome) =
        hello(&app.lobby_url(), &app.token_for_meeting(VENDOR_1, "live-1")).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    for msg in [
        json!({"type": "check_in", "booth": "inst-2"}),
        json!({"type": "check_in", "booth": "inst-1", "meeting": "later-1"}),
    ] {
        vendor.send(msg).await;
        let err = vendor.recv_type("error").await;
        assert_eq!(err["code"], "token_wrong_meeting", "{err}");
        assert_eq!(err["fatal"], false);
    }
    vendor
        .send(json!({"type": "check_in", "booth": "inst-1", "meeting": "live-1"}))
        .await;
    loop {
        let status = vendor.recv_type("vendor_status").await;
        if status["places"].as_array().is_some_and(|p| !p.is_empty())
            || status["in_room"].is_object()
        {
            break;
        }
    }

    let (mut buyer, _) = hello(&app.lobby_url(), &app.token_for_meeting(BUYER_1, "live-1")).await;
    for msg in [json!({"type": "admit_next"}), json!({"type": "send_back"})] {
        buyer.send(msg).await;
        let err = buyer.recv_type("error").await;
        assert_eq!(err["code"], "token_wrong_meeting", "{err}");
    }
    // A walk-in waiting at the same booth is not shown to the scoped buyer, whose token
    // does not keep the booth for the booth's other meetings either.
    let (mut walk_in, _) = hello(&app.lobby_url(), &app.token(VENDOR_2)).await;
    walk_in
        .send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    loop {
        let s = walk_in.recv_type("vendor_status").await;
        if s["places"].as_array().is_some_and(|p| !p.is_empty()) {
            break;
        }
    }
    let (mut fresh, _) = hello(&app.lobby_url(), &app.token_for_meeting(BUYER_1, "live-1")).await;
    let status = fresh.recv_type("booth_status").await;
    let vendors: Vec<&str> = status["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["vendor"].as_str().unwrap())
        .collect();
    assert!(!vendors.contains(&VENDOR_2), "{status}");
}

#[tokio::test]
async fn closing_one_of_a_vendors_two_lobby_tabs_leaves_them_connected_in_the_queue() {
    let app = spawn_app_with(fast_settings(), test_fair(Duration::from_secs(600))).await;
    let (mut tab1, _) = hello(&app.lobby_url(), &app.token(VENDOR_2)).await;
    tab1.send(json!({"type": "check_in", "booth": "inst-1"}))
        .await;
    let (tab2, _) = hello(&app.lobby_url(), &app.token(VENDOR_2)).await;
    let (mut buyer, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    // The buyer sees the vendor waiting, connected.
    let waiting = |status: &Value| -> Option<bool> {
        status["queue"]
            .as_array()?
            .iter()
            .find(|w| w["vendor"] == "vendor-2")
            .map(|w| w["disconnected"] == false)
    };
    loop {
        let s = buyer.recv_type("booth_status").await;
        if waiting(&s) == Some(true) {
            break;
        }
    }
    tab1.close().await;
    // Give the server time to handle the close, then read the booth as it is now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (mut fresh, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    let status = fresh.recv_type("booth_status").await;
    assert_eq!(waiting(&status), Some(true), "{status}");
    // Closing the last tab does disconnect them.
    tab2.close().await;
    loop {
        let s = buyer.recv_type("booth_status").await;
        if waiting(&s) == Some(false) {
            break;
        }
    }
}

#[tokio::test]
async fn the_booth_stays_taken_while_its_room_is_in_grace_and_is_free_when_it_closes() {
    let start = now() + Duration::from_secs(2);
    let mut settings = fast_settings();
    settings.rooms.grace_seconds = 3;
    settings.rooms.warning_minutes = vec![];
    let app = spawn_app_with(settings, test_fair_at(start, Duration::from_secs(2))).await;
    let (mut vendor, _) = hello(&app.lobby_url(), &app.token(VENDOR_1)).await;
    vendor
        .send(json!({"type": "check_in", "booth": "inst-1", "meeting": "live-1"}))
        .await;
    let (mut buyer, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    assert_eq!(
        vendor.recv_type("admitted").await["room"]["meeting"],
        "live-1"
    );
    // Both sides in the room, until it goes into its grace after the slot's end.
    let (mut room, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (_vroom, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    loop {
        if room.recv_type("phase").await["phase"] == "grace" {
            break;
        }
    }
    // Halfway through the grace (the lobby ticks every second), the buyer's booth still
    // shows the meeting as current...
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (mut fresh, _) = hello(&app.lobby_url(), &app.token(BUYER_1)).await;
    let status = fresh.recv_type("booth_status").await;
    assert_eq!(status["current"]["meeting"], "live-1", "{status}");
    // ...until the room has closed.
    assert_eq!(room.recv_type("closed").await["reason"], "timer");
    loop {
        let s = buyer.recv_type("booth_status").await;
        if s["current"].is_null() {
            break;
        }
    }
}
