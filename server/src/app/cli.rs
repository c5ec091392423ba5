//! `sangdam`'s command line: parses flags, loads settings and the fair, then hands off to
//! the rest of the library. It is the binary's setup, kept in the library so that tests can
//! run the very same program as a separate process (to kill it); the only place `anyhow`
//! is used.

use crate::app::settings::{Settings, Sources};
use crate::app::startup::Application;
use crate::app::{clock, telemetry, timefmt};
use crate::demo::{self, history};
use crate::files::fair::contacts::Contacts;
use crate::files::{fair as fairfile, survey as survey_file};
use crate::journal::Stores;
use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use sangdam_signaling::records::survey::SurveyConfig;
use sangdam_signaling::{Fair, MeetingId, ParticipantId, Role};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Sangdam (상담): online public-procurement consultation fairs by video.
///
/// Public institutions (buyers) meet social-economy enterprises (vendors) one to one, by
/// video, in timed slots that follow the fair's schedule. With no arguments, `sangdam`
/// serves a demo fair on http://127.0.0.1:8080 and prints invite links to try it.
#[derive(Parser)]
#[command(
    name = "sangdam",
    version,
    propagate_version = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, `sangdam` serves, taking `serve`'s options.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the fair: web client, HTTP API and signaling WebSocket (the default).
    ///
    /// Without fair.dir (SANGDAM_FAIR_DIR or --fair) it serves the demo fair, whose first
    /// round goes live shortly after start; it prints invite links for a demo buyer,
    /// vendor, moderator and staff member.
    Serve(ServeArgs),
    /// Print an invite token and link for one participant.
    ///
    /// The server checks tokens with its signing secret, so set auth.secret
    /// (SANGDAM_SECRET) to the same value the server uses. A demo server without a
    /// configured secret makes a random one and prints its own links instead. The token
    /// carries the participant's current link generation (records.dir, or Redis with
    /// redis.url), as the server would sign it.
    Token(TokenArgs),
    /// Write the demo fair as editable files (fair.toml, CSV with Korean headers, survey.toml).
    Demo(DemoArgs),
    /// Check the configuration and the fair files; problems are reported with their file,
    /// line and field (every problem of the first bad file, so a sheet is fixed in one go).
    Check(Common),
    /// Import registrations (.xlsx with sheets 기관/기업/참가자, or .csv) into the fair's
    /// preparation, as the staff page's upload does.
    ///
    /// A file with any problem imports nothing; every problem is printed with its sheet,
    /// row, column and reason. The same file twice changes nothing; an edited file updates
    /// its rows in place and the changed fields are listed. The preparation is kept where
    /// the server keeps it (records.dir, or Redis with redis.url), so run this with the
    /// server's configuration; a running server sees the import at once.
    Import(ImportArgs),
    /// Write every participant's personal invite link into a sheet for mail merge
    /// (.csv or .xlsx, by the file name; Korean headers 이름, 소속, 역할, 이메일, 전화, 링크).
    ///
    /// Links are valid until the fair's last slot ends plus auth.invite_margin_hours, and
    /// signed with auth.secret (SANGDAM_SECRET): set it to the server's secret. Links point
    /// at server.public_url. Each is signed at its participant's current link generation,
    /// read where the server keeps it (records.dir, or Redis with redis.url), so a link
    /// staff revoked is not handed out again: run this with the server's configuration.
    Invites(InvitesArgs),
    /// Write the published timetable out as fair files (fair.toml and the CSV sheets), to
    /// serve with `sangdam serve --fair DIR`.
    Export(ExportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The files to import, read together (a participant may belong to an organisation of
    /// another file).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Check the files and print what would change, without importing.
    #[arg(long)]
    dry_run: bool,
    /// Where the preparation is kept when redis.url is not set; overrides records.dir
    /// [env: SANGDAM_DATA_DIR] [default: data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct InvitesArgs {
    /// The sheet to write: `.csv` (UTF-8 with BOM, for Excel) or `.xlsx`.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Only this role: buyer, vendor, moderator or staff (or 구매자, 판매자, 운영자, 직원).
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
    /// One link per meeting, admitting to that meeting only (buyers and vendors).
    #[arg(long)]
    scoped: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ExportArgs {
    /// Directory to write the fair files into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Where the preparation is kept when redis.url is not set; overrides records.dir.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Clone, Default)]
struct Common {
    /// A configuration file layered over the defaults (instead of config/$SANGDAM_ENV.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A fair directory (fair.toml, institutions.csv, enterprises.csv, participants.csv,
    /// meetings.csv); overrides fair.dir. Without one, the demo fair is used.
    #[arg(long, value_name = "DIR")]
    fair: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct ServeArgs {
    /// Address to listen on [env: SANGDAM_LISTEN] [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Directory for the consultation log and survey answers (consultations.jsonl,
    /// surveys.jsonl), each entry flushed to disk before it is acknowledged; overrides
    /// records.dir [env: SANGDAM_DATA_DIR] [default: data]. Not used when redis.url is set:
    /// then they go to Redis Streams.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct TokenArgs {
    /// The participant's id, e.g. p-b-i001 (see participants.csv).
    #[arg(long, value_name = "ID")]
    participant: String,
    /// Admit to this one meeting only.
    #[arg(long, value_name = "MEETING")]
    meeting: Option<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct DemoArgs {
    /// Directory to write the files into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// When the live round starts, in Korea time ("2027-05-20 10:00"); default: the
    /// configured delay from now, as `serve` does.
    #[arg(long, value_name = "KST")]
    start: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// Runs the command line as `sangdam` would, with the process's arguments.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => serve(args),
        Command::Token(args) => token(args),
        Command::Demo(args) => write_demo(args),
        Command::Check(common) => check(common),
        Command::Import(args) => import(args),
        Command::Export(args) => export(args),
        Command::Invites(args) => write_invites(args),
    }
}

/// The configured fair for the preparation commands: the demo fair is made anew (with a
/// new id) at every start, so its preparation only lives on the running demo's staff page.
fn prepared_fair(settings: &Settings) -> anyhow::Result<Fair> {
    if settings.fair_dir().is_none() {
        bail!(
            "no fair directory: the demo fair is made anew at every start, so prepare it on \
             the running demo's staff page (준비 tab), or write it out with \
             `sangdam demo --out DIR` and pass --fair DIR"
        );
    }
    load_fair(settings)
}

fn import(args: ImportArgs) -> anyhow::Result<()> {
    let mut settings = settings(&args.common)?;
    if let Some(dir) = &args.data_dir {
        settings.records.dir = dir.display().to_string();
    }
    let fair = prepared_fair(&settings)?;
    let mut files = Vec::new();
    for path in &args.files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        files.push((name, bytes));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let prep = crate::app::startup::open_preparation(&settings, &fair)
            .map_err(anyhow::Error::msg)?;
        let current = prep.read().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let registration = crate::files::registrations::read_files(&files, &current.registry)
            .map_err(|e| anyhow::anyhow!("nothing was imported.\n{e}"))?;
        let actor = sangdam_signaling::prep::Actor {
            participant: ParticipantId::parse("sangdam-import").expect("a valid id"),
            role: Role::Staff,
        };
        let summary = if args.dry_run {
            let mut scratch = current.registry.clone();
            scratch.merge(registration)
        } else {
            let edit = sangdam_signaling::prep::Edit::Import { registration };
            match prep
                .edit(&actor, clock::now(), |_| Ok(edit.clone()))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                (sangdam_signaling::prep::Outcome::Imported { summary }, _) => summary,
                (other, _) => bail!("unexpected outcome {other:?}"),
            }
        };
        println!(
            "{} {}: 추가 added {}, 변경 updated {}, 그대로 unchanged {}, 파일에 없음 not in the files {}",
            if args.dry_run { "(dry run) would import" } else { "imported into" },
            prep.location,
            summary.added.len(),
            summary.updated.len(),
            summary.unchanged,
            summary.not_in_file
        );
        for row in &summary.updated {
            println!("  updated {:?} {}: {}", row.kind, row.id, row.fields.join(", "));
        }
        anyhow::Ok(())
    })
}

fn write_invites(args: InvitesArgs) -> anyhow::Result<()> {
    use crate::files::invites::{self, InviteOptions};
    let settings = settings(&args.common)?;
    if settings.auth.secret.is_empty() {
        bail!(
            "no signing secret: set auth.secret (or SANGDAM_SECRET) to the server's secret, \
             or the links will not open on the server"
        );
    }
    let role = match args.role.as_deref() {
        Some(r) => Some(Role::parse(r).with_context(|| {
            format!("--role {r:?}: expected buyer, vendor, moderator or staff")
        })?),
        None => None,
    };
    let csv_out = match args.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => true,
        Some(e) if e.eq_ignore_ascii_case("xlsx") => false,
        _ => bail!("--out {}: name a .csv or .xlsx file", args.out.display()),
    };
    let (fair, contacts) = load_fair_with_contacts(&settings)?;
    // Each link at its participant's current generation, read where the server keeps them
    // (the same file or Redis), so a link staff revoked is not handed out again.
    let generations = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let people =
                crate::app::startup::open_people(&settings, &fair).map_err(anyhow::Error::msg)?;
            people
                .generations()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        })?;
    let tokens = crate::auth::TokenIssuer::new(
        settings.auth.secret.expose().as_bytes(),
        &settings.auth.issuer,
        &settings.auth.audience,
        Duration::from_secs(settings.auth.token_ttl_hours * 3600),
    );
    let base = match settings.server.public_url.trim() {
        "" => format!("http://{}", settings.server.listen),
        url => url.trim_end_matches('/').to_string(),
    };
    let now = clock::now();
    let expires_at = fair.ends_at().unwrap_or(now)
        + Duration::from_secs(settings.auth.invite_margin_hours * 3600);
    if expires_at <= now {
        bail!("the fair {} and its invitation margin are over", fair.id);
    }
    let minting = invites::Minting {
        tokens: &tokens,
        base_url: &base,
        now,
        expires_at,
        generations: &generations,
    };
    let rows = invites::rows(
        &fair,
        &contacts,
        &minting,
        &InviteOptions {
            role,
            scoped: args.scoped,
        },
    );
    let bytes = if csv_out {
        invites::csv(&rows)
    } else {
        invites::xlsx(&rows, &fair.name).context("writing the workbook")?
    };
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} invitation links to {} (valid until {}; links point at {base})",
        rows.len(),
        args.out.display(),
        expires_at.kst()
    );
    Ok(())
}

