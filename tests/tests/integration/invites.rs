//! Invitation links in bulk: the staff page's download and `sangdam invites`, every link a
//! working token for its participant, valid until the fair's end plus the margin.

use sangdam_tests::app::{spawn_app, temp_dir, test_fair, TestApp, BUYER_1, SECRET, STAFF};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

async fn fetch(app: &TestApp, path: &str, who: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.base_url))
        .bearer_auth(app.token(who))
        .send()
        .await
        .unwrap()
}

/// The data rows of an invitation CSV (no cell here holds a comma).
fn rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head = lines.next().unwrap();
    assert!(
        head.starts_with("이름,소속,역할,이메일,전화,링크"),
        "{head}"
    );
    lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn token_of(link: &str) -> &str {
    link.split("#token=").nth(1).expect("a link with a token")
}

#[tokio::test]
async fn staff_download_every_participants_working_link_until_the_fair_ends() {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let r = fetch(&app, "/api/invites.csv", STAFF).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let all = rows(&r.text().await.unwrap());
    assert_eq!(all.len(), app.fair.participants().count());
    let fair_end = app.fair.ends_at().unwrap().as_millis() / 1000;
    for row in &all {
        let token = token_of(&row[5]);
        let claims = app.issuer.verify(token).expect("a valid token");
        assert_eq!(
            claims.exp,
            fair_end + 24 * 3600,
            "until the fair's end + 24 h"
        );
        let p = app.participant(&claims.sub);
        assert_eq!(row[0], p.name);
        assert_eq!(row[2], p.role.label_ko());
        let me = reqwest::Client::new()
            .get(format!("{}/api/me", app.base_url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "{}'s link opens their page", p.id);
    }

    let vendors = rows(
        &fetch(&app, "/api/invites.csv?role=vendor", STAFF)
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!vendors.is_empty() && vendors.iter().all(|r| r[2] == "판매자"));

    // Scoped: one link per meeting, admitting to that meeting only.
    let text = fetch(&app, "/api/invites.csv?scoped=true", STAFF)
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("링크,상담,시간"));
    let scoped = rows(&text);
    let meetings: usize = app
        .fair
        .participants()
        .map(|p| app.fair.meetings_of(p).len())
        .sum();
    assert_eq!(scoped.len(), meetings);
    for row in &scoped {
        let claims = app.issuer.verify(token_of(&row[5])).unwrap();
        assert_eq!(claims.mtg.as_deref(), Some(row[6].as_str()));
    }

    let x = fetch(&app, "/api/invites.xlsx", STAFF).await;
    assert_eq!(x.status(), 200);
    assert_eq!(&x.bytes().await.unwrap()[..2], b"PK");

    let r = fetch(&app, "/api/invites.csv", BUYER_1).await;
    assert_eq!(r.status(), 403);
    let r = fetch(&app, "/api/invites.csv?role=boss", STAFF).await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_query");
}

#[test]
fn sangdam_invites_writes_the_sheet_with_the_servers_secret() {
    let work = temp_dir("invites-cli");
    let run = |args: &[&str], secret: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sangdam-node"));
        cmd.args(args).current_dir(&work);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("SANGDAM_")) {
            cmd.env_remove(k);
        }
        if secret {
            cmd.env("SANGDAM_SECRET", SECRET);
            cmd.env("SANGDAM_PUBLIC_URL", "https://fair.example");
        }
        cmd.output().unwrap()
    };
    let out = run(
        &["demo", "--out", "fair", "--start", "2030-05-20 10:00"],
        false,
    );
    assert!(out.status.success());
    let no_secret = run(&["invites", "--fair", "fair", "--out", "links.csv"], false);
    assert!(!no_secret.status.success());
    assert!(String::from_utf8_lossy(&no_secret.stderr).contains("secret"));
    let out = run(
        &[
            "invites",
            "--fair",
            "fair",
            "--out",
            "links.csv",
            "--role",
            "판매자",
        ],
        true,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrote 171 invitation links"));
    let text = std::fs::read_to_string(Path::new(&work).join("links.csv")).unwrap();
    let vendors = rows(&text);
    assert_eq!(vendors.len(), 171);
    assert!(vendors
        .iter()
        .all(|r| r[5].starts_with("https://fair.example/#token=")));
    let out = run(&["invites", "--fair", "fair", "--out", "links.xlsx"], true);
    assert!(out.status.success());
    assert_eq!(&std::fs::read(work.join("links.xlsx")).unwrap()[..2], b"PK");
    let bad = run(&["invites", "--fair", "fair", "--out", "links.txt"], true);
    assert!(!bad.status.success());
}
