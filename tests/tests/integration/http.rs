//! The HTTP side: health, the participant's own view, role checks, the embedded client.

use sangdam_tests::app::{spawn_app, test_fair, BUYER_1, MODERATOR, STAFF, VENDOR_1};
use sangdam_tests::signal::SignalClient;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn health_answers_and_the_web_client_is_served() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status(), 200);
    let page = app.get("/", None).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("app.js"));
    assert_eq!(app.get("/app.js", None).await.status(), 200);
    assert_eq!(app.get("/nope.js", None).await.status(), 404);
}

#[tokio::test]
async fn a_buyer_sees_their_own_meetings_and_organisation() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = app.get("/api/me", Some(&app.token(BUYER_1))).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["participant"]["role"], "buyer");
    assert_eq!(me["organisation"]["kind_label"], "자치구");
    let ids: Vec<&str> = me["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["live-1", "later-1"]);
    assert_eq!(me["meetings"][0]["phase"], "live");
    assert_eq!(me["meetings"][1]["phase"], "scheduled");
    assert!(me["server_time"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn bad_or_missing_tokens_and_wrong_roles_get_clear_errors() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = app.get("/api/me", None).await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "token_invalid");

    let r = app.get("/api/me", Some("garbage")).await;
    assert_eq!(r.status(), 401);

    for who in [BUYER_1, VENDOR_1] {
        let r = app.get("/api/rooms", Some(&app.token(who))).await;
        assert_eq!(r.status(), 403);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "wrong_role");
        assert_eq!(
            app.get("/api/meetings", Some(&app.token(who)))
                .await
                .status(),
            403
        );
    }
}

#[tokio::test]
async fn moderators_see_who_is_in_each_room() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (_buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined");
    let rooms: Value = app
        .get("/api/rooms", Some(&app.token(MODERATOR)))
        .await
        .json()
        .await
        .unwrap();
    let live1 = rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting"]["id"] == "live-1")
        .expect("live-1 listed");
    assert_eq!(live1["buyer_present"], true);
    assert_eq!(live1["vendor_present"], false);
    assert_eq!(live1["meeting"]["phase"], "live");

    let all: Value = app
        .get("/api/meetings", Some(&app.token(STAFF)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["meetings"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn the_enum_labels_are_served_without_a_token() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = app.get("/api/labels", None).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["institution_types"][0],
        serde_json::json!({"code": "city_hall", "label": "본청", "label_en": "City hall"})
    );
    assert_eq!(v["enterprise_types"][0]["code"], "social_enterprise");
    assert_eq!(
        v["enterprise_types"][0]["label_en"],
        "(Pre-)certified social enterprise"
    );
    assert_eq!(v["outcomes"][0]["code"], "quote_requested");
    assert_eq!(
        v["phases"],
        serde_json::json!(["scheduled", "check-in", "live", "grace", "closed"])
    );
    assert_eq!(
        v["roles"],
        serde_json::json!(["buyer", "vendor", "moderator", "staff"])
    );
}
