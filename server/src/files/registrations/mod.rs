//! Registration import files: the institutions, enterprises and people of a fair as staff
//! prepare them weeks before, in one Excel workbook or one CSV file per sheet, read into the
//! core's [`Registration`] with every mistake named by sheet, row and column.
//!
//! A workbook (`.xlsx`) holds any of the sheets 기관, 기업 and 참가자 (or institutions,
//! enterprises, participants). A CSV file (UTF-8, with or without a BOM) holds one sheet,
//! told by its header: 기관명 for institutions, 기업명 for enterprises, 이름 for
//! participants. Headers are Korean, in any order; `*` marks the required ones:
//! - 기관: 아이디*, 기관명*, 기관유형*, 담당자, 전화, 이메일, 구매희망품목, 부스수 (1–10,
//!   default 1), 참여회차 (empty = every round), 불참슬롯 (`r1:0-2,5; r2:7`).
//! - 기업: 아이디*, 기업명*, 기업유형*, 담당자, 전화, 이메일, 제품분류, 인증, 녹색 (Y/N,
//!   default N), 최대상담수 (1–50, default 5), 참여회차, 불참슬롯.
//! - 참가자: 아이디*, 이름*, 역할*, 소속 (an institution's id for a buyer, an enterprise's
//!   for a vendor, empty for moderators and staff), 전화, 이메일.
//!
//! List cells are split on `,` `;` `/` `·`. Types and roles are their Korean label or code.
//! Empty rows are skipped. An import with any problem imports nothing.

mod check;
mod columns;
mod csv_file;
mod problems;
mod rows;
mod workbook;
mod write;

#[cfg(test)]
mod tests;

pub use problems::{ImportErrors, RowProblem};
pub use write::{write_csv, write_xlsx};

use problems::Problems;
use sangdam_signaling::prep::registry::{Registration, Registry, RowKind};

/// The sheet name a [`RowKind`] is written under in a workbook, and the name its CSV file
/// takes (`기관.csv`).
pub fn sheet_name(kind: RowKind) -> &'static str {
    columns::spec(kind).sheet_ko
}

/// Reads one uploaded file. `known` is what is registered already: a participant may
/// belong to an organisation registered by an earlier import.
pub fn read_file(
    file_name: &str,
    bytes: &[u8],
    known: &Registry,
) -> Result<Registration, ImportErrors> {
    read_all(&[(file_name, bytes)], known)
}

/// Reads several uploaded files as one import: the rows of all of them, in file order,
/// checked together (an id twice across two files is a duplicate; a participant may belong
/// to an organisation of another file), and every problem of every file reported.
pub fn read_files(
    files: &[(String, Vec<u8>)],
    known: &Registry,
) -> Result<Registration, ImportErrors> {
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    read_all(&files, known)
}

fn read_all(files: &[(&str, &[u8])], known: &Registry) -> Result<Registration, ImportErrors> {
    let mut problems = Problems::default();
    let mut parsed = rows::Parsed::default();
    for (name, bytes) in files {
        let lower = name.to_lowercase();
        let grids = if lower.ends_with(".xlsx") {
            workbook::read(name, bytes, &mut problems)
        } else if lower.ends_with(".csv") {
            csv_file::read(name, bytes, &mut problems)
                .into_iter()
                .collect()
        } else {
            problems.push(
                name,
                0,
                None,
                "unknown kind of file (expected an Excel workbook .xlsx or a .csv file)",
            );
            Vec::new()
        };
        for grid in grids {
            let bound = columns::bind(&grid, &mut problems);
            rows::read(&grid.sheet, grid.kind, &bound, &mut parsed, &mut problems);
        }
    }
    let registration = check::finish(parsed, known, &mut problems);
    problems.into_result(registration)
}
