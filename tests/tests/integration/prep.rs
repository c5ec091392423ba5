//! Fair preparation over HTTP as staff and participants reach it: registrations imported
//! from files, requests both ways, staff matches, a draft schedule, publishing, the
//! participant's timetable and its `.ics`, durability across a restart, and two staff
//! members on two nodes sharing one Redis.

use chrono::Timelike;
use icalendar::{Calendar, CalendarComponent, Component};
use sangdam_server::app::settings::{Secret, Settings};
use sangdam_tests::app::{
    spawn_app, spawn_app_with, temp_dir, test_fair, test_settings, TestApp, BUYER_1, BUYER_2,
    STAFF, VENDOR_1, VENDOR_2,
};
use sangdam_tests::redis_server::RedisServer;
use serde_json::{json, Value};
use std::str::FromStr;
use std::time::Duration;

const INSTITUTIONS: &str =
    "\u{feff}아이디,기관명,기관유형,담당자,전화,이메일,구매희망품목,부스수\n\
inst-1,종로구,자치구,김담당,02-0000-0001,a@example.org,\"청소, 급식\",1\n\
inst-2,서울시교육청,서울시교육청,,,,인쇄,1\n";
const ENTERPRISES: &str = "\u{feff}아이디,기업명,기업유형,제품분류,인증,녹색,최대상담수\n\
ent-1,깨끗한세상,(예비)사회적기업,건물 청소용역,사회적기업,Y,3\n\
ent-2,마을인쇄소,(사회적)협동조합,\"인쇄, 홍보물\",,N,3\n";
const PARTICIPANTS: &str = "\u{feff}아이디,이름,역할,소속,전화,이메일\n\
buyer-1,김구매,구매자,inst-1,,\n\
buyer-2,이구매,구매자,inst-2,,\n\
vendor-1,박판매,판매자,ent-1,,\n\
vendor-2,최판매,판매자,ent-2,,\n\
staff-1,정직원,직원,,,\n";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    who: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client()
        .request(method, format!("{}{path}", app.base_url))
        .bearer_auth(app.token(who));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("the server answers");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn post(app: &TestApp, path: &str, who: &str, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, who, Some(body)).await
}

async fn get(app: &TestApp, path: &str, who: &str) -> (u16, Value) {
    send(app, reqwest::Method::GET, path, who, None).await
}

async fn upload(app: &TestApp, name: &str, bytes: &[u8]) -> (u16, Value) {
    let r = client()
        .post(format!("{}/api/prep/import?name={name}", app.base_url))
        .bearer_auth(app.token(STAFF))
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) async fn import_all(app: &TestApp) {
    for (name, text) in [
        ("기관.csv", INSTITUTIONS),
        ("기업.csv", ENTERPRISES),
        ("참가자.csv", PARTICIPANTS),
    ] {
        let (status, body) = upload(app, name, text.as_bytes()).await;
        assert_eq!(status, 200, "{name}: {body}");
    }
}

fn fair() -> sangdam_signaling::Fair {
    test_fair(Duration::from_secs(600))
}

