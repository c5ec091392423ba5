//! Staff revoke a participant's link: every token signed before is refused on the API,
//! `/ws`, `/ws/lobby` and `/ws/board` with `token_revoked`, on every node and after a
//! restart; the participant's open sockets close while everyone else's stay; the fresh link
//! works. And a participant's reminder opt-out, kept in the same store.

use sangdam_server::app::settings::{Secret, Settings};
use sangdam_server::files::fair::write_fair_dir;
use sangdam_server::people::redis::RedisPeople;
use sangdam_server::people::PeopleStore;
use sangdam_signaling::ParticipantId;
use sangdam_tests::app::{
    issuer, now, spawn_app_with, temp_dir, test_fair, test_settings, TestApp, BUYER_1, BUYER_2,
    MODERATOR, SECRET, STAFF, VENDOR_1, VENDOR_2,
};
use sangdam_tests::node::Node;
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::signal::{Event, SignalClient, WAIT};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

const NODE: &str = env!("CARGO_BIN_EXE_sangdam-node");

async fn app() -> TestApp {
    spawn_app_with(test_settings(), test_fair(Duration::from_secs(600))).await
}

async fn call(
    base_url: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, format!("{base_url}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("the server answers");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `POST /api/participants/{who}/revoke` as `staff_token`.
async fn revoke(base_url: &str, staff_token: &str, who: &str) -> (u16, Value) {
    let path = format!("/api/participants/{who}/revoke");
    call(
        base_url,
        reqwest::Method::POST,
        &path,
        Some(staff_token),
        None,
    )
    .await
}

async fn me(base_url: &str, token: &str) -> (u16, Value) {
    call(base_url, reqwest::Method::GET, "/api/me", Some(token), None).await
}

fn token_of(link: &str) -> String {
    link.split("#token=")
        .nth(1)
        .expect("a link with a token")
        .to_string()
}

async fn hello(url: &str, token: &str) -> (SignalClient, Value) {
    let mut c = SignalClient::connect(url).await;
    c.send(json!({"type": "hello", "v": 1, "token": token}))
        .await;
    let first = c.recv().await;
    (c, first)
}

fn board_url(app: &TestApp) -> String {
    app.ws_url.replace("/ws", "/ws/board")
}

/// Reads until the server closes `c`, and checks it said `token_revoked` (fatal) and closed
/// with 4000 naming it.
async fn closed_as_revoked(c: &mut SignalClient) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut said: Option<Value> = None;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match c.next_event(left).await {
            Event::Message(m) if m["type"] == "error" => said = Some(m),
            Event::Message(_) => {}
            Event::Closed(frame) => {
                assert_eq!(frame, Some((4000, "token_revoked".to_string())));
                break;
            }
            Event::Nothing => panic!("the socket stayed open after the revocation: {said:?}"),
        }
    }
    let said = said.expect("the server said why before closing");
    assert_eq!(said["code"], "token_revoked", "{said}");
    assert_eq!(said["fatal"], true, "{said}");
}

/// The first answer to an old token is a fatal `token_revoked`, and the socket closes.
async fn refused_as_revoked(mut c: SignalClient, first: Value) {
    assert_eq!(first["type"], "error", "{first}");
    assert_eq!(first["code"], "token_revoked", "{first}");
    assert_eq!(first["fatal"], true, "{first}");
    match c.next_event(WAIT).await {
        Event::Closed(frame) => assert_eq!(frame, Some((4000, "token_revoked".to_string()))),
        other => panic!("expected the close, got {other:?}"),
    }
}

/// Still open: a ping is answered.
async fn still_open(c: &mut SignalClient) {
    c.send(json!({"type": "ping", "t": 1})).await;
    assert_eq!(c.recv_type("pong").await["t"], 1);
}

