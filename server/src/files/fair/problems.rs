//! What can be wrong with a fair directory, and where: every problem names the file, the
//! line and the field to fix.

use super::*;

/// Where in the fair files a problem is. Shown as `DIR/meetings.csv line 12, field 기관`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based line in the file, when the problem is on one line.
    pub line: Option<u64>,
    /// The CSV column header or the TOML key.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.line, &self.field) {
            (Some(line), Some(field)) => write!(f, " line {line}, field {field}"),
            (Some(line), None) => write!(f, " line {line}"),
            (None, Some(field)) => write!(f, ", field {field}"),
            (None, None) => Ok(()),
        }
    }
}

/// What is wrong at a [`Location`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the file is not valid UTF-8 (save it as \"CSV UTF-8\")")]
    NotUtf8,
    /// TOML syntax or shape, in the toml crate's words.
    #[error("{0}")]
    Toml(String),
    /// CSV syntax (e.g. an unclosed quote), in the csv crate's words.
    #[error("{0}")]
    Csv(String),
    #[error("missing column (expected columns {expected})")]
    MissingColumn { expected: String },
    #[error("unknown column (expected columns {expected})")]
    UnknownColumn { expected: String },
    #[error("the column appears twice")]
    DuplicateColumn,
    #[error("the row has {found} cells but the header has {expected} columns")]
    ExtraCells { found: usize, expected: usize },
    #[error("must not be empty")]
    Empty,
    #[error("bad id {found:?}: {error}")]
    BadId { found: String, error: IdError },
    #[error("{found:?} is not {expected}")]
    BadNumber {
        found: String,
        expected: &'static str,
    },
    #[error("unknown {what} {found:?} (expected one of {expected})")]
    UnknownValue {
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error("bad {what} {found:?}, expected {expected}")]
    BadFormat {
        what: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("{0}")]
    BadValue(String),
    #[error("duplicate {what} id {id:?} (first on line {first_line})")]
    Duplicate {
        what: &'static str,
        id: String,
        first_line: u64,
    },
    #[error("unknown {what} {id:?}")]
    UnknownReference { what: &'static str, id: String },
    #[error("round {round} has {slots} slots, numbered 0 to {last}; slot {slot} does not exist", last = .slots.saturating_sub(1))]
    NoSuchSlot {
        round: String,
        slots: u32,
        slot: u32,
    },
    #[error("{what} {id} already meets in round {round} slot {slot} (meeting {other} on line {other_line})")]
    DoubleBooked {
        what: &'static str,
        id: String,
        round: String,
        slot: u32,
        other: String,
        other_line: u64,
    },
    #[error("a {role} must belong to {expected}")]
    WrongAffiliation {
        role: &'static str,
        expected: &'static str,
    },
    /// A check of [`Fair::new`] that the loader did not make itself.
    #[error("{0}")]
    Fair(FairError),
}

/// Why a fair directory could not be loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum FairFileError {
    #[error("{}: cannot {action}: {error}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        error: std::io::Error,
    },
    /// The problem is boxed to keep the error small on every `Result` of this module.
    #[error("{at}: {problem}")]
    Invalid { at: Location, problem: Box<Problem> },
    /// Several problems in one file, reported together so that staff fix a sheet in one go.
    #[error("{} problems:{}", .0.len(), list(.0))]
    Many(Vec<FairFileError>),
}

/// One problem per line; a sheet saved with a wrong column can break every row, and the
/// first lines are enough to see the pattern.
pub(super) fn list(errors: &[FairFileError]) -> String {
    const SHOWN: usize = 20;
    let mut out: String = errors
        .iter()
        .take(SHOWN)
        .map(|e| format!("\n  {e}"))
        .collect();
    if errors.len() > SHOWN {
        out.push_str(&format!("\n  ... and {} more", errors.len() - SHOWN));
    }
    out
}

impl FairFileError {
    pub(super) fn invalid(
        path: &Path,
        line: Option<u64>,
        field: Option<&str>,
        problem: Problem,
    ) -> Self {
        FairFileError::Invalid {
            at: Location {
                path: path.to_path_buf(),
                line,
                field: field.map(str::to_string),
            },
            problem: Box::new(problem),
        }
    }

    pub(super) fn from_many(mut errors: Vec<FairFileError>) -> Self {
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            FairFileError::Many(errors)
        }
    }

    /// Every single problem, for callers that show them one per line or per cell.
    pub fn problems(&self) -> Vec<&FairFileError> {
        match self {
            FairFileError::Many(errors) => errors.iter().flat_map(|e| e.problems()).collect(),
            other => vec![other],
        }
    }
}

pub(super) fn io_error(path: &Path, action: &'static str, error: std::io::Error) -> FairFileError {
    FairFileError::Io {
        path: path.to_path_buf(),
        action,
        error,
    }
}
