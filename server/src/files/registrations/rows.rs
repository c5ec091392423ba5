//! One row's cells turned into a registration entry: every cell is checked and every
//! problem of the row reported, not only the first. What needs other rows (duplicates, a
//! participant's organisation) is [`super::check`]'s.

use super::columns::Row;
use super::problems::Problems;
use crate::files::fair::contacts::{self, ContactError};
use sangdam_signaling::fair::{EnterpriseType, InstitutionType, Role};
use sangdam_signaling::prep::registry::{
    parse_unavailable, Contact, EnterpriseEntry, InstitutionEntry, RowKind, Unavailable,
};
use sangdam_signaling::{IdError, ParticipantId, RoundId};

/// The longest name or contact person accepted: room for any organisation's full name,
/// short enough to catch a paragraph pasted into the wrong cell.
pub(super) const TEXT_MAX_CHARS: usize = 200;
/// The most items one list cell may hold, and its longest text.
pub(super) const LIST_MAX_ITEMS: usize = 50;
pub(super) const LIST_MAX_CHARS: usize = 1000;
/// The characters that separate a list cell's items: staff write `청소, 방역`,
/// `청소/방역` or `청소·방역` alike.
pub(super) const LIST_SEPARATORS: [char; 4] = [',', ';', '/', '·'];

pub(super) const BOOTHS: (u32, u32, u32) = (1, 10, 1);
pub(super) const MAX_MEETINGS: (u32, u32, u32) = (1, 50, 5);

/// Where a row was read, to name it from another row's problem.
#[derive(Clone, Debug)]
pub(super) struct At {
    pub sheet: String,
    pub row: u32,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} 시트 {}행 (sheet {} row {})",
            self.sheet, self.row, self.sheet, self.row
        )
    }
}

/// A participant's row before its 소속 is looked up among the organisations.
#[derive(Clone, Debug)]
pub(super) struct ParticipantRow {
    pub id: ParticipantId,
    pub name: String,
    pub role: Role,
    /// The 소속 cell, already checked to be an id (buyers and vendors) or empty (others).
    pub org: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Every row read so far, with where it was read. The `broken_` lists hold the ids of
/// organisation rows that had problems, so that a participant naming one is not reported
/// a second, misleading time as naming an unknown organisation.
#[derive(Default)]
pub(super) struct Parsed {
    pub institutions: Vec<(At, InstitutionEntry)>,
    pub enterprises: Vec<(At, EnterpriseEntry)>,
    pub participants: Vec<(At, ParticipantRow)>,
    pub broken_institutions: Vec<String>,
    pub broken_enterprises: Vec<String>,
}

/// One row being read: its problems go straight to the import's list.
struct Cells<'a> {
    sheet: &'a str,
    row: &'a Row,
    problems: &'a mut Problems,
    failed: bool,
}

