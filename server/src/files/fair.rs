//! Fair files: a fair's setup as a directory of one TOML file and four CSV sheets, so that
//! support-centre staff can prepare a fair in a text editor or Excel, and every mistake comes
//! back naming the file, the line and the column to fix.
//!
//! The directory holds:
//! - `fair.toml`: `id`, `name`, `utc_offset` (default `"+09:00"`, Korea) and one
//!   `[[rounds]]` table per round with `id`, `number`, `theme`, `date = "2026-05-20"`,
//!   `start = "10:00"` (local to `utc_offset`; `"10:00:30"` and `"10:00:30.250"` also
//!   work), `slot_minutes`, `break_minutes` (whole or decimal, e.g. `0.5`) and `slots`.
//! - `institutions.csv`: `아이디,기관명,기관유형`.
//! - `enterprises.csv`: `아이디,기업명,기업유형`.
//! - `participants.csv`: `아이디,이름,역할,소속` (소속 = institution id for a buyer,
//!   enterprise id for a vendor, empty for moderators and staff).
//! - `meetings.csv`: `아이디,회차,슬롯,기관,기업` (round id, 0-based slot, institution id,
//!   enterprise id).
//!
//! Types and roles may be written as their Korean label or their code. CSV files are UTF-8
//! with or without a BOM; the header row must name exactly the columns above, in any order.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, Fair, FairError, FairParts, Institution,
    InstitutionType, MeetingSpec, Participant, Role, Round,
};
use sangdam_signaling::time::kst_offset;
#[cfg(test)]
use sangdam_signaling::time::KST_OFFSET_MINUTES;
use sangdam_signaling::{
    EnterpriseId, FairId, IdError, InstitutionId, MeetingId, ParticipantId, RoundId, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

pub const FAIR_TOML: &str = "fair.toml";
pub const INSTITUTIONS_CSV: &str = "institutions.csv";
pub const ENTERPRISES_CSV: &str = "enterprises.csv";
pub const PARTICIPANTS_CSV: &str = "participants.csv";
pub const MEETINGS_CSV: &str = "meetings.csv";

const INSTITUTION_COLUMNS: &[&str] = &["아이디", "기관명", "기관유형"];
const ENTERPRISE_COLUMNS: &[&str] = &["아이디", "기업명", "기업유형"];
const PARTICIPANT_COLUMNS: &[&str] = &["아이디", "이름", "역할", "소속"];
const MEETING_COLUMNS: &[&str] = &["아이디", "회차", "슬롯", "기관", "기업"];

const BOM: char = '\u{feff}';

/// Where in the fair files a problem is. Shown as `DIR/meetings.csv line 12, field 기관`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based line in the file, when the problem is on one line.
    pub line: Option<u64>,
    /// The CSV column header or the TOML key.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.line, &self.field) {
            (Some(line), Some(field)) => write!(f, " line {line}, field {field}"),
            (Some(line), None) => write!(f, " line {line}"),
            (None, Some(field)) => write!(f, ", field {field}"),
            (None, None) => Ok(()),
        }
    }
}

/// What is wrong at a [`Location`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the file is not valid UTF-8 (save it as \"CSV UTF-8\")")]
    NotUtf8,
    /// TOML syntax or shape, in the toml crate's words.
    #[error("{0}")]
    Toml(String),
    /// CSV syntax (e.g. an unclosed quote), in the csv crate's words.
    #[error("{0}")]
    Csv(String),
    #[error("missing column (expected columns {expected})")]
    MissingColumn { expected: String },
    #[error("unknown column (expected columns {expected})")]
    UnknownColumn { expected: String },
    #[error("the column appears twice")]
    DuplicateColumn,
    #[error("the row has {found} cells but the header has {expected} columns")]
    ExtraCells { found: usize, expected: usize },
    #[error("must not be empty")]
    Empty,
    #[error("bad id {found:?}: {error}")]
    BadId { found: String, error: IdError },
    #[error("{found:?} is not {expected}")]
    BadNumber {
        found: String,
        expected: &'static str,
    },
    #[error("unknown {what} {found:?} (expected one of {expected})")]
    UnknownValue {
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error("bad {what} {found:?}, expected {expected}")]
    BadFormat {
        what: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("{0}")]
    BadValue(String),
    #[error("duplicate {what} id {id:?} (first on line {first_line})")]
    Duplicate {
        what: &'static str,
        id: String,
        first_line: u64,
    },
    #[error("unknown {what} {id:?}")]
    UnknownReference { what: &'static str, id: String },
    #[error("round {round} has {slots} slots, numbered 0 to {last}; slot {slot} does not exist", last = .slots.saturating_sub(1))]
    NoSuchSlot {
        round: String,
        slots: u32,
        slot: u32,
    },
    #[error("{what} {id} already meets in round {round} slot {slot} (meeting {other} on line {other_line})")]
    DoubleBooked {
        what: &'static str,
        id: String,
        round: String,
        slot: u32,
        other: String,
        other_line: u64,
    },
    #[error("a {role} must belong to {expected}")]
    WrongAffiliation {
        role: &'static str,
        expected: &'static str,
    },
    /// A check of [`Fair::new`] that the loader did not make itself.
    #[error("{0}")]
    Fair(FairError),
}

/// Why a fair directory could not be loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum FairFileError {
    #[error("{}: cannot {action}: {error}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        error: std::io::Error,
    },
    /// The problem is boxed to keep the error small on every `Result` of this module.
    #[error("{at}: {problem}")]
    Invalid { at: Location, problem: Box<Problem> },
    /// Several problems in one file, reported together so that staff fix a sheet in one go.
    #[error("{} problems:{}", .0.len(), list(.0))]
    Many(Vec<FairFileError>),
}

/// One problem per line; a sheet saved with a wrong column can break every row, and the
/// first lines are enough to see the pattern.
fn list(errors: &[FairFileError]) -> String {
    const SHOWN: usize = 20;
    let mut out: String = errors
        .iter()
        .take(SHOWN)
        .map(|e| format!("\n  {e}"))
        .collect();
    if errors.len() > SHOWN {
        out.push_str(&format!("\n  ... and {} more", errors.len() - SHOWN));
    }
    out
}

impl FairFileError {
    fn invalid(path: &Path, line: Option<u64>, field: Option<&str>, problem: Problem) -> Self {
        FairFileError::Invalid {
            at: Location {
                path: path.to_path_buf(),
                line,
                field: field.map(str::to_string),
            },
            problem: Box::new(problem),
        }
    }

    fn from_many(mut errors: Vec<FairFileError>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            FairFileError::Many(errors)
        }
    }

    /// Every single problem, for callers that show them one per line or per cell.
    pub fn problems(&self) -> Vec<&FairFileError> {
        match self {
            FairFileError::Many(errors) => errors.iter().flat_map(|e| e.problems()).collect(),
            other => vec![other],
        }
    }
}