#[tokio::test]
async fn registrations_import_once_update_in_place_and_a_bad_file_imports_nothing() {
    let app = spawn_app(fair()).await;
    let (status, first) = upload(&app, "기관.csv", INSTITUTIONS.as_bytes()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["summary"]["added"].as_array().unwrap().len(), 2);
    let version = first["version"].as_u64().unwrap();

    let (_, again) = upload(&app, "기관.csv", INSTITUTIONS.as_bytes()).await;
    assert_eq!(again["summary"]["added"], json!([]));
    assert_eq!(again["summary"]["updated"], json!([]));
    assert_eq!(again["summary"]["unchanged"], 2);
    assert_eq!(
        again["version"], version,
        "the same file twice changes nothing"
    );

    let edited = INSTITUTIONS.replace("인쇄,1", "\"인쇄, 문화행사\",2");
    let (_, changed) = upload(&app, "기관.csv", edited.as_bytes()).await;
    assert_eq!(
        changed["summary"]["updated"],
        json!([{"kind": "institution", "id": "inst-2", "fields": ["wanted", "booths"]}])
    );

    // One bad cell and one unknown affiliation: 422, every problem located, nothing in.
    let bad = PARTICIPANTS
        .replace(
            "vendor-2,최판매,판매자,ent-2",
            "vendor-2,최판매,판매자,ent-9",
        )
        .replace("buyer-2,이구매,구매자", "buyer-2,이구매,사장님");
    let (status, refused) = upload(&app, "참가자.csv", bad.as_bytes()).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "bad_import");
    let problems = refused["error"]["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{problems:?}");
    assert!(problems
        .iter()
        .any(|p| p["row"] == 3 && p["column"] == "역할"));
    assert!(problems
        .iter()
        .any(|p| p["row"] == 5 && p["column"] == "소속"));
    let (_, summary) = get(&app, "/api/prep", STAFF).await;
    assert_eq!(summary["counts"]["participants"], 0, "nothing was imported");
    assert_eq!(summary["counts"]["institutions"], 2);

    // Only staff import; a body with no token is refused before it is read.
    let r = client()
        .post(format!("{}/api/prep/import?name=x.csv", app.base_url))
        .bearer_auth(app.token(BUYER_1))
        .body(INSTITUTIONS)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_request_becomes_a_match_a_schedule_a_publication_and_a_calendar_file() {
    let app = spawn_app(fair()).await;
    import_all(&app).await;

    // The vendor asks; the wrong side cannot answer; the buyer accepts.
    let (status, r) = post(
        &app,
        "/api/requests",
        VENDOR_1,
        json!({"round": "r-live", "to": {"kind": "institution", "id": "inst-1"}, "reason": "건물 청소 소개"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = r["request"]["id"].as_u64().unwrap();
    let (_, mine) = get(&app, "/api/requests", BUYER_1).await;
    let seen = &mine["requests"][0];
    assert_eq!(
        (seen["can_answer"].clone(), seen["mine"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        mine["counterparts"][0]["id"], "ent-1",
        "the fitting vendor first"
    );
    let (status, e) = post(
        &app,
        &format!("/api/requests/{id}/answer"),
        BUYER_2,
        json!({"expected_version": 1, "accept": true}),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].clone()),
        (403, json!("not_your_request"))
    );
    let (status, a) = post(
        &app,
        &format!("/api/requests/{id}/answer"),
        BUYER_1,
        json!({"expected_version": 1, "accept": true}),
    )
    .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["request"]["status"], "accepted");
    let (status, e) = post(
        &app,
        "/api/requests",
        VENDOR_1,
        json!({"round": "r-live", "to": {"kind": "institution", "id": "inst-1"}}),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].clone()),
        (409, json!("already_requested"))
    );

    // Staff add a match from a suggestion, then schedule the round and publish.
    let (_, s) = get(
        &app,
        "/api/prep/suggestions?round=r-live&institution=inst-2",
        STAFF,
    )
    .await;
    assert_eq!(s["suggestions"][0]["id"], "ent-2");
    let (status, m) = post(
        &app,
        "/api/prep/matches",
        STAFF,
        json!({"round": "r-live", "pairs": [["inst-2", "ent-2"]]}),
    )
    .await;
    assert_eq!(status, 200, "{m}");
    let (status, d) = post(
        &app,
        "/api/prep/schedule",
        STAFF,
        json!({"round": "r-live"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["draft"]["booked"].as_array().unwrap().len(), 2);
    assert_eq!(d["draft"]["lower_bound"], 1);
    assert_eq!(d["draft"]["slots_used"], 1);
    let draft_version = d["draft"]["version"].as_u64().unwrap();
    let (status, p) = post(
        &app,
        "/api/prep/publish",
        STAFF,
        json!({"kind": "preliminary", "drafts": {"r-live": draft_version}}),
    )
    .await;
    assert_eq!((status, p["number"].clone()), (200, json!(1)), "{p}");
    let (status, e) = post(
        &app,
        "/api/prep/publish",
        STAFF,
        json!({"kind": "final", "drafts": {"r-live": draft_version - 1}}),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].clone()),
        (409, json!("stale_version"))
    );

    // The vendor's timetable: one meeting, new to them until they mark it seen.
    let (_, tt) = get(&app, "/api/timetable", VENDOR_1).await;
    assert_eq!(tt["publication"]["number"], 1);
    let meetings = tt["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0]["institution_name"], "종로구");
    assert_eq!(tt["changes"][0]["change"], "added");
    assert_eq!(tt["changes"][0]["now"]["institution_name"], "종로구");
    assert_eq!(
        tt["changes"][0]["now"]["starts_at"],
        meetings[0]["starts_at"]
    );
    let (status, _) = post(&app, "/api/timetable/seen", VENDOR_1, json!({"number": 1})).await;
    assert_eq!(status, 200);
    let (_, tt) = get(&app, "/api/timetable", VENDOR_1).await;
    assert_eq!(tt["changes"], json!([]));

    // The calendar file parses back: one event at the meeting's time, in Korean time.
    let r = client()
        .get(format!("{}/api/timetable.ics", app.base_url))
        .bearer_auth(app.token(VENDOR_1))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = r.text().await.unwrap();
    let cal = Calendar::from_str(&text).expect("the .ics parses");
    let events: Vec<_> = cal
        .components
        .iter()
        .filter_map(CalendarComponent::as_event)
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let ev = events[0];
    assert_eq!(
        ev.get_uid().unwrap(),
        format!(
            "{}@{}",
            meetings[0]["meeting"].as_str().unwrap(),
            app.fair.id
        )
    );
    assert!(ev.get_summary().unwrap().contains("종로구"));
    assert_eq!(ev.get_sequence(), Some(1));
    assert!(ev.get_url().unwrap().ends_with(&format!(
        "#room={}",
        meetings[0]["meeting"].as_str().unwrap()
    )));
    let starts = meetings[0]["starts_at"].as_i64().unwrap();
    let expected = chrono::DateTime::from_timestamp_millis(starts)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .naive_local();
    match ev.get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        })) => {
            assert_eq!(tzid, "Asia/Seoul");
            assert_eq!(date_time, expected.with_nanosecond(0).unwrap());
        }
        other => panic!("{other:?}"),
    }
    // A buyer of another institution has nothing of vendor-1's; staff have no timetable.
    let (_, other) = get(&app, "/api/timetable", BUYER_2).await;
    assert_eq!(other["meetings"].as_array().unwrap().len(), 1);
    assert_ne!(other["meetings"][0]["enterprise"], "ent-1");
    let (status, _) = get(&app, "/api/timetable", STAFF).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_preparation_survives_a_restart_of_the_embedded_store() {
    let mut settings: Settings = test_settings();
    settings.records.dir = temp_dir("prep-restart").display().to_string();
    let first = spawn_app_with(settings.clone(), fair()).await;
    import_all(&first).await;
    let (_, before) = get(&first, "/api/prep", STAFF).await;
    drop(first);
    let second = spawn_app_with(settings, fair()).await;
    let (_, after) = get(&second, "/api/prep", STAFF).await;
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["counts"]["participants"], 5);
}

