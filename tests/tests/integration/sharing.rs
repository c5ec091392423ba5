//! What the sides shared in a room, for the record: the `sharing` message over the real
//! signaling socket — a side reports only its own facts, counts stay within the fair's
//! limit and only grow, a moderator's report is refused, each refusal with its code — and
//! the record, the staff's log, its CSV export and the report afterwards.

use sangdam_server::journal::CONSULTATIONS_FILE;
use sangdam_tests::app::{
    spawn_app_with, test_fair, test_settings, TestApp, BUYER_1, MODERATOR, STAFF, VENDOR_1,
};
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// The next `error` a client hears (skipping relays, phases and the like).
async fn refusal(c: &mut SignalClient) -> Value {
    c.recv_type("error").await
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r
}

#[tokio::test]
async fn the_record_notes_a_shared_screen_and_the_files_sent_and_nothing_a_side_may_not_say() {
    let mut settings = test_settings();
    settings.rooms.files_per_meeting = 3;
    settings.rooms.file_max_bytes = 5 * 1024 * 1024;
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;

    // The limits reach the clients in `joined`.
    let (mut buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(
        joined["files"],
        json!({"max_bytes": 5 * 1024 * 1024, "max_count": 3}),
        "{joined}"
    );
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;

    // The vendor shared its screen and sent a file: accepted without an answer. (Requests
    // are handled in order: had it been refused, its error would come before the next.)
    vendor
        .send(json!({"type": "sharing", "screen_shared": true, "files_sent": 1, "id": "s1"}))
        .await;
    for (report, code, id) in [
        // Fewer files than already reported.
        (
            json!({"screen_shared": true, "files_sent": 0}),
            "bad_report",
            "s2",
        ),
        // Over the fair's limit of 3.
        (
            json!({"screen_shared": true, "files_sent": 4}),
            "bad_report",
            "s3",
        ),
        // A shared screen taken back.
        (
            json!({"screen_shared": false, "files_sent": 1}),
            "bad_report",
            "s4",
        ),
        // About someone else: the seat is the connection's, a side field is not a field.
        (
            json!({"screen_shared": true, "files_sent": 1, "side": "buyer"}),
            "bad_message",
            "s5",
        ),
        (
            json!({"screen_shared": true, "files_sent": -1}),
            "bad_message",
            "s6",
        ),
    ] {
        let mut msg = report.clone();
        msg["type"] = json!("sharing");
        msg["id"] = json!(id);
        vendor.send(msg).await;
        let e = refusal(&mut vendor).await;
        assert_eq!(
            (e["code"].as_str(), e["id"].as_str(), e["fatal"].as_bool()),
            (Some(code), Some(id), Some(false)),
            "{report}: {e}"
        );
        assert!(!e["message"].as_str().unwrap_or("").is_empty(), "{e}");
    }
    // The refusals changed nothing and left the connection up; the same report again is
    // taken (it restates the meeting so far).
    vendor
        .send(json!({"type": "sharing", "screen_shared": true, "files_sent": 1}))
        .await;
    vendor.send(json!({"type": "ping", "t": 1})).await;
    assert_eq!(vendor.recv_type("pong").await["t"], 1);

    // The buyer sent a file too; a buyer's report is about the buyer only.
    buyer
        .send(json!({"type": "sharing", "screen_shared": false, "files_sent": 1}))
        .await;

    // A moderator in the room reports nothing onto the meeting's record.
    let (mut moderator, mj) =
        SignalClient::join(&app.ws_url, &app.token(MODERATOR), "live-1").await;
    assert_eq!(mj["you"]["side"], "moderator", "{mj}");
    moderator
        .send(json!({"type": "sharing", "screen_shared": true, "files_sent": 3, "id": "m1"}))
        .await;
    let e = refusal(&mut moderator).await;
    assert_eq!(
        (e["code"].as_str(), e["id"].as_str(), e["fatal"].as_bool()),
        (Some("wrong_role"), Some("m1"), Some(false)),
        "{e}"
    );

    // The moderator ends the meeting; the record is on disk before anyone hears `closed`.
    let r = reqwest::Client::new()
        .post(format!("{}/api/moderation/rooms/live-1", app.base_url))
        .bearer_auth(app.token(MODERATOR))
        .json(&json!({"action": "end"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(vendor.recv_type("closed").await["reason"], "moderator");
    assert_eq!(buyer.recv_type("closed").await["reason"], "moderator");

    let text =
        std::fs::read_to_string(PathBuf::from(&app.settings.records.dir).join(CONSULTATIONS_FILE))
            .unwrap();
    let record: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["meeting"] == "live-1")
        .expect("live-1 is on record");
    assert_eq!(record["screen_shared"], true, "{record}");
    assert_eq!(record["files_sent"], 2, "{record}");
    // Only the facts: nothing of a chat, a file's name or its bytes could be there.
    let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("chat") || k.contains("file_name")),
        "{keys:?}"
    );

    // The staff's log, its export and the report say the same.
    let staff = app.token(STAFF);
    let log: Value = get(&app, "/api/log", &staff).await.json().await.unwrap();
    let row = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting"] == "live-1")
        .expect("live-1 in the log")
        .clone();
    assert_eq!(
        (row["screen_shared"].as_bool(), row["files_sent"].as_u64()),
        (Some(true), Some(2))
    );
    let csv = get(&app, "/api/log.csv", &staff)
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let live = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|cells| cells.contains(&"live-1"))
        .expect("live-1 in the CSV");
    assert_eq!(live[at("화면 공유")], "예");
    assert_eq!(live[at("보낸 파일 수")], "2");
    let report: Value = get(&app, "/api/report", &staff).await.json().await.unwrap();
    assert_eq!(report["totals"]["screen_shares"], 1, "{}", report["totals"]);
    assert_eq!(report["totals"]["files_sent"], 2, "{}", report["totals"]);
}