#[tokio::test]
async fn a_revoked_link_is_refused_on_the_api_and_both_sockets_and_the_fresh_one_works() {
    let app = app().await;
    let old = app.token(VENDOR_1);
    assert_eq!(me(&app.base_url, &old).await.0, 200);

    let (status, body) = revoke(&app.base_url, &app.token(STAFF), VENDOR_1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["participant"], VENDOR_1);
    assert_eq!(body["generation"], 1);
    let fresh = token_of(body["link"].as_str().unwrap());
    assert!(body["link"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/#token=", app.base_url)));
    let claims = app.issuer.verify(&fresh).expect("a valid token");
    assert_eq!(claims.sub, VENDOR_1);
    assert_eq!(claims.gen, 1);
    assert_eq!(
        claims.exp,
        app.fair.ends_at().unwrap().as_millis() / 1000 + 24 * 3600,
        "valid until the fair's end + the invitation margin, as the sheet's links"
    );
    assert_eq!(body["expires_at"], claims.exp * 1000);

    // The old token, everywhere.
    let (status, refused) = me(&app.base_url, &old).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("token_revoked")),
        "{refused}"
    );
    let (c, first) = SignalClient::join(&app.ws_url, &old, "live-1").await;
    refused_as_revoked(c, first).await;
    let (c, first) = hello(&app.lobby_url(), &old).await;
    refused_as_revoked(c, first).await;
    // Scoped links of the participant were signed at the old generation too.
    let scoped = app.token_for_meeting(VENDOR_1, "live-1");
    let (c, first) = SignalClient::join(&app.ws_url, &scoped, "live-1").await;
    refused_as_revoked(c, first).await;

    // The fresh link, everywhere.
    assert_eq!(me(&app.base_url, &fresh).await.0, 200);
    let (_room, joined) = SignalClient::join(&app.ws_url, &fresh, "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let (_lobby, welcome) = hello(&app.lobby_url(), &fresh).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    // Nobody else was touched.
    assert_eq!(me(&app.base_url, &app.token(VENDOR_2)).await.0, 200);

    // The invitation sheet hands out the current link, not the revoked one.
    let sheet = reqwest::Client::new()
        .get(format!("{}/api/invites.csv?role=vendor", app.base_url))
        .bearer_auth(app.token(STAFF))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = sheet
        .lines()
        .find(|l| l.starts_with("이판매,"))
        .expect("vendor-1's row");
    let from_sheet = token_of(row.rsplit(',').next().unwrap());
    assert_eq!(app.issuer.verify(&from_sheet).unwrap().gen, 1);
    assert_eq!(me(&app.base_url, &from_sheet).await.0, 200);

    // A second revocation retires the first fresh link too.
    let (status, again) = revoke(&app.base_url, &app.token(STAFF), VENDOR_1).await;
    assert_eq!((status, &again["generation"]), (200, &json!(2)));
    let (status, refused) = me(&app.base_url, &fresh).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("token_revoked"))
    );
    let newest = token_of(again["link"].as_str().unwrap());
    assert_eq!(me(&app.base_url, &newest).await.0, 200);
}

#[tokio::test]
async fn the_participants_open_sockets_close_and_everyone_elses_stay_open() {
    let app = app().await;
    // The vendor in a room with their buyer, and waiting in the lobby in another tab.
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    vendor.recv_type("call_ready").await;
    let (mut vendor_lobby, welcome) = hello(&app.lobby_url(), &app.token(VENDOR_1)).await;
    assert_eq!(welcome["type"], "welcome");
    // Others: another room's buyer in the lobby, the moderator's and staff's boards.
    let (mut other_lobby, welcome) = hello(&app.lobby_url(), &app.token(BUYER_2)).await;
    assert_eq!(welcome["type"], "welcome");
    let (mut mod_board, first) = hello(&board_url(&app), &app.token(MODERATOR)).await;
    assert_eq!(first["type"], "board", "{first}");
    let (mut staff_board, first) = hello(&board_url(&app), &app.token(STAFF)).await;
    assert_eq!(first["type"], "board", "{first}");

    let (status, _) = revoke(&app.base_url, &app.token(STAFF), VENDOR_1).await;
    assert_eq!(status, 200);
    closed_as_revoked(&mut vendor).await;
    closed_as_revoked(&mut vendor_lobby).await;
    // The counterpart sees the vendor leave, and stays.
    assert_eq!(buyer.recv_type("peer_left").await["side"], "vendor");
    still_open(&mut buyer).await;
    still_open(&mut other_lobby).await;

    // A moderator's board closes when their link is revoked; staff's stays.
    let (status, _) = revoke(&app.base_url, &app.token(STAFF), MODERATOR).await;
    assert_eq!(status, 200);
    closed_as_revoked(&mut mod_board).await;
    still_open(&mut staff_board).await;
    still_open(&mut buyer).await;
}

