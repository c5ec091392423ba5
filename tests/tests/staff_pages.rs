//! The staff pages and the survey form in a real browser (headless Chromium over the
//! DevTools protocol) against the real server: the report shows figures computed from the
//! demo's 2021 history, in Korean and in English; the log sorts and filters; a buyer answers
//! the survey about a meeting that is over.

use anyhow::Result;
use sangdam_server::app::startup::Application;
use sangdam_server::demo::{self, history};
use sangdam_tests::app::{now, spawn_app, spawn_built, test_fair, test_settings, TestApp, BUYER_2};
use sangdam_tests::cdp::Browser;
use std::time::Duration;

const LOAD: Duration = Duration::from_secs(20);

/// The demo fair an hour from now, with its 2020 and 2021 history on record.
async fn demo_with_history() -> Result<TestApp> {
    let settings = test_settings();
    let fair = demo::demo_fair(&demo::DemoOptions::starting_at(
        now() + Duration::from_secs(3600),
    ));
    let app = Application::build(settings.clone(), fair)
        .await?
        .with_archive(history::demo_archive());
    Ok(spawn_built(settings, app))
}

fn text_of(id: &str) -> String {
    format!("(document.getElementById('{id}') || {{}}).textContent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_and_the_log_show_the_2021_fair_in_korean_and_english() -> Result<()> {
    let app = demo_with_history().await?;
    let token = app.token(demo::DEMO_STAFF);
    let browser = Browser::launch().await?;
    let page = browser
        .new_page(&format!("{}/#token={token}&view=report", app.base_url))
        .await?;

    // The current fair has no records yet, so the report opens on the 2021 fair.
    page.wait_for(&format!("{} === '576'", text_of("rep-consultations")), LOAD)
        .await?;
    assert_eq!(page.eval(&text_of("rep-institutions")).await?, "85");
    assert_eq!(page.eval(&text_of("rep-enterprises")).await?, "171");
    let body = page.eval("document.body.innerText").await?;
    let body = body.as_str().unwrap_or_default();
    for shown in [
        "152.7%",
        "130.0%",
        "39.3%",
        "31.2%",
        "45.9%",
        "32.8%",
        "11.5%",
        "품목의 다양성",
    ] {
        assert!(body.contains(shown), "{shown} missing from the report");
    }
    let _ = page.screenshot("/tmp/sangdam-report-ko.png").await;

    page.click("[data-lang=en]").await?;
    page.wait_for(
        "document.getElementById('report-title').textContent === 'Fair report'",
        LOAD,
    )
    .await?;
    let body = page.eval("document.body.innerText").await?;
    assert!(body
        .as_str()
        .unwrap_or_default()
        .contains("Variety of items"));
    let _ = page.screenshot("/tmp/sangdam-report-en.png").await;

    // The log: every record of the fair, sortable by clicking a column.
    page.eval("location.hash = 'view=log'").await?;
    page.wait_for(
        "(document.getElementById('log-status') || {}).textContent === 'Showing 597 of 597'",
        LOAD,
    )
    .await?;
    page.click("button.sort[data-sort=duration]").await?;
    page.wait_for(
        "document.querySelector('th[aria-sort=descending] button[data-sort=duration]') !== null",
        LOAD,
    )
    .await?;
    // Filtering: only no-shows.
    page.eval("(() => { const s = document.getElementById('f-noshow'); s.value = 'true'; s.dispatchEvent(new Event('change')); })()")
        .await?;
    page.wait_for(
        "(document.getElementById('log-status') || {}).textContent === 'Showing 21 of 21'",
        LOAD,
    )
    .await?;
    let _ = page.screenshot("/tmp/sangdam-log-en.png").await;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_answers_the_survey_about_a_meeting_that_is_over() -> Result<()> {
    let app = spawn_app(test_fair(Duration::from_secs(600))).await;
    let token = app.token(BUYER_2);
    let browser = Browser::launch().await?;
    // `past-1` ended two hours ago: its home page offers the survey.
    let page = browser
        .new_page(&format!("{}/#token={token}", app.base_url))
        .await?;
    page.wait_for(
        "(() => { const b = document.querySelector('tr[data-meeting=\"past-1\"] .survey-link'); return !!b && !b.hidden; })()",
        LOAD,
    )
    .await?;
    // The booth panel above loses its "connecting" banner once the lobby connects, which
    // moves the link up: click only once it has, or the click lands where the link was.
    page.wait_for("document.querySelector('.lobby-conn.on')", LOAD)
        .await?;
    page.click("tr[data-meeting=\"past-1\"] .survey-link")
        .await?;
    page.wait_for("document.querySelector('form.survey-form') !== null", LOAD)
        .await?;
    page.click("input[name=valued][value=variety]").await?;
    page.click("input[name=rating][value=\"4\"]").await?;
    page.click("input[name=outcome][value=sample_requested]")
        .await?;
    let _ = page.screenshot("/tmp/sangdam-survey.png").await;
    page.click("form.survey-form button[type=submit]").await?;
    page.wait_for(
        "document.querySelector('section.survey[data-answered]') !== null",
        LOAD,
    )
    .await?;

    // The answer is on record, as the buyer gave it.
    let r = app.get("/api/survey/past-1", Some(&token)).await;
    let v: serde_json::Value = r.json().await?;
    assert_eq!(v["answer"]["valued"], "variety");
    assert_eq!(v["answer"]["rating"], 4);
    assert_eq!(v["answer"]["outcome"], "sample_requested");
    browser.close().await?;
    Ok(())
}

/// Records every Content-Security-Policy violation from the start of each document.
const CSP_LOG: &str = r#"
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_pages_run_under_the_content_security_policy_without_a_violation() -> Result<()> {
    let app = demo_with_history().await?;
    let token = app.token(demo::DEMO_STAFF);
    let browser = Browser::launch().await?;
    let page = browser.new_page("about:blank").await?;
    page.add_init_script(CSP_LOG).await?;
    // The report draws its bars with widths set from script: the policy must allow that.
    page.goto(&format!("{}/#token={token}&view=report", app.base_url))
        .await?;
    page.wait_for(&format!("{} === '576'", text_of("rep-consultations")), LOAD)
        .await?;
    let width = page
        .eval("(document.querySelector('.bar-fill') || {style: {}}).style.width")
        .await?;
    assert!(
        width.as_str().is_some_and(|w| w.ends_with('%')),
        "bars have their widths: {width}"
    );
    page.goto(&format!("{}/#view=log", app.base_url)).await?;
    page.wait_for("document.body.dataset.page === 'log'", LOAD)
        .await?;
    let violations = page.eval("window.__csp").await?;
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    browser.close().await?;
    Ok(())
}
