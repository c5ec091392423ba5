//! The SMTP connection, as `[mail]` configures it: STARTTLS, implicit TLS or (for a relay on
//! this machine) plain; credentials; extra certificate authorities; a pool of connections.
//! And the one place an SMTP outcome becomes the outbox's [`Attempt`].

use crate::app::settings::{MailSecurity, MailSettings};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sangdam_signaling::notify::outbox::Attempt;
use std::time::Duration;

pub type Smtp = AsyncSmtpTransport<Tokio1Executor>;

/// The transport `[mail]` describes. Errors are configuration errors, said at start-up.
pub fn build(m: &MailSettings) -> Result<Smtp, String> {
    let mut tls = TlsParameters::builder(m.host.clone());
    if !m.ca_file.as_os_str().is_empty() {
        let pem = std::fs::read(&m.ca_file)
            .map_err(|e| format!("mail.ca_file {}: {e}", m.ca_file.display()))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| format!("mail.ca_file {}: {e}", m.ca_file.display()))?;
        tls = tls.add_root_certificate(cert);
    }
    let params = || {
        tls.clone()
            .build_rustls()
            .map_err(|e| format!("mail TLS: {e}"))
    };
    let mut b = Smtp::builder_dangerous(&m.host)
        .port(m.port)
        .timeout(Some(Duration::from_secs(m.timeout_seconds)))
        .pool_config(PoolConfig::new().max_size(m.concurrency.max(1) as u32))
        .tls(match m.security {
            MailSecurity::Starttls => Tls::Required(params()?),
            MailSecurity::Tls => Tls::Wrapper(params()?),
            MailSecurity::None => Tls::None,
        });
    if !m.user.is_empty() {
        b = b.credentials(Credentials::new(
            m.user.clone(),
            m.password.expose().to_string(),
        ));
    }
    Ok(b.build())
}

/// Sends one message and says what it came to: the server's `250`, a refusal worth trying
/// again (`4xx`, no connection, a timeout, TLS trouble) or one that is not (`5xx`).
pub async fn send(smtp: &Smtp, message: Message) -> Attempt {
    match smtp.send(message).await {
        Ok(_) => Attempt::Sent,
        Err(e) if e.is_permanent() => Attempt::Permanent(describe(&e)),
        Err(e) => Attempt::Transient(describe(&e)),
    }
}

/// The server's own words when it gave any, with the code.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    if let Some(code) = e.status() {
        if !s.contains(&code.to_string()) {
            s = format!("{code} {s}");
        }
    }
    s.chars().take(500).collect()
}