#[tokio::test]
async fn only_staff_revoke_and_only_participants_of_the_fair() {
    let app = app().await;
    for who in [BUYER_1, VENDOR_2, MODERATOR] {
        let (status, body) = revoke(&app.base_url, &app.token(who), VENDOR_1).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("wrong_role")),
            "{who}: {body}"
        );
    }
    for nobody in ["no-such-person", "not%20an%20id"] {
        let (status, body) = revoke(&app.base_url, &app.token(STAFF), nobody).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("unknown_participant")),
            "{nobody}: {body}"
        );
    }
    let (status, body) = call(
        &app.base_url,
        reqwest::Method::POST,
        "/api/participants/vendor-1/revoke",
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("token_invalid"))
    );
    // Refused revocations changed nothing.
    assert_eq!(me(&app.base_url, &app.token(VENDOR_1)).await.0, 200);
}

fn shared(redis: &RedisServer) -> Settings {
    let mut s = test_settings();
    s.redis.url = Secret::new(redis.url());
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_on_one_node_closes_the_old_link_on_the_other() {
    let redis = RedisServer::start();
    let fair = test_fair(Duration::from_secs(600));
    let a = spawn_app_with(shared(&redis), fair.clone()).await;
    let b = spawn_app_with(shared(&redis), fair).await;
    // The buyer on node A, the vendor on node B: once they hear each other, node B's bus
    // is up.
    let (mut buyer, _) = SignalClient::join(&a.ws_url, &a.token(BUYER_1), "live-1").await;
    let (mut vendor, _) = SignalClient::join(&b.ws_url, &b.token(VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    vendor.recv_type("call_ready").await;
    let (mut vendor_lobby, _) = hello(&b.lobby_url(), &b.token(VENDOR_1)).await;
    let (mut other_lobby, _) = hello(&b.lobby_url(), &b.token(VENDOR_2)).await;

    let old = b.token(VENDOR_1);
    let (status, body) = revoke(&a.base_url, &a.token(STAFF), VENDOR_1).await;
    assert_eq!(status, 200, "{body}");
    closed_as_revoked(&mut vendor).await;
    closed_as_revoked(&mut vendor_lobby).await;
    still_open(&mut other_lobby).await;
    assert_eq!(buyer.recv_type("peer_left").await["side"], "vendor");
    still_open(&mut buyer).await;

    // Node B refuses the old token from then on, and takes the fresh one from node A.
    let (status, refused) = me(&b.base_url, &old).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("token_revoked"))
    );
    let (c, first) = hello(&b.lobby_url(), &old).await;
    refused_as_revoked(c, first).await;
    let fresh = token_of(body["link"].as_str().unwrap());
    let (_v, joined) = SignalClient::join(&b.ws_url, &fresh, "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_survives_a_restart_with_the_file_store_and_the_cli_signs_the_new_generation()
{
    let fair = test_fair(Duration::from_secs(600));
    let fair_dir = temp_dir("revoke-fair");
    write_fair_dir(&fair, 9 * 60, &fair_dir).unwrap();
    let data = temp_dir("revoke-data");
    let args = [
        "--fair",
        fair_dir.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let tokens = issuer(&test_settings(), SECRET);
    let token = |p: &str| {
        let p = fair.participant(&ParticipantId::parse(p).unwrap()).unwrap();
        tokens.issue(&fair, p, None, 0, now())
    };
    let old = token(VENDOR_1);
    let mut node = Node::start(NODE, &data, &args, &[]);
    let (status, body) = revoke(&node.base_url, &token(STAFF), VENDOR_1).await;
    assert_eq!(status, 200, "{body}\n{}", node.printed());
    assert!(data.join(format!("people-{}.json", fair.id)).exists());
    node.kill();

    let again = Node::start(NODE, &data, &args, &[]);
    let (status, refused) = me(&again.base_url, &old).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (401, Some("token_revoked")),
        "{}",
        again.printed()
    );
    let fresh = token_of(body["link"].as_str().unwrap());
    assert_eq!(me(&again.base_url, &fresh).await.0, 200);

    // `sangdam token`, run beside the server, signs at the participant's generation.
    let mut cmd = Command::new(NODE);
    cmd.args(["token", "--participant", VENDOR_1, "--fair"])
        .arg(&fair_dir)
        .current_dir(&data);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("SANGDAM_")) {
        cmd.env_remove(k);
    }
    let out = cmd
        .env("SANGDAM_SECRET", SECRET)
        .env("SANGDAM_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let minted = printed.lines().next().unwrap().trim();
    assert_eq!(tokens.verify(minted).unwrap().gen, 1);
    assert_eq!(me(&again.base_url, minted).await.0, 200);
}

#[tokio::test]
async fn redis_counts_every_revocation_of_several_nodes_at_once() {
    let redis = RedisServer::start();
    let fair = test_fair(Duration::from_secs(600));
    let p = ParticipantId::parse(VENDOR_1).unwrap();
    let q = ParticipantId::parse(BUYER_1).unwrap();
    let nodes: Vec<std::sync::Arc<RedisPeople>> = (0..2)
        .map(|_| std::sync::Arc::new(RedisPeople::new(&redis.url(), &fair.id).unwrap()))
        .collect();
    assert_eq!(nodes[0].get(p.clone()).await.unwrap().generation, 0);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (s, p) = (nodes[i % 2].clone(), p.clone());
            tokio::spawn(async move { s.revoke(p).await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    got.sort();
    assert_eq!(got, (1..=10).collect::<Vec<u32>>());
    assert_eq!(nodes[1].get(p.clone()).await.unwrap().generation, 10);

    let a = nodes[0].set_reminders_off(q.clone(), true).await.unwrap();
    assert!(a.reminders_off && a.generation == 0);
    assert!(nodes[1].get(q.clone()).await.unwrap().reminders_off);
    let all = nodes[1].get_all().await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[&p].generation, 10);
    assert!(all[&q].reminders_off && !all[&p].reminders_off);
    assert!(
        !nodes[1]
            .set_reminders_off(q.clone(), false)
            .await
            .unwrap()
            .reminders_off
    );
    assert!(!nodes[0].get(q).await.unwrap().reminders_off);
}

#[tokio::test]
async fn a_participant_turns_reminders_off_and_on_for_themselves() {
    let mut settings = test_settings();
    settings.reminders.minutes = vec![60, 10];
    let app = spawn_app_with(settings, test_fair(Duration::from_secs(600))).await;
    let get = |who: &str| {
        let token = app.token(who);
        let base = app.base_url.clone();
        async move {
            call(
                &base,
                reqwest::Method::GET,
                "/api/reminders",
                Some(&token),
                None,
            )
            .await
        }
    };
    let put = |who: &str, body: Value| {
        let token = app.token(who);
        let base = app.base_url.clone();
        async move {
            call(
                &base,
                reqwest::Method::PUT,
                "/api/reminders",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        get(VENDOR_1).await,
        (200, json!({"minutes": [60, 10], "off": false}))
    );
    assert_eq!(
        put(VENDOR_1, json!({"off": true})).await,
        (200, json!({"minutes": [60, 10], "off": true}))
    );
    assert_eq!(
        get(VENDOR_1).await,
        (200, json!({"minutes": [60, 10], "off": true}))
    );
    // One's own setting only; staff have one too.
    assert_eq!(get(BUYER_1).await.1["off"], false);
    assert_eq!(get(STAFF).await.0, 200);
    assert_eq!(
        put(VENDOR_1, json!({"off": false})).await,
        (200, json!({"minutes": [60, 10], "off": false}))
    );

    for bad in [
        json!({"off": "yes"}),
        json!({"of": true}),
        json!({}),
        json!({"off": true, "minutes": [1]}),
        json!("off"),
    ] {
        let (status, body) = put(VENDOR_1, bad.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad_message")),
            "{bad}: {body}"
        );
    }
    assert_eq!(
        get(VENDOR_1).await.1["off"],
        false,
        "bad bodies change nothing"
    );
    let (status, body) = call(
        &app.base_url,
        reqwest::Method::GET,
        "/api/reminders",
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("token_invalid"))
    );
}

#[tokio::test]
async fn the_default_reminders_are_thirty_and_five_minutes() {
    let app = app().await;
    let (status, body) = call(
        &app.base_url,
        reqwest::Method::GET,
        "/api/reminders",
        Some(&app.token(BUYER_2)),
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"minutes": [30, 5], "off": false}))
    );
}
