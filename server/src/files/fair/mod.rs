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
//!   enterprise id for a vendor, empty for moderators and staff), and optionally `전화`
//!   (phone) and `이메일` (e-mail), read into [`contacts::Contacts`]; an empty cell means
//!   none.
//! - `meetings.csv`: `아이디,회차,슬롯,기관,기업` (round id, 0-based slot, institution id,
//!   enterprise id).
//!
//! Types and roles may be written as their Korean label or their code. CSV files are UTF-8
//! with or without a BOM; the header row must name exactly the columns above (the optional
//! ones or not), in any order.

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
/// Optional in `participants.csv`, after [`PARTICIPANT_COLUMNS`]: fairs prepared before
/// the moderators' board had no contact columns, and some staff keep contacts elsewhere.
const CONTACT_COLUMNS: &[&str] = &["전화", "이메일"];
const MEETING_COLUMNS: &[&str] = &["아이디", "회차", "슬롯", "기관", "기업"];

const BOM: char = '\u{feff}';

pub mod contacts;
mod problems;
mod sheets;
mod toml_file;

use contacts::{ContactError, ContactInfo, Contacts};
use problems::io_error;
pub use problems::{FairFileError, Location, Problem};
use sheets::*;
use toml_file::*;

/// Reads and checks the fair in `dir`, for callers that have no use for contact details
/// (they are still checked: a bad phone number makes the directory invalid).
pub fn load_fair_dir(dir: &Path) -> Result<Fair, FairFileError> {
    load_fair_dir_with_contacts(dir).map(|(fair, _)| fair)
}

/// Reads and checks the fair in `dir` and the contact details of `participants.csv`
/// (only participants with a phone or an e-mail are in [`Contacts`]). Every reference is
/// checked while the file is read, where the line is known, so that [`Fair::new`] only
/// confirms what is already known good.
pub fn load_fair_dir_with_contacts(dir: &Path) -> Result<(Fair, Contacts), FairFileError> {
    let head = load_fair_toml(&dir.join(FAIR_TOML))?;
    let mut lines = Lines {
        rounds: head.round_lines.clone(),
        ..Lines::default()
    };
    let institutions = load_institutions(&dir.join(INSTITUTIONS_CSV), &mut lines.institutions)?;
    let enterprises = load_enterprises(&dir.join(ENTERPRISES_CSV), &mut lines.enterprises)?;
    let (participants, contacts): (Vec<_>, Vec<_>) =
        load_participants(&dir.join(PARTICIPANTS_CSV), &mut lines)?
            .into_iter()
            .unzip();
    let contacts = Contacts(
        participants
            .iter()
            .zip(contacts)
            .filter(|(_, c)| !c.is_empty())
            .map(|(p, c)| (p.id.clone(), c))
            .collect(),
    );
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
    let fair = Fair::new(head.id, head.name, parts).map_err(|e| residual(dir, &lines, e))?;
    Ok((fair, contacts))
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
    write_fair_files(fair, None, utc_offset_minutes, dir)
}

/// As [`write_fair_dir`], with the columns 전화 and 이메일 in `participants.csv` filled
/// from `contacts` (empty for a participant it does not list), so that
/// [`load_fair_dir_with_contacts`] gives back the same fair and contacts. Contacts of
/// people who are not participants of `fair` are not written: there is no row for them.
pub fn write_fair_dir_with_contacts(
    fair: &Fair,
    contacts: &Contacts,
    utc_offset_minutes: i32,
    dir: &Path,
) -> Result<(), FairFileError> {
    write_fair_files(fair, Some(contacts), utc_offset_minutes, dir)
}

