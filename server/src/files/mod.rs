//! File formats staff read and write: fair directories (TOML and CSV sheets), survey
//! questions, and the consultation log's CSV and Excel exports.

pub mod fair;
pub mod ics;
pub mod log_export;
pub mod survey;