#[tokio::test]
async fn a_report_before_joining_is_refused_and_a_meeting_without_sharing_records_none() {
    let app = spawn_app_with(test_settings(), test_fair(Duration::from_secs(600))).await;
    let mut early = SignalClient::connect(&app.ws_url).await;
    early
        .send(json!({"type": "sharing", "screen_shared": true, "files_sent": 1, "id": 7}))
        .await;
    let e = refusal(&mut early).await;
    assert_eq!(
        (e["code"].as_str(), e["id"].as_i64()),
        (Some("not_joined"), Some(7)),
        "{e}"
    );

    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/moderation/rooms/live-1", app.base_url))
        .bearer_auth(app.token(MODERATOR))
        .json(&json!({"action": "end"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    vendor.recv_type("closed").await;
    buyer.recv_type("closed").await;
    let log: Value = get(&app, "/api/log", &app.token(STAFF))
        .await
        .json()
        .await
        .unwrap();
    let row = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting"] == "live-1")
        .expect("live-1 in the log")
        .clone();
    assert_eq!(
        (row["screen_shared"].as_bool(), row["files_sent"].as_u64()),
        (Some(false), Some(0))
    );
}

/// The two-node test's relay: `from` sends an offer, `to` (on the other node) receives it.
/// Relays and sharing reports leave a node's copy of the room in one ordered queue, so once
/// the offer is through, the other node's copy has heard every report made before it.
async fn relay(from: &mut SignalClient, to: &mut SignalClient, sdp: &str) {
    from.send(json!({"type": "offer", "sdp": sdp})).await;
    loop {
        let m = to.recv_type("offer").await;
        if m["sdp"] == sdp {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_made_on_one_node_reaches_the_record_written_by_the_other() {
    use sangdam_server::app::settings::Secret;
    use sangdam_tests::redis_server::RedisServer;
    let redis = RedisServer::start();
    let shared = || {
        let mut s = test_settings();
        s.redis.url = Secret::new(redis.url());
        s
    };
    let fair = test_fair(Duration::from_secs(600));
    let a = spawn_app_with(shared(), fair.clone()).await;
    let b = spawn_app_with(shared(), fair).await;
    // The buyer on node A, the vendor on node B, in a call.
    let (mut buyer, _) = SignalClient::join(&a.ws_url, &a.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&b.ws_url, &b.token(VENDOR_1), "live-1").await;
    vendor.recv_type("call_ready").await;
    buyer.recv_type("call_ready").await;

    // Each reports on its own node; a relay behind each report makes sure the other node's
    // copy has it.
    vendor
        .send(json!({"type": "sharing", "screen_shared": true, "files_sent": 1}))
        .await;
    relay(&mut vendor, &mut buyer, "v=0 after the vendor's report").await;
    buyer
        .send(json!({"type": "sharing", "screen_shared": false, "files_sent": 2}))
        .await;
    relay(&mut buyer, &mut vendor, "v=0 after the buyer's report").await;

    // Ended on node A: A's copy, which has the vendor's report only from node B, closes
    // first and most likely writes the record; either copy must write the same.
    let r = reqwest::Client::new()
        .post(format!("{}/api/moderation/rooms/live-1", a.base_url))
        .bearer_auth(a.token(MODERATOR))
        .json(&json!({"action": "end"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    buyer.recv_type("closed").await;
    vendor.recv_type("closed").await;
    for node in [&a, &b] {
        let log: Value = get(node, "/api/log", &node.token(STAFF))
            .await
            .json()
            .await
            .unwrap();
        let row = log["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["meeting"] == "live-1")
            .expect("live-1 in the log")
            .clone();
        assert_eq!(
            (row["screen_shared"].as_bool(), row["files_sent"].as_u64()),
            (Some(true), Some(3)),
            "{row}"
        );
    }
}
