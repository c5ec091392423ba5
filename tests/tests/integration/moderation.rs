//! Moderators at work, as they reach the server: the board over `/ws/board`, actions over
//! `/api/moderation/…`, stepping into rooms over `/ws` — on one node and on two nodes
//! sharing a real Redis; and every other role refused every moderator action.

use sangdam_server::app::settings::{Secret, Settings};
use sangdam_server::app::startup::Application;
use sangdam_server::files::fair::contacts::{ContactInfo, Contacts};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
};
use sangdam_signaling::{Fair, FairId, Participant, Role, Round};
use sangdam_tests::app::{now, spawn_app_with, spawn_built, test_settings, TestApp};
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::time::Duration;

const MOD_1: &str = "mod-1";
const MOD_2: &str = "mod-2";

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

/// One round of back-to-back 10-minute slots, the first running now (started a minute
/// ago): `live-1` (inst-1 × ent-1) is followed at its booth by `next-1` (inst-1 × ent-3),
/// so it cannot be extended; `live-2` (inst-2 × ent-2) has free time after it. Two
/// moderators, a staff member, a buyer and a vendor for each organisation.
fn fair() -> Fair {
    let start = now() - Duration::from_secs(60);
    let person = |pid: &str, name: &str, role, affiliation| Participant {
        id: id(pid),
        name: name.into(),
        role,
        affiliation,
    };
    let meeting = |mid: &str, slot, i: &str, e: &str| MeetingSpec {
        id: id(mid),
        round: id("r-live"),
        slot,
        institution: id(i),
        enterprise: id(e),
    };
    let inst = |i: &str, name: &str| Institution {
        id: id(i),
        name: name.into(),
        kind: InstitutionType::District,
    };
    let ent = |e: &str, name: &str| Enterprise {
        id: id(e),
        name: name.into(),
        kind: EnterpriseType::SocialEnterprise,
    };
    Fair::new(
        FairId::parse("mod-fair").unwrap(),
        "운영 시험 상담회",
        FairParts {
            rounds: vec![Round {
                id: id("r-live"),
                number: 1,
                theme: "공공시장 진출 지원".into(),
                starts_at: start,
                slot_len: Duration::from_secs(600),
                break_len: Duration::ZERO,
                slots: 2,
            }],
            institutions: vec![inst("inst-1", "종로구청"), inst("inst-2", "서울교통공사")],
            enterprises: vec![
                ent("ent-1", "함께만드는세상"),
                ent("ent-2", "초록협동조합"),
                ent("ent-3", "마을기업 나눔"),
            ],
            participants: vec![
                person(
                    "buyer-1",
                    "김구매",
                    Role::Buyer,
                    Affiliation::Institution(id("inst-1")),
                ),
                person(
                    "buyer-2",
                    "박구매",
                    Role::Buyer,
                    Affiliation::Institution(id("inst-2")),
                ),
                person(
                    "vendor-1",
                    "이판매",
                    Role::Vendor,
                    Affiliation::Enterprise(id("ent-1")),
                ),
                person(
                    "vendor-2",
                    "최판매",
                    Role::Vendor,
                    Affiliation::Enterprise(id("ent-2")),
                ),
                person(
                    "vendor-3",
                    "정판매",
                    Role::Vendor,
                    Affiliation::Enterprise(id("ent-3")),
                ),
                person(
                    MOD_1,
                    "운영자 김민수",
                    Role::Moderator,
                    Affiliation::Operator,
                ),
                person(
                    MOD_2,
                    "운영자 이하은",
                    Role::Moderator,
                    Affiliation::Operator,
                ),
                person("staff-1", "한직원", Role::Staff, Affiliation::Operator),
            ],
            meetings: vec![
                meeting("live-1", 0, "inst-1", "ent-1"),
                meeting("next-1", 1, "inst-1", "ent-3"),
                meeting("live-2", 0, "inst-2", "ent-2"),
            ],
        },
    )
    .expect("valid fair")
}

fn settings() -> Settings {
    let mut s = test_settings();
    s.lobby.tick_seconds = 1;
    s
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base_url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request reaches the server");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn board_url(app: &TestApp) -> String {
    app.ws_url.replace("/ws", "/ws/board")
}

