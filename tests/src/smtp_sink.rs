//! A real ESMTP server on loopback for the tests of the server's mail: it speaks RFC 5321
//! (with STARTTLS, implicit TLS and AUTH PLAIN/LOGIN when asked to), keeps what it
//! receives for the test to read, and can be broken and healed while it runs, so a test
//! sees the server's retries against a real SMTP conversation rather than a mock.
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! use sangdam_tests::smtp_sink::{SinkOptions, SmtpSink};
//! let sink = SmtpSink::start(SinkOptions::default().starttls().auth("mailer", "secret"));
//! // … point the server's [mail] at sink.addr(), trusting sink.ca_pem() …
//! sink.fail_data(1, 451, "4.3.0 Try again later"); // the first attempt is refused
//! let mails = sink.wait_for(1, std::time::Duration::from_secs(10)).await?;
//! # Ok(()) }
//! ```
//!
//! One task per connection; every session shares one state (messages, faults, counters)
//! behind a std mutex that is never held across an await.

mod parsed;
#[cfg(test)]
mod tests;

pub use parsed::{MailAttachment, Mailbox, ParsedMail};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::rustls;

/// The name the sink gives itself in its greeting and EHLO answer.
const HOSTNAME: &str = "sink.localhost";
/// A command line, AUTH's initial response included (RFC 4954 asks for at least 12,288).
const MAX_COMMAND_LINE: usize = 16 * 1024;
/// A line of DATA. RFC 5321 allows 1,000 octets; the sink is lenient and keeps up to this.
const MAX_DATA_LINE: usize = 64 * 1024;

/// How the sink uses TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SinkTls {
    /// Plain text only; STARTTLS is not offered.
    #[default]
    Off,
    /// Plain text first, STARTTLS offered in the EHLO answer (port 587 style).
    StartTls,
    /// TLS from the first byte (port 465 style, lettre's `Tls::Wrapper`).
    Implicit,
}

/// What the sink offers. Build with `SinkOptions::default()` and the methods below.
#[derive(Clone, Debug)]
pub struct SinkOptions {
    pub tls: SinkTls,
    /// A user and password: AUTH PLAIN and LOGIN are offered and required before MAIL.
    pub auth: Option<(String, String)>,
    /// The SIZE limit advertised and enforced (552 beyond it).
    pub max_size: usize,
}

impl Default for SinkOptions {
    fn default() -> Self {
        Self {
            tls: SinkTls::Off,
            auth: None,
            max_size: 10 * 1024 * 1024,
        }
    }
}

impl SinkOptions {
    /// Offers STARTTLS with a throwaway certificate for `localhost` and 127.0.0.1.
    pub fn starttls(mut self) -> Self {
        self.tls = SinkTls::StartTls;
        self
    }

    /// Speaks TLS from the first byte, with the same throwaway certificate.
    pub fn implicit_tls(mut self) -> Self {
        self.tls = SinkTls::Implicit;
        self
    }

    /// Requires AUTH (PLAIN or LOGIN) with this user and password before MAIL.
    pub fn auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_string(), password.to_string()));
        self
    }

    pub fn max_size(mut self, bytes: usize) -> Self {
        self.max_size = bytes;
        self
    }
}

/// One message the sink accepted (250 after DATA).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The reverse path of MAIL FROM, without the angle brackets ("" for the null sender).
    pub mail_from: String,
    /// The accepted RCPT TO paths, in order (rejected ones are not here).
    pub rcpt_to: Vec<String>,
    /// The message as the client meant it: dot-unstuffed, CRLF line endings, without the
    /// final `.` line.
    pub data: Vec<u8>,
    /// The EHLO or HELO argument of the session.
    pub helo: String,
    /// Whether the session was under TLS (STARTTLS or implicit) when DATA came.
    pub encrypted: bool,
    /// The user the session authenticated as, if it did.
    pub authenticated: Option<String>,
}

impl Received {
    /// The message parsed (headers, bodies, attachments). Panics if it is not a mail.
    pub fn parsed(&self) -> ParsedMail {
        ParsedMail::from(self)
    }
}

/// What the sink has seen, for tests that count attempts rather than messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Connections accepted (refused ones included).
    pub sessions: u64,
    /// Connections answered 421 at the greeting (`refuse_sessions`).
    pub refused_sessions: u64,
    /// MAIL FROM commands accepted.
    pub transactions: u64,
    /// DATA bodies received to their end, kept or not.
    pub data_attempts: u64,
    /// DATA bodies answered with a `fail_data` fault (not kept).
    pub data_failures: u64,
    /// RCPT TO commands answered with a `reject_rcpt` fault.
    pub rcpt_rejections: u64,
    /// AUTH exchanges that ended in 535.
    pub auth_failures: u64,
}

