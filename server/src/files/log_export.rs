//! The consultation log as files staff open in Excel: CSV (UTF-8 with a BOM, so Excel reads
//! Korean correctly, and CRLF line ends) and an `.xlsx` workbook. Both have the same
//! Korean columns; times are Korea time.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sangdam_signaling::live::room::{Absent, Side};
use sangdam_signaling::records::log_view::LogRow;
use sangdam_signaling::records::record::Ending;
use sangdam_signaling::records::survey::{Answers, SurveyConfig};
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::Timestamp;

/// The columns, in order.
pub const COLUMNS: [&str; 29] = [
    "회차",
    "주제",
    "날짜",
    "시작",
    "종료",
    "상담 ID",
    "기관",
    "기관 유형",
    "기업",
    "기업 유형",
    "구매자",
    "판매자",
    "기관 입장",
    "기관 퇴장",
    "기업 입장",
    "기업 퇴장",
    "상담 시간(분)",
    "종료 사유",
    "불참",
    "운영자 조치",
    "화면 공유",
    "보낸 파일 수",
    "기관 만족도",
    "기관 응답",
    "기관 후속 결과",
    "기업 만족도",
    "기업 응답",
    "기업 후속 결과",
    "후속 결과",
];

/// One cell.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn kst(t: Timestamp, format: &str) -> String {
    DateTime::<Utc>::from_timestamp_millis(t.as_millis())
        .map(|d| d.with_timezone(&kst_offset()).format(format).to_string())
        .unwrap_or_default()
}

fn time(t: Option<Timestamp>) -> Cell {
    t.map_or(Cell::Empty, |t| text(kst(t, "%H:%M:%S")))
}

/// A text cell; every text cell of an export is made here. Text that a spreadsheet would
/// take for a formula is quoted, so a name like `=HYPERLINK(...)` in a fair file, or an id
/// like `-1+2`, stays text.
fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() {
        Cell::Empty
    } else if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cell::Text(format!("'{s}"))
    } else {
        Cell::Text(s)
    }
}

/// Text as a cell of any export holds it: quoted where a spreadsheet would read a formula.
pub(crate) fn cell_text(s: &str) -> String {
    match text(s) {
        Cell::Text(t) => t,
        _ => String::new(),
    }
}

pub fn ending_label(e: &Ending) -> &'static str {
    match e {
        Ending::Timer => "시간 종료",
        Ending::LeftEarly { side: Side::Buyer } => "기관 조기 퇴장",
        Ending::LeftEarly { side: Side::Vendor } => "기업 조기 퇴장",
        Ending::Participant => "참가자 종료",
        Ending::Moderator => "운영자 종료",
        Ending::NoShow {
            absent: Absent::Buyer,
        } => "불참(기관)",
        Ending::NoShow {
            absent: Absent::Vendor,
        } => "불참(기업)",
        Ending::NoShow {
            absent: Absent::Both,
        } => "불참(양측)",
    }
}

fn absent_label(a: Option<Absent>) -> &'static str {
    match a {
        None => "",
        Some(Absent::Buyer) => "기관",
        Some(Absent::Vendor) => "기업",
        Some(Absent::Both) => "양측",
    }
}

fn survey_cells(answers: &Option<Answers>, survey: &SurveyConfig, side: Side) -> [Cell; 3] {
    match answers {
        None => [Cell::Empty, Cell::Empty, Cell::Empty],
        Some(a) => {
            let label = survey
                .side(side)
                .options
                .iter()
                .find(|o| o.id == a.valued)
                .map_or(a.valued.clone(), |o| o.label.clone());
            [
                Cell::Number(a.rating as f64),
                text(label),
                text(a.outcome.label_ko()),
            ]
        }
    }
}

fn cells(row: &LogRow, survey: &SurveyConfig) -> Vec<Cell> {
    let name = |p: &Option<sangdam_signaling::records::log_view::PersonView>| {
        text(p.as_ref().map(|p| p.name.clone()).unwrap_or_default())
    };
    let actions: Vec<String> = row
        .moderator_actions
        .iter()
        .map(|a| format!("{} {} ({})", kst(a.at, "%H:%M"), a.action, a.moderator))
        .collect();
    let mut v = vec![
        Cell::Number(row.round as f64),
        text(row.theme.clone()),
        text(kst(row.scheduled_start, "%Y-%m-%d")),
        text(kst(row.scheduled_start, "%H:%M")),
        text(kst(row.scheduled_end, "%H:%M")),
        text(row.meeting.to_string()),
        text(row.institution.name.clone()),
        text(row.institution.kind_label.clone()),
        text(row.enterprise.name.clone()),
        text(row.enterprise.kind_label.clone()),
        name(&row.buyer),
        name(&row.vendor),
        time(row.buyer_attendance.first_joined_at),
        time(row.buyer_attendance.last_left_at),
        time(row.vendor_attendance.first_joined_at),
        time(row.vendor_attendance.last_left_at),
        Cell::Number((row.duration_s as f64 / 6.0).round() / 10.0),
        text(ending_label(&row.ending)),
        text(absent_label(row.no_show)),
        text(actions.join("; ")),
        text(
            if row.screen_shared {
                "예"
            } else {
                "아니오"
            }
            .to_string(),
        ),
        Cell::Number(row.files_sent as f64),
    ];
    v.extend(survey_cells(&row.buyer_survey, survey, Side::Buyer));
    v.extend(survey_cells(&row.vendor_survey, survey, Side::Vendor));
    v.push(text(row.outcome.map(|o| o.label_ko()).unwrap_or_default()));
    v
}