fn export(args: ExportArgs) -> anyhow::Result<()> {
    let mut settings = settings(&args.common)?;
    if let Some(dir) = &args.data_dir {
        settings.records.dir = dir.display().to_string();
    }
    let fair = prepared_fair(&settings)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let prep = rt.block_on(async {
        let prep =
            crate::app::startup::open_preparation(&settings, &fair).map_err(anyhow::Error::msg)?;
        prep.read().await.map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    let written = crate::prep::export::write_prepared_fair(&prep, &fair, &args.out)
        .map_err(anyhow::Error::msg)?;
    println!(
        "wrote the published timetable ({} meetings, {} institutions, {} enterprises) to {}; serve it with `sangdam serve --fair {}`",
        written.meetings().count(),
        written.institutions().count(),
        written.enterprises().count(),
        args.out.display(),
        args.out.display()
    );
    Ok(())
}

fn settings(common: &Common) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(&Sources::from_process(common.config.clone()))?;
    if let Some(dir) = &common.fair {
        settings.fair.dir = dir.display().to_string();
    }
    Ok(settings)
}

/// The configured fair, or the demo fair whose live round starts `start_delay` from now.
fn load_fair(settings: &Settings) -> anyhow::Result<Fair> {
    Ok(load_fair_with_contacts(settings)?.0)
}

/// [`load_fair`] with the participants' phones and e-mails for the moderators' board: from
/// `participants.csv`, or the demo's fake ones.
fn load_fair_with_contacts(settings: &Settings) -> anyhow::Result<(Fair, Contacts)> {
    match settings.fair_dir() {
        Some(dir) => Ok(fairfile::load_fair_dir_with_contacts(&dir)?),
        None => {
            let fair = demo::demo_fair(&demo_options(settings));
            let contacts = demo::fair::demo_contacts(&fair);
            Ok((fair, contacts))
        }
    }
}

/// The fair's survey: `survey.toml` in its directory, or the default questions.
fn load_survey(settings: &Settings) -> anyhow::Result<SurveyConfig> {
    match settings.fair_dir() {
        Some(dir) => Ok(survey_file::load_survey(&dir)?),
        None => Ok(SurveyConfig::default()),
    }
}

fn demo_options(settings: &Settings) -> demo::DemoOptions {
    demo::DemoOptions {
        live_round_starts_at: clock::now() + Duration::from_secs(settings.demo.start_delay_seconds),
        live_slot: Duration::from_secs(settings.demo.slot_minutes * 60),
        live_break: Duration::from_secs(settings.demo.break_minutes * 60),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut settings = settings(&args.common)?;
    if let Some(listen) = args.listen {
        settings.server.listen = listen;
    }
    if let Some(dir) = &args.data_dir {
        settings.records.dir = dir.display().to_string();
    }
    telemetry::init(&settings.log);
    let demo = settings.fair_dir().is_none();
    if demo {
        settings.rooms.no_show_minutes = settings.demo.no_show_minutes;
    }
    let (fair, contacts) = load_fair_with_contacts(&settings)?;
    let survey = load_survey(&settings)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listen = settings.server.listen;
        let mut app = Application::build(settings, fair)
            .await
            .with_context(|| format!("cannot start on {listen}"))?
            .with_survey(survey)
            .with_contacts(contacts);
        if demo {
            // The completed 2021 fair and the year before, so the staff report has
            // something to show from the first start.
            app = app.with_archive(history::demo_archive());
        }
        print_banner(&app, demo).await;
        app.run(shutdown_signal()).await?;
        Ok(())
    })
}