#[derive(Default)]
struct Faults {
    /// (how many more, code, text) for the ends of DATA.
    fail_data: Option<(usize, u16, String)>,
    /// Lower-cased address → (code, text).
    reject_rcpt: HashMap<String, (u16, String)>,
    refuse_sessions: bool,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    faults: Faults,
    stats: SinkStats,
    next_id: u64,
}

struct Shared {
    options: SinkOptions,
    state: Mutex<State>,
    arrived: Notify,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking session must not take every later assertion down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running sink; dropping it stops the listener and every session.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    ca_pem: Option<String>,
    ca_der: Option<Vec<u8>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Binds 127.0.0.1:0 and starts serving. Call it inside a tokio runtime (a
    /// `#[tokio::test]`): the sessions run on it.
    pub fn start(options: SinkOptions) -> SmtpSink {
        let (tls, ca_pem, ca_der) = match options.tls {
            SinkTls::Off => (None, None, None),
            SinkTls::StartTls | SinkTls::Implicit => {
                let t = throwaway_tls().expect("a throwaway certificate for the SMTP sink");
                (Some(t.acceptor), Some(t.ca_pem), Some(t.ca_der))
            }
        };
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = std_listener.local_addr().expect("the sink's address");
        let listener = TcpListener::from_std(std_listener)
            .expect("SmtpSink::start must be called inside a tokio runtime");
        let shared = Arc::new(Shared {
            options,
            state: Mutex::new(State::default()),
            arrived: Notify::new(),
            tls,
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpSink {
            addr,
            shared,
            ca_pem,
            ca_der,
            task,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The PEM of the CA that signed the sink's certificate (with TLS configured), for a
    /// client to add as its only root.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The same CA certificate, DER.
    pub fn ca_der(&self) -> Option<&[u8]> {
        self.ca_der.as_deref()
    }

    /// Every message kept so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.state().messages.clone()
    }

    pub fn stats(&self) -> SinkStats {
        self.shared.state().stats
    }

    /// Waits until at least `n` messages have arrived, then returns all of them; fails
    /// after `timeout` saying how many came (the timeout is a bound, never a measurement).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<Received>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so an arrival between the look and the wait
            // still wakes us.
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let st = self.shared.state();
                if st.messages.len() >= n {
                    return Ok(st.messages.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let st = self.shared.state();
                anyhow::bail!(
                    "waited {timeout:?} for {n} mail(s) at the SMTP sink, {} arrived ({:?})",
                    st.messages.len(),
                    st.stats
                );
            }
        }
    }

    /// The next `n` DATA bodies are answered `code text` (e.g. 451 transient, 554
    /// permanent) after they were received, and not kept.
    pub fn fail_data(&self, n: usize, code: u16, text: &str) {
        self.shared.state().faults.fail_data = (n > 0).then(|| (n, code, text.to_string()));
    }

    /// RCPT TO this address (case-insensitive) is answered `code text`, e.g. 550.
    pub fn reject_rcpt(&self, address: &str, code: u16, text: &str) {
        self.shared
            .state()
            .faults
            .reject_rcpt
            .insert(address.to_ascii_lowercase(), (code, text.to_string()));
    }

    /// While true, every new connection is greeted 421 and closed.
    pub fn refuse_sessions(&self, refuse: bool) {
        self.shared.state().faults.refuse_sessions = refuse;
    }

    /// Clears every fault; what arrived and the counters stay.
    pub fn heal(&self) {
        self.shared.state().faults = Faults::default();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // The accept loop owns the sessions' JoinSet: aborting it drops (aborts) them too.
        self.task.abort();
    }
}

struct ThrowawayTls {
    acceptor: tokio_rustls::TlsAcceptor,
    ca_pem: String,
    ca_der: Vec<u8>,
}

/// A CA and a server certificate it signed for `localhost` and 127.0.0.1. A CA apart from
/// the leaf, because webpki refuses a CA certificate presented as a server's own.
fn throwaway_tls() -> anyhow::Result<ThrowawayTls> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Sangdam tests SMTP sink CA");
    let ca = ca_params.self_signed(&ca_key)?;

    let leaf_key = KeyPair::generate()?;
    let mut leaf_params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )?;
    Ok(ThrowawayTls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    sessions.spawn(session(tcp, shared.clone()));
                }
                // Out of descriptors and the like: pause rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reap finished sessions so the set does not grow over a long test.
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// How one conversation over one stream ended.
enum End {
    Closed,
    StartTls,
}

async fn session(tcp: TcpStream, shared: Arc<Shared>) {
    let refuse = {
        let mut st = shared.state();
        st.stats.sessions += 1;
        if st.faults.refuse_sessions {
            st.stats.refused_sessions += 1;
        }
        st.faults.refuse_sessions
    };
    let _ = tcp.set_nodelay(true);
    if shared.options.tls == SinkTls::Implicit {
        let Some(acceptor) = shared.tls.clone() else {
            return;
        };
        let Ok(tls) = acceptor.accept(tcp).await else {
            return;
        };
        let mut io = BufReader::new(tls);
        if greet(&mut io, refuse).await.is_ok() && !refuse {
            let _ = Conversation::new(&shared, true).run(&mut io).await;
        }
        return;
    }
    let mut io = BufReader::new(tcp);
    if greet(&mut io, refuse).await.is_err() || refuse {
        return;
    }
    match Conversation::new(&shared, false).run(&mut io).await {
        Ok(End::StartTls) => {
            // into_inner drops whatever the client sent after STARTTLS in plain text
            // (RFC 3207 §4.2: it must not be taken as sent under TLS).
            let tcp = io.into_inner();
            let Some(acceptor) = shared.tls.clone() else {
                return;
            };
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let mut io = BufReader::new(tls);
            let _ = Conversation::new(&shared, true).run(&mut io).await;
        }
        Ok(End::Closed) | Err(_) => {}
    }
}

async fn greet<S: AsyncWrite + Unpin>(io: &mut S, refuse: bool) -> std::io::Result<()> {
    if refuse {
        reply(
            io,
            421,
            &format!("{HOSTNAME} Service not available, closing transmission channel"),
        )
        .await
    } else {
        reply(io, 220, &format!("{HOSTNAME} ESMTP Sangdam test sink")).await
    }
}

async fn reply<S: AsyncWrite + Unpin>(io: &mut S, code: u16, text: &str) -> std::io::Result<()> {
    io.write_all(format!("{code} {text}\r\n").as_bytes())
        .await?;
    io.flush().await
}

async fn reply_lines<S: AsyncWrite + Unpin>(
    io: &mut S,
    code: u16,
    lines: &[String],
) -> std::io::Result<()> {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        out.push_str(&format!("{code}{sep}{l}\r\n"));
    }
    io.write_all(out.as_bytes()).await?;
    io.flush().await
}

/// One line read from the client.
enum Line {
    /// The line with its line ending.
    Full(Vec<u8>),
    /// Longer than allowed: the rest of it was read and thrown away.
    TooLong,
    Eof,
}

async fn read_line<S: AsyncRead + Unpin>(
    io: &mut BufReader<S>,
    max: usize,
) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let n = (&mut *io)
        .take(max as u64)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    if buf.ends_with(b"\n") {
        return Ok(Line::Full(buf));
    }
    if n < max {
        // The connection ended in the middle of a line.
        return Ok(Line::Eof);
    }
    loop {
        buf.clear();
        let n = (&mut *io)
            .take(max as u64)
            .read_until(b'\n', &mut buf)
            .await?;
        if n == 0 {
            return Ok(Line::Eof);
        }
        if buf.ends_with(b"\n") {
            return Ok(Line::TooLong);
        }
    }
}