fn io_error(path: &Path, action: &'static str, error: std::io::Error) -> FairFileError {
    FairFileError::Io {
        path: path.to_path_buf(),
        action,
        error,
    }
}

/// Reads and checks the fair in `dir`. Every reference is checked while the file is read,
/// where the line is known, so that [`Fair::new`] only confirms what is already known good.
pub fn load_fair_dir(dir: &Path) -> Result<Fair, FairFileError> {
    let head = load_fair_toml(&dir.join(FAIR_TOML))?;
    let mut lines = Lines {
        rounds: head.round_lines.clone(),
        ..Lines::default()
    };
    let institutions = load_institutions(&dir.join(INSTITUTIONS_CSV), &mut lines.institutions)?;
    let enterprises = load_enterprises(&dir.join(ENTERPRISES_CSV), &mut lines.enterprises)?;
    let participants = load_participants(&dir.join(PARTICIPANTS_CSV), &mut lines)?;
    let rounds_by_id: HashMap<RoundId, &Round> =
        head.rounds.iter().map(|r| (r.id.clone(), r)).collect();
    let meetings = load_meetings(&dir.join(MEETINGS_CSV), &rounds_by_id, &mut lines)?;
    let parts = FairParts {
        rounds: head.rounds,
        institutions,
        enterprises,
        participants,
        meetings,
    };
    Fair::new(head.id, head.name, parts).map_err(|e| residual(dir, &lines, e))
}

/// Writes `fair` into `dir` as the five fair files, creating `dir` if needed. Times are
/// written local to `utc_offset_minutes` (540 for Korea), types and roles as their Korean
/// labels, CSV with a BOM so that Excel opens it as UTF-8. Everything is rendered before
/// the first file is written, so a fair that cannot be represented leaves `dir` untouched.
pub fn write_fair_dir(
    fair: &Fair,
    utc_offset_minutes: i32,
    dir: &Path,
) -> Result<(), FairFileError> {
    let toml_path = dir.join(FAIR_TOML);
    let offset = utc_offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            FairFileError::invalid(
                &toml_path,
                None,
                Some("utc_offset"),
                Problem::BadValue(format!(
                    "{utc_offset_minutes} minutes is not a UTC offset (less than 24 hours either way)"
                )),
            )
        })?;
    let mut files = vec![(
        toml_path.clone(),
        render_fair_toml(fair, offset, &toml_path)?,
    )];

    let institutions = fair.institutions().map(|i| {
        vec![
            i.id.to_string(),
            i.name.clone(),
            i.kind.label_ko().to_string(),
        ]
    });
    files.push((
        dir.join(INSTITUTIONS_CSV),
        render_csv(INSTITUTION_COLUMNS, institutions),
    ));
    let enterprises = fair.enterprises().map(|e| {
        vec![
            e.id.to_string(),
            e.name.clone(),
            e.kind.label_ko().to_string(),
        ]
    });
    files.push((
        dir.join(ENTERPRISES_CSV),
        render_csv(ENTERPRISE_COLUMNS, enterprises),
    ));
    let participants = fair.participants().map(|p| {
        let affiliation = match &p.affiliation {
            Affiliation::Institution(id) => id.to_string(),
            Affiliation::Enterprise(id) => id.to_string(),
            Affiliation::Operator => String::new(),
        };
        vec![
            p.id.to_string(),
            p.name.clone(),
            p.role.label_ko().to_string(),
            affiliation,
        ]
    });
    files.push((
        dir.join(PARTICIPANTS_CSV),
        render_csv(PARTICIPANT_COLUMNS, participants),
    ));
    // Staff read the schedule in time order, not in id order.
    let mut meetings: Vec<_> = fair.meetings().collect();
    meetings.sort_by_key(|m| {
        let number = fair.round(&m.round).map(|r| r.number).unwrap_or(u32::MAX);
        (
            number,
            m.round.clone(),
            m.slot.index,
            m.institution.clone(),
            m.id.clone(),
        )
    });
    let meetings = meetings.into_iter().map(|m| {
        vec![
            m.id.to_string(),
            m.round.to_string(),
            m.slot.index.to_string(),
            m.institution.to_string(),
            m.enterprise.to_string(),
        ]
    });
    files.push((
        dir.join(MEETINGS_CSV),
        render_csv(MEETING_COLUMNS, meetings),
    ));

    fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the directory", e))?;
    for (path, bytes) in files {
        fs::write(&path, bytes).map_err(|e| io_error(&path, "write", e))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// fair.toml

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FairToml {
    id: Spanned<String>,
    name: Spanned<String>,
    utc_offset: Option<Spanned<String>>,
    #[serde(default)]
    rounds: Vec<RoundToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundToml {
    id: Spanned<String>,
    number: Spanned<u32>,
    theme: Spanned<String>,
    date: Spanned<String>,
    start: Spanned<String>,
    // Decimal minutes are allowed so that a test fair can have 30-second slots.
    slot_minutes: Spanned<f64>,
    break_minutes: Spanned<f64>,
    slots: Spanned<u32>,
}

#[derive(Serialize)]
struct FairTomlOut<'a> {
    id: &'a str,
    name: &'a str,
    utc_offset: String,
    rounds: Vec<RoundTomlOut<'a>>,
}

#[derive(Serialize)]
struct RoundTomlOut<'a> {
    id: &'a str,
    number: u32,
    theme: &'a str,
    date: String,
    start: String,
    slot_minutes: Minutes,
    break_minutes: Minutes,
    slots: u32,
}

/// Whole minutes are written as TOML integers, which is what staff expect to read.
#[derive(Serialize)]
#[serde(untagged)]
enum Minutes {
    Whole(i64),
    Part(f64),
}

impl Minutes {
    fn of(d: Duration) -> Minutes {
        let ms = d.as_millis();
        let (whole, rest) = (ms / 60_000, ms % 60_000);
        if rest == 0 {
            Minutes::Whole(i64::try_from(whole).unwrap_or(i64::MAX))
        } else {
            Minutes::Part(ms as f64 / 60_000.0)
        }
    }
}

struct FairHead {
    id: FairId,
    name: String,
    rounds: Vec<Round>,
    round_lines: HashMap<RoundId, u64>,
}

/// A TOML file's line and field for a span, for the values checked after parsing.
struct TomlAt<'a> {
    path: &'a Path,
    text: &'a str,
}

impl TomlAt<'_> {
    fn line(&self, span: &Range<usize>) -> u64 {
        line_of(self.text, span.start)
    }

    fn err(&self, span: &Range<usize>, field: &str, problem: Problem) -> FairFileError {
        FairFileError::invalid(self.path, Some(self.line(span)), Some(field), problem)
    }
}

