//! The consultation log, the survey and the staff report over HTTP, against the real server
//! writing its journals to files in a temporary directory.

use sangdam_server::app::startup::Application;
use sangdam_server::demo::{self, history};
use sangdam_server::journal::{CONSULTATIONS_FILE, SURVEYS_FILE};
use sangdam_tests::app::{
    now, spawn_app_with, spawn_built, test_fair, test_fair_at, test_settings, TestApp, BUYER_1,
    BUYER_2, MODERATOR, STAFF, VENDOR_1, VENDOR_2,
};
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// A server whose `live-1` and `live-2` run for two seconds from two seconds after start,
/// with no grace and no warnings.
async fn short_meetings() -> TestApp {
    let mut settings = test_settings();
    settings.rooms.grace_seconds = 0;
    settings.rooms.warning_minutes = vec![];
    let start = now() + Duration::from_millis(2000);
    spawn_app_with(settings, test_fair_at(start, Duration::from_secs(2))).await
}

/// Buyer 1 and vendor 1 meet in `live-1` until it closes.
async fn hold_live_1(app: &TestApp) {
    let (mut buyer, joined) = SignalClient::join(&app.ws_url, &app.token(BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let (mut vendor, _) = SignalClient::join(&app.ws_url, &app.token(VENDOR_1), "live-1").await;
    assert_eq!(vendor.recv_type("closed").await["reason"], "timer");
    assert_eq!(buyer.recv_type("closed").await["reason"], "timer");
}

fn records_file(app: &TestApp, name: &str) -> PathBuf {
    PathBuf::from(&app.settings.records.dir).join(name)
}

async fn post(app: &TestApp, path: &str, token: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base_url))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request reaches the server");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = app.get(path, Some(token)).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The `id`s of a list of meetings.
fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect()
}

fn meetings(log: &Value) -> Vec<&str> {
    log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meeting"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_meeting_is_on_disk_by_the_time_its_sides_hear_it_closed() {
    let app = short_meetings().await;
    hold_live_1(&app).await;
    // Read the file at once: `closed` is sent only after the record is flushed.
    let text = std::fs::read_to_string(records_file(&app, CONSULTATIONS_FILE)).unwrap();
    let record: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["meeting"] == "live-1")
        .expect("live-1 is on record");
    assert_eq!(record["ending"]["kind"], "timer");
    assert_eq!(record["buyer"], BUYER_1);
    assert_eq!(record["vendor"], VENDOR_1);
    assert!(record["duration_s"].as_u64().unwrap() <= 2);
    assert!(record["buyer_attendance"]["first_joined_at"].is_i64());
}

#[tokio::test]
async fn each_side_answers_the_survey_once_after_the_room_closed() {
    let app = short_meetings().await;
    let buyer = app.token(BUYER_1);
    let good = r#"{"valued": "variety", "rating": 5, "outcome": "quote_requested", "comment": "좋았습니다"}"#;

    // Before the room closes: the questions, but no answers yet.
    let (status, q) = get_json(&app, "/api/survey/live-1", &buyer).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["side"], "buyer");
    assert_eq!(q["open"], false);
    assert_eq!(q["question"]["options"][0]["label"], "품목의 다양성");
    let (status, e) = post(&app, "/api/survey/live-1", &buyer, good).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("survey_not_open")),
        "{e}"
    );

    hold_live_1(&app).await;
    let (_, q) = get_json(&app, "/api/survey/live-1", &buyer).await;
    assert_eq!(
        (q["open"].as_bool(), q["answered"].as_bool()),
        (Some(true), Some(false))
    );

    // Bad answers: each gets bad_answer (or bad_json) with what is wrong, and nothing is kept.
    for (body, code, says) in [
        ("{not json", "bad_json", "JSON"),
        (
            r#"{"valued": "promotion", "rating": 5, "outcome": "none"}"#,
            "bad_answer",
            "variety",
        ),
        (
            r#"{"valued": "variety", "rating": 9, "outcome": "none"}"#,
            "bad_answer",
            "1 to 5",
        ),
        (
            r#"{"valued": "variety", "rating": 4}"#,
            "bad_answer",
            "outcome",
        ),
        (
            r#"{"valued": "variety", "rating": 4, "outcome": "won"}"#,
            "bad_answer",
            "quote_requested",
        ),
        (
            r#"{"valued": "variety", "rating": 4, "outcome": "none", "extra": 1}"#,
            "bad_answer",
            "extra",
        ),
    ] {
        let (status, e) = post(&app, "/api/survey/live-1", &buyer, body).await;
        assert_eq!(status, 400, "{body}: {e}");
        assert_eq!(e["error"]["code"], code, "{body}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(says),
            "{body}: {e}"
        );
    }

    let (status, a) = post(&app, "/api/survey/live-1", &buyer, good).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["answer"]["side"], "buyer");
    let (status, e) = post(&app, "/api/survey/live-1", &buyer, good).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("already_answered"))
    );
    let (_, q) = get_json(&app, "/api/survey/live-1", &buyer).await;
    assert_eq!(q["answered"], true);
    assert_eq!(q["answer"]["rating"], 5);

    // The vendor answers its own side's question.
    let vendor = app.token(VENDOR_1);
    let (status, a) = post(
        &app,
        "/api/survey/live-1",
        &vendor,
        r#"{"valued": "promotion", "rating": 4, "outcome": "contract_review"}"#,
    )
    .await;
    assert_eq!(status, 201, "{a}");

    // Only the meeting's own sides answer.
    for (who, status, code) in [
        (STAFF, 403, "wrong_role"),
        (MODERATOR, 403, "wrong_role"),
        (BUYER_2, 403, "not_your_meeting"),
        (VENDOR_2, 403, "not_your_meeting"),
    ] {
        let (s, e) = post(&app, "/api/survey/live-1", &app.token(who), good).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (status, Some(code)),
            "{who}: {e}"
        );
    }
    let (s, e) = get_json(&app, "/api/survey/no-such-meeting", &buyer).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (404, Some("unknown_meeting"))
    );
    // A token scoped to another meeting does not answer this one.
    let scoped = app.token_for_meeting(BUYER_1, "later-1");
    let (s, e) = post(&app, "/api/survey/live-1", &scoped, good).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("token_wrong_meeting"))
    );

    // Both answers are durable, one line each.
    let text = std::fs::read_to_string(records_file(&app, SURVEYS_FILE)).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");

    // The staff report counts them.
    let (_, report) = get_json(&app, "/api/report", &app.token(STAFF)).await;
    assert_eq!(report["survey"]["buyer"]["responses"], 1);
    assert_eq!(report["survey"]["buyer"]["valued"][0]["pct"], 100.0);
    let contract = report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "contract_review")
        .unwrap();
    assert_eq!(contract["count"], 1, "{report}");
}

