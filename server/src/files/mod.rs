//! File formats staff read and write: fair directories (TOML and CSV sheets), survey
//! questions, the consultation log's CSV and Excel exports, and registration imports
//! (XLSX and CSV) for preparing a fair.

pub mod fair;
pub mod ics;
pub mod invites;
pub mod log_export;
pub mod registrations;
pub mod survey;
