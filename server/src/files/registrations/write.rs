//! Registrations written back as files staff open in Excel: the sample files, and the
//! prepared fair exported. What is written reads back as the same [`Registration`].

use super::columns::{spec, Spec, SPECS};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use sangdam_signaling::fair::Affiliation;
use sangdam_signaling::prep::registry::{format_unavailable, Registration, RowKind};

const BOM: &str = "\u{feff}";

/// A cell to write: numbers stay numbers in a workbook, so Excel sums and sorts them.
enum Cell {
    Text(String),
    Number(u32),
}

impl Cell {
    fn into_text(self) -> String {
        match self {
            Cell::Text(s) => s,
            Cell::Number(n) => n.to_string(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn list(items: &[impl AsRef<str>]) -> Cell {
    text(
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn opt(s: &Option<String>) -> Cell {
    text(s.clone().unwrap_or_default())
}

/// The rows of `kind`, each in the column order of its [`Spec`].
fn rows(kind: RowKind, reg: &Registration) -> Vec<Vec<Cell>> {
    match kind {
        RowKind::Institution => reg
            .institutions
            .iter()
            .map(|i| {
                vec![
                    text(i.id.to_string()),
                    text(&i.name),
                    text(i.kind.label_ko()),
                    text(&i.contact.person),
                    opt(&i.contact.phone),
                    opt(&i.contact.email),
                    list(&i.wanted),
                    Cell::Number(i.booths),
                    list(&i.rounds.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
                    text(format_unavailable(&i.unavailable)),
                ]
            })
            .collect(),
        RowKind::Enterprise => reg
            .enterprises
            .iter()
            .map(|e| {
                vec![
                    text(e.id.to_string()),
                    text(&e.name),
                    text(e.kind.label_ko()),
                    text(&e.contact.person),
                    opt(&e.contact.phone),
                    opt(&e.contact.email),
                    list(&e.categories),
                    list(&e.certifications),
                    text(if e.green { "Y" } else { "N" }),
                    Cell::Number(e.max_meetings),
                    list(&e.rounds.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
                    text(format_unavailable(&e.unavailable)),
                ]
            })
            .collect(),
        RowKind::Participant => reg
            .participants
            .iter()
            .map(|p| {
                let org = match &p.affiliation {
                    Affiliation::Institution(i) => i.to_string(),
                    Affiliation::Enterprise(e) => e.to_string(),
                    Affiliation::Operator => String::new(),
                };
                vec![
                    text(p.id.to_string()),
                    text(&p.name),
                    text(p.role.label_ko()),
                    text(org),
                    opt(&p.phone),
                    opt(&p.email),
                ]
            })
            .collect(),
    }
}

/// One sheet of `kind` as CSV: a BOM so that Excel opens it as UTF-8, Korean labels for
/// types and roles, lists joined with ", ", 녹색 as Y or N.
pub fn write_csv(kind: RowKind, reg: &Registration) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.as_bytes().to_vec());
    // Writing into a Vec cannot fail, and every row has as many cells as the header.
    w.write_record(spec(kind).columns())
        .expect("write to memory");
    for row in rows(kind, reg) {
        w.write_record(row.into_iter().map(Cell::into_text))
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The three sheets in one workbook, each with a bold, frozen header row. The workbook's
/// creation date is fixed, so the same registration always gives the same bytes and a
/// regenerated sample file shows no change in git.
pub fn write_xlsx(reg: &Registration) -> Vec<u8> {
    render_xlsx(reg).expect("a workbook of short text cells within Excel's limits")
}

fn render_xlsx(reg: &Registration) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("상담회 참가 등록 / fair registrations")
            .set_author("Sangdam")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?),
    );
    let bold = Format::new().set_bold();
    for s in SPECS {
        let sheet = book.add_worksheet();
        sheet.set_name(s.sheet_ko)?;
        for (c, title) in s.columns().enumerate() {
            sheet.write_string_with_format(0, c as u16, title, &bold)?;
            sheet.set_column_width(c as u16, width(s, title))?;
        }
        for (r, row) in rows(s.kind, reg).into_iter().enumerate() {
            for (c, cell) in row.into_iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) if t.is_empty() => {}
                    Cell::Text(t) => {
                        sheet.write_string(r, c, t)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, n)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

/// Column widths in Excel's units (about one Latin character; a Korean one takes two).
fn width(s: &Spec, column: &str) -> f64 {
    match column {
        "아이디" | "역할" | "부스수" | "녹색" | "소속" => 10.0,
        "기관유형" | "기업유형" | "담당자" | "이름" | "최대상담수" | "참여회차" => {
            14.0
        }
        "전화" => 16.0,
        "이메일" | "인증" | "불참슬롯" => 26.0,
        "구매희망품목" | "제품분류" => 40.0,
        _ if s.required.get(1) == Some(&column) => 28.0,
        _ => 14.0,
    }
}
