//! Bad frames: each gets an error with its code; the sender's connection and the other
//! peer carry on as if nothing happened.

use sangdam_tests::app::{spawn_app, test_fair, BUYER_2, VENDOR_2};
use sangdam_tests::signal::{in_a_call, SignalClient};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn malformed_unknown_and_oversized_frames_get_errors_and_disturb_nobody() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, mut vendor) = in_a_call(
        &app.ws_url,
        &app.token(BUYER_2),
        &app.token(VENDOR_2),
        "live-2",
    )
    .await;

    let cases: Vec<(String, &str)> = vec![
        ("{\"type\": \"offer\", \"sdp\": ".into(), "bad_json"),
        ("[\"offer\"]".into(), "bad_json"),
        (json!({"type": "teleport"}).to_string(), "unknown_type"),
        (json!({"type": "offer"}).to_string(), "bad_message"),
        // Identity never comes from a payload: a field claiming another sender is refused.
        (
            json!({"type": "offer", "sdp": "v=0", "from": "buyer"}).to_string(),
            "bad_message",
        ),
        (
            json!({"type": "ice", "candidate": "not an object"}).to_string(),
            "bad_message",
        ),
        (
            json!({"type": "join", "v": 1, "token": "x", "meeting": "live-2"}).to_string(),
            "already_joined",
        ),
        (
            json!({"type": "offer", "sdp": "x".repeat(100 * 1024)}).to_string(),
            "frame_too_large",
        ),
    ];
    for (frame, code) in cases {
        vendor.send_text(frame).await;
        let err = vendor.recv().await;
        assert_eq!(err["type"], "error", "{err}");
        assert_eq!(err["code"], code, "{err}");
        assert_eq!(err["fatal"], false, "{err}");
    }
    vendor.send_binary(vec![0, 1, 2]).await;
    assert_eq!(vendor.recv().await["code"], "binary_frame");

    // The buyer saw none of it, and both directions still relay.
    assert_eq!(buyer.try_recv(Duration::from_millis(300)).await, None);
    buyer
        .send(json!({"type": "offer", "sdp": "v=0 offer"}))
        .await;
    // Relayed as sent, with the seat the server knows sent it.
    assert_eq!(
        vendor.recv().await,
        json!({"type": "offer", "sdp": "v=0 offer", "from": "buyer"})
    );
    vendor
        .send(json!({"type": "answer", "sdp": "v=0 answer"}))
        .await;
    assert_eq!(
        buyer.recv().await,
        json!({"type": "answer", "sdp": "v=0 answer", "from": "vendor"})
    );
    let cand = json!({"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    vendor.send(json!({"type": "ice", "candidate": cand})).await;
    assert_eq!(
        buyer.recv().await,
        json!({"type": "ice", "candidate": cand, "from": "vendor"})
    );
}

#[tokio::test]
async fn a_frame_beyond_the_hard_limit_drops_only_its_sender() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_2), "live-2").await;
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_2), "live-2").await;
    buyer.recv_type("call_ready").await;
    vendor.recv_type("call_ready").await;

    vendor
        .send_text(json!({"type": "offer", "sdp": "x".repeat(1024 * 1024)}).to_string())
        .await;
    assert!(vendor.closed_within(Duration::from_secs(5)).await);
    assert_eq!(buyer.recv_type("peer_left").await["side"], "vendor");

    // The room is intact: the vendor comes back and the call is ready again.
    let (_vendor, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_2), "live-2").await;
    assert_eq!(joined["type"], "joined");
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
}

#[tokio::test]
async fn signaling_before_join_or_without_the_other_side_is_refused() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let mut c = SignalClient::connect(&app.ws_url).await;
    c.send(json!({"type": "offer", "sdp": "v=0"})).await;
    assert_eq!(c.recv().await["code"], "not_joined");
    c.send(json!({"type": "ping", "t": 42})).await;
    let pong = c.recv().await;
    assert_eq!(pong["type"], "pong");
    assert_eq!(pong["t"], 42);
    let server = pong["server_time"].as_i64().unwrap();
    let local = sangdam_tests::app::now().as_millis();
    assert!(
        (server - local).abs() < 5_000,
        "server clock {server} vs {local}"
    );

    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_2), "live-2").await;
    buyer.send(json!({"type": "offer", "sdp": "v=0"})).await;
    let err = buyer.recv().await;
    assert_eq!(err["code"], "not_live", "{err}");
    assert_eq!(err["fatal"], false);
}

#[tokio::test]
async fn field_less_messages_refuse_unknown_fields_and_a_null_candidate_is_ignored() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, mut vendor) = in_a_call(
        &app.ws_url,
        &app.token(BUYER_2),
        &app.token(VENDOR_2),
        "live-2",
    )
    .await;

    // A `leave` carrying a field is refused, not obeyed: the vendor stays in the room.
    vendor.send(json!({"type": "leave", "reason": "x"})).await;
    let err = vendor.recv().await;
    assert_eq!(
        (err["code"].as_str(), &err["fatal"]),
        (Some("bad_message"), &json!(false))
    );
    // The end-of-candidates marker is taken quietly and not relayed.
    vendor.send(json!({"type": "ice", "candidate": null})).await;
    assert_eq!(vendor.try_recv(Duration::from_millis(300)).await, None);
    assert_eq!(buyer.try_recv(Duration::from_millis(300)).await, None);
    // Both are still in the room.
    buyer.send(json!({"type": "offer", "sdp": "v=0"})).await;
    assert_eq!(vendor.recv().await["type"], "offer");
}

#[tokio::test]
async fn a_refusal_echoes_the_id_of_the_request_it_refuses() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    // Alone in the room: an offer goes nowhere, and its refusal names it.
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_2), "live-2").await;
    buyer
        .send(json!({"type": "offer", "sdp": "v=0", "id": "offer-1"}))
        .await;
    let err = buyer.recv_type("error").await;
    assert_eq!(
        (err["code"].as_str(), &err["id"]),
        (Some("not_live"), &json!("offer-1"))
    );
    // A bad message with an id, and one without: only the first is named.
    buyer.send(json!({"type": "offer", "id": 7})).await;
    let err = buyer.recv_type("error").await;
    assert_eq!(
        (err["code"].as_str(), &err["id"]),
        (Some("bad_message"), &json!(7))
    );
    buyer.send(json!({"type": "offer"})).await;
    assert!(buyer.recv_type("error").await.get("id").is_none());
    // An id that is neither a short string nor an integer is itself refused.
    buyer.send(json!({"type": "ping", "id": {"x": 1}})).await;
    assert_eq!(buyer.recv_type("error").await["code"], "bad_message");
    // The same on the lobby.
    let mut vendor = SignalClient::connect(&app.lobby_url()).await;
    vendor
        .send(json!({"type": "hello", "v": 1, "token": app.token(VENDOR_2)}))
        .await;
    assert_eq!(vendor.recv_type("welcome").await["type"], "welcome");
    vendor
        .send(json!({"type": "check_in", "booth": "nowhere", "id": "c-1"}))
        .await;
    let err = vendor.recv_type("error").await;
    assert_eq!(
        (err["code"].as_str(), &err["id"]),
        (Some("unknown_booth"), &json!("c-1"))
    );
}
