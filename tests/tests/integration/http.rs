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
async fn labels_are_public_and_name_every_type_outcome_and_phase_in_both_languages() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = app.get("/api/labels", None).await;
    assert_eq!(r.status(), 200);
    let labels: Value = r.json().await.unwrap();
    let codes = |key: &str| -> Vec<String> {
        labels[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing: {labels}"))
            .iter()
            .map(|l| {
                assert!(
                    !l["label"].as_str().unwrap().is_empty()
                        && !l["label_en"].as_str().unwrap().is_empty(),
                    "{l}"
                );
                l["code"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(
        codes("institution_types"),
        ["city_hall", "district", "city_funded", "education", "other"]
    );
    assert_eq!(
        codes("enterprise_types"),
        [
            "social_enterprise",
            "cooperative",
            "village_enterprise",
            "other"
        ]
    );
    assert_eq!(
        codes("outcomes"),
        [
            "quote_requested",
            "sample_requested",
            "contract_review",
            "none"
        ]
    );
    assert_eq!(labels["institution_types"][1]["label"], "자치구");
    assert_eq!(
        labels["institution_types"][1]["label_en"],
        "District office"
    );
    assert_eq!(
        labels["phases"],
        serde_json::json!(["scheduled", "check-in", "live", "grace", "closed"])
    );
    assert_eq!(
        labels["roles"],
        serde_json::json!(["buyer", "vendor", "moderator", "staff"])
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_api_and_errors_included() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    for (path, token) in [
        ("/", None),
        ("/app.js", None),
        ("/nope.js", None),
        ("/healthz", None),
        ("/api/labels", None),
        ("/api/me", None),
        ("/api/me", Some(app.token(BUYER_1))),
        ("/api/report", Some(app.token(BUYER_1))),
    ] {
        let r = app.get(path, token.as_deref()).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
    // The page itself has no inline script for the policy to refuse.
    let page = app.get("/", None).await.text().await.unwrap();
    for tag in page.split("<script").skip(1) {
        assert!(
            tag.trim_start().contains("src="),
            "inline script in index.html: {tag}"
        );
    }
}

#[tokio::test]
async fn a_meetings_window_says_when_an_absent_side_becomes_a_no_show() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let me: Value = app
        .get("/api/me", Some(&app.token(BUYER_1)))
        .await
        .json()
        .await
        .unwrap();
    let w = &me["meetings"][0]["window"];
    assert_eq!(
        w["no_show_at"].as_i64(),
        w["starts_at"].as_i64().map(|t| t + 5 * 60 * 1000),
        "{w}"
    );
    let (_c, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["window"], *w);
}