impl Cells<'_> {
    fn bad(&mut self, column: &str, reason: impl Into<String>) {
        self.failed = true;
        self.problems
            .push(self.sheet, self.row.row, Some(column), reason);
    }

    /// The trimmed cell; `None` when it could not be read (already reported).
    fn raw(&mut self, column: &str) -> Option<String> {
        match self.row.get(column) {
            Some(v) => Some(v.to_string()),
            None => {
                self.failed = true;
                None
            }
        }
    }

    fn text(&mut self, column: &str, required: bool) -> Option<String> {
        let v = self.raw(column)?;
        if v.is_empty() && required {
            self.bad(column, "must not be empty (expected a name)");
            return None;
        }
        let n = v.chars().count();
        if n > TEXT_MAX_CHARS {
            self.bad(
                column,
                format!("{n} characters is too long (expected at most {TEXT_MAX_CHARS})"),
            );
            return None;
        }
        Some(v)
    }

    fn id<T>(&mut self, column: &str, parse: fn(String) -> Result<T, IdError>) -> Option<T> {
        let v = self.raw(column)?;
        if v.is_empty() {
            self.bad(column, "must not be empty (expected an id such as i001)");
            return None;
        }
        match parse(v.clone()) {
            Ok(id) => Some(id),
            Err(e) => {
                self.bad(column, format!("bad id {v:?}: {e}"));
                None
            }
        }
    }

    fn labelled<T>(
        &mut self,
        column: &str,
        what: &str,
        parse: fn(&str) -> Option<T>,
        expected: String,
    ) -> Option<T> {
        let v = self.raw(column)?;
        let found = parse(&v);
        if found.is_none() {
            self.bad(
                column,
                format!("unknown {what} {v:?} (expected one of {expected})"),
            );
        }
        found
    }

    fn contact(
        &mut self,
        column: &str,
        what: &str,
        check: fn(&str) -> Result<(), ContactError>,
    ) -> Option<Option<String>> {
        let v = self.raw(column)?;
        if v.is_empty() {
            return Some(None);
        }
        match check(&v) {
            Ok(()) => Some(Some(v)),
            Err(e) => {
                self.bad(
                    column,
                    format!("bad {what} {v:?}, expected {}", e.expected()),
                );
                None
            }
        }
    }

    fn list(&mut self, column: &str) -> Option<Vec<String>> {
        let v = self.raw(column)?;
        let n = v.chars().count();
        if n > LIST_MAX_CHARS {
            self.bad(
                column,
                format!("{n} characters is too long (expected at most {LIST_MAX_CHARS})"),
            );
            return None;
        }
        let items: Vec<String> = split_list(&v);
        if items.len() > LIST_MAX_ITEMS {
            self.bad(
                column,
                format!(
                    "{} items is too many (expected at most {LIST_MAX_ITEMS}, separated by , ; / or ·)",
                    items.len()
                ),
            );
            return None;
        }
        Some(items)
    }

    fn rounds(&mut self, column: &str) -> Option<Vec<RoundId>> {
        let items = self.list(column)?;
        let mut rounds = Vec::with_capacity(items.len());
        for item in items {
            match RoundId::parse(item.clone()) {
                Ok(r) => rounds.push(r),
                Err(e) => {
                    self.bad(
                        column,
                        format!("bad round id {item:?}: {e} (expected round ids such as r1, r2; empty for every round)"),
                    );
                    return None;
                }
            }
        }
        Some(rounds)
    }

    fn unavailable(&mut self, column: &str) -> Option<Vec<Unavailable>> {
        let v = self.raw(column)?;
        match parse_unavailable(&v) {
            Ok(u) => Some(u),
            Err(expected) => {
                self.bad(
                    column,
                    format!("cannot read {v:?} (expected {expected}; empty when always available)"),
                );
                None
            }
        }
    }

    /// A whole number from `lo` to `hi`; empty gives `default`.
    fn number(&mut self, column: &str, (lo, hi, default): (u32, u32, u32)) -> Option<u32> {
        let v = self.raw(column)?;
        if v.is_empty() {
            return Some(default);
        }
        match v.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                self.bad(
                    column,
                    format!("{v:?} is not a whole number from {lo} to {hi} (expected e.g. {default}; empty means {default})"),
                );
                None
            }
        }
    }

    fn yes_no(&mut self, column: &str) -> Option<bool> {
        let v = self.raw(column)?;
        match parse_yes_no(&v) {
            Some(b) => Some(b),
            None => {
                self.bad(
                    column,
                    format!("{v:?} is not yes or no (expected Y or N, 예 or 아니오, O or X, true or false, 1 or 0; empty means N)"),
                );
                None
            }
        }
    }
}

