//! Mail and reminders in a real browser (headless Chromium) against the real server and a
//! real SMTP server on loopback: staff send the invitations from the preparation tab's mail
//! card and watch the counts reach everyone; a vendor whose meeting starts in four minutes
//! sees the reminder on their page, announced politely, and turns reminders off there.

use anyhow::Result;
use sangdam_server::app::settings::MailSecurity;
use sangdam_server::app::startup::Application;
use sangdam_server::files::fair::contacts::{ContactInfo, Contacts};
use sangdam_tests::app::{now, spawn_built, test_fair_at, test_settings, STAFF, VENDOR_1};
use sangdam_tests::cdp::Browser;
use sangdam_tests::smtp_sink::{SinkOptions, SmtpSink};
use serde_json::Value;
use std::time::Duration;

const LOAD: Duration = Duration::from_secs(30);

#[tokio::test]
async fn staff_send_invitations_from_the_page_and_a_vendor_is_reminded_on_theirs() -> Result<()> {
    let sink = SmtpSink::start(SinkOptions::default());
    let fair = test_fair_at(now() + Duration::from_secs(240), Duration::from_secs(600));
    let contacts = Contacts(
        fair.participants()
            .map(|p| {
                (
                    p.id.clone(),
                    ContactInfo {
                        phone: None,
                        email: Some(format!("{}@example.test", p.id)),
                    },
                )
            })
            .collect(),
    );
    let everyone = fair.participants().count();
    let mut settings = test_settings();
    settings.mail.host = "127.0.0.1".into();
    settings.mail.port = sink.port();
    settings.mail.security = MailSecurity::None;
    settings.mail.from = "상담회 사무국 <fair@fair.test>".into();
    let app = Application::build(settings.clone(), fair)
        .await?
        .with_contacts(contacts);
    let app = spawn_built(settings, app);
    let browser = Browser::launch().await?;

    // Staff: the mail card sends everyone their invitation; the counts come to everyone.
    let staff = browser
        .new_page(&format!(
            "{}/#token={}&view=prep",
            app.base_url,
            app.token(STAFF)
        ))
        .await?;
    staff
        .wait_for("document.getElementById('mail-send')", LOAD)
        .await?;
    staff.eval("window.confirm = () => true").await?;
    staff.click("#mail-send").await?;
    staff
        .wait_for(
            &format!(
                "(document.querySelector('#mail-counts tr[data-kind=invitation] td') || {{}}).textContent === '{everyone}'"
            ),
            LOAD,
        )
        .await?;
    let live = staff
        .eval("document.getElementById('mail-status').getAttribute('aria-live')")
        .await?;
    assert_eq!(live, "polite");
    let invitations = sink
        .messages()
        .iter()
        .filter(|m| m.parsed().subject.unwrap_or_default().contains("초대"))
        .count();
    assert_eq!(invitations, everyone);

    // The vendor: their meeting starts in four minutes, the page says so.
    let vendor = browser
        .new_page(&format!("{}/#token={}", app.base_url, app.token(VENDOR_1)))
        .await?;
    vendor
        .wait_for(
            "(() => { const b = document.getElementById('reminder-banner'); return b && !b.hidden && b.textContent.length > 0; })()",
            LOAD,
        )
        .await?;
    let banner = vendor
        .eval("document.getElementById('reminder-banner').textContent")
        .await?;
    assert!(banner.as_str().unwrap_or("").contains("분"), "{banner}");
    assert_eq!(
        vendor
            .eval("document.getElementById('reminder-banner').getAttribute('aria-live')")
            .await?,
        "polite"
    );
    // Turning reminders off on the page is stored on the server.
    vendor.click("#rem-off").await?;
    let deadline = std::time::Instant::now() + LOAD;
    loop {
        let r: Value = app
            .get("/api/reminders", Some(&app.token(VENDOR_1)))
            .await
            .json()
            .await?;
        if r["off"] == true {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "never stored: {r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await?;
    Ok(())
}