#[tokio::test]
async fn staff_see_every_record_buyers_and_vendors_only_their_own() {
    let app = short_meetings().await;
    let staff = app.token(STAFF);
    let (_, before) = get_json(&app, "/api/report", &staff).await;
    assert_eq!(before["totals"]["consultations"], 0);
    assert_eq!(before["totals"]["meetings_recorded"], 0);

    hold_live_1(&app).await;
    // live-2's room closes at the same moment, with nobody in it; wait for its record.
    let mut log = Value::Null;
    for _ in 0..50 {
        log = get_json(&app, "/api/log", &staff).await.1;
        if log["total"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(meetings(&log), ["live-1", "live-2"], "{log}");
    assert_eq!(
        log["rows"][1]["ending"],
        json!({"kind": "no_show", "absent": "both"})
    );

    let (_, after) = get_json(&app, "/api/report", &staff).await;
    let t = &after["totals"];
    assert_eq!(
        (t["consultations"].as_u64(), t["no_shows"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (t["institutions"].as_u64(), t["enterprises"].as_u64()),
        (Some(1), Some(1))
    );

    // A buyer and a vendor see only their organisation's meetings.
    let (status, mine) = get_json(&app, "/api/log", &app.token(BUYER_1)).await;
    assert_eq!(status, 200);
    assert_eq!(meetings(&mine), ["live-1"]);
    let (_, mine) = get_json(&app, "/api/log", &app.token(VENDOR_2)).await;
    assert_eq!(meetings(&mine), ["live-2"]);
    // Asking for another organisation's meetings finds nothing of it.
    let (_, none) = get_json(&app, "/api/log?institution=inst-2", &app.token(BUYER_1)).await;
    assert_eq!(none["total"], 0);

    // Filters and sorting.
    let (_, held) = get_json(&app, "/api/log?no_show=false", &staff).await;
    assert_eq!(meetings(&held), ["live-1"]);
    let (_, coop) = get_json(&app, "/api/log?enterprise_type=cooperative", &staff).await;
    assert_eq!(meetings(&coop), ["live-2"]);
    let (_, desc) = get_json(&app, "/api/log?sort=institution&order=desc", &staff).await;
    assert_eq!(
        meetings(&desc),
        ["live-1", "live-2"],
        "서울특별시 종로구 after 서울교통공사"
    );
    let (status, e) = get_json(&app, "/api/log?colour=blue", &staff).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );

    // The report and the exports are for staff and moderators.
    for who in [BUYER_1, VENDOR_1] {
        for path in ["/api/report", "/api/log.csv", "/api/log.xlsx", "/api/fairs"] {
            let (status, e) = get_json(&app, path, &app.token(who)).await;
            assert_eq!(
                (status, e["error"]["code"].as_str()),
                (403, Some("wrong_role")),
                "{who} {path}"
            );
        }
    }
    assert_eq!(app.get("/api/log", None).await.status(), 401);

    // CSV for Excel: BOM, Korean header, CRLF, one line per row.
    let r = app.get("/api/log.csv", Some(&app.token(MODERATOR))).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}회차,주제,날짜,시작,종료,상담 ID,기관".as_bytes()));
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert_eq!(text.matches("\r\n").count(), 3, "{text}");
    assert!(
        text.contains("서울특별시 종로구") && text.contains("불참(양측)"),
        "{text}"
    );

    // The workbook: a real .xlsx whose sheet holds the same rows.
    let r = app.get("/api/log.xlsx", Some(&staff)).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    for expected in [
        "상담 시간(분)",
        "서울특별시 종로구",
        "(주)함께만드는세상",
        "시간 종료",
    ] {
        assert!(
            strings.contains(expected),
            "{expected} missing from the workbook"
        );
    }
    assert!(zip.by_name("xl/worksheets/sheet1.xml").is_ok());
}

#[tokio::test]
async fn the_demo_history_reports_the_2021_fair_against_2020() {
    let settings = test_settings();
    let fair = demo::demo_fair(&demo::DemoOptions::starting_at(
        now() + Duration::from_secs(3600),
    ));
    let app = Application::build(settings.clone(), fair)
        .await
        .unwrap()
        .with_archive(history::demo_archive());
    let app = spawn_built(settings, app);
    let staff = app.token(demo::DEMO_STAFF);

    let (_, fairs) = get_json(&app, "/api/fairs", &staff).await;
    let ids: Vec<&str> = fairs["fairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[1..], ["seoul-sse-2021", "seoul-sse-2020"]);
    assert_eq!(fairs["fairs"][0]["current"], true);

    let (status, r) = get_json(&app, "/api/report?fair=seoul-sse-2021", &staff).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["totals"]["institutions"], 85);
    assert_eq!(r["totals"]["enterprises"], 171);
    assert_eq!(r["totals"]["consultations"], 576);
    assert_eq!(r["growth"]["enterprises"]["pct"], 152.7);
    assert_eq!(r["growth"]["consultations"]["pct"], 130.0);
    assert_eq!(r["survey"]["vendor"]["valued"][0]["pct"], 45.9);

    let (_, log) = get_json(&app, "/api/log?fair=seoul-sse-2021&round=2&limit=5", &staff).await;
    assert_eq!(log["rows"].as_array().unwrap().len(), 5);
    assert!(log["total"].as_u64().unwrap() > 190);
    let (_, day) = get_json(
        &app,
        "/api/log?fair=seoul-sse-2021&date=2021-07-22&limit=1",
        &staff,
    )
    .await;
    assert_eq!(day["total"], log["total"], "round 2 was on 2021-07-22");

    // Buyers and vendors read only the current fair.
    let (status, e) = get_json(
        &app,
        "/api/log?fair=seoul-sse-2021",
        &app.token(demo::DEMO_BUYER),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("wrong_role"))
    );
    let (status, e) = get_json(&app, "/api/report?fair=seoul-2019", &staff).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("unknown_fair"))
    );
}