async fn print_banner(app: &Application, demo: bool) {
    let fair = &app.state().fair;
    let now = clock::now();
    println!();
    println!("  상담 Sangdam — {}", fair.name);
    println!("  {}", app.base_url());
    println!();
    let roles = [
        (Role::Buyer, "구매자 buyer    "),
        (Role::Vendor, "판매자 vendor   "),
        (Role::Moderator, "운영자 moderator"),
        (Role::Staff, "직원 staff      "),
    ];
    let picks: Vec<(&str, Option<ParticipantId>)> = roles
        .iter()
        .map(|(role, label)| {
            let id = if demo {
                ParticipantId::parse(demo::demo_participant(*role)).ok()
            } else {
                fair.first_with_role(*role).map(|p| p.id.clone())
            };
            (*label, id)
        })
        .collect();
    println!("  Invite links (open each in its own browser window):");
    for (label, id) in picks {
        let Some(id) = id else { continue };
        match app.invite_link(&id, None, now).await {
            Ok(Some(link)) => println!("    {label}  {link}"),
            Ok(None) => {}
            Err(e) => println!("    {label}  (no link: {e})"),
        }
    }
    if demo {
        if let Some(m) = fair
            .participant(&ParticipantId::parse(demo::DEMO_BUYER).expect("valid id"))
            .and_then(|p| fair.meetings_of(p).into_iter().next())
        {
            println!();
            println!(
                "  The demo buyer and vendor meet at {} (check-in is open now).",
                m.slot.start.kst()
            );
        }
    }
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

fn token(args: TokenArgs) -> anyhow::Result<()> {
    let settings = settings(&args.common)?;
    if settings.auth.secret.is_empty() {
        bail!(
            "no signing secret: set auth.secret (or SANGDAM_SECRET) to the server's secret. \
             A demo server without one makes a random secret and prints its own links."
        );
    }
    let fair = load_fair(&settings)?;
    let id = ParticipantId::parse(args.participant.clone())
        .with_context(|| format!("{:?} is not a participant id", args.participant))?;
    let meeting = args
        .meeting
        .as_deref()
        .map(|m| MeetingId::parse(m).with_context(|| format!("{m:?} is not a meeting id")))
        .transpose()?;
    if fair.participant(&id).is_none() {
        bail!("fair {} has no participant {id}", fair.id);
    }
    if let Some(m) = &meeting {
        if fair.meeting(m).is_none() {
            bail!("fair {} has no meeting {m}", fair.id);
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let link = rt.block_on(async {
        let mut s = settings.clone();
        // Bind nothing real: the link only needs the base URL (and the participant's link
        // generation). No relay either: the server's own holds its port.
        s.server.listen = "127.0.0.1:0".parse().expect("valid address");
        s.turn.enabled = false;
        if s.server.public_url.is_empty() {
            s.server.public_url = format!("http://{}", settings.server.listen);
        }
        let app = Application::build_with_stores(s, fair, Stores::memory()).await?;
        app.invite_link(&id, meeting.as_ref(), clock::now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    let link = link.context("participant vanished")?;
    let token = link.split("#token=").nth(1).unwrap_or_default();
    println!("{token}");
    eprintln!("link: {link}");
    Ok(())
}

fn write_demo(args: DemoArgs) -> anyhow::Result<()> {
    let settings = settings(&args.common)?;
    let mut opts = demo_options(&settings);
    if let Some(start) = &args.start {
        opts.live_round_starts_at = timefmt::parse_kst(start).with_context(|| {
            format!("--start {start:?}: expected \"YYYY-MM-DD HH:MM\" (Korea time)")
        })?;
    }
    let fair = demo::demo_fair(&opts);
    // With the demo's (obviously fake) phones and e-mails, as the built-in demo serves them.
    let contacts = demo::fair::demo_contacts(&fair);
    fairfile::write_fair_dir_with_contacts(&fair, &contacts, 9 * 60, &args.out)?;
    survey_file::write_survey(&args.out, &SurveyConfig::default()).with_context(|| {
        format!(
            "writing {}",
            args.out.join(survey_file::SURVEY_TOML).display()
        )
    })?;
    println!(
        "wrote the demo fair ({} institutions, {} enterprises, {} meetings) to {}",
        fair.institutions().count(),
        fair.enterprises().count(),
        fair.meetings().count(),
        args.out.display()
    );
    Ok(())
}

fn check(common: Common) -> anyhow::Result<()> {
    let settings = settings(&common)?;
    let fair = load_fair(&settings)?;
    let survey = load_survey(&settings)?;
    println!(
        "ok: configuration and fair {} ({} rounds, {} institutions, {} enterprises, {} participants, {} meetings; survey: {} + {} options)",
        fair.id,
        fair.rounds().count(),
        fair.institutions().count(),
        fair.enterprises().count(),
        fair.participants().count(),
        fair.meetings().count(),
        survey.buyer.options.len(),
        survey.vendor.options.len()
    );
    Ok(())
}
