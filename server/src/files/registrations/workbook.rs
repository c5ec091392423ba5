//! A registration workbook (.xlsx), read with `calamine`: one sheet per kind of row, named
//! 기관, 기업 and 참가자 (or institutions, enterprises, participants), any of them left out.

use super::columns::{kind_of_sheet, sheet_names, Grid};
use super::problems::Problems;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// The most rows one sheet may have: far above any fair (the largest had a few hundred
/// enterprises), low enough that a sheet filled to row 1,048,576 by mistake is refused
/// with a reason instead of read.
pub(super) const MAX_ROWS: usize = 20_000;

/// Reads every sheet of the workbook in `bytes`. A sheet with an unknown name is reported
/// and skipped; a file that is not a workbook is one problem naming the file.
pub(super) fn read(file_name: &str, bytes: &[u8], problems: &mut Problems) -> Vec<Grid> {
    let mut book = match Xlsx::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            problems.push(
                file_name,
                0,
                None,
                format!("not readable as an Excel workbook ({e}); expected an .xlsx file saved by Excel or a spreadsheet program"),
            );
            return Vec::new();
        }
    };
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let Some(kind) = kind_of_sheet(&name) else {
            problems.push(
                &name,
                0,
                None,
                format!("unknown sheet (expected sheets named {})", sheet_names()),
            );
            continue;
        };
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                problems.push(&name, 0, None, format!("the sheet cannot be read: {e}"));
                continue;
            }
        };
        problems.opened(&name);
        if range.height() > MAX_ROWS {
            problems.push(
                &name,
                0,
                None,
                format!(
                    "the sheet has {} rows (expected at most {MAX_ROWS}; delete the empty rows below the data)",
                    range.height()
                ),
            );
            continue;
        }
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .filter(|(_, cells)| cells.iter().any(|c| !is_blank(c)))
            .map(|(i, cells)| {
                let row = first_row + i as u32 + 1;
                (row, cells.iter().map(text).collect())
            })
            .collect();
        grids.push(Grid {
            sheet: name,
            kind,
            first_column,
            rows,
        });
    }
    grids
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as the text staff see in it. Whole numbers lose Excel's `.0` (a 부스수 of 2 is
/// stored as 2.0); dates and error values are refused, since no column holds one.
fn text(cell: &Data) -> Result<String, String> {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.clone()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{}", *f as i64)),
        Data::Float(f) => Ok(f.to_string()),
        Data::Bool(b) => Ok(b.to_string()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Err(
            "the cell holds a date or time (expected text: format the column as 텍스트/Text and type it again)".into(),
        ),
        Data::Error(e) => Err(format!(
            "the cell holds the Excel error {e} (expected a value, not a broken formula)"
        )),
    }
}