async fn board(app: &TestApp, token: &str) -> (SignalClient, Value) {
    let mut c = SignalClient::connect(&board_url(app)).await;
    c.send(json!({"type": "hello", "v": 1, "token": token}))
        .await;
    let first = c.recv().await;
    (c, first)
}

/// The room `meeting` as the board last said, waiting for updates until `ok` holds.
async fn until_room(board: &mut SignalClient, meeting: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut last = Value::Null;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let msg = board.try_recv(left).await.unwrap_or_else(|| {
            panic!("the board never showed {meeting} as expected; last: {last}")
        });
        if let Some(rooms) = msg["rooms"].as_array() {
            if let Some(r) = rooms.iter().find(|r| r["meeting"]["id"] == meeting) {
                if ok(r) {
                    return r.clone();
                }
                last = r.clone();
            }
        }
    }
}

/// The room `meeting` in a `board` or `board_update` message, if it is there.
fn room_in(msg: &Value, meeting: &str) -> Option<Value> {
    msg["rooms"]
        .as_array()?
        .iter()
        .find(|r| r["meeting"]["id"] == meeting)
        .cloned()
}

/// A buyer and vendor in `meeting`'s call, and a moderator's `joined` in the same room.
async fn three_in_a_room(
    app: &TestApp,
    meeting: &str,
    buyer: &str,
    vendor: &str,
) -> (SignalClient, SignalClient, SignalClient, Value) {
    let (b, v) = sangdam_tests::signal::in_a_call(
        &app.ws_url,
        &app.token(buyer),
        &app.token(vendor),
        meeting,
    )
    .await;
    let (m, joined) = SignalClient::join(&app.ws_url, &app.token(MOD_1), meeting).await;
    (b, v, m, joined)
}

#[tokio::test]
async fn a_moderator_steps_into_a_room_as_a_visible_third_party_and_connects_to_both_sides() {
    let app = spawn_app_with(settings(), fair()).await;
    let (mut buyer, mut vendor, mut moderator, joined) =
        three_in_a_room(&app, "live-2", "buyer-2", "vendor-2").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["you"]["side"], "moderator");
    assert_eq!(joined["present"], json!(["buyer", "vendor"]));
    assert_eq!(
        joined["names"],
        json!({"buyer": "박구매", "vendor": "최판매"})
    );
    for side in [&mut buyer, &mut vendor] {
        let heard = side.recv_type("peer_joined").await;
        assert_eq!(heard["side"], "moderator");
        assert_eq!(heard["name"], "운영자 김민수");
        let ready = side.recv_type("call_ready").await;
        assert_eq!(
            ready,
            json!({"type": "call_ready", "offerer": false, "peer": "moderator"})
        );
    }
    let mut peers = Vec::new();
    for _ in 0..2 {
        let ready = moderator.recv_type("call_ready").await;
        assert_eq!(ready["offerer"], true);
        peers.push(ready["peer"].as_str().unwrap().to_string());
    }
    peers.sort();
    assert_eq!(peers, ["buyer", "vendor"]);

    // The moderator's offer reaches the side it names, stamped with who sent it; the
    // answer comes back the same way. The sides' own call is untouched.
    moderator
        .send(json!({"type": "offer", "sdp": "v=0 mod→buyer", "to": "buyer"}))
        .await;
    let offer = buyer.recv_type("offer").await;
    assert_eq!(offer["from"], "moderator");
    assert_eq!(offer["sdp"], "v=0 mod→buyer");
    buyer
        .send(json!({"type": "answer", "sdp": "v=0 buyer→mod", "to": "moderator"}))
        .await;
    let answer = moderator.recv_type("answer").await;
    assert_eq!(answer["from"], "buyer");
    buyer.send(json!({"type": "offer", "sdp": "v=0 b→v"})).await;
    let offer = vendor.recv_type("offer").await;
    assert_eq!(offer["from"], "buyer");

    // A moderator must say which side; that refusal leaves the connection up.
    moderator
        .send(json!({"type": "offer", "sdp": "v=0", "id": "o-1"}))
        .await;
    let refused = moderator.recv_type("error").await;
    assert_eq!(refused["code"], "bad_message", "{refused}");
    assert_eq!(refused["id"], "o-1");
    assert_eq!(refused["fatal"], false);

    // A second moderator is refused while one is in the room.
    let (_m2, second) = SignalClient::join(&app.ws_url, &app.token(MOD_2), "live-2").await;
    assert_eq!(second["code"], "seat_taken", "{second}");
    assert_eq!(second["fatal"], true);

    // The moderator leaves: the sides hear it and go on with their own call.
    moderator.send(json!({"type": "leave"})).await;
    for side in [&mut buyer, &mut vendor] {
        let left = side.recv_type("peer_left").await;
        assert_eq!(left["side"], "moderator");
    }
    vendor
        .send(json!({"type": "answer", "sdp": "v=0 v→b"}))
        .await;
    assert_eq!(buyer.recv_type("answer").await["from"], "vendor");
}

