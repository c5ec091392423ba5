//! Joins that must be refused, each with its own code, without disturbing anyone already in
//! the room.

use sangdam_tests::app::{
    issuer, spawn_app, test_fair, TestApp, BUYER_1, BUYER_2, MODERATOR, STAFF, VENDOR_1, VENDOR_2,
};
use sangdam_tests::signal::SignalClient;
use serde_json::Value;
use std::time::Duration;

async fn refused(app: &TestApp, token: &str, meeting: &str) -> Value {
    let (mut c, first) = SignalClient::join(&app.ws_url, token, meeting).await;
    assert_eq!(first["type"], "error", "{first}");
    assert_eq!(first["fatal"], true, "{first}");
    assert!(
        !first["message"].as_str().unwrap_or_default().is_empty(),
        "a refusal explains itself: {first}"
    );
    assert!(
        c.closed_within(Duration::from_secs(5)).await,
        "the server closes a refused connection"
    );
    first
}

fn b64(v: &Value) -> String {
    use std::fmt::Write;
    // base64url without padding, written out so the test does not trust the JWT library.
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = v.to_string().into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            let _ = out.write_char(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn each_bad_join_gets_its_code_and_the_room_is_undisturbed() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let (mut buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined");

    // A token scoped to another meeting.
    let scoped = app.token_for_meeting(BUYER_1, "later-1");
    assert_eq!(
        refused(&app, &scoped, "live-1").await["code"],
        "token_wrong_meeting"
    );

    // An expired token, correctly signed.
    let mut claims = app.claims(VENDOR_1);
    claims.iat -= 7200;
    claims.exp = claims.iat + 60;
    let expired = app.issuer.sign(&claims);
    assert_eq!(
        refused(&app, &expired, "live-1").await["code"],
        "token_expired"
    );

    // alg: none, with otherwise perfect claims.
    let claims = serde_json::to_value(app.claims(VENDOR_1)).unwrap();
    let unsigned = format!(
        "{}.{}.",
        b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    assert_eq!(
        refused(&app, &unsigned, "live-1").await["code"],
        "token_invalid"
    );

    // Signed with another key.
    let forger = issuer(&app.settings, "another-secret-just-as-long-0123456789abc");
    let forged = forger.sign(&app.claims(VENDOR_1));
    assert_eq!(
        refused(&app, &forged, "live-1").await["code"],
        "token_invalid"
    );

    // For another audience.
    let mut claims = app.claims(VENDOR_1);
    claims.aud = "some-other-service".into();
    assert_eq!(
        refused(&app, &app.issuer.sign(&claims), "live-1").await["code"],
        "token_invalid"
    );

    // Garbage.
    assert_eq!(
        refused(&app, "not.a.jwt", "live-1").await["code"],
        "token_invalid"
    );

    // A vendor whose enterprise is not in this meeting.
    assert_eq!(
        refused(&app, &app.token(VENDOR_2), "live-1").await["code"],
        "not_your_meeting"
    );

    // A role that takes no side (a moderator steps in as a third party: the moderation
    // tests), and a moderator's token scoped to another meeting.
    assert_eq!(
        refused(&app, &app.token_for_meeting(MODERATOR, "live-2"), "live-1").await["code"],
        "token_wrong_meeting"
    );
    assert_eq!(
        refused(&app, &app.token(STAFF), "live-1").await["code"],
        "wrong_role"
    );

    // A meeting that does not exist.
    assert_eq!(
        refused(&app, &app.token(BUYER_1), "no-such-meeting").await["code"],
        "unknown_meeting"
    );

    // A token whose role was changed by hand (the signature no longer matches)...
    let token = app.token(VENDOR_2);
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let mut claims = serde_json::to_value(app.claims(VENDOR_2)).unwrap();
    claims["org"] = "enterprise:ent-1".into();
    parts[1] = b64(&claims);
    assert_eq!(
        refused(&app, &parts.join("."), "live-1").await["code"],
        "token_invalid"
    );
    // ...and one correctly signed but naming an organisation the participant is not in.
    let mut claims = app.claims(VENDOR_2);
    claims.org = "enterprise:ent-1".into();
    assert_eq!(
        refused(&app, &app.issuer.sign(&claims), "live-1").await["code"],
        "unknown_participant"
    );

    // None of that reached the buyer waiting in the room...
    assert_eq!(buyer.try_recv(Duration::from_millis(300)).await, None);
    // ...and the real vendor still gets in.
    let (_vendor, joined) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(joined["type"], "joined");
    assert_eq!(buyer.recv_type("peer_joined").await["side"], "vendor");
}

#[tokio::test]
async fn joins_outside_the_slot_are_refused_with_a_clear_error() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;

    let early = refused(&app, &app.token(BUYER_1), "later-1").await;
    assert_eq!(early["code"], "too_early");
    assert!(
        early["message"].as_str().unwrap().contains("KST"),
        "{early}"
    );

    let late = refused(&app, &app.token(BUYER_2), "past-1").await;
    assert_eq!(late["code"], "room_closed");

    // The same participants are still welcome in their live meetings.
    let (_c, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_2), "live-2").await;
    assert_eq!(joined["type"], "joined");
}

#[tokio::test]
async fn tokens_not_yet_valid_or_issued_in_the_future_are_refused_beyond_a_small_leeway() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let leeway = sangdam_server::auth::CLOCK_SKEW_LEEWAY_S as i64;

    // Issued an hour from now, correctly signed.
    let mut claims = app.claims(VENDOR_1);
    claims.iat += 3600;
    claims.exp += 3600;
    let future = refused(&app, &app.issuer.sign(&claims), "live-1").await;
    assert_eq!(future["code"], "token_invalid");
    assert!(
        future["message"].as_str().unwrap().contains("future"),
        "{future}"
    );

    // Not valid before a minute from now.
    let mut claims = app.claims(VENDOR_1);
    claims.nbf = Some(claims.iat + 60);
    let early = refused(&app, &app.issuer.sign(&claims), "live-1").await;
    assert_eq!(early["code"], "token_invalid");
    assert!(
        early["message"].as_str().unwrap().contains("not valid yet"),
        "{early}"
    );

    // The same over HTTP.
    let r = app.get("/api/me", Some(&app.issuer.sign(&claims))).await;
    assert_eq!(r.status(), 401);

    // A clock a little behind the issuer's is fine: issued and valid from within the leeway.
    let mut claims = app.claims(VENDOR_1);
    claims.iat += leeway - 2;
    claims.nbf = Some(claims.iat);
    let (_c, joined) = SignalClient::join(&app.ws_url, &app.issuer.sign(&claims), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
}
