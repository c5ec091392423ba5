//! `sangdam import` and `sangdam export` as staff run them on the server host: the same
//! program as `sangdam`, on a fair directory and the data directory a server uses.

use sangdam_server::files::fair as fairfile;
use sangdam_tests::app::{spawn_app_with, temp_dir, test_settings, TestApp};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

const STAFF: &str = "p-staff-01";

fn sangdam(workdir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sangdam-node"));
    cmd.args(args).current_dir(workdir);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("SANGDAM_")) {
        cmd.env_remove(k);
    }
    cmd.output().expect("the sangdam-node binary runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base_url))
        .bearer_auth(app.token(STAFF))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn staff_import_on_the_command_line_publish_and_export_a_fair_to_serve() {
    let work = temp_dir("prep-cli");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/demo-registrations.xlsx");
    let sample = sample.to_str().unwrap();
    let out = sangdam(
        &work,
        &["demo", "--out", "fair", "--start", "2027-05-20 10:00"],
    );
    assert!(out.status.success(), "{:?}", text(&out));

    // Without a fair directory the command says why it cannot.
    let out = sangdam(&work, &["import", sample]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--fair DIR"), "{:?}", text(&out));

    let import = |dry: bool| {
        let mut args = vec!["import", "--fair", "fair", "--data-dir", "data", sample];
        if dry {
            args.push("--dry-run");
        }
        sangdam(&work, &args)
    };
    let out = import(true);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("added 516"), "{:?}", text(&out));
    let out = import(false);
    assert!(text(&out).0.contains("added 516"), "{:?}", text(&out));
    let again = import(false);
    let (stdout, _) = text(&again);
    assert!(
        stdout.contains("added 0")
            && stdout.contains("updated 0")
            && stdout.contains("unchanged 516"),
        "{stdout}"
    );

    // A bad sheet: nothing imported, the problem located, a failing exit status.
    std::fs::write(
        work.join("기관.csv"),
        "\u{feff}아이디,기관명,기관유형,부스수\ni001,서울특별시,본청,열두개\n",
    )
    .unwrap();
    let bad = sangdam(
        &work,
        &["import", "--fair", "fair", "--data-dir", "data", "기관.csv"],
    );
    assert!(!bad.status.success());
    let (_, stderr) = text(&bad);
    assert!(
        stderr.contains("2행") && stderr.contains("부스수"),
        "{stderr}"
    );

    // Exporting before anything is published is refused.
    let early = sangdam(
        &work,
        &[
            "export",
            "--fair",
            "fair",
            "--data-dir",
            "data",
            "--out",
            "early",
        ],
    );
    assert!(!early.status.success());
    assert!(
        text(&early).1.contains("nothing is published"),
        "{:?}",
        text(&early)
    );

    // A server on the same fair and data directory sees the import; staff match, schedule
    // and publish round 1 there.
    let fair = fairfile::load_fair_dir(&work.join("fair")).unwrap();
    let mut settings = test_settings();
    settings.records.dir = work.join("data").display().to_string();
    let app = spawn_app_with(settings, fair).await;
    let proposal = post(&app, "/api/prep/proposal", json!({"round": "r1"})).await;
    let pairs: Vec<Value> = proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p["institution"], p["enterprise"]]))
        .collect();
    assert!(!pairs.is_empty());
    post(
        &app,
        "/api/prep/matches",
        json!({"round": "r1", "pairs": pairs, "from_proposal": true}),
    )
    .await;
    let draft = post(&app, "/api/prep/schedule", json!({"round": "r1"})).await;
    let booked = draft["draft"]["booked"].as_array().unwrap().len();
    assert_eq!(booked, pairs.len(), "every proposed pair fits round 1");
    post(
        &app,
        "/api/prep/publish",
        json!({"kind": "final", "drafts": {"r1": draft["draft"]["version"]}}),
    )
    .await;
    drop(app);

    let out = sangdam(
        &work,
        &[
            "export",
            "--fair",
            "fair",
            "--data-dir",
            "data",
            "--out",
            "published",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let served = fairfile::load_fair_dir(&work.join("published")).expect("the export is a fair");
    assert_eq!(served.meetings().count(), booked);
    assert_eq!(served.institutions().count(), 85);
    assert_eq!(served.enterprises().count(), 171);
    assert_eq!(
        served.id.as_str(),
        fairfile::load_fair_dir(&work.join("fair"))
            .unwrap()
            .id
            .as_str()
    );
}
