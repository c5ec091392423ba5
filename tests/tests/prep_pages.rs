//! The fair preparation in a real browser (headless Chromium over the DevTools protocol)
//! against the real server: staff upload the demo registrations through the preparation
//! tab's file input, propose a whole set of matches for round 1 and accept it, make the
//! draft schedule and publish it; then a vendor who got meetings sees them in "my
//! timetable" and downloads the .ics, whose events are that vendor's meetings. On the way,
//! the invitation card's download and its revoke form.

use anyhow::{bail, Context, Result};
use sangdam_server::demo;
use sangdam_signaling::fair::Affiliation;
use sangdam_signaling::Role;
use sangdam_tests::app::{now, spawn_app, temp_dir};
use sangdam_tests::cdp::{Browser, Page};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const LOAD: Duration = Duration::from_secs(30);

fn text_of(id: &str) -> String {
    format!("(document.getElementById('{id}') || {{}}).textContent")
}

/// The demo registrations, as an absolute path without `..` (Chromium's file input cannot
/// read a file through one).
fn registrations_file() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/demo-registrations.xlsx");
    p.canonicalize().unwrap_or(p)
}

/// Records Content-Security-Policy violations in `window.__csp` (the policy forbids inline
/// scripts and styles; the pages must not need them).
const CSP_LOG: &str = r#"
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"#;

/// A new tab at `url` that records CSP violations from its first script on.
async fn open(browser: &Browser, url: &str) -> Result<Page> {
    let page = browser.new_page("about:blank").await?;
    page.add_init_script(CSP_LOG).await?;
    page.goto(url).await?;
    Ok(page)
}

/// Waits until a home page stops moving: its lobby connected (the lobby panel above the
/// preparation sections changes height as it connects) and both sections loaded, so a
/// click lands where the button was measured.
async fn settled(page: &Page) -> Result<()> {
    page.wait_for(
        "document.querySelector('.lobby-conn.on') && document.getElementById('requests') \
         && document.getElementById('timetable') \
         && !document.querySelector('#requests .loading, #timetable .loading')",
        LOAD,
    )
    .await?;
    Ok(())
}

/// Hands `file` to the `<input type=file>` with id `input`, as a user picking it would.
async fn set_file(page: &Page, input: &str, file: &Path) -> Result<()> {
    let r = page
        .call(
            "Runtime.evaluate",
            json!({"expression": format!("document.getElementById('{input}')")}),
        )
        .await?;
    let object = r["result"]["objectId"]
        .as_str()
        .with_context(|| format!("no #{input} on the page: {r}"))?;
    page.call(
        "DOM.setFileInputFiles",
        json!({"files": [file.to_string_lossy()], "objectId": object}),
    )
    .await?;
    Ok(())
}