#[tokio::test]
async fn a_meeting_that_has_not_happened_has_no_survey_yet() {
    let app = sangdam_tests::app::spawn_app(test_fair(Duration::from_secs(600))).await;
    let (_, q) = get_json(&app, "/api/survey/later-1", &app.token(BUYER_1)).await;
    assert_eq!(q["open"], false);
    assert!(q["opens_at"].as_i64().unwrap() > now().as_millis());
}

#[tokio::test]
async fn a_meeting_scoped_token_reaches_its_one_meeting_on_every_surface() {
    let app = short_meetings().await;
    hold_live_1(&app).await;
    let staff = app.token(STAFF);
    for _ in 0..50 {
        if get_json(&app, "/api/log", &staff).await.1["total"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Staff with a token for live-2 only: the log and the exports hold live-2 alone...
    let scoped_staff = app.token_for_meeting(STAFF, "live-2");
    let (status, log) = get_json(&app, "/api/log", &scoped_staff).await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(meetings(&log), ["live-2"]);
    let csv = app
        .get("/api/log.csv", Some(&scoped_staff))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("live-2") && !csv.contains("live-1"), "{csv}");
    // ...the whole fair's report, the list of fairs and the schedule's other meetings are
    // out of its reach.
    for path in ["/api/report", "/api/fairs"] {
        let (status, e) = get_json(&app, path, &scoped_staff).await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (403, Some("token_wrong_meeting")),
            "{path}: {e}"
        );
    }
    let (_, schedule) = get_json(&app, "/api/meetings", &scoped_staff).await;
    assert_eq!(ids(&schedule["meetings"]), ["live-2"]);

    // A buyer with a token for later-1 lists only later-1 and reads no other record.
    let scoped_buyer = app.token_for_meeting(BUYER_1, "later-1");
    let (_, me) = get_json(&app, "/api/me", &scoped_buyer).await;
    assert_eq!(ids(&me["meetings"]), ["later-1"]);
    let (_, log) = get_json(&app, "/api/log", &scoped_buyer).await;
    assert_eq!(log["total"], 0, "{log}");
    // The unscoped buyer still reads live-1.
    let (_, log) = get_json(&app, "/api/log", &app.token(BUYER_1)).await;
    assert_eq!(meetings(&log), ["live-1"]);
}