fn line_of(text: &str, offset: usize) -> u64 {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

fn read_text(path: &Path) -> Result<String, FairFileError> {
    let bytes = fs::read(path).map_err(|e| io_error(path, "read", e))?;
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            // Excel and Notepad put a BOM first; it is not part of the first header.
            if text.starts_with(BOM) {
                text.drain(..BOM.len_utf8());
            }
            Ok(text)
        }
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            Err(FairFileError::invalid(
                path,
                Some(line),
                None,
                Problem::NotUtf8,
            ))
        }
    }
}

/// The toml crate's error carries a byte span but no key: take the field from a "missing
/// field" message, or else from the `key = value` line the span points at.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> FairFileError {
    let message = e.message().trim();
    let line = e.span().map(|s| line_of(text, s.start));
    let field = missing_field(message).or_else(|| {
        let line = line? as usize;
        let content = text.lines().nth(line - 1)?;
        let (key, _) = content.split_once('=')?;
        let key = key.trim();
        let bare = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        bare.then(|| key.to_string())
    });
    FairFileError::invalid(
        path,
        line,
        field.as_deref(),
        Problem::Toml(message.to_string()),
    )
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

fn load_fair_toml(path: &Path) -> Result<FairHead, FairFileError> {
    let text = read_text(path)?;
    let raw: FairToml = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    let at = TomlAt { path, text: &text };

    let id = toml_id::<FairId>(&at, "id", &raw.id)?;
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(at.err(&raw.name.span(), "name", Problem::Empty));
    }
    let offset = match &raw.utc_offset {
        None => kst_offset(),
        Some(s) => parse_offset(s.get_ref()).ok_or_else(|| {
            at.err(
                &s.span(),
                "utc_offset",
                bad_format("UTC offset", s.get_ref(), "\"+09:00\""),
            )
        })?,
    };
    if raw.rounds.is_empty() {
        return Err(FairFileError::invalid(
            path,
            None,
            Some("rounds"),
            Problem::BadValue("a fair needs at least one [[rounds]] table".into()),
        ));
    }

    let mut errors = Vec::new();
    let mut rounds = Vec::new();
    let mut round_lines: HashMap<RoundId, u64> = HashMap::new();
    let mut numbers: HashMap<u32, u64> = HashMap::new();
    for r in &raw.rounds {
        match toml_round(&at, r, offset) {
            Ok(round) => {
                let line = at.line(&r.id.span());
                if let Some(first) = round_lines.get(&round.id) {
                    errors.push(at.err(
                        &r.id.span(),
                        "id",
                        Problem::Duplicate {
                            what: "round",
                            id: round.id.to_string(),
                            first_line: *first,
                        },
                    ));
                    continue;
                }
                if let Some(first) = numbers.get(&round.number) {
                    errors.push(at.err(
                        &r.number.span(),
                        "number",
                        Problem::BadValue(format!(
                            "round number {} is already used on line {first}",
                            round.number
                        )),
                    ));
                    continue;
                }
                round_lines.insert(round.id.clone(), line);
                numbers.insert(round.number, at.line(&r.number.span()));
                rounds.push(round);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(FairFileError::from_many(errors));
    }
    Ok(FairHead {
        id,
        name,
        rounds,
        round_lines,
    })
}

fn toml_id<T: TryFrom<String, Error = IdError>>(
    at: &TomlAt<'_>,
    field: &str,
    value: &Spanned<String>,
) -> Result<T, FairFileError> {
    T::try_from(value.get_ref().trim().to_string()).map_err(|error| {
        at.err(
            &value.span(),
            field,
            Problem::BadId {
                found: value.get_ref().clone(),
                error,
            },
        )
    })
}

fn toml_round(at: &TomlAt<'_>, r: &RoundToml, offset: FixedOffset) -> Result<Round, FairFileError> {
    let id = toml_id::<RoundId>(at, "id", &r.id)?;
    let theme = r.theme.get_ref().trim().to_string();
    if theme.is_empty() {
        return Err(at.err(&r.theme.span(), "theme", Problem::Empty));
    }
    let date = NaiveDate::parse_from_str(r.date.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
        at.err(
            &r.date.span(),
            "date",
            bad_format(
                "date",
                r.date.get_ref(),
                "\"YYYY-MM-DD\", e.g. \"2026-05-20\"",
            ),
        )
    })?;
    let time = parse_time(r.start.get_ref()).ok_or_else(|| {
        at.err(
            &r.start.span(),
            "start",
            bad_format("time", r.start.get_ref(), "\"HH:MM\", e.g. \"10:00\""),
        )
    })?;
    let starts_at = date
        .and_time(time)
        .and_local_timezone(offset)
        .single()
        .map(|t| Timestamp::from_millis(t.timestamp_millis()))
        .ok_or_else(|| {
            at.err(
                &r.date.span(),
                "date",
                Problem::BadValue("the date and time are out of range".into()),
            )
        })?;
    let slot_len = minutes_value(at, "slot_minutes", &r.slot_minutes)?;
    if slot_len.is_zero() {
        return Err(at.err(
            &r.slot_minutes.span(),
            "slot_minutes",
            Problem::BadValue("a slot must last more than zero minutes".into()),
        ));
    }
    let break_len = minutes_value(at, "break_minutes", &r.break_minutes)?;
    if *r.slots.get_ref() == 0 {
        return Err(at.err(
            &r.slots.span(),
            "slots",
            Problem::BadValue("a round needs at least one slot".into()),
        ));
    }
    Ok(Round {
        id,
        number: *r.number.get_ref(),
        theme,
        starts_at,
        slot_len,
        break_len,
        slots: *r.slots.get_ref(),
    })
}

fn minutes_value(
    at: &TomlAt<'_>,
    field: &str,
    v: &Spanned<f64>,
) -> Result<Duration, FairFileError> {
    let m = *v.get_ref();
    // Up to a week: longer is surely a typo, and it keeps the millisecond count exact.
    if !m.is_finite() || !(0.0..=7.0 * 24.0 * 60.0).contains(&m) {
        return Err(at.err(
            &v.span(),
            field,
            Problem::BadValue(format!("{m} is not a number of minutes from 0 to 10080")),
        ));
    }
    Ok(Duration::from_millis((m * 60_000.0).round() as u64))
}

