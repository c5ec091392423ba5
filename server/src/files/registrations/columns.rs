//! The three sheets' columns, how a sheet or a CSV header says which kind of rows it holds,
//! and the header check that turns a sheet's raw rows into cells by column name.

use super::problems::Problems;
use sangdam_signaling::prep::registry::RowKind;

/// One kind of sheet: its names and its columns (Korean headers, as staff write them).
pub(super) struct Spec {
    pub kind: RowKind,
    /// The sheet's name in a workbook, and the name a CSV export is saved under.
    pub sheet_ko: &'static str,
    /// Accepted as well, for workbooks prepared with English sheet names.
    pub sheet_en: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

pub(super) const INSTITUTIONS: Spec = Spec {
    kind: RowKind::Institution,
    sheet_ko: "기관",
    sheet_en: "institutions",
    required: &["아이디", "기관명", "기관유형"],
    optional: &[
        "담당자",
        "전화",
        "이메일",
        "구매희망품목",
        "부스수",
        "참여회차",
        "불참슬롯",
    ],
};

pub(super) const ENTERPRISES: Spec = Spec {
    kind: RowKind::Enterprise,
    sheet_ko: "기업",
    sheet_en: "enterprises",
    required: &["아이디", "기업명", "기업유형"],
    optional: &[
        "담당자",
        "전화",
        "이메일",
        "제품분류",
        "인증",
        "녹색",
        "최대상담수",
        "참여회차",
        "불참슬롯",
    ],
};

pub(super) const PARTICIPANTS: Spec = Spec {
    kind: RowKind::Participant,
    sheet_ko: "참가자",
    sheet_en: "participants",
    required: &["아이디", "이름", "역할"],
    optional: &["소속", "전화", "이메일"],
};

pub(super) const SPECS: [&Spec; 3] = [&INSTITUTIONS, &ENTERPRISES, &PARTICIPANTS];

pub(super) fn spec(kind: RowKind) -> &'static Spec {
    match kind {
        RowKind::Institution => &INSTITUTIONS,
        RowKind::Enterprise => &ENTERPRISES,
        RowKind::Participant => &PARTICIPANTS,
    }
}

impl Spec {
    /// Every column, required first, in the order the writers use.
    pub(super) fn columns(&self) -> impl Iterator<Item = &'static str> {
        self.required.iter().chain(self.optional).copied()
    }

    fn expected(&self) -> String {
        format!(
            "{}, and optionally {}",
            self.required.join(", "),
            self.optional.join(", ")
        )
    }
}

/// The kind of rows a workbook's sheet holds, from its name (Korean or English, any case).
pub(super) fn kind_of_sheet(name: &str) -> Option<RowKind> {
    let name = name.trim();
    SPECS
        .iter()
        .find(|s| s.sheet_ko == name || s.sheet_en.eq_ignore_ascii_case(name))
        .map(|s| s.kind)
}

pub(super) fn sheet_names() -> String {
    SPECS
        .iter()
        .map(|s| format!("{} (or {})", s.sheet_ko, s.sheet_en))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of rows a CSV file holds, from the name column its header has: a CSV file has
/// no sheet name, and its file name is whatever the browser sent.
pub(super) fn kind_of_header(header: &[String]) -> Option<RowKind> {
    let has = |c: &str| header.iter().any(|h| h == c);
    match (has("기관명"), has("기업명"), has("이름")) {
        (true, false, false) => Some(RowKind::Institution),
        (false, true, false) => Some(RowKind::Enterprise),
        (false, false, true) => Some(RowKind::Participant),
        _ => None,
    }
}

/// A sheet as read from the file, before its header is checked: rows with their Excel row
/// number, empty rows already left out. A cell is `Err` with what was expected when it
/// cannot be read as text (an Excel error value, a date).
pub(super) struct Grid {
    pub sheet: String,
    pub kind: RowKind,
    /// The 0-based spreadsheet column of each row's first cell (a workbook's used range
    /// may start right of column A), to name a stray cell by its letter.
    pub first_column: u32,
    pub rows: Vec<(u32, Vec<Result<String, String>>)>,
}

/// A column's letters as Excel shows them: 0 = A, 25 = Z, 26 = AA.
pub(super) fn column_letters(mut n: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// One data row, its cells by column name. A cell is `None` when its problem is already
/// reported (it could not be read as text).
pub(super) struct Row {
    pub row: u32,
    pub cells: Vec<(&'static str, Option<String>)>,
}

impl Row {
    /// The cell of `column`: empty when the sheet has no such column.
    pub(super) fn get(&self, column: &str) -> Option<&str> {
        match self.cells.iter().find(|(c, _)| *c == column) {
            Some((_, v)) => v.as_deref(),
            None => Some(""),
        }
    }
}

/// Checks the header (first row) of `grid` against its kind's columns and gives the data
/// rows by column name. A broken header (missing, unknown or repeated columns) gives no
/// rows: every row would only repeat the header's problem.
pub(super) fn bind(grid: &Grid, problems: &mut Problems) -> Vec<Row> {
    problems.opened(&grid.sheet);
    let spec = spec(grid.kind);
    let Some((header_row, header)) = grid.rows.first() else {
        return Vec::new();
    };
    let mut index: Vec<Option<&'static str>> = Vec::with_capacity(header.len());
    let mut broken = false;
    for cell in header {
        let name = match cell {
            Ok(s) => s.trim(),
            Err(_) => "",
        };
        if name.is_empty() {
            index.push(None);
            continue;
        }
        match spec.columns().find(|c| *c == name) {
            Some(c) if index.contains(&Some(c)) => {
                broken = true;
                problems.push(
                    &grid.sheet,
                    *header_row,
                    Some(name),
                    "the column appears twice (expected each column once)",
                );
                index.push(None);
            }
            Some(c) => index.push(Some(c)),
            None => {
                broken = true;
                problems.push(
                    &grid.sheet,
                    *header_row,
                    Some(name),
                    format!("unknown column (expected columns {})", spec.expected()),
                );
                index.push(None);
            }
        }
    }
    let missing: Vec<&str> = spec
        .required
        .iter()
        .copied()
        .filter(|c| !index.contains(&Some(c)))
        .collect();
    if !missing.is_empty() {
        broken = true;
        problems.push(
            &grid.sheet,
            *header_row,
            None,
            format!(
                "missing required column{} {} (expected columns {})",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                spec.expected()
            ),
        );
    }
    if broken {
        return Vec::new();
    }

    let mut rows = Vec::with_capacity(grid.rows.len());
    for (row, cells) in &grid.rows[1..] {
        let mut named = Vec::with_capacity(index.len());
        for (i, cell) in cells.iter().enumerate() {
            match (index.get(i).copied().flatten(), cell) {
                (Some(column), Ok(v)) => named.push((column, Some(v.trim().to_string()))),
                (Some(column), Err(why)) => {
                    problems.push(&grid.sheet, *row, Some(column), why.clone());
                    named.push((column, None));
                }
                (None, Ok(v)) if v.trim().is_empty() => {}
                (None, _) => problems.push(
                    &grid.sheet,
                    *row,
                    None,
                    format!(
                        "cell {}{row} holds a value but its column has no header (expected values only under the header's columns)",
                        column_letters(grid.first_column + i as u32)
                    ),
                ),
            }
        }
        rows.push(Row {
            row: *row,
            cells: named,
        });
    }
    rows
}
