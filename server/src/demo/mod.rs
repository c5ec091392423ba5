//! The demo: a fair shaped like the 2021 Seoul fair that goes live a minute after start,
//! and two completed fairs of history (2020, 2021) so the report has content at once.
//! Both are generated from seeds, as are the demo fair's registrations for preparing it.

pub mod fair;
pub mod history;
pub mod national;
pub mod registrations;
pub mod seeded;

pub use fair::{demo_fair, demo_participant, live_round_id, DemoOptions, DEMO_BUYER, DEMO_STAFF};