fn bad_format(what: &'static str, found: &str, expected: &'static str) -> Problem {
    Problem::BadFormat {
        what,
        found: found.to_string(),
        expected,
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

/// `+09:00`, `-03:30` or `Z`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if m >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn format_offset(offset: FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let mins = secs.abs() / 60;
    format!("{sign}{:02}:{:02}", mins / 60, mins % 60)
}

/// The shortest `HH:MM[:SS[.mmm]]` that says the time exactly.
fn format_time(t: &DateTime<FixedOffset>) -> String {
    let ms = t.nanosecond() / 1_000_000;
    if ms != 0 {
        t.format("%H:%M:%S%.3f").to_string()
    } else if t.second() != 0 {
        t.format("%H:%M:%S").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

fn render_fair_toml(
    fair: &Fair,
    offset: FixedOffset,
    path: &Path,
) -> Result<Vec<u8>, FairFileError> {
    let mut rounds: Vec<&Round> = fair.rounds().collect();
    rounds.sort_by_key(|r| (r.number, r.starts_at, r.id.clone()));
    let mut out = Vec::new();
    for r in rounds {
        let start = DateTime::<Utc>::from_timestamp_millis(r.starts_at.as_millis())
            .ok_or_else(|| {
                FairFileError::invalid(
                    path,
                    None,
                    Some("start"),
                    Problem::BadValue(format!(
                        "round {}: start {} is out of range",
                        r.id, r.starts_at
                    )),
                )
            })?
            .with_timezone(&offset);
        out.push(RoundTomlOut {
            id: r.id.as_str(),
            number: r.number,
            theme: &r.theme,
            date: start.format("%Y-%m-%d").to_string(),
            start: format_time(&start),
            slot_minutes: Minutes::of(r.slot_len),
            break_minutes: Minutes::of(r.break_len),
            slots: r.slots,
        });
    }
    let doc = FairTomlOut {
        id: fair.id.as_str(),
        name: &fair.name,
        utc_offset: format_offset(offset),
        rounds: out,
    };
    let body = toml::to_string(&doc)
        .map_err(|e| FairFileError::invalid(path, None, None, Problem::Toml(e.to_string())))?;
    let header = "\
# 상담회 설정 (the fair's setup). Times are local to utc_offset (\"+09:00\" = Korea).
# [[rounds]] = one round (회차): date = \"YYYY-MM-DD\", start = \"HH:MM\" (the first slot),
# slot_minutes and break_minutes per slot, slots = how many (numbered from 0 in meetings.csv).
";
    Ok(format!("{header}\n{body}").into_bytes())
}

// ---------------------------------------------------------------------------------------
// CSV sheets

/// One data row, its cells in the order of the expected columns.
struct Row {
    line: u64,
    cells: Vec<String>,
}

/// A row's place, for errors about one of its cells.
struct RowAt<'a> {
    path: &'a Path,
    line: u64,
}

impl RowAt<'_> {
    fn err(&self, field: &str, problem: Problem) -> FairFileError {
        FairFileError::invalid(self.path, Some(self.line), Some(field), problem)
    }

    fn text(&self, field: &str, value: &str) -> Result<String, FairFileError> {
        if value.is_empty() {
            return Err(self.err(field, Problem::Empty));
        }
        Ok(value.to_string())
    }

    fn id<T: TryFrom<String, Error = IdError>>(
        &self,
        field: &str,
        value: &str,
    ) -> Result<T, FairFileError> {
        if value.is_empty() {
            return Err(self.err(field, Problem::Empty));
        }
        T::try_from(value.to_string()).map_err(|error| {
            self.err(
                field,
                Problem::BadId {
                    found: value.to_string(),
                    error,
                },
            )
        })
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> FairFileError {
    let line = e.position().map(|p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Problem::NotUtf8,
        _ => Problem::Csv(e.to_string()),
    };
    FairFileError::invalid(path, line, None, problem)
}

/// Reads a sheet whose header must name exactly `columns`, in any order. Cells are
/// trimmed; rows with only empty cells (Excel leaves them behind) are skipped.
fn read_sheet(path: &Path, columns: &[&'static str]) -> Result<Vec<Row>, FairFileError> {
    let text = read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let expected = columns.join(", ");

    let header = match records.next() {
        Some(r) => r.map_err(|e| csv_error(path, &e))?,
        None => csv::StringRecord::new(),
    };
    let header_line = header.position().map(|p| p.line()).unwrap_or(1);
    let mut errors = Vec::new();
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim_start_matches(BOM).trim();
        if name.is_empty() && i >= columns.len() {
            continue; // trailing empty header cells from a spreadsheet
        }
        match columns.iter().position(|c| *c == name) {
            Some(c) if index[c].is_some() => errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(name),
                Problem::DuplicateColumn,
            )),
            Some(c) => index[c] = Some(i),
            None => errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(name),
                Problem::UnknownColumn {
                    expected: expected.clone(),
                },
            )),
        }
    }
    for (c, found) in index.iter().enumerate() {
        if found.is_none() {
            errors.push(FairFileError::invalid(
                path,
                Some(header_line),
                Some(columns[c]),
                Problem::MissingColumn {
                    expected: expected.clone(),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(FairFileError::from_many(errors));
    }
    let index: Vec<usize> = index.into_iter().flatten().collect();

    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(path, &e));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        // Cells past the header count only if they hold something.
        let used = record
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .last()
            .map_or(0, |(i, _)| i + 1);
        if used > header.len() {
            errors.push(FairFileError::invalid(
                path,
                Some(line),
                None,
                Problem::ExtraCells {
                    found: used,
                    expected: header.len(),
                },
            ));
            continue;
        }
        let cells = index
            .iter()
            .map(|&i| record.get(i).unwrap_or("").to_string())
            .collect();
        rows.push(Row { line, cells });
    }
    if !errors.is_empty() {
        return Err(FairFileError::from_many(errors));
    }
    Ok(rows)
}

/// Runs `each` over a sheet's rows, collecting every row's error before giving up, so that
/// one load reports all the mistakes of a sheet.
fn each_row<T>(
    path: &Path,
    columns: &[&'static str],
    mut each: impl FnMut(&RowAt<'_>, &[String]) -> Result<T, FairFileError>,
) -> Result<Vec<T>, FairFileError> {
    let rows = read_sheet(path, columns)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in &rows {
        let at = RowAt {
            path,
            line: row.line,
        };
        match each(&at, &row.cells) {
            Ok(v) => out.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FairFileError::from_many(errors))
    }
}

fn expected_labels(labels: impl Iterator<Item = (&'static str, &'static str)>) -> String {
    let (ko, codes): (Vec<_>, Vec<_>) = labels.unzip();
    format!("{} (or {})", ko.join(", "), codes.join(", "))
}

fn no_duplicate<K: std::hash::Hash + Eq + Clone + fmt::Display>(
    at: &RowAt<'_>,
    what: &'static str,
    seen: &mut HashMap<K, u64>,
    id: &K,
) -> Result<(), FairFileError> {
    if let Some(first) = seen.get(id) {
        return Err(at.err(
            "아이디",
            Problem::Duplicate {
                what,
                id: id.to_string(),
                first_line: *first,
            },
        ));
    }
    seen.insert(id.clone(), at.line);
    Ok(())
}

fn load_institutions(
    path: &Path,
    lines: &mut HashMap<InstitutionId, u64>,
) -> Result<Vec<Institution>, FairFileError> {
    let expected = expected_labels(
        InstitutionType::ALL
            .iter()
            .map(|t| (t.label_ko(), t.code())),
    );
    each_row(path, INSTITUTION_COLUMNS, |at, c| {
        let id: InstitutionId = at.id("아이디", &c[0])?;
        let name = at.text("기관명", &c[1])?;
        let kind = InstitutionType::parse(&c[2]).ok_or_else(|| {
            at.err(
                "기관유형",
                Problem::UnknownValue {
                    what: "institution type",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        no_duplicate(at, "institution", lines, &id)?;
        Ok(Institution { id, name, kind })
    })
}

fn load_enterprises(
    path: &Path,
    lines: &mut HashMap<EnterpriseId, u64>,
) -> Result<Vec<Enterprise>, FairFileError> {
    let expected = expected_labels(EnterpriseType::ALL.iter().map(|t| (t.label_ko(), t.code())));
    each_row(path, ENTERPRISE_COLUMNS, |at, c| {
        let id: EnterpriseId = at.id("아이디", &c[0])?;
        let name = at.text("기업명", &c[1])?;
        let kind = EnterpriseType::parse(&c[2]).ok_or_else(|| {
            at.err(
                "기업유형",
                Problem::UnknownValue {
                    what: "enterprise type",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        no_duplicate(at, "enterprise", lines, &id)?;
        Ok(Enterprise { id, name, kind })
    })
}

fn load_participants(path: &Path, lines: &mut Lines) -> Result<Vec<Participant>, FairFileError> {
    let expected = expected_labels(Role::ALL.iter().map(|r| (r.label_ko(), r.as_str())));
    let Lines {
        institutions,
        enterprises,
        participants,
        ..
    } = lines;
    each_row(path, PARTICIPANT_COLUMNS, |at, c| {
        let id: ParticipantId = at.id("아이디", &c[0])?;
        let name = at.text("이름", &c[1])?;
        let role = Role::parse(&c[2]).ok_or_else(|| {
            at.err(
                "역할",
                Problem::UnknownValue {
                    what: "role",
                    found: c[2].clone(),
                    expected: expected.clone(),
                },
            )
        })?;
        let org = c[3].as_str();
        let wrong = |expected| {
            at.err(
                "소속",
                Problem::WrongAffiliation {
                    role: role.as_str(),
                    expected,
                },
            )
        };
        let affiliation = match role {
            Role::Buyer if org.is_empty() => {
                return Err(wrong("an institution: give its id from institutions.csv"))
            }
            Role::Vendor if org.is_empty() => {
                return Err(wrong("an enterprise: give its id from enterprises.csv"))
            }
            Role::Buyer => {
                let i: InstitutionId = at.id("소속", org)?;
                if !institutions.contains_key(&i) {
                    return Err(at.err(
                        "소속",
                        Problem::UnknownReference {
                            what: "institution",
                            id: org.to_string(),
                        },
                    ));
                }
                Affiliation::Institution(i)
            }
            Role::Vendor => {
                let e: EnterpriseId = at.id("소속", org)?;
                if !enterprises.contains_key(&e) {
                    return Err(at.err(
                        "소속",
                        Problem::UnknownReference {
                            what: "enterprise",
                            id: org.to_string(),
                        },
                    ));
                }
                Affiliation::Enterprise(e)
            }
            Role::Moderator | Role::Staff if !org.is_empty() => {
                return Err(wrong("the fair's operator: leave 소속 empty"))
            }
            Role::Moderator | Role::Staff => Affiliation::Operator,
        };
        no_duplicate(at, "participant", participants, &id)?;
        Ok(Participant {
            id,
            name,
            role,
            affiliation,
        })
    })
}

fn load_meetings(
    path: &Path,
    rounds: &HashMap<RoundId, &Round>,
    lines: &mut Lines,
) -> Result<Vec<MeetingSpec>, FairFileError> {
    // Who is busy when, and with which meeting on which line, to name both bookings.
    let mut busy: HashMap<(char, String, RoundId, u32), (MeetingId, u64)> = HashMap::new();
    let Lines {
        institutions,
        enterprises,
        meetings,
        ..
    } = lines;
    each_row(path, MEETING_COLUMNS, |at, c| {
        let id: MeetingId = at.id("아이디", &c[0])?;
        let round_id: RoundId = at.id("회차", &c[1])?;
        let round = rounds.get(&round_id).ok_or_else(|| {
            at.err(
                "회차",
                Problem::UnknownReference {
                    what: "round",
                    id: round_id.to_string(),
                },
            )
        })?;
        if c[2].is_empty() {
            return Err(at.err("슬롯", Problem::Empty));
        }
        let slot: u32 = c[2].parse().map_err(|_| {
            at.err(
                "슬롯",
                Problem::BadNumber {
                    found: c[2].clone(),
                    expected: "a slot number (0, 1, 2, ...)",
                },
            )
        })?;
        if slot >= round.slots {
            return Err(at.err(
                "슬롯",
                Problem::NoSuchSlot {
                    round: round_id.to_string(),
                    slots: round.slots,
                    slot,
                },
            ));
        }
        let institution: InstitutionId = at.id("기관", &c[3])?;
        if !institutions.contains_key(&institution) {
            return Err(at.err(
                "기관",
                Problem::UnknownReference {
                    what: "institution",
                    id: institution.to_string(),
                },
            ));
        }
        let enterprise: EnterpriseId = at.id("기업", &c[4])?;
        if !enterprises.contains_key(&enterprise) {
            return Err(at.err(
                "기업",
                Problem::UnknownReference {
                    what: "enterprise",
                    id: enterprise.to_string(),
                },
            ));
        }
        no_duplicate(at, "meeting", meetings, &id)?;
        for (tag, field, what, org) in [
            ('i', "기관", "institution", institution.to_string()),
            ('e', "기업", "enterprise", enterprise.to_string()),
        ] {
            let key = (tag, org.clone(), round_id.clone(), slot);
            if let Some((other, other_line)) = busy.get(&key) {
                return Err(at.err(
                    field,
                    Problem::DoubleBooked {
                        what,
                        id: org,
                        round: round_id.to_string(),
                        slot,
                        other: other.to_string(),
                        other_line: *other_line,
                    },
                ));
            }
        }
        busy.insert(
            ('i', institution.to_string(), round_id.clone(), slot),
            (id.clone(), at.line),
        );
        busy.insert(
            ('e', enterprise.to_string(), round_id.clone(), slot),
            (id.clone(), at.line),
        );
        Ok(MeetingSpec {
            id,
            round: round_id,
            slot,
            institution,
            enterprise,
        })
    })
}

/// The line each id was read from, to place errors that only [`Fair::new`] found.
#[derive(Default)]
struct Lines {
    rounds: HashMap<RoundId, u64>,
    institutions: HashMap<InstitutionId, u64>,
    enterprises: HashMap<EnterpriseId, u64>,
    participants: HashMap<ParticipantId, u64>,
    meetings: HashMap<MeetingId, u64>,
}

/// The loader checks everything [`Fair::new`] checks, so this should not happen; if the
/// core grows a new check, its error still names the file (and the line where it can).
fn residual(dir: &Path, lines: &Lines, e: FairError) -> FairFileError {
    fn line_in<K: fmt::Display>(map: &HashMap<K, u64>, id: &str) -> Option<u64> {
        map.iter()
            .find(|(k, _)| k.to_string() == id)
            .map(|(_, l)| *l)
    }
    let (file, line) = match &e {
        FairError::Duplicate { what, id } => match *what {
            "round" => (FAIR_TOML, line_in(&lines.rounds, id)),
            "institution" => (INSTITUTIONS_CSV, line_in(&lines.institutions, id)),
            "enterprise" => (ENTERPRISES_CSV, line_in(&lines.enterprises, id)),
            "participant" => (PARTICIPANTS_CSV, line_in(&lines.participants, id)),
            _ => (MEETINGS_CSV, line_in(&lines.meetings, id)),
        },
        FairError::UnknownReference { meeting, .. }
        | FairError::NoSuchSlot { meeting, .. }
        | FairError::DoubleBooked { meeting, .. } => {
            (MEETINGS_CSV, line_in(&lines.meetings, meeting))
        }
        FairError::WrongAffiliation { participant, .. }
        | FairError::UnknownAffiliation { participant, .. } => {
            (PARTICIPANTS_CSV, line_in(&lines.participants, participant))
        }
        FairError::BadRound { round, .. } => (FAIR_TOML, line_in(&lines.rounds, round)),
    };
    FairFileError::invalid(&dir.join(file), line, None, Problem::Fair(e))
}

fn render_csv(columns: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(BOM.to_string().as_bytes());
    let mut w = csv::Writer::from_writer(bytes);
    // Writing into a Vec cannot fail, and every row has as many cells as the header.
    w.write_record(columns).expect("write to memory");
    for row in rows {
        w.write_record(&row).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangdam_signaling::time::minutes;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh directory per test, so tests run in parallel without sharing files.
    fn temp_dir(name: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sangdam-fairfile-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn id<T: TryFrom<String, Error = IdError>>(s: &str) -> T {
        T::try_from(s.to_string()).unwrap()
    }

    /// 2026-05-20 10:00 KST.
    const MAY_20_10H_KST: i64 = 1_779_238_800_000;

    fn sample_fair() -> Fair {
        let parts = FairParts {
            rounds: vec![
                Round {
                    id: id("r1"),
                    number: 1,
                    theme: "공공시장 진출 지원".into(),
                    starts_at: Timestamp::from_millis(MAY_20_10H_KST),
                    slot_len: minutes(20),
                    break_len: minutes(10),
                    slots: 4,
                },
                Round {
                    id: id("r2"),
                    number: 2,
                    theme: "전략사업 발굴, \"그린뉴딜\"".into(),
                    // Seconds and milliseconds survive the round trip too.
                    starts_at: Timestamp::from_millis(MAY_20_10H_KST + 86_400_000 + 30_250),
                    slot_len: Duration::from_secs(30),
                    break_len: Duration::ZERO,
                    slots: 2,
                },
            ],
            institutions: vec![
                Institution {
                    id: id("i001"),
                    name: "서울특별시".into(),
                    kind: InstitutionType::CityHall,
                },
                Institution {
                    id: id("i002"),
                    name: "강남구, 사회적경제과".into(),
                    kind: InstitutionType::District,
                },
            ],
            enterprises: vec![
                Enterprise {
                    id: id("e001"),
                    name: "(주)함께만드는세상".into(),
                    kind: EnterpriseType::SocialEnterprise,
                },
                Enterprise {
                    id: id("e002"),
                    name: "초록협동조합".into(),
                    kind: EnterpriseType::Cooperative,
                },
            ],
            participants: vec![
                Participant {
                    id: id("p-b-i001"),
                    name: "김민준".into(),
                    role: Role::Buyer,
                    affiliation: Affiliation::Institution(id("i001")),
                },
                Participant {
                    id: id("p-v-e001"),
                    name: "이서연".into(),
                    role: Role::Vendor,
                    affiliation: Affiliation::Enterprise(id("e001")),
                },
                Participant {
                    id: id("p-mod-01"),
                    name: "박지훈".into(),
                    role: Role::Moderator,
                    affiliation: Affiliation::Operator,
                },
            ],
            meetings: vec![
                MeetingSpec {
                    id: id("r1-s00-i001"),
                    round: id("r1"),
                    slot: 0,
                    institution: id("i001"),
                    enterprise: id("e001"),
                },
                MeetingSpec {
                    id: id("r1-s00-i002"),
                    round: id("r1"),
                    slot: 0,
                    institution: id("i002"),
                    enterprise: id("e002"),
                },
                MeetingSpec {
                    id: id("r2-s01-i001"),
                    round: id("r2"),
                    slot: 1,
                    institution: id("i001"),
                    enterprise: id("e002"),
                },
            ],
        };
        Fair::new(
            id("seoul-2021"),
            "2021 서울시 사회적경제 공공구매 온라인상담회",
            parts,
        )
        .unwrap()
    }

    fn assert_same_fair(a: &Fair, b: &Fair) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.name, b.name);
        assert_eq!(
            a.rounds().collect::<Vec<_>>(),
            b.rounds().collect::<Vec<_>>()
        );
        assert_eq!(
            a.institutions().collect::<Vec<_>>(),
            b.institutions().collect::<Vec<_>>()
        );
        assert_eq!(
            a.enterprises().collect::<Vec<_>>(),
            b.enterprises().collect::<Vec<_>>()
        );
        assert_eq!(
            a.participants().collect::<Vec<_>>(),
            b.participants().collect::<Vec<_>>()
        );
        assert_eq!(
            a.meetings().collect::<Vec<_>>(),
            b.meetings().collect::<Vec<_>>()
        );
    }

    /// A valid fair directory written by hand, the way staff would, to break one file at a time.
    fn write_valid(dir: &Path) {
        let files: [(&str, &str); 5] = [
            (
                FAIR_TOML,
                r#"id = "seoul-2021"
name = "2021 서울시 사회적경제 공공구매 온라인상담회"
utc_offset = "+09:00"

[[rounds]]
id = "r1"
number = 1
theme = "공공시장 진출 지원"
date = "2026-05-20"
start = "10:00"
slot_minutes = 20
break_minutes = 10
slots = 4
"#,
            ),
            (
                INSTITUTIONS_CSV,
                "아이디,기관명,기관유형\ni001,서울특별시,본청\ni002,종로구,district\ni003,서울교통공사,투자출연기관\n",
            ),
            (
                ENTERPRISES_CSV,
                "아이디,기업명,기업유형\ne001,(주)함께만드는세상,(예비)사회적기업\ne002,초록협동조합,cooperative\n",
            ),
            (
                PARTICIPANTS_CSV,
                "아이디,이름,역할,소속\np-b-i001,김민준,구매자,i001\np-v-e001,이서연,vendor,e001\np-mod-01,박지훈,moderator,\n",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s00-i001,r1,0,i001,e001\nr1-s00-i002,r1,0,i002,e002\nr1-s01-i001,r1,1,i001,e002\n",
            ),
        ];
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
    }

    /// Loads `dir` after replacing one file, and returns the error's message.
    fn error_with(name: &str, file: &str, text: &str) -> String {
        let dir = temp_dir(name);
        write_valid(&dir);
        fs::write(dir.join(file), text).unwrap();
        let err = load_fair_dir(&dir).expect_err("the broken file must be refused");
        let msg = err.to_string();
        // Messages name the path as given, then line and field.
        msg.replace(&format!("{}/", dir.display()), "")
    }

    #[test]
    fn a_written_fair_loads_back_the_same() {
        let dir = temp_dir("roundtrip");
        let fair = sample_fair();
        write_fair_dir(&fair, KST_OFFSET_MINUTES, &dir.join("nested")).unwrap();
        let back = load_fair_dir(&dir.join("nested")).unwrap();
        assert_same_fair(&fair, &back);

        let toml = fs::read_to_string(dir.join("nested").join(FAIR_TOML)).unwrap();
        assert!(toml.contains("date = \"2026-05-20\""), "{toml}");
        assert!(toml.contains("start = \"10:00\""), "{toml}");
        assert!(toml.contains("start = \"10:00:30.250\""), "{toml}");
        assert!(toml.contains("slot_minutes = 20\n"), "{toml}");
        assert!(toml.contains("slot_minutes = 0.5\n"), "{toml}");
        assert!(toml.contains("utc_offset = \"+09:00\""), "{toml}");
        let csv = fs::read(dir.join("nested").join(INSTITUTIONS_CSV)).unwrap();
        assert!(csv.starts_with("\u{feff}아이디,기관명,기관유형\n".as_bytes()));
        assert!(String::from_utf8(csv)
            .unwrap()
            .contains("\"강남구, 사회적경제과\",자치구"));
    }

    #[test]
    fn another_offset_gives_the_same_instants() {
        let dir = temp_dir("offset");
        let fair = sample_fair();
        write_fair_dir(&fair, -150, &dir).unwrap();
        let toml = fs::read_to_string(dir.join(FAIR_TOML)).unwrap();
        assert!(toml.contains("utc_offset = \"-02:30\""), "{toml}");
        assert!(toml.contains("date = \"2026-05-19\""), "{toml}");
        assert_same_fair(&fair, &load_fair_dir(&dir).unwrap());
        assert!(write_fair_dir(&fair, 24 * 60, &dir).is_err());
    }

    #[test]
    fn hand_written_files_load_with_bom_labels_codes_and_any_column_order() {
        let dir = temp_dir("bom");
        write_valid(&dir);
        // Excel's way: BOM, CRLF, padded cells, a row of empty cells; columns reordered.
        fs::write(
            dir.join(ENTERPRISES_CSV),
            "\u{feff}기업유형,아이디,기업명\r\n(예비)사회적기업, e001 ,(주)함께만드는세상\r\n\
             cooperative,e002,초록협동조합\r\n,,\r\n",
        )
        .unwrap();
        let mut toml = fs::read_to_string(dir.join(FAIR_TOML)).unwrap();
        toml.insert(0, BOM);
        fs::write(dir.join(FAIR_TOML), toml).unwrap();
        let fair = load_fair_dir(&dir).unwrap();
        assert_eq!(fair.enterprises().count(), 2);
        let e = fair.enterprise(&id("e001")).unwrap();
        assert_eq!(e.kind, EnterpriseType::SocialEnterprise);
        assert_eq!(e.name, "(주)함께만드는세상");
        assert_eq!(
            fair.institution(&id("i002")).unwrap().kind,
            InstitutionType::District
        );
        assert_eq!(
            fair.participant(&id("p-v-e001")).unwrap().role,
            Role::Vendor
        );
        let r1 = fair.round(&id("r1")).unwrap();
        assert_eq!(r1.starts_at, Timestamp::from_millis(MAY_20_10H_KST));
        assert_eq!(r1.slot_len, minutes(20));
        assert_eq!(fair.meetings().count(), 3);
    }

    #[test]
    fn csv_mistakes_name_file_line_and_field() {
        let cases: &[(&str, &str, &str)] = &[
            (
                INSTITUTIONS_CSV,
                "아이디,기관명,기관유형\ni001,서울특별시,본청\ni002,종로구,자치구\ni003,서울교통공사,투자출연기관\ni004,종로구청,구청\n",
                "institutions.csv line 5, field 기관유형: unknown institution type \"구청\" (expected one of 본청, 자치구, 투자출연기관, 서울시교육청, 기타 (or city_hall, district, city_funded, education, other))",
            ),
            (
                INSTITUTIONS_CSV,
                "아이디,기관명,기관유형\ni001,서울특별시,본청\ni 002,종로구,자치구\ni003,서울교통공사,투자출연기관\n",
                "institutions.csv line 3, field 아이디: bad id \"i 002\": an id may hold only ASCII letters, digits, '-' and '_'; found ' '",
            ),
            (
                INSTITUTIONS_CSV,
                "아이디,기관명,기관유형\ni001,서울특별시,본청\ni002,종로구,자치구\ni003,서울교통공사,투자출연기관\ni002,중구,자치구\n",
                "institutions.csv line 5, field 아이디: duplicate institution id \"i002\" (first on line 3)",
            ),
            (
                INSTITUTIONS_CSV,
                "아이디,기관명,유형\ni001,서울특별시,본청\n",
                "2 problems:\n  institutions.csv line 1, field 유형: unknown column (expected columns 아이디, 기관명, 기관유형)\n  institutions.csv line 1, field 기관유형: missing column (expected columns 아이디, 기관명, 기관유형)",
            ),
            (
                ENTERPRISES_CSV,
                "아이디,기업명,기업유형\ne001,,(예비)사회적기업\ne002,초록협동조합,협동조합\n",
                "2 problems:\n  enterprises.csv line 2, field 기업명: must not be empty\n  enterprises.csv line 3, field 기업유형: unknown enterprise type \"협동조합\" (expected one of (예비)사회적기업, (사회적)협동조합, 마을기업, 기타 (or social_enterprise, cooperative, village_enterprise, other))",
            ),
            (
                PARTICIPANTS_CSV,
                "아이디,이름,역할,소속\np-b-i001,김민준,구매담당,i001\n",
                "participants.csv line 2, field 역할: unknown role \"구매담당\" (expected one of 구매자, 판매자, 운영자, 직원 (or buyer, vendor, moderator, staff))",
            ),
            (
                PARTICIPANTS_CSV,
                "아이디,이름,역할,소속\np-b-i001,김민준,buyer,i001\np-v-e009,이서연,vendor,e009\n",
                "participants.csv line 3, field 소속: unknown enterprise \"e009\"",
            ),
            (
                PARTICIPANTS_CSV,
                "아이디,이름,역할,소속\np-b-i001,김민준,buyer,e001\n",
                "participants.csv line 2, field 소속: unknown institution \"e001\"",
            ),
            (
                PARTICIPANTS_CSV,
                "아이디,이름,역할,소속\np-mod-01,박지훈,운영자,i001\n",
                "participants.csv line 2, field 소속: a moderator must belong to the fair's operator: leave 소속 empty",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s00-i001,r1,0,i001,e001\nr1-s01-i999,r1,1,i999,e001\n",
                "meetings.csv line 3, field 기관: unknown institution \"i999\"",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s00-i001,r9,0,i001,e001\n",
                "meetings.csv line 2, field 회차: unknown round \"r9\"",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s04-i001,r1,4,i001,e001\n",
                "meetings.csv line 2, field 슬롯: round r1 has 4 slots, numbered 0 to 3; slot 4 does not exist",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s00-i001,r1,첫째,i001,e001\n",
                "meetings.csv line 2, field 슬롯: \"첫째\" is not a slot number (0, 1, 2, ...)",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nr1-s00-i001,r1,0,i001,e001\nr1-s00-i002,r1,0,i002,e001\n",
                "meetings.csv line 3, field 기업: enterprise e001 already meets in round r1 slot 0 (meeting r1-s00-i001 on line 2)",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nm1,r1,0,i001,e001\nm1,r1,1,i001,e002\n",
                "meetings.csv line 3, field 아이디: duplicate meeting id \"m1\" (first on line 2)",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nm1,r1,0,i001,e001,extra\n",
                "meetings.csv line 2: the row has 6 cells but the header has 5 columns",
            ),
            (
                MEETINGS_CSV,
                "아이디,회차,슬롯,기관,기업\nm1,r1,0,\"i001,e001\n",
                "meetings.csv line 2, field 기관: bad id \"i001,e001\": an id may hold only ASCII letters, digits, '-' and '_'; found ','",
            ),
        ];
        for (i, (file, text, want)) in cases.iter().enumerate() {
            let got = error_with(&format!("csv{i}"), file, text);
            assert_eq!(&got, want, "case {i}");
        }
    }

    #[test]
    fn a_sheet_that_is_not_utf8_says_so() {
        let dir = temp_dir("latin1");
        write_valid(&dir);
        let mut bytes = "아이디,기업명,기업유형\ne001,".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xc7, 0xd4, 0xb2, 0xb2]); // "함께" in EUC-KR
        bytes.extend_from_slice(",기타\n".as_bytes());
        fs::write(dir.join(ENTERPRISES_CSV), bytes).unwrap();
        let msg = load_fair_dir(&dir).unwrap_err().to_string();
        assert!(
            msg.ends_with(
                "enterprises.csv line 2: the file is not valid UTF-8 (save it as \"CSV UTF-8\")"
            ),
            "{msg}"
        );
    }

    #[test]
    fn toml_mistakes_name_file_line_and_field() {
        let base = fs::read_to_string({
            let d = temp_dir("toml-base");
            write_valid(&d);
            d.join(FAIR_TOML)
        })
        .unwrap();
        let cases: &[(&str, &str, &str)] = &[
            (
                "date = \"2026-05-20\"",
                "date = \"2026-05-32\"",
                "fair.toml line 9, field date: bad date \"2026-05-32\", expected \"YYYY-MM-DD\", e.g. \"2026-05-20\"",
            ),
            (
                "start = \"10:00\"",
                "start = \"10시\"",
                "fair.toml line 10, field start: bad time \"10시\", expected \"HH:MM\", e.g. \"10:00\"",
            ),
            (
                "slots = 4",
                "slots = -4",
                "fair.toml line 13, field slots: invalid value: integer `-4`, expected u32",
            ),
            (
                "slots = 4",
                "slots = 0",
                "fair.toml line 13, field slots: a round needs at least one slot",
            ),
            (
                "slot_minutes = 20",
                "slot_minutes = 0",
                "fair.toml line 11, field slot_minutes: a slot must last more than zero minutes",
            ),
            (
                "number = 1",
                "number = \"1\"",
                "fair.toml line 7, field number: invalid type: string \"1\", expected u32",
            ),
            (
                "id = \"r1\"",
                "id = \"회차1\"",
                "fair.toml line 6, field id: bad id \"회차1\": an id may hold only ASCII letters, digits, '-' and '_'; found '회'",
            ),
            (
                "utc_offset = \"+09:00\"",
                "utc_offset = \"KST\"",
                "fair.toml line 3, field utc_offset: bad UTC offset \"KST\", expected \"+09:00\"",
            ),
            (
                "break_minutes = 10\n",
                "",
                "fair.toml line 5, field break_minutes: missing field `break_minutes`",
            ),
            (
                "slots = 4",
                "slots = 4\nslot = 3",
                "fair.toml line 14, field slot: unknown field `slot`, expected one of `id`, `number`, `theme`, `date`, `start`, `slot_minutes`, `break_minutes`, `slots`",
            ),
            (
                "theme = \"공공시장 진출 지원\"",
                "theme = \"공공시장 진출 지원",
                "fair.toml line 8, field theme: invalid basic string, expected `\"`",
            ),
        ];
        for (i, (from, to, want)) in cases.iter().enumerate() {
            assert!(base.contains(from), "case {i}");
            let got = error_with(&format!("toml{i}"), FAIR_TOML, &base.replacen(from, to, 1));
            assert_eq!(&got, want, "case {i}");
        }

        let twice = format!("{base}\n{}", &base[base.find("[[rounds]]").unwrap()..]);
        assert_eq!(
            error_with("toml-dup", FAIR_TOML, &twice),
            "fair.toml line 16, field id: duplicate round id \"r1\" (first on line 6)"
        );
    }

    #[test]
    fn a_sheet_full_of_mistakes_shows_the_first_twenty() {
        let rows: String = (1..=30)
            .map(|n| format!("i{n:03},기관{n},구청\n"))
            .collect();
        let err = load_fair_dir(&{
            let dir = temp_dir("many");
            write_valid(&dir);
            fs::write(
                dir.join(INSTITUTIONS_CSV),
                format!("아이디,기관명,기관유형\n{rows}"),
            )
            .unwrap();
            dir
        })
        .unwrap_err();
        assert_eq!(err.problems().len(), 30);
        let msg = err.to_string();
        assert!(msg.starts_with("30 problems:\n  "), "{msg}");
        assert_eq!(msg.lines().count(), 1 + 20 + 1, "{msg}");
        assert!(msg.ends_with("\n  ... and 10 more"), "{msg}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = temp_dir("missing");
        write_valid(&dir);
        fs::remove_file(dir.join(MEETINGS_CSV)).unwrap();
        let msg = load_fair_dir(&dir).unwrap_err().to_string();
        assert!(msg.contains("meetings.csv: cannot read: "), "{msg}");
    }
}