/// Waits for a finished download named `name` in `dir` (Chromium writes `.crdownload` first).
/// Waits until `name` in `dir` is whole (Chromium renames a finished download into place;
/// `done` also checks the content, for a file read while still being written).
async fn wait_for_file(
    dir: &Path,
    name: &str,
    done: impl Fn(&str) -> bool,
    timeout: Duration,
) -> Result<String> {
    let path = dir.join(name);
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if done(&text) {
                return Ok(text);
            }
        }
        if start.elapsed() > timeout {
            let seen: Vec<_> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect();
            bail!(
                "no {name} in {} after {timeout:?}; there is {seen:?}",
                dir.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_prepare_and_publish_and_a_vendor_downloads_their_timetable() -> Result<()> {
    let fair = demo::demo_fair(&demo::DemoOptions::starting_at(
        now() + Duration::from_secs(7 * 24 * 3600),
    ));
    let app = spawn_app(fair).await;
    let staff = app.token(demo::DEMO_STAFF);
    let browser = Browser::launch().await?;
    let page = open(
        &browser,
        &format!("{}/#token={staff}&view=prep", app.base_url),
    )
    .await?;

    // The tab starts empty: nothing registered, nothing published.
    page.wait_for(&format!("{} === '0'", text_of("pc-institutions")), LOAD)
        .await?;
    assert_eq!(page.eval(&text_of("pc-publications")).await?, "0");
    let _ = page.screenshot("/tmp/sangdam-prep-empty.png").await;

    // A file with a bad row imports nothing, and the page lists where the problem is.
    let bad = temp_dir("prep-bad").join("참가자.csv");
    std::fs::write(
        &bad,
        "\u{feff}아이디,이름,역할,소속,전화,이메일\np-x-1,김아무,사장님,i001,,\n",
    )?;
    set_file(&page, "prep-file", &bad).await?;
    page.click("#prep-import").await?;
    page.wait_for("document.getElementById('prep-import-problems')", LOAD)
        .await?;
    let problem = page
        .eval(
            "[...document.querySelectorAll('#prep-import-problems tbody tr')] \
             .map((tr) => [...tr.children].slice(0, 3).map((td) => td.textContent).join('|'))",
        )
        .await?;
    assert!(
        problem.as_array().is_some_and(|rows| rows
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.ends_with("|2|역할")))),
        "the bad role is located: {problem}"
    );
    assert_eq!(page.eval(&text_of("pc-participants")).await?, "0");

    // Import through the real file input.
    set_file(&page, "prep-file", &registrations_file()).await?;
    page.click("#prep-import").await?;
    page.wait_for(
        "document.querySelector('#prep-import-result [data-count=added]')",
        LOAD,
    )
    .await?;
    let added = page
        .eval("document.querySelector('#prep-import-result [data-count=added]').textContent")
        .await?;
    let added: u32 = added.as_str().unwrap_or("0").parse()?;
    assert!(added > 200, "the demo registrations add {added} rows");
    assert_eq!(
        page.eval("document.querySelectorAll('#prep-import-problems').length")
            .await?,
        0
    );
    let institutions = page.eval(&text_of("pc-institutions")).await?;
    assert_ne!(institutions, "0", "the counts follow the import");

    // Round 1: propose a whole set and accept all of it.
    page.wait_for("document.getElementById('prep-propose')", LOAD)
        .await?;
    page.click("#prep-propose").await?;
    page.wait_for("document.getElementById('prep-accept-proposal')", LOAD)
        .await?;
    let proposed: u32 = page
        .eval(&text_of("prep-proposal-pairs"))
        .await?
        .as_str()
        .unwrap_or("0")
        .parse()?;
    assert!(proposed > 0, "the proposal has pairs");
    page.click("#prep-accept-proposal").await?;
    page.wait_for(
        &format!("document.querySelectorAll('#prep-matches tbody tr').length === {proposed}"),
        LOAD,
    )
    .await?;

    // The draft schedule, then the per-booth grid and the figures.
    page.click("#prep-make-draft").await?;
    page.wait_for("document.getElementById('prep-grid-booth')", LOAD)
        .await?;
    let booked: u32 = page
        .eval(&text_of("prep-draft-booked"))
        .await?
        .as_str()
        .unwrap_or("0")
        .parse()?;
    let not_placed: u32 = page
        .eval(&text_of("prep-draft-not-placed"))
        .await?
        .as_str()
        .unwrap_or("0")
        .parse()?;
    assert_eq!(
        booked + not_placed,
        proposed,
        "every match placed or listed"
    );
    let cells = page
        .eval("document.querySelectorAll('#prep-grid-booth td.cell-on').length")
        .await?;
    assert_eq!(cells, json!(booked));
    page.click("#prep-view-enterprise").await?;
    page.wait_for("document.getElementById('prep-grid-enterprise')", LOAD)
        .await?;

    // Publish; the list of publications shows it.
    page.click("#prep-publish-preliminary").await?;
    page.wait_for(
        "document.querySelectorAll('#prep-publications tbody tr').length === 1",
        LOAD,
    )
    .await?;
    assert_eq!(page.eval(&text_of("pc-publications")).await?, "1");
    let _ = page.screenshot("/tmp/sangdam-prep-staff.png").await;

    // A vendor who got meetings: the enterprise of the first published meeting.
    let drafts: Value = reqwest::Client::new()
        .get(format!("{}/api/prep/drafts", app.base_url))
        .bearer_auth(&staff)
        .send()
        .await?
        .json()
        .await?;
    let meetings = drafts["drafts"][0]["meetings"]
        .as_array()
        .context("a draft")?;
    let enterprise = meetings[0]["enterprise"]
        .as_str()
        .context("an enterprise")?;
    let mine: Vec<&str> = meetings
        .iter()
        .filter(|m| m["enterprise"] == enterprise)
        .filter_map(|m| m["meeting"].as_str())
        .collect();
    let vendor = app
        .fair
        .participants()
        .find(|p| {
            p.role == Role::Vendor
                && matches!(&p.affiliation, Affiliation::Enterprise(e) if e.as_str() == enterprise)
        })
        .with_context(|| format!("a vendor of {enterprise} in the demo fair"))?
        .id
        .to_string();

    let downloads = temp_dir("prep-ics");
    browser
        .call(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads.to_string_lossy()}),
        )
        .await?;
    assert_eq!(
        page.eval("window.__csp").await?,
        json!([]),
        "CSP violations"
    );
    // Staff download every participant's invitation link for mail merge.
    page.click("#inv-dl-csv").await?;
    let links = wait_for_file(
        &downloads,
        &format!("sangdam-invites-{}.csv", app.fair.id),
        |t| t.lines().count() > app.fair.participants().count(),
        LOAD,
    )
    .await?;
    let lines: Vec<&str> = links.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("이름,소속,역할,이메일,전화,링크"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), app.fair.participants().count() + 1);
    assert!(lines[1..].iter().all(|l| l.contains("/#token=")));

    // On the same card, staff revoke one participant's link and get a fresh one to send.
    let moderator = demo::demo_participant(Role::Moderator);
    let old = app.token(moderator);
    page.eval("window.confirm = () => true").await?;
    page.eval(&format!(
        "document.getElementById('inv-revoke-id').value = {}",
        json!(moderator)
    ))
    .await?;
    page.click("#inv-revoke").await?;
    let link = page
        .wait_for("document.getElementById('inv-revoke-link')?.value", LOAD)
        .await?;
    let fresh = link
        .as_str()
        .and_then(|l| l.split("#token=").nth(1))
        .context("a link with a token")?;
    assert_eq!(app.issuer.verify(fresh)?.gen, 1);
    assert_eq!(
        page.eval("document.getElementById('inv-revoke-done').dataset.generation")
            .await?,
        json!("1")
    );
    assert_eq!(app.get("/api/me", Some(&old)).await.status(), 401);
    assert_eq!(app.get("/api/me", Some(fresh)).await.status(), 200);

    let token = app.token(&vendor);
    let page = open(&browser, &format!("{}/#token={token}", app.base_url)).await?;
    page.wait_for("document.getElementById('tt-meetings')", LOAD)
        .await?;
    settled(&page).await?;
    assert_eq!(
        page.eval("document.querySelectorAll('#tt-meetings tbody tr').length")
            .await?,
        json!(mine.len())
    );
    // Never looked before: every meeting is new, highlighted, and the button is live.
    assert_eq!(
        page.eval("document.querySelectorAll('#tt-meetings tr.is-changed').length")
            .await?,
        json!(mine.len())
    );
    let publication = page.eval(&text_of("tt-publication")).await?;
    assert!(
        publication
            .as_str()
            .unwrap_or_default()
            .contains("1차 발표"),
        "{publication}"
    );
    let _ = page.screenshot("/tmp/sangdam-prep-vendor.png").await;

    page.click("#tt-ics").await?;
    let ics = wait_for_file(
        &downloads,
        &format!("sangdam-{vendor}.ics"),
        |t| t.contains("END:VCALENDAR"),
        LOAD,
    )
    .await?;
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), mine.len());
    for m in &mine {
        assert!(
            ics.contains(&format!("UID:{m}@")),
            "{m} missing from the calendar"
        );
    }

    // Marked seen: the highlight goes, the button rests.
    page.click("#tt-seen").await?;
    page.wait_for(
        "document.getElementById('tt-seen').disabled && !document.querySelector('#tt-meetings tr.is-changed')",
        LOAD,
    )
    .await?;

    assert_eq!(
        page.eval("window.__csp").await?,
        json!([]),
        "CSP violations"
    );
    browser.close().await?;
    let _ = std::fs::remove_dir_all(&downloads);
    Ok(())
}

