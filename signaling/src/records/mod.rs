//! What a fair leaves behind: one record per meeting, survey answers, the staff's view of
//! the log and the fair's report — all pure functions of the records.

pub mod log_view;
pub mod record;
pub mod report;
pub mod survey;