/// Without `contacts`, `participants.csv` has only the required columns, as before they
/// existed, so that a fair exported for another tool keeps its old shape.
fn write_fair_files(
    fair: &Fair,
    contacts: Option<&Contacts>,
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
        let mut row = vec![
            p.id.to_string(),
            p.name.clone(),
            p.role.label_ko().to_string(),
            affiliation,
        ];
        if let Some(contacts) = contacts {
            let info = contacts.get(&p.id);
            row.push(info.and_then(|c| c.phone.clone()).unwrap_or_default());
            row.push(info.and_then(|c| c.email.clone()).unwrap_or_default());
        }
        row
    });
    if let Some(contacts) = contacts {
        check_contacts_to_write(fair, contacts, &dir.join(PARTICIPANTS_CSV))?;
    }
    let participant_columns: Vec<&str> = match contacts {
        Some(_) => PARTICIPANT_COLUMNS
            .iter()
            .chain(CONTACT_COLUMNS)
            .copied()
            .collect(),
        None => PARTICIPANT_COLUMNS.to_vec(),
    };
    files.push((
        dir.join(PARTICIPANTS_CSV),
        render_csv(&participant_columns, participants),
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

/// Refuses contacts that would not load back as written: the loader's own checks, and
/// spaces around a value or an empty one, which the loader reads as trimmed or as none.
/// Every bad value is reported, each naming its participant, since the line it would
/// have had is in a file not written.
fn check_contacts_to_write(
    fair: &Fair,
    contacts: &Contacts,
    path: &Path,
) -> Result<(), FairFileError> {
    let mut errors = Vec::new();
    for p in fair.participants() {
        let Some(info) = contacts.get(&p.id) else {
            continue;
        };
        let cells = [
            (
                "전화",
                "phone number",
                &info.phone,
                contacts::check_phone as fn(&str) -> _,
            ),
            (
                "이메일",
                "e-mail address",
                &info.email,
                contacts::check_email,
            ),
        ];
        for (field, what, value, check) in cells {
            let Some(value) = value else { continue };
            let why = if value.trim() != value || value.is_empty() {
                Some("no spaces around it, and not empty (leave it out instead)")
            } else {
                check(value).err().map(ContactError::expected)
            };
            if let Some(why) = why {
                errors.push(FairFileError::invalid(
                    path,
                    None,
                    Some(field),
                    Problem::BadValue(format!(
                        "participant {}: bad {what} {value:?}, expected {why}",
                        p.id
                    )),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(FairFileError::from_many(errors))
    }
}

// ---------------------------------------------------------------------------------------
// fair.toml

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

    fn pid(s: &str) -> ParticipantId {
        id(s)
    }

    fn contact(phone: Option<&str>, email: Option<&str>) -> ContactInfo {
        ContactInfo {
            phone: phone.map(str::to_string),
            email: email.map(str::to_string),
        }
    }

    /// Loads `write_valid`'s directory with `participants` as its `participants.csv`.
    fn contacts_with(name: &str, participants: &str) -> Result<Contacts, FairFileError> {
        let dir = temp_dir(name);
        write_valid(&dir);
        fs::write(dir.join(PARTICIPANTS_CSV), participants).unwrap();
        load_fair_dir_with_contacts(&dir).map(|(_, contacts)| contacts)
    }

    #[test]
    fn a_participants_sheet_without_contact_columns_loads_with_no_contacts() {
        let dir = temp_dir("no-contacts");
        write_valid(&dir);
        let (fair, contacts) = load_fair_dir_with_contacts(&dir).unwrap();
        assert_eq!(contacts, Contacts::default());
        assert_same_fair(&fair, &load_fair_dir(&dir).unwrap());
        // A spreadsheet's trailing blank header cells, where the optional columns would be.
        let padded = "아이디,이름,역할,소속,,\np-b-i001,김민준,구매자,i001,,\n\
                      p-v-e001,이서연,vendor,e001\np-mod-01,박지훈,moderator,,,\n";
        assert_eq!(
            contacts_with("padded", padded).unwrap(),
            Contacts::default()
        );
    }

    #[test]
    fn contact_columns_load_in_any_order_and_an_empty_cell_means_none() {
        let sheet = "\u{feff}이메일,아이디,이름,전화,역할,소속\r\n\
                     kim@example.org,p-b-i001,김민준, 02-0000-0001 ,구매자,i001\r\n\
                     ,p-v-e001,이서연,+82 10 0000 0002,vendor,e001\r\n\
                     ,p-mod-01,박지훈,,moderator,\r\n";
        let contacts = contacts_with("contacts-any-order", sheet).unwrap();
        assert_eq!(
            contacts.0.into_iter().collect::<Vec<_>>(),
            vec![
                (
                    pid("p-b-i001"),
                    contact(Some("02-0000-0001"), Some("kim@example.org"))
                ),
                (pid("p-v-e001"), contact(Some("+82 10 0000 0002"), None)),
            ],
            "a participant with neither is left out"
        );

        // One optional column without the other.
        let sheet = "아이디,이름,역할,소속,이메일\np-b-i001,김민준,구매자,i001,kim@example.org\n\
                     p-v-e001,이서연,vendor,e001,\np-mod-01,박지훈,moderator,,mod@example.org\n";
        let contacts = contacts_with("contacts-email-only", sheet).unwrap();
        assert_eq!(contacts.0.len(), 2);
        assert_eq!(
            contacts.get(&pid("p-mod-01")),
            Some(&contact(None, Some("mod@example.org")))
        );
    }

    #[test]
    fn contact_mistakes_name_file_line_and_field() {
        let head = "아이디,이름,역할,소속,전화,이메일\n";
        let ok = "p-b-i001,김민준,구매자,i001,02-0000-0001,kim@example.org\n";
        let cases: &[(&str, &str)] = &[
            (
                "p-v-e001,이서연,vendor,e001,02-0000-000O,\n",
                "participants.csv line 3, field 전화: bad phone number \"02-0000-000O\", expected only digits, spaces, '+', '-', '(' and ')'",
            ),
            (
                "p-v-e001,이서연,vendor,e001,02-0000-0002 / 010-0000-0002,\n",
                "participants.csv line 3, field 전화: bad phone number \"02-0000-0002 / 010-0000-0002\", expected only digits, spaces, '+', '-', '(' and ')'",
            ),
            (
                "p-v-e001,이서연,vendor,e001,02-0000-0002 010-0000-0002,\n",
                "participants.csv line 3, field 전화: bad phone number \"02-0000-0002 010-0000-0002\", expected at most 20 characters",
            ),
            (
                "p-v-e001,이서연,vendor,e001,0000-02,\n",
                "participants.csv line 3, field 전화: bad phone number \"0000-02\", expected at least 7 digits",
            ),
            (
                "p-v-e001,이서연,vendor,e001,,이서연\n",
                "participants.csv line 3, field 이메일: bad e-mail address \"이서연\", expected exactly one '@'",
            ),
            (
                "p-v-e001,이서연,vendor,e001,,lee@example.org;kim@example.org\n",
                "participants.csv line 3, field 이메일: bad e-mail address \"lee@example.org;kim@example.org\", expected exactly one '@'",
            ),
            (
                "p-v-e001,이서연,vendor,e001,,@example.org\n",
                "participants.csv line 3, field 이메일: bad e-mail address \"@example.org\", expected a name before the '@'",
            ),
            (
                "p-v-e001,이서연,vendor,e001,,lee@example\n",
                "participants.csv line 3, field 이메일: bad e-mail address \"lee@example\", expected a domain with a dot after the '@', e.g. name@example.org",
            ),
            (
                "p-v-e001,이서연,vendor,e001,,lee seoyeon@example.org\n",
                "participants.csv line 3, field 이메일: bad e-mail address \"lee seoyeon@example.org\", expected no spaces",
            ),
        ];
        for (i, (row, want)) in cases.iter().enumerate() {
            let got = error_with(
                &format!("contact{i}"),
                PARTICIPANTS_CSV,
                &format!("{head}{ok}{row}"),
            );
            assert_eq!(&got, want, "case {i}");
        }

        let long = format!("{}@example.org", "a".repeat(250));
        let got = error_with(
            "contact-long",
            PARTICIPANTS_CSV,
            &format!("{head}{ok}p-v-e001,이서연,vendor,e001,,{long}\n"),
        );
        assert_eq!(
            got,
            format!("participants.csv line 3, field 이메일: bad e-mail address \"{long}\", expected at most 254 characters")
        );

        // Every row's mistake at once, in the file's order.
        let got = error_with(
            "contact-many",
            PARTICIPANTS_CSV,
            &format!(
                "{head}p-b-i001,김민준,구매자,i001,123,\np-v-e001,이서연,vendor,e001,,lee\n\
                 p-mod-01,박지훈,moderator,,,\n"
            ),
        );
        assert_eq!(
            got,
            "2 problems:\n  participants.csv line 2, field 전화: bad phone number \"123\", expected at least 7 digits\n  participants.csv line 3, field 이메일: bad e-mail address \"lee\", expected exactly one '@'"
        );
    }

    #[test]
    fn header_mistakes_with_optional_columns_are_reported_as_before() {
        let cases: &[(&str, &str)] = &[
            (
                "아이디,이름,역할,소속,전화,전화\np-b-i001,김민준,구매자,i001,,\n",
                "participants.csv line 1, field 전화: the column appears twice",
            ),
            (
                "아이디,이름,역할,소속,휴대폰\np-b-i001,김민준,구매자,i001,\n",
                "participants.csv line 1, field 휴대폰: unknown column (expected columns 아이디, 이름, 역할, 소속, and optionally 전화, 이메일)",
            ),
            (
                "아이디,이름,역할,전화,이메일\np-b-i001,김민준,구매자,,\n",
                "participants.csv line 1, field 소속: missing column (expected columns 아이디, 이름, 역할, 소속, and optionally 전화, 이메일)",
            ),
            (
                "아이디,이름,역할,소속,전화\np-b-i001,김민준,구매자,i001,02-0000-0001,kim@example.org\n",
                "participants.csv line 2: the row has 6 cells but the header has 5 columns",
            ),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let got = error_with(&format!("contact-head{i}"), PARTICIPANTS_CSV, text);
            assert_eq!(&got, want, "case {i}");
        }
    }

    #[test]
    fn a_fair_written_with_contacts_loads_back_with_them() {
        let dir = temp_dir("contacts-roundtrip");
        let fair = sample_fair();
        let contacts = Contacts(
            [
                (
                    pid("p-b-i001"),
                    contact(Some("(02) 0000-0001"), Some("kim@example.org")),
                ),
                (pid("p-mod-01"), contact(None, Some("\"mod\"@example.org"))),
                // Not a participant of the fair: there is no row to write it on.
                (pid("p-nobody"), contact(Some("02-0000-0009"), None)),
            ]
            .into_iter()
            .collect(),
        );
        write_fair_dir_with_contacts(&fair, &contacts, KST_OFFSET_MINUTES, &dir).unwrap();
        let (back, back_contacts) = load_fair_dir_with_contacts(&dir).unwrap();
        assert_same_fair(&fair, &back);
        let mut want = contacts.clone();
        want.0.remove(&pid("p-nobody"));
        assert_eq!(back_contacts, want);
        let csv = fs::read_to_string(dir.join(PARTICIPANTS_CSV)).unwrap();
        assert!(
            csv.starts_with("\u{feff}아이디,이름,역할,소속,전화,이메일\n"),
            "{csv}"
        );
        assert!(csv.contains("\np-v-e001,이서연,판매자,e001,,\n"), "{csv}");

        // Without contacts, today's columns.
        write_fair_dir(&fair, KST_OFFSET_MINUTES, &dir).unwrap();
        let csv = fs::read_to_string(dir.join(PARTICIPANTS_CSV)).unwrap();
        assert!(csv.starts_with("\u{feff}아이디,이름,역할,소속\n"), "{csv}");
        assert_eq!(
            load_fair_dir_with_contacts(&dir).unwrap().1,
            Contacts::default()
        );
    }

    #[test]
    fn contacts_that_would_not_load_back_are_not_written() {
        let dir = temp_dir("contacts-bad-write");
        let contacts = Contacts(
            [
                (pid("p-b-i001"), contact(Some("02-0000-0001 내선 3"), None)),
                (pid("p-v-e001"), contact(None, Some(" lee@example.org"))),
                (pid("p-mod-01"), contact(Some(""), None)),
            ]
            .into_iter()
            .collect(),
        );
        let err = write_fair_dir_with_contacts(&sample_fair(), &contacts, KST_OFFSET_MINUTES, &dir)
            .unwrap_err();
        let msg = err.to_string().replace(&format!("{}/", dir.display()), "");
        assert_eq!(
            msg,
            "3 problems:\n  participants.csv, field 전화: participant p-b-i001: bad phone number \"02-0000-0001 내선 3\", expected only digits, spaces, '+', '-', '(' and ')'\n  participants.csv, field 전화: participant p-mod-01: bad phone number \"\", expected no spaces around it, and not empty (leave it out instead)\n  participants.csv, field 이메일: participant p-v-e001: bad e-mail address \" lee@example.org\", expected no spaces around it, and not empty (leave it out instead)"
        );
        assert!(
            fs::read_dir(&dir).unwrap().next().is_none(),
            "nothing is written"
        );
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