struct Transaction {
    from: String,
    rcpts: Vec<String>,
}

/// The state of one SMTP conversation (reset by STARTTLS, which starts a new one).
struct Conversation<'a> {
    shared: &'a Shared,
    encrypted: bool,
    helo: Option<String>,
    authenticated: Option<String>,
    tx: Option<Transaction>,
}

impl<'a> Conversation<'a> {
    fn new(shared: &'a Shared, encrypted: bool) -> Self {
        Self {
            shared,
            encrypted,
            helo: None,
            authenticated: None,
            tx: None,
        }
    }

    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        mut self,
        io: &mut BufReader<S>,
    ) -> std::io::Result<End> {
        loop {
            let line = match read_line(io, MAX_COMMAND_LINE).await? {
                Line::Eof => return Ok(End::Closed),
                Line::TooLong => {
                    reply(io, 500, "5.5.6 Line too long").await?;
                    continue;
                }
                Line::Full(l) => String::from_utf8_lossy(&l)
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            };
            let (verb, arg) = match line.split_once(' ') {
                Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
                None => (line.to_ascii_uppercase(), String::new()),
            };
            match verb.as_str() {
                "EHLO" | "HELO" => self.hello(io, &verb, &arg).await?,
                "STARTTLS" => {
                    if !arg.is_empty() {
                        reply(io, 501, "5.5.4 STARTTLS takes no parameters").await?;
                    } else if self.encrypted {
                        reply(io, 503, "5.5.1 TLS already active").await?;
                    } else if self.shared.options.tls != SinkTls::StartTls {
                        reply(io, 502, "5.5.1 STARTTLS not offered").await?;
                    } else {
                        reply(io, 220, "2.0.0 Ready to start TLS").await?;
                        return Ok(End::StartTls);
                    }
                }
                "AUTH" => self.auth(io, &arg).await?,
                "MAIL" => self.mail(io, &arg).await?,
                "RCPT" => self.rcpt(io, &arg).await?,
                "DATA" => self.data(io, &arg).await?,
                "RSET" => {
                    self.tx = None;
                    reply(io, 250, "2.0.0 Ok").await?;
                }
                "NOOP" => reply(io, 250, "2.0.0 Ok").await?,
                "VRFY" => reply(io, 252, "2.5.2 Cannot VRFY user, but will accept message").await?,
                "HELP" => {
                    reply(
                        io,
                        214,
                        "2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT STARTTLS AUTH",
                    )
                    .await?
                }
                "QUIT" => {
                    reply(io, 221, &format!("2.0.0 {HOSTNAME} closing connection")).await?;
                    return Ok(End::Closed);
                }
                _ => reply(io, 500, "5.5.2 Command not recognized").await?,
            }
        }
    }

    async fn hello<S: AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
        verb: &str,
        arg: &str,
    ) -> std::io::Result<()> {
        if arg.is_empty() {
            return reply(io, 501, &format!("5.5.4 {verb} needs a domain or address")).await;
        }
        // A new EHLO or HELO also ends any transaction under way (RFC 5321 §4.1.4).
        self.tx = None;
        self.helo = Some(arg.to_string());
        if verb == "HELO" {
            return reply(io, 250, HOSTNAME).await;
        }
        let o = &self.shared.options;
        let mut lines = vec![
            format!("{HOSTNAME} greets {arg}"),
            format!("SIZE {}", o.max_size),
            "8BITMIME".to_string(),
            "SMTPUTF8".to_string(),
        ];
        if o.tls == SinkTls::StartTls && !self.encrypted {
            lines.push("STARTTLS".to_string());
        }
        if o.auth.is_some() {
            lines.push("AUTH PLAIN LOGIN".to_string());
        }
        reply_lines(io, 250, &lines).await
    }

    async fn auth<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        io: &mut BufReader<S>,
        arg: &str,
    ) -> std::io::Result<()> {
        let Some((user, password)) = self.shared.options.auth.clone() else {
            return reply(io, 502, "5.5.1 AUTH not offered").await;
        };
        if self.helo.is_none() {
            return reply(io, 503, "5.5.1 EHLO first").await;
        }
        if self.authenticated.is_some() {
            return reply(io, 503, "5.5.1 Already authenticated").await;
        }
        if self.tx.is_some() {
            return reply(io, 503, "5.5.1 AUTH not allowed during a mail transaction").await;
        }
        let mut words = arg.split_whitespace();
        let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
        let initial = words.next().map(str::to_string);
        let given = match mechanism.as_str() {
            "PLAIN" => {
                let Some(blob) = self.auth_step(io, initial, "").await? else {
                    return Ok(());
                };
                // authzid NUL authcid NUL passwd (RFC 4616).
                let parts: Vec<&[u8]> = blob.split(|b| *b == 0).collect();
                match parts.as_slice() {
                    [_, u, p] => Some((
                        String::from_utf8_lossy(u).into_owned(),
                        String::from_utf8_lossy(p).into_owned(),
                    )),
                    _ => None,
                }
            }
            "LOGIN" => {
                // An initial response is the user name (a widespread extension).
                let Some(u) = self.auth_step(io, initial, "VXNlcm5hbWU6").await? else {
                    return Ok(());
                };
                let Some(p) = self.auth_step(io, None, "UGFzc3dvcmQ6").await? else {
                    return Ok(());
                };
                Some((
                    String::from_utf8_lossy(&u).into_owned(),
                    String::from_utf8_lossy(&p).into_owned(),
                ))
            }
            "" => return reply(io, 501, "5.5.4 AUTH needs a mechanism").await,
            _ => return reply(io, 504, "5.5.4 Unrecognized authentication type").await,
        };
        if given.as_ref() == Some(&(user.clone(), password)) {
            self.authenticated = Some(user);
            reply(io, 235, "2.7.0 Authentication successful").await
        } else {
            self.shared.state().stats.auth_failures += 1;
            reply(io, 535, "5.7.8 Authentication credentials invalid").await
        }
    }

    /// One base64 step of an AUTH exchange: the initial response if given, else a 334
    /// challenge and the client's line. None when the exchange ended here (cancelled,
    /// bad base64, connection gone), after answering.
    async fn auth_step<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        io: &mut BufReader<S>,
        initial: Option<String>,
        challenge: &str,
    ) -> std::io::Result<Option<Vec<u8>>> {
        let text = match initial {
            Some(t) => t,
            None => {
                reply(io, 334, challenge).await?;
                match read_line(io, MAX_COMMAND_LINE).await? {
                    Line::Full(l) => String::from_utf8_lossy(&l).trim().to_string(),
                    Line::TooLong => {
                        reply(io, 500, "5.5.6 Line too long").await?;
                        return Ok(None);
                    }
                    Line::Eof => return Ok(None),
                }
            }
        };
        if text == "*" {
            reply(io, 501, "5.0.0 Authentication cancelled").await?;
            return Ok(None);
        }
        if text == "=" {
            return Ok(Some(Vec::new()));
        }
        match base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
            Ok(b) => Ok(Some(b)),
            Err(_) => {
                reply(io, 501, "5.5.2 Cannot decode the response").await?;
                Ok(None)
            }
        }
    }

    async fn mail<S: AsyncWrite + Unpin>(&mut self, io: &mut S, arg: &str) -> std::io::Result<()> {
        if self.helo.is_none() {
            return reply(io, 503, "5.5.1 EHLO or HELO first").await;
        }
        if self.shared.options.auth.is_some() && self.authenticated.is_none() {
            return reply(io, 530, "5.7.0 Authentication required").await;
        }
        if self.tx.is_some() {
            return reply(io, 503, "5.5.1 Nested MAIL command").await;
        }
        let Some((path, params)) = parse_path(arg, "FROM:") else {
            return reply(io, 501, "5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        let mut utf8 = false;
        for p in &params {
            let (key, value) = p
                .split_once('=')
                .map_or((p.as_str(), None), |(k, v)| (k, Some(v)));
            match (key.to_ascii_uppercase().as_str(), value) {
                ("SIZE", Some(v)) => match v.parse::<usize>() {
                    Ok(n) if n > self.shared.options.max_size => {
                        return reply(
                            io,
                            552,
                            "5.3.4 Message size exceeds fixed maximum message size",
                        )
                        .await
                    }
                    Ok(_) => {}
                    Err(_) => return reply(io, 501, "5.5.4 Bad SIZE value").await,
                },
                ("BODY", Some(v))
                    if v.eq_ignore_ascii_case("7BIT") || v.eq_ignore_ascii_case("8BITMIME") => {}
                ("BODY", _) => return reply(io, 501, "5.5.4 BODY is 7BIT or 8BITMIME").await,
                ("SMTPUTF8", None) => utf8 = true,
                // RFC 4954 §5: the submitter's identity, which the sink has no use for.
                ("AUTH", Some(_)) => {}
                _ => return reply(io, 555, "5.5.4 MAIL FROM parameter not recognized").await,
            }
        }
        if !path.is_empty() && !valid_address(&path) {
            return reply(io, 553, "5.1.7 Bad sender address syntax").await;
        }
        if !path.is_ascii() && !utf8 {
            return reply(io, 553, "5.6.7 A non-ASCII address needs SMTPUTF8").await;
        }
        self.shared.state().stats.transactions += 1;
        self.tx = Some(Transaction {
            from: path,
            rcpts: Vec::new(),
        });
        reply(io, 250, "2.1.0 Ok").await
    }

    async fn rcpt<S: AsyncWrite + Unpin>(&mut self, io: &mut S, arg: &str) -> std::io::Result<()> {
        if self.tx.is_none() {
            return reply(io, 503, "5.5.1 MAIL first").await;
        }
        let Some((path, params)) = parse_path(arg, "TO:") else {
            return reply(io, 501, "5.5.4 Syntax: RCPT TO:<address>").await;
        };
        // No RCPT extension (DSN and the like) is advertised, so any parameter is unknown.
        if !params.is_empty() {
            return reply(io, 555, "5.5.4 RCPT TO parameters not recognized").await;
        }
        if !valid_address(&path) && !path.eq_ignore_ascii_case("postmaster") {
            return reply(io, 553, "5.1.3 Bad recipient address syntax").await;
        }
        let rejected = {
            let mut st = self.shared.state();
            let r = st
                .faults
                .reject_rcpt
                .get(&path.to_ascii_lowercase())
                .cloned();
            if r.is_some() {
                st.stats.rcpt_rejections += 1;
            }
            r
        };
        if let Some((code, text)) = rejected {
            return reply(io, code, &text).await;
        }
        if let Some(tx) = self.tx.as_mut() {
            tx.rcpts.push(path);
        }
        reply(io, 250, "2.1.5 Ok").await
    }

    async fn data<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        io: &mut BufReader<S>,
        arg: &str,
    ) -> std::io::Result<()> {
        if !arg.is_empty() {
            return reply(io, 501, "5.5.4 DATA takes no parameters").await;
        }
        let Some(tx) = self.tx.as_ref() else {
            return reply(io, 503, "5.5.1 MAIL first").await;
        };
        if tx.rcpts.is_empty() {
            return reply(io, 503, "5.5.1 RCPT first").await;
        }
        reply(io, 354, "End data with <CR><LF>.<CR><LF>").await?;
        let max = self.shared.options.max_size;
        let mut data = Vec::new();
        let mut too_big = false;
        loop {
            let line = match read_line(io, MAX_DATA_LINE).await? {
                Line::Full(l) => l,
                // The line is lost, so the message cannot be kept whole.
                Line::TooLong => {
                    too_big = true;
                    continue;
                }
                Line::Eof => return Ok(()),
            };
            if line == b".\r\n" {
                break;
            }
            // Dot-unstuffing (RFC 5321 §4.5.2): a leading dot was doubled by the client.
            let line = if line.starts_with(b".") {
                &line[1..]
            } else {
                &line[..]
            };
            if data.len() + line.len() > max {
                too_big = true;
            }
            if !too_big {
                data.extend_from_slice(line);
            }
        }
        // Whatever happens now, this transaction is over (RFC 5321 §4.1.1.4).
        let Some(tx) = self.tx.take() else {
            return Ok(());
        };
        let verdict = {
            let mut st = self.shared.state();
            st.stats.data_attempts += 1;
            let fault = match st.faults.fail_data.as_mut() {
                Some((left, code, text)) => {
                    let f = (*code, text.clone());
                    *left -= 1;
                    if *left == 0 {
                        st.faults.fail_data = None;
                    }
                    Some(f)
                }
                None => None,
            };
            if too_big {
                Err((552, "5.3.4 Message too big".to_string()))
            } else if let Some(f) = fault {
                st.stats.data_failures += 1;
                Err(f)
            } else {
                st.next_id += 1;
                st.messages.push(Received {
                    mail_from: tx.from,
                    rcpt_to: tx.rcpts,
                    data,
                    helo: self.helo.clone().unwrap_or_default(),
                    encrypted: self.encrypted,
                    authenticated: self.authenticated.clone(),
                });
                Ok(st.next_id)
            }
        };
        match verdict {
            Ok(id) => {
                self.shared.arrived.notify_waiters();
                reply(io, 250, &format!("2.0.0 Ok: queued as SINK{id:06}")).await
            }
            Err((code, text)) => reply(io, code, &text).await,
        }
    }
}

/// `FROM:<path> PARAM=V …` → (path without brackets and source route, params). Lenient
/// about a space after the colon, as most servers are.
fn parse_path(arg: &str, keyword: &str) -> Option<(String, Vec<String>)> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let mut path = &rest[..end];
    // A source route (`@a,@b:user@c`) must be accepted and ignored (RFC 5321 §4.1.2).
    if path.starts_with('@') {
        path = path.split_once(':').map_or("", |(_, p)| p);
    }
    let params = rest[end + 1..]
        .split_whitespace()
        .map(str::to_string)
        .collect();
    Some((path.to_string(), params))
}

/// `local@domain`, both sides non-empty, no spaces: what the sink needs to store it.
fn valid_address(a: &str) -> bool {
    match a.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !a.contains(char::is_whitespace)
        }
        None => false,
    }
}