#[tokio::test]
async fn extend_is_refused_into_the_next_meeting_allowed_into_free_time_once_and_end_closes_both_sides(
) {
    let app = spawn_app_with(settings(), fair()).await;
    let m1 = app.token(MOD_1);
    let m2 = app.token(MOD_2);

    // live-1's booth has next-1 right after: refused, with the reason.
    let (status, refused) = post(
        &app,
        "/api/moderation/rooms/live-1",
        &m1,
        json!({"action": "extend", "minutes": 5}),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "extend_blocked");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("next-1"),
        "{refused}"
    );

    let (mut buyer, mut vendor) = sangdam_tests::signal::in_a_call(
        &app.ws_url,
        &app.token("buyer-2"),
        &app.token("vendor-2"),
        "live-2",
    )
    .await;
    let ends_at = app
        .fair
        .meeting(&id("live-2"))
        .unwrap()
        .slot
        .end
        .as_millis();
    let extend =
        json!({"action": "extend", "minutes": 5, "expect_ends_at": ends_at, "request": "c-1"});
    let (status, done) = post(&app, "/api/moderation/rooms/live-2", &m1, extend.clone()).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["changed"], true);
    let new_end = ends_at + 5 * 60_000;
    assert_eq!(done["window"]["ends_at"], new_end);
    for side in [&mut buyer, &mut vendor] {
        let heard = side.recv_type("rescheduled").await;
        assert_eq!(heard["window"]["ends_at"], new_end, "{heard}");
        assert_eq!(heard["by"], "운영자 김민수");
    }
    // The participants' meeting lists show the new end too.
    let me: Value = app
        .get("/api/me", Some(&app.token("buyer-2")))
        .await
        .json()
        .await
        .unwrap();
    let listed = me["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "live-2")
        .unwrap_or_else(|| panic!("live-2 in /api/me: {me}"))
        .clone();
    assert_eq!(listed["window"]["ends_at"], new_end, "{listed}");
    // The same click again (a retry): done once. Another moderator from the same
    // picture: refused as stale.
    let (status, again) = post(&app, "/api/moderation/rooms/live-2", &m1, extend.clone()).await;
    assert_eq!((status, &again["changed"]), (200, &json!(false)), "{again}");
    assert_eq!(again["window"]["ends_at"], new_end);
    let mut stale = extend.clone();
    stale["request"] = json!("c-2");
    let (status, conflict) = post(&app, "/api/moderation/rooms/live-2", &m2, stale).await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["error"]["code"], "conflict");

    // Marked as a vendor no-show with a note, then cleared; then ended by the second
    // moderator.
    let (status, _) = post(
        &app,
        "/api/moderation/rooms/live-2",
        &m2,
        json!({"action": "mark_no_show", "absent": "vendor", "note": "카메라 없이 입장"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &app,
        "/api/moderation/rooms/live-2",
        &m2,
        json!({"action": "clear_no_show", "note": "확인 완료"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, ended) = post(
        &app,
        "/api/moderation/rooms/live-2",
        &m2,
        json!({"action": "end"}),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    for side in [&mut buyer, &mut vendor] {
        let closed = side.recv_type("closed").await;
        assert_eq!(closed["reason"], "moderator");
    }
    let (status, twice) = post(
        &app,
        "/api/moderation/rooms/live-2",
        &m1,
        json!({"action": "end"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(twice["error"]["code"], "room_closed");

    // The record holds each action with its moderator and note.
    let log: Value = app
        .get("/api/log", Some(&app.token("staff-1")))
        .await
        .json()
        .await
        .unwrap();
    let row = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting"] == "live-2")
        .unwrap_or_else(|| panic!("live-2 on record: {log}"))
        .clone();
    let actions: Vec<(String, String)> = row["moderator_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["moderator"].as_str().unwrap().to_string(),
                a["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            (MOD_1.to_string(), "extend:300".to_string()),
            (MOD_2.to_string(), "no_show:vendor".to_string()),
            (MOD_2.to_string(), "clear_no_show".to_string()),
            (MOD_2.to_string(), "end".to_string()),
        ],
        "{row}"
    );
    assert_eq!(row["moderator_actions"][1]["note"], "카메라 없이 입장");
    assert_eq!(row["ending"]["kind"], "moderator", "{row}");
    assert_eq!(row["no_show"], Value::Null, "cleared: {row}");
}

#[tokio::test]
async fn no_buyer_vendor_staff_or_scoped_token_can_take_any_moderator_action() {
    let app = spawn_app_with(settings(), fair()).await;
    let actions = [
        ("/api/moderation/rooms/live-2", json!({"action": "end"})),
        (
            "/api/moderation/rooms/live-2",
            json!({"action": "extend", "minutes": 1}),
        ),
        (
            "/api/moderation/rooms/live-2",
            json!({"action": "mark_no_show", "absent": "buyer"}),
        ),
        (
            "/api/moderation/lobby",
            json!({"op": "move", "vendor": "vendor-3", "from": "inst-1", "to": "inst-2"}),
        ),
        (
            "/api/moderation/lobby",
            json!({"op": "admit", "booth": "inst-2", "vendor": "vendor-3"}),
        ),
        (
            "/api/moderation/announcements",
            json!({"text": "x", "to": "all"}),
        ),
    ];
    let staff = app.token("staff-1");
    let tokens = [
        (app.token("buyer-2"), "wrong_role"),
        (app.token("vendor-2"), "wrong_role"),
        (staff.clone(), "wrong_role"),
        (
            app.token_for_meeting(MOD_1, "live-2"),
            "token_wrong_meeting",
        ),
    ];
    for (token, code) in &tokens {
        for (path, body) in &actions {
            let (status, refused) = post(&app, path, token, body.clone()).await;
            assert_eq!(status, 403, "{path} {body}: {refused}");
            assert_eq!(refused["error"]["code"], *code, "{path}: {refused}");
        }
        let (mut c, first) = board(&app, token).await;
        if *token == staff {
            // Staff watch the board; they cannot act on it.
            assert_eq!(first["type"], "board", "{first}");
            continue;
        }
        assert_eq!(first["code"], *code, "{first}");
        assert_eq!(first["fatal"], true);
        assert!(c.closed_within(Duration::from_secs(5)).await);
    }
    // No token at all, and a bad body from a real moderator.
    let r = reqwest::Client::new()
        .post(format!("{}/api/moderation/announcements", app.base_url))
        .json(&json!({"text": "x", "to": "all"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let m = app.token(MOD_1);
    for (body, code) in [
        (json!({"action": "dance"}), "bad_message"),
        (json!({"action": "extend", "minutes": 0}), "bad_message"),
        (json!({"action": "extend", "minutes": 61}), "bad_message"),
    ] {
        let (status, refused) = post(&app, "/api/moderation/rooms/live-2", &m, body.clone()).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert_eq!(refused["error"]["code"], code);
    }
    let (status, refused) = post(
        &app,
        "/api/moderation/rooms/nope",
        &m,
        json!({"action": "end"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (404, Some("unknown_meeting"))
    );
    // Nothing any refused request did reached the room.
    let (_b, joined) = SignalClient::join(&app.ws_url, &app.token("buyer-2"), "live-2").await;
    assert_eq!(joined["phase"], "live", "{joined}");
    assert_eq!(
        joined["window"]["ends_at"],
        app.fair
            .meeting(&id("live-2"))
            .unwrap()
            .slot
            .end
            .as_millis()
    );
}

#[tokio::test]
async fn the_board_shows_seats_attention_lines_and_every_moderators_actions_live() {
    // With the fair files' phones and e-mails, for calling an absent side.
    let mut contacts = Contacts::default();
    contacts.0.insert(
        id("vendor-2"),
        ContactInfo {
            phone: Some("02-0000-0005".into()),
            email: Some("vendor-2@example.org".into()),
        },
    );
    let built = Application::build(settings(), fair())
        .await
        .expect("server binds")
        .with_contacts(contacts);
    let app = spawn_built(settings(), built);
    let (mut b1, first) = board(&app, &app.token(MOD_1)).await;
    assert_eq!(first["type"], "board", "{first}");
    let contact = first["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["participant"] == "vendor-2")
        .unwrap_or_else(|| panic!("vendor-2's contact on the board: {first}"));
    assert_eq!(contact["phone"], "02-0000-0005");
    assert_eq!(contact["email"], "vendor-2@example.org");
    assert_eq!(contact["organisation"], "초록협동조합");
    assert_eq!(first["round"], 1);
    assert_eq!(first["counts"]["rooms"], 3);
    assert_eq!(first["counts"]["live"], 2);
    let live2 = first["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting"]["id"] == "live-2")
        .unwrap();
    assert!(live2["attention"]
        .as_array()
        .unwrap()
        .contains(&json!({"kind": "absent", "side": "vendor"})));
    let (mut b2, _) = board(&app, &app.token(MOD_2)).await;

    // The buyer comes: both boards show them in their seat, healthy.
    let (_buyer, _) = SignalClient::join(&app.ws_url, &app.token("buyer-2"), "live-2").await;
    for b in [&mut b1, &mut b2] {
        let room = until_room(b, "live-2", |r| !r["buyer"].is_null()).await;
        assert_eq!(room["buyer"]["name"], "박구매");
        assert_eq!(room["buyer"]["healthy"], true);
        assert!(room["attention"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "absent", "side": "vendor"})));
    }

    // A vendor waits in a line; moderator 1 moves them to the other booth, first in line.
    let mut lobby = SignalClient::connect(&app.lobby_url()).await;
    lobby
        .send(json!({"type": "hello", "v": 1, "token": app.token("vendor-3")}))
        .await;
    lobby.recv_type("welcome").await;
    lobby
        .send(json!({"type": "check_in", "booth": "inst-1", "meeting": "next-1"}))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let msg = b2
            .try_recv(deadline - tokio::time::Instant::now())
            .await
            .expect("a line on the board");
        let waiting = msg["booths"].as_array().and_then(|bs| {
            bs.iter()
                .find(|b| b["institution"]["id"] == "inst-1")
                .map(|b| b["waiting"].clone())
        });
        if waiting.is_some_and(|w| w[0]["vendor"] == "vendor-3") {
            break;
        }
    }
    let (status, moved) = post(
        &app,
        "/api/moderation/lobby",
        &app.token(MOD_1),
        json!({"op": "move", "vendor": "vendor-3", "from": "inst-1", "to": "inst-2", "position": 0, "note": "빈 부스로"}),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    // Moderator 2 sees the action as it happens.
    let entry = loop {
        let msg = b2.recv().await;
        if msg["type"] == "activity" {
            break msg["entry"].clone();
        }
    };
    assert_eq!(entry["moderator"], MOD_1);
    assert_eq!(entry["action"], "move:inst-2");
    assert_eq!(entry["note"], "빈 부스로");
    // The vendor's own page shows the new place.
    let place = loop {
        let s = lobby.recv_type("vendor_status").await;
        if s["places"][0]["booth"]["id"] == "inst-2" {
            break s["places"][0].clone();
        }
    };
    assert_eq!(place["position"], 1);
    // Moving them again from where they no longer are is refused, clearly.
    let (status, refused) = post(
        &app,
        "/api/moderation/lobby",
        &app.token(MOD_2),
        json!({"op": "move", "vendor": "vendor-3", "from": "inst-1", "to": "inst-2"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("not_queued"))
    );

    // Let in to the booth's free time: a walk-in room, on every board, with the admission
    // on its record; the vendor's page is sent into it.
    let (status, done) = post(
        &app,
        "/api/moderation/lobby",
        &app.token(MOD_2),
        json!({"op": "admit", "booth": "inst-2", "vendor": "vendor-3"}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let walk_in = done["events"][0]["admission"]["meeting"]
        .as_str()
        .unwrap_or_else(|| panic!("an admission: {done}"))
        .to_string();
    assert!(walk_in.starts_with("w-inst-2-"), "{walk_in}");
    let room = until_room(&mut b1, &walk_in, |r| r["actions"] == 1).await;
    assert_eq!(room["walk_in"], true);
    assert_eq!(room["meeting"]["enterprise"]["name"], "마을기업 나눔");
    assert_eq!(
        lobby.recv_type("admitted").await["room"]["meeting"],
        walk_in.as_str()
    );
    let (status, twice) = post(
        &app,
        "/api/moderation/lobby",
        &app.token(MOD_1),
        json!({"op": "admit", "booth": "inst-2", "vendor": "vendor-3"}),
    )
    .await;
    assert_eq!(
        (status, twice["error"]["code"].as_str()),
        (409, Some("booth_busy"))
    );
}

#[tokio::test]
async fn an_announcement_reaches_lobbies_and_rooms_of_its_audience_at_once() {
    let app = spawn_app_with(settings(), fair()).await;
    let (mut buyer, _) = SignalClient::join(&app.ws_url, &app.token("buyer-2"), "live-2").await;
    let (mut other, _) = SignalClient::join(&app.ws_url, &app.token("buyer-1"), "live-1").await;
    let mut lobby = SignalClient::connect(&app.lobby_url()).await;
    lobby
        .send(json!({"type": "hello", "v": 1, "token": app.token("vendor-3")}))
        .await;
    lobby.recv_type("welcome").await;
    let m = app.token(MOD_1);
    let (status, sent) = post(
        &app,
        "/api/moderation/announcements",
        &m,
        json!({"text": "5분 후 종료합니다 / 5 minutes left", "to": "all"}),
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    for c in [&mut buyer, &mut other, &mut lobby] {
        let a = c.recv_type("announcement").await;
        assert_eq!(a["text"], "5분 후 종료합니다 / 5 minutes left");
        assert_eq!(a["from"], "운영자 김민수");
    }
    // To one room: only that room hears it.
    let (status, _) = post(
        &app,
        "/api/moderation/announcements",
        &m,
        json!({"text": "live-2 only", "to": "meeting", "meeting": "live-2"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(buyer.recv_type("announcement").await["text"], "live-2 only");
    let heard_elsewhere = other.try_recv(Duration::from_millis(500)).await;
    assert!(
        heard_elsewhere
            .as_ref()
            .is_none_or(|m| m["type"] != "announcement"),
        "{heard_elsewhere:?}"
    );
    for (body, code) in [
        (json!({"text": "  ", "to": "all"}), "bad_message"),
        (json!({"text": "x".repeat(501), "to": "all"}), "bad_message"),
        (
            json!({"text": "x", "to": "round", "round": 9}),
            "bad_message",
        ),
        (
            json!({"text": "x", "to": "meeting", "meeting": "nope"}),
            "unknown_meeting",
        ),
    ] {
        let (_, refused) = post(&app, "/api/moderation/announcements", &m, body.clone()).await;
        assert_eq!(refused["error"]["code"], code, "{body}");
    }
}

fn shared(redis: &RedisServer) -> Settings {
    let mut s = settings();
    s.redis.url = Secret::new(redis.url());
    s
}

#[tokio::test]
async fn on_two_nodes_actions_reach_rooms_and_lobbies_and_the_board_shows_the_whole_fair() {
    let redis = RedisServer::start();
    let fair = fair();
    let a = spawn_app_with(shared(&redis), fair.clone()).await;
    let b = spawn_app_with(shared(&redis), fair).await;
    // The buyer on node A, the vendor on node B; the moderator's board on node B.
    let (mut buyer, _) = SignalClient::join(&a.ws_url, &a.token("buyer-2"), "live-2").await;
    let (mut vendor, _) = SignalClient::join(&b.ws_url, &b.token("vendor-2"), "live-2").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    let (mut board_b, first) = board(&b, &b.token(MOD_1)).await;
    let both = |r: &Value| !r["buyer"].is_null() && !r["vendor"].is_null();
    let room = match room_in(&first, "live-2").filter(|r| both(r)) {
        Some(r) => r,
        None => until_room(&mut board_b, "live-2", both).await,
    };
    assert_eq!(
        room["buyer"]["name"], "박구매",
        "node A's buyer, on node B's board"
    );

    // A moderator on node A extends: both sides hear it, whichever node holds them.
    let ends_at = a.fair.meeting(&id("live-2")).unwrap().slot.end.as_millis();
    let (status, done) = post(
        &a,
        "/api/moderation/rooms/live-2",
        &a.token(MOD_1),
        json!({"action": "extend", "minutes": 3, "expect_ends_at": ends_at}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    for side in [&mut buyer, &mut vendor] {
        let r = side.recv_type("rescheduled").await;
        assert_eq!(r["window"]["ends_at"], ends_at + 3 * 60_000);
    }
    // Node B's board shows it; a second moderator on node B from the same picture is
    // refused (the shared store decided first).
    until_room(&mut board_b, "live-2", |r| {
        r["window"]["ends_at"] == ends_at + 3 * 60_000
    })
    .await;
    let (status, stale) = post(
        &b,
        "/api/moderation/rooms/live-2",
        &b.token(MOD_2),
        json!({"action": "extend", "minutes": 3, "expect_ends_at": ends_at}),
    )
    .await;
    assert_eq!(
        (status, stale["error"]["code"].as_str()),
        (409, Some("conflict"))
    );

    // An announcement made on node B reaches node A's room and a lobby on node A.
    let mut lobby = SignalClient::connect(&a.lobby_url()).await;
    lobby
        .send(json!({"type": "hello", "v": 1, "token": a.token("vendor-3")}))
        .await;
    lobby.recv_type("welcome").await;
    let (status, _) = post(
        &b,
        "/api/moderation/announcements",
        &b.token(MOD_2),
        json!({"text": "전체 공지", "to": "round", "round": 1}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(buyer.recv_type("announcement").await["text"], "전체 공지");
    assert_eq!(lobby.recv_type("announcement").await["text"], "전체 공지");

    // Ended from node B: both close, and the room is on record once with both actions.
    let (status, _) = post(
        &b,
        "/api/moderation/rooms/live-2",
        &b.token(MOD_2),
        json!({"action": "end"}),
    )
    .await;
    assert_eq!(status, 200);
    for side in [&mut buyer, &mut vendor] {
        assert_eq!(side.recv_type("closed").await["reason"], "moderator");
    }
    let log: Value = a
        .get("/api/log", Some(&a.token("staff-1")))
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<&Value> = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["meeting"] == "live-2")
        .collect();
    assert_eq!(rows.len(), 1, "{log}");
    let actions: Vec<&str> = rows[0]["moderator_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["extend:180", "end"]);
}

#[tokio::test]
async fn two_moderators_on_two_nodes_clicking_at_once_act_once() {
    let redis = RedisServer::start();
    let fair = fair();
    let a = spawn_app_with(shared(&redis), fair.clone()).await;
    let b = spawn_app_with(shared(&redis), fair).await;
    let ends_at = a.fair.meeting(&id("live-2")).unwrap().slot.end.as_millis();
    let extend = json!({"action": "extend", "minutes": 2, "expect_ends_at": ends_at});
    for round in 0..5 {
        let expect = ends_at + round * 2 * 60_000;
        let mut body = extend.clone();
        body["expect_ends_at"] = json!(expect);
        let (ta, tb) = (a.token(MOD_1), b.token(MOD_2));
        let (ra, rb) = tokio::join!(
            post(&a, "/api/moderation/rooms/live-2", &ta, body.clone()),
            post(&b, "/api/moderation/rooms/live-2", &tb, body.clone()),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {ra:?} {rb:?}");
        let lost = if ra.0 == 409 { &ra.1 } else { &rb.1 };
        assert_eq!(lost["error"]["code"], "conflict");
    }
    // Five extensions of two minutes each, and each on record once.
    let (_, done) = post(
        &a,
        "/api/moderation/rooms/live-2",
        &a.token(MOD_1),
        json!({"action": "end"}),
    )
    .await;
    let extends = done["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["action"] == "extend:120")
        .count();
    assert_eq!(extends, 5, "{done}");
    // Ending twice at once: one ends it, the other hears it is closed.
    let (ta, tb) = (a.token(MOD_1), b.token(MOD_2));
    let (ra, rb) = tokio::join!(
        post(
            &a,
            "/api/moderation/rooms/live-1",
            &ta,
            json!({"action": "end"})
        ),
        post(
            &b,
            "/api/moderation/rooms/live-1",
            &tb,
            json!({"action": "end"})
        ),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{ra:?} {rb:?}");
}
