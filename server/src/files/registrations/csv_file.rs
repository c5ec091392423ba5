//! A registration sheet saved as CSV: UTF-8 with or without a BOM (Excel's "CSV UTF-8"
//! writes one), its kind told by its header, since a CSV file has no sheet name.

use super::columns::{kind_of_header, kind_of_sheet, Grid};
use super::problems::Problems;

const BOM: char = '\u{feff}';

/// Reads `bytes` as one sheet named after the file. `None` (with the problem reported) when
/// the file is not UTF-8 CSV or does not say which rows it holds.
pub(super) fn read(file_name: &str, bytes: &[u8], problems: &mut Problems) -> Option<Grid> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(
            file_name,
            0,
            None,
            "the file is not UTF-8 text (expected Excel's \"CSV UTF-8\", or the .xlsx workbook itself)",
        );
        return None;
    };
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<(u32, Vec<Result<String, String>>)> = Vec::new();
    let mut broken = false;
    for record in reader.records() {
        match record {
            Ok(r) => {
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                // The line the record starts on is the row Excel shows, unless an
                // earlier cell spans lines (rare in registrations).
                let row = r.position().map_or(0, |p| p.line()) as u32;
                rows.push((row, r.iter().map(|c| Ok(c.to_string())).collect()));
            }
            Err(e) => {
                broken = true;
                let row = e.position().map_or(0, |p| p.line()) as u32;
                problems.push(file_name, row, None, format!("not readable as CSV: {e}"));
            }
        }
    }
    if broken {
        return None;
    }
    let header: Vec<String> = rows
        .first()
        .map(|(_, cells)| {
            cells
                .iter()
                .map(|c| c.as_deref().unwrap_or("").trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    // The header tells; a file named like a sheet (기관.csv) still gets its header checked
    // against that sheet's columns, so a missing name column is reported as missing.
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let stem = stem.rsplit(['/', '\\']).next().unwrap_or(stem);
    let Some(kind) = kind_of_header(&header).or_else(|| kind_of_sheet(stem)) else {
        problems.push(
            file_name,
            rows.first().map_or(1, |(r, _)| *r),
            None,
            "cannot tell which rows this file holds (expected a header row with 기관명 for institutions, 기업명 for enterprises or 이름 for participants)",
        );
        return None;
    };
    Some(Grid {
        sheet: file_name.to_string(),
        kind,
        first_column: 0,
        rows,
    })
}
