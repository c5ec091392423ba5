//! `fair.toml`: the fair's id, name, UTC offset and rounds, read with the line of every
//! mistake, and written back as staff would write it.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FairToml {
    id: Spanned<String>,
    name: Spanned<String>,
    utc_offset: Option<Spanned<String>>,
    #[serde(default)]
    rounds: Vec<RoundToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RoundToml {
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
pub(super) struct FairTomlOut<'a> {
    id: &'a str,
    name: &'a str,
    utc_offset: String,
    rounds: Vec<RoundTomlOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct RoundTomlOut<'a> {
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
pub(super) enum Minutes {
    Whole(i64),
    Part(f64),
}

impl Minutes {
    pub(super) fn of(d: Duration) -> Minutes {
        let ms = d.as_millis();
        let (whole, rest) = (ms / 60_000, ms % 60_000);
        if rest == 0 {
            Minutes::Whole(i64::try_from(whole).unwrap_or(i64::MAX))
        } else {
            Minutes::Part(ms as f64 / 60_000.0)
        }
    }
}

pub(super) struct FairHead {
    pub(super) id: FairId,
    pub(super) name: String,
    pub(super) rounds: Vec<Round>,
    pub(super) round_lines: HashMap<RoundId, u64>,
}

/// A TOML file's line and field for a span, for the values checked after parsing.
pub(super) struct TomlAt<'a> {
    path: &'a Path,
    text: &'a str,
}

impl TomlAt<'_> {
    pub(super) fn line(&self, span: &Range<usize>) -> u64 {
        line_of(self.text, span.start)
    }

    pub(super) fn err(&self, span: &Range<usize>, field: &str, problem: Problem) -> FairFileError {
        FairFileError::invalid(self.path, Some(self.line(span)), Some(field), problem)
    }
}

pub(super) fn line_of(text: &str, offset: usize) -> u64 {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

pub(super) fn read_text(path: &Path) -> Result<String, FairFileError> {
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
pub(super) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> FairFileError {
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

pub(super) fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

pub(super) fn load_fair_toml(path: &Path) -> Result<FairHead, FairFileError> {
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

pub(super) fn toml_id<T: TryFrom<String, Error = IdError>>(
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

pub(super) fn toml_round(
    at: &TomlAt<'_>,
    r: &RoundToml,
    offset: FixedOffset,
) -> Result<Round, FairFileError> {
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

pub(super) fn minutes_value(
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

pub(super) fn bad_format(what: &'static str, found: &str, expected: &'static str) -> Problem {
    Problem::BadFormat {
        what,
        found: found.to_string(),
        expected,
    }
}

pub(super) fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

/// `+09:00`, `-03:30` or `Z`.
pub(super) fn parse_offset(s: &str) -> Option<FixedOffset> {
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

pub(super) fn format_offset(offset: FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let mins = secs.abs() / 60;
    format!("{sign}{:02}:{:02}", mins / 60, mins % 60)
}

/// The shortest `HH:MM[:SS[.mmm]]` that says the time exactly.
pub(super) fn format_time(t: &DateTime<FixedOffset>) -> String {
    let ms = t.nanosecond() / 1_000_000;
    if ms != 0 {
        t.format("%H:%M:%S%.3f").to_string()
    } else if t.second() != 0 {
        t.format("%H:%M:%S").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

pub(super) fn render_fair_toml(
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
