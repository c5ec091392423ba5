//! What can be wrong with a registration import, and where: every problem names the sheet
//! (or the CSV file), the row as Excel shows it and the column, so staff fix the file from
//! the message alone.

use serde::Serialize;
use std::fmt;

/// One problem in an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The sheet's name for a workbook, the file's name for a CSV file (and for a problem
    /// with the file itself, e.g. one that is not a workbook).
    pub sheet: String,
    /// 1-based, as Excel shows it (the header is row 1 unless blank rows come first);
    /// 0 when the problem is about the whole sheet or file.
    pub row: u32,
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong and what was expected instead.
    pub reason: String,
}

impl fmt::Display for RowProblem {
    /// Korean for staff first, then the same place in English for the rest of us:
    /// `기업 시트 12행 '녹색' 열 / sheet 기업 row 12 column 녹색: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 시트", self.sheet)?;
        if self.row > 0 {
            write!(f, " {}행", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, " '{c}' 열")?;
        }
        write!(f, " / sheet {}", self.sheet)?;
        if self.row > 0 {
            write!(f, " row {}", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, " column {c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Every problem an import found. Any one of them means the import brings nothing: a
/// half-imported sheet is harder to repair than a refused one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct ImportErrors {
    pub problems: Vec<RowProblem>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n}개 문제 / {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// Collects problems while an import is read, and orders them for the reader: by sheet in
/// the order the sheets were opened, then by row, so a problem found by a later check
/// (a duplicate id across sheets) still sits with its row.
#[derive(Default)]
pub(super) struct Problems {
    sheets: Vec<String>,
    list: Vec<RowProblem>,
}

impl Problems {
    /// Registers a sheet as opened, fixing its place in the report.
    pub(super) fn opened(&mut self, sheet: &str) {
        if !self.sheets.iter().any(|s| s == sheet) {
            self.sheets.push(sheet.to_string());
        }
    }

    pub(super) fn push(
        &mut self,
        sheet: &str,
        row: u32,
        column: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.opened(sheet);
        self.list.push(RowProblem {
            sheet: sheet.to_string(),
            row,
            column: column.map(str::to_string),
            reason: reason.into(),
        });
    }

    pub(super) fn into_result<T>(self, value: T) -> Result<T, ImportErrors> {
        if self.list.is_empty() {
            return Ok(value);
        }
        let Problems { sheets, mut list } = self;
        let place = |s: &str| sheets.iter().position(|x| x == s).unwrap_or(usize::MAX);
        list.sort_by_key(|p| (place(&p.sheet), p.row));
        Err(ImportErrors { problems: list })
    }
}