#[tokio::test]
async fn two_staff_on_two_nodes_never_overwrite_each_other() {
    let redis = RedisServer::start();
    let mut settings = test_settings();
    settings.redis.url = Secret::new(redis.url());
    let a = spawn_app_with(settings.clone(), fair()).await;
    let b = spawn_app_with(settings, fair()).await;
    import_all(&a).await;
    let (_, on_b) = get(&b, "/api/prep", STAFF).await;
    assert_eq!(
        on_b["counts"]["institutions"], 2,
        "node B reads what A imported"
    );

    let (_, m) = post(
        &a,
        "/api/prep/matches",
        STAFF,
        json!({"round": "r-live", "pairs": [["inst-1", "ent-1"], ["inst-2", "ent-2"]]}),
    )
    .await;
    let ids: Vec<u64> = m["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    // Both staff saw version 1 of the first match. A's note lands; B's, from the same
    // picture, is refused rather than overwriting it.
    let (sa, _) = patch(&a, ids[0], "A가 전화함").await;
    let (sb, eb) = patch(&b, ids[0], "B가 전화함").await;
    assert_eq!(sa, 200);
    assert_eq!(
        (sb, eb["error"]["code"].clone()),
        (409, json!("stale_version"))
    );
    // The same match edited from the same version on two nodes at once: one lands, the
    // other is refused; neither is lost silently.
    let (r1, r2) = tokio::join!(patch(&a, ids[1], "A"), patch(&b, ids[1], "B"));
    let landed = [r1.0, r2.0].iter().filter(|s| **s == 200).count();
    assert_eq!(landed, 1, "{r1:?} {r2:?}");
    let (_, list) = get(&b, "/api/prep/matches?round=r-live", STAFF).await;
    let notes: Vec<&str> = list["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes[0], "A가 전화함");
    assert!(notes[1] == "A" || notes[1] == "B");

    // Concurrent requests from two vendors on two nodes both land (document retries).
    let (x, y) = tokio::join!(ask(&a, VENDOR_1, "inst-1"), ask(&b, VENDOR_2, "inst-2"));
    assert_eq!((x.0, y.0), (200, 200), "{x:?} {y:?}");
    assert_ne!(x.1["request"]["id"], y.1["request"]["id"]);
}

async fn patch(app: &TestApp, id: u64, note: &str) -> (u16, Value) {
    send(
        app,
        reqwest::Method::PATCH,
        &format!("/api/prep/matches/{id}"),
        STAFF,
        Some(json!({"expected_version": 1, "note": note})),
    )
    .await
}

async fn ask(app: &TestApp, who: &str, inst: &str) -> (u16, Value) {
    post(
        app,
        "/api/requests",
        who,
        json!({"round": "r-past", "to": {"kind": "institution", "id": inst}}),
    )
    .await
}

/// Who asks, how, where, with what body; the status and code expected.
type Case = (
    &'static str,
    reqwest::Method,
    String,
    Option<Value>,
    u16,
    &'static str,
);

/// Every refusal of the preparation API, with its code, status and a message.
#[tokio::test]
async fn each_preparation_refusal_has_its_code_status_and_message() {
    let app = spawn_app(fair()).await;
    // Before the registrations are in, a vendor is not registered for requests.
    let ask = json!({"round": "r-live", "to": {"kind": "institution", "id": "inst-1"}});
    let cases_before = [(
        VENDOR_1,
        "/api/requests",
        ask.clone(),
        403,
        "unknown_participant",
    )];
    for (who, path, body, status, code) in cases_before {
        let (s, e) = post(&app, path, who, body).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {e}"
        );
    }
    import_all(&app).await;
    let long = "가".repeat(301);
    let cases: Vec<Case> = vec![
        (
            BUYER_1,
            reqwest::Method::GET,
            "/api/prep".into(),
            None,
            403,
            "wrong_role",
        ),
        (
            STAFF,
            reqwest::Method::GET,
            "/api/requests".into(),
            None,
            403,
            "wrong_role",
        ),
        (
            VENDOR_1,
            reqwest::Method::POST,
            "/api/requests/999/answer".into(),
            Some(json!({"expected_version": 1, "accept": true})),
            404,
            "unknown_request",
        ),
        (
            STAFF,
            reqwest::Method::PATCH,
            "/api/prep/matches/999".into(),
            Some(json!({"expected_version": 1, "note": "x"})),
            404,
            "unknown_match",
        ),
        (
            STAFF,
            reqwest::Method::POST,
            "/api/prep/schedule".into(),
            Some(json!({"round": "r-nine"})),
            404,
            "unknown_round",
        ),
        (
            STAFF,
            reqwest::Method::GET,
            "/api/prep/suggestions?round=r-live&institution=nope".into(),
            None,
            404,
            "unknown_organisation",
        ),
        (
            STAFF,
            reqwest::Method::GET,
            "/api/prep/suggestions?round=r-live".into(),
            None,
            400,
            "bad_query",
        ),
        (
            VENDOR_1,
            reqwest::Method::POST,
            "/api/requests".into(),
            Some(
                json!({"round": "r-live", "to": {"kind": "institution", "id": "inst-1"}, "reason": long}),
            ),
            400,
            "bad_message",
        ),
        (
            VENDOR_1,
            reqwest::Method::POST,
            "/api/requests".into(),
            Some(json!({"round": "r-live", "to": {"kind": "enterprise", "id": "ent-2"}})),
            403,
            "wrong_role",
        ),
        (
            VENDOR_1,
            reqwest::Method::POST,
            "/api/requests".into(),
            Some(json!({"round": "r-live", "to": {"kind": "institution", "id": "nope"}})),
            404,
            "unknown_organisation",
        ),
        (
            STAFF,
            reqwest::Method::POST,
            "/api/prep/publish".into(),
            Some(json!({"kind": "final", "drafts": {"r-live": 1}})),
            409,
            "no_draft",
        ),
        (
            STAFF,
            reqwest::Method::POST,
            "/api/prep/matches".into(),
            Some(json!({"round": "r-live", "pairs": []})),
            400,
            "bad_message",
        ),
        (
            STAFF,
            reqwest::Method::PUT,
            "/api/prep/settings".into(),
            Some(
                json!({"expected_version": 7, "settings": {"requests": {"auto_accept": false, "ttl_hours": 72, "max_sent": 10, "max_received": 40}, "min_gap_slots": 0, "break_slots": {}}}),
            ),
            409,
            "stale_version",
        ),
        (
            STAFF,
            reqwest::Method::POST,
            "/api/timetable/seen".into(),
            Some(json!({"number": 1})),
            403,
            "wrong_role",
        ),
        (
            VENDOR_1,
            reqwest::Method::POST,
            "/api/timetable/seen".into(),
            Some(json!({"number": 1})),
            400,
            "bad_message",
        ),
    ];
    for (who, method, path, body, status, code) in cases {
        let (s, e) = send(&app, method, &path, who, body).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {e}"
        );
        assert!(
            !e["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{path}"
        );
    }
    // The request cap and a closed request, over HTTP.
    let settings = json!({"requests": {"auto_accept": false, "ttl_hours": 72, "max_sent": 1, "max_received": 40}, "min_gap_slots": 0, "break_slots": {}});
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/prep/settings",
        STAFF,
        Some(json!({"expected_version": 0, "settings": settings.clone()})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, r) = post(&app, "/api/requests", VENDOR_1, ask.clone()).await;
    assert_eq!(s, 200, "{r}");
    let second = json!({"round": "r-live", "to": {"kind": "institution", "id": "inst-2"}});
    let (s, e) = post(&app, "/api/requests", VENDOR_1, second).await;
    // inst-2 attends every round here; the cap of one open request refuses the second.
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("request_limit")),
        "{e}"
    );
    let id = r["request"]["id"].as_u64().unwrap();
    let (s, _) = post(
        &app,
        &format!("/api/requests/{id}/withdraw"),
        VENDOR_1,
        json!({"expected_version": 1}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, e) = post(
        &app,
        &format!("/api/requests/{id}/answer"),
        BUYER_1,
        json!({"expected_version": 2, "accept": true}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("request_closed")),
        "{e}"
    );
}