pub(super) fn split_list(cell: &str) -> Vec<String> {
    cell.split(LIST_SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn parse_yes_no(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "" | "n" | "no" | "아니오" | "아니요" | "x" | "false" | "0" => Some(false),
        "y" | "yes" | "예" | "o" | "true" | "1" => Some(true),
        _ => None,
    }
}

fn expected_labels(pairs: impl Iterator<Item = (&'static str, &'static str)>) -> String {
    let (ko, codes): (Vec<_>, Vec<_>) = pairs.unzip();
    format!("{} (or {})", ko.join(", "), codes.join(", "))
}

/// Reads the rows of one sheet of `kind` into `parsed`.
pub(super) fn read(
    sheet: &str,
    kind: RowKind,
    rows: &[Row],
    parsed: &mut Parsed,
    problems: &mut Problems,
) {
    for row in rows {
        let at = At {
            sheet: sheet.to_string(),
            row: row.row,
        };
        let mut c = Cells {
            sheet,
            row,
            problems,
            failed: false,
        };
        match kind {
            RowKind::Institution => match institution(&mut c) {
                (Some(e), false) => parsed.institutions.push((at, e)),
                (_, _) => parsed
                    .broken_institutions
                    .extend(row.get("아이디").map(str::to_string)),
            },
            RowKind::Enterprise => match enterprise(&mut c) {
                (Some(e), false) => parsed.enterprises.push((at, e)),
                (_, _) => parsed
                    .broken_enterprises
                    .extend(row.get("아이디").map(str::to_string)),
            },
            RowKind::Participant => {
                if let (Some(p), false) = participant(&mut c) {
                    parsed.participants.push((at, p));
                }
            }
        }
    }
}

fn institution(c: &mut Cells<'_>) -> (Option<InstitutionEntry>, bool) {
    let expected = expected_labels(
        InstitutionType::ALL
            .iter()
            .map(|t| (t.label_ko(), t.code())),
    );
    let id = c.id("아이디", sangdam_signaling::InstitutionId::parse);
    let name = c.text("기관명", true);
    let kind = c.labelled(
        "기관유형",
        "institution type",
        InstitutionType::parse,
        expected,
    );
    let contact = organisation_contact(c);
    let wanted = c.list("구매희망품목");
    let booths = c.number("부스수", BOOTHS);
    let rounds = c.rounds("참여회차");
    let unavailable = c.unavailable("불참슬롯");
    let entry = (|| {
        Some(InstitutionEntry {
            id: id?,
            name: name?,
            kind: kind?,
            contact: contact?,
            wanted: wanted?,
            booths: booths?,
            rounds: rounds?,
            unavailable: unavailable?,
        })
    })();
    (entry, c.failed)
}

fn enterprise(c: &mut Cells<'_>) -> (Option<EnterpriseEntry>, bool) {
    let expected = expected_labels(EnterpriseType::ALL.iter().map(|t| (t.label_ko(), t.code())));
    let id = c.id("아이디", sangdam_signaling::EnterpriseId::parse);
    let name = c.text("기업명", true);
    let kind = c.labelled(
        "기업유형",
        "enterprise type",
        EnterpriseType::parse,
        expected,
    );
    let contact = organisation_contact(c);
    let categories = c.list("제품분류");
    let certifications = c.list("인증");
    let green = c.yes_no("녹색");
    let max_meetings = c.number("최대상담수", MAX_MEETINGS);
    let rounds = c.rounds("참여회차");
    let unavailable = c.unavailable("불참슬롯");
    let entry = (|| {
        Some(EnterpriseEntry {
            id: id?,
            name: name?,
            kind: kind?,
            contact: contact?,
            categories: categories?,
            certifications: certifications?,
            green: green?,
            max_meetings: max_meetings?,
            rounds: rounds?,
            unavailable: unavailable?,
        })
    })();
    (entry, c.failed)
}

fn organisation_contact(c: &mut Cells<'_>) -> Option<Contact> {
    let person = c.text("담당자", false);
    let phone = c.contact("전화", "phone number", contacts::check_phone);
    let email = c.contact("이메일", "e-mail address", contacts::check_email);
    Some(Contact {
        person: person?,
        phone: phone?,
        email: email?,
    })
}

/// The 소속 rule of the fair files: a buyer names an institution, a vendor an enterprise,
/// moderators and staff nobody. Whether the id exists is checked once every sheet is read.
fn participant(c: &mut Cells<'_>) -> (Option<ParticipantRow>, bool) {
    let expected = expected_labels(Role::ALL.iter().map(|r| (r.label_ko(), r.as_str())));
    let id = c.id("아이디", ParticipantId::parse);
    let name = c.text("이름", true);
    let role = c.labelled("역할", "role", Role::parse, expected);
    let org = match (role, c.raw("소속")) {
        (Some(role @ (Role::Buyer | Role::Vendor)), Some(org)) if org.is_empty() => {
            let (what, _, sheet) = organisation_of(role);
            c.bad(
                "소속",
                format!(
                    "a {} must belong to {what} (expected its 아이디 from the {sheet} sheet)",
                    role.as_str()
                ),
            );
            None
        }
        (Some(Role::Buyer | Role::Vendor), Some(org)) => {
            match sangdam_signaling::ids::check_id(&org) {
                Ok(()) => Some(Some(org)),
                Err(e) => {
                    c.bad("소속", format!("bad id {org:?}: {e}"));
                    None
                }
            }
        }
        (Some(role @ (Role::Moderator | Role::Staff)), Some(org)) if !org.is_empty() => {
            c.bad(
                "소속",
                format!(
                    "a {} works for the fair's operator (expected 소속 empty, found {org:?})",
                    role.as_str()
                ),
            );
            None
        }
        (Some(_), Some(_)) => Some(None),
        _ => None,
    };
    let phone = c.contact("전화", "phone number", contacts::check_phone);
    let email = c.contact("이메일", "e-mail address", contacts::check_email);
    let row = (|| {
        Some(ParticipantRow {
            id: id?,
            name: name?,
            role: role?,
            org: org?,
            phone: phone?,
            email: email?,
        })
    })();
    (row, c.failed)
}

/// The organisation a buyer or vendor belongs to, in words (with and without its
/// article), and its sheet.
pub(super) fn organisation_of(role: Role) -> (&'static str, &'static str, &'static str) {
    match role {
        Role::Vendor => ("an enterprise", "enterprise", "기업"),
        _ => ("an institution", "institution", "기관"),
    }
}