/// Imports the demo registrations over HTTP, as the preparation tab does.
async fn import_over_http(app: &sangdam_tests::app::TestApp, staff: &str) -> Result<()> {
    let bytes = std::fs::read(registrations_file())?;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/prep/import?name=demo-registrations.xlsx",
            app.base_url
        ))
        .bearer_auth(staff)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("import: {} {}", r.status(), r.text().await?);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_asks_on_their_page_and_the_buyer_accepts_on_theirs() -> Result<()> {
    let fair = demo::demo_fair(&demo::DemoOptions::starting_at(
        now() + Duration::from_secs(7 * 24 * 3600),
    ));
    let app = spawn_app(fair).await;
    import_over_http(&app, &app.token(demo::DEMO_STAFF)).await?;
    let browser = Browser::launch().await?;
    let vendor = browser
        .new_page(&format!(
            "{}/#token={}",
            app.base_url,
            // The demo's first vendor (server/src/demo/fair.rs DEMO_VENDOR, not exported).
            app.token("p-v-e001")
        ))
        .await?;
    vendor
        .wait_for("document.getElementById('req-form')", LOAD)
        .await?;
    settled(&vendor).await?;
    // The reason counter counts characters and stops the form past 300.
    vendor
        .eval(
            "{ const r = document.getElementById('req-reason'); r.value = '가'.repeat(301); \
             r.dispatchEvent(new Event('input')); }",
        )
        .await?;
    assert_eq!(vendor.eval(&text_of("req-count")).await?, "301 / 300자");
    assert_eq!(
        vendor
            .eval("document.getElementById('req-send').disabled")
            .await?,
        true
    );
    vendor
        .eval(
            "{ const r = document.getElementById('req-reason'); r.value = '청소 용역을 소개하고 싶습니다'; \
             r.dispatchEvent(new Event('input')); }",
        )
        .await?;
    // The best fit is offered first.
    let institution = vendor
        .eval("document.getElementById('req-to').value")
        .await?;
    let institution = institution.as_str().context("a counterpart")?.to_string();
    vendor.click("#req-send").await?;
    vendor
        .wait_for(
            "document.querySelector('#req-sent tbody tr[data-status=pending]')",
            LOAD,
        )
        .await?;

    let buyer = app
        .fair
        .participants()
        .find(|p| {
            p.role == Role::Buyer
                && matches!(&p.affiliation, Affiliation::Institution(i) if i.as_str() == institution)
        })
        .with_context(|| format!("a buyer of {institution}"))?
        .id
        .to_string();
    let page = browser
        .new_page(&format!("{}/#token={}", app.base_url, app.token(&buyer)))
        .await?;
    page.wait_for(
        "document.querySelector('#req-received tbody tr[data-status=pending]')",
        LOAD,
    )
    .await?;
    settled(&page).await?;
    let reason = page
        .eval("document.querySelector('#req-received .req-reason').textContent")
        .await?;
    assert_eq!(reason, "청소 용역을 소개하고 싶습니다");
    page.click("#req-received tbody tr button").await?;
    page.wait_for(
        "document.querySelector('#req-received tbody tr[data-status=accepted]')",
        LOAD,
    )
    .await?;

    // The vendor sees it accepted once the page reloads its requests.
    vendor.eval("location.reload()").await?;
    vendor
        .wait_for(
            "document.querySelector('#req-sent tbody tr[data-status=accepted]')",
            LOAD,
        )
        .await?;
    browser.close().await?;
    Ok(())
}