/// The rows as CSV for Excel: UTF-8 with a byte-order mark, CRLF line ends.
pub fn csv(rows: &[LogRow], survey: &SurveyConfig) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(COLUMNS).expect("writing to memory");
        for row in rows {
            let fields: Vec<String> = cells(row, survey)
                .into_iter()
                .map(|c| match c {
                    Cell::Text(s) => s,
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            w.write_record(&fields).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// The rows as an Excel workbook: one sheet with a bold, frozen header row and filters.
pub fn xlsx(rows: &[LogRow], survey: &SurveyConfig, fair_name: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("{fair_name} 상담 기록"))
            .set_author("Sangdam"),
    );
    let sheet = book.add_worksheet();
    sheet.set_name("상담 기록")?;
    let bold = Format::new().set_bold();
    for (c, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells(row, survey).into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, n)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1)?;
    let widths: [f64; 29] = [
        5.0, 18.0, 11.0, 6.0, 6.0, 16.0, 24.0, 12.0, 24.0, 16.0, 8.0, 8.0, 9.0, 9.0, 9.0, 9.0, 8.0,
        13.0, 6.0, 24.0, 8.0, 8.0, 6.0, 24.0, 12.0, 6.0, 28.0, 12.0, 12.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_stays_text() {
        assert!(matches!(text("=1+2"), Cell::Text(s) if s == "'=1+2"));
        assert!(matches!(text("서울특별시"), Cell::Text(s) if s == "서울특별시"));
        assert!(matches!(text(""), Cell::Empty));
    }

    #[test]
    fn every_cell_of_a_row_is_escaped_ids_included() {
        use sangdam_signaling::live::room::Attendance;
        use sangdam_signaling::protocol::OrgView;
        use sangdam_signaling::records::record::ModeratorAction;
        let org = |name: &str| OrgView {
            id: "-9".into(),
            name: name.into(),
            kind: "other".into(),
            kind_label: "+기타".into(),
        };
        let t = Timestamp::from_millis(1_779_238_800_000);
        let row = LogRow {
            meeting: sangdam_signaling::MeetingId::parse("-1-2").unwrap(),
            round: 1,
            theme: "@theme".into(),
            slot: 0,
            scheduled_start: t,
            scheduled_end: t,
            institution: org("=HYPERLINK(\"x\")"),
            enterprise: org("-2+3"),
            buyer: None,
            vendor: None,
            buyer_attendance: Attendance::default(),
            vendor_attendance: Attendance::default(),
            duration_s: 0,
            ending: Ending::Timer,
            no_show: None,
            moderator_actions: vec![ModeratorAction {
                note: None,
                at: t,
                moderator: sangdam_signaling::ParticipantId::parse("-m").unwrap(),
                action: "@extend".into(),
            }],
            closed_at: t,
            screen_shared: false,
            files_sent: 0,
            buyer_survey: None,
            vendor_survey: None,
            outcome: None,
        };
        for cell in cells(&row, &SurveyConfig::default()) {
            if let Cell::Text(s) = cell {
                assert!(
                    !s.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a cell a spreadsheet would evaluate: {s:?}"
                );
            }
        }
        let out = String::from_utf8(csv(&[row], &SurveyConfig::default())).unwrap();
        assert!(out.contains("'-1-2"), "{out}");
        assert!(out.contains("'-2+3"), "{out}");
    }

    #[test]
    fn an_empty_log_is_a_header_with_a_bom() {
        let out = csv(&[], &SurveyConfig::default());
        assert!(out.starts_with("\u{feff}회차,주제,날짜".as_bytes()));
        assert!(out.ends_with(b"\r\n"));
        let book = xlsx(&[], &SurveyConfig::default(), "f").unwrap();
        assert!(book.starts_with(b"PK"));
    }
}
