//! The binary's setup: the command line, layered settings, building and running the
//! server, the state every handler shares, the wall clock and logging.

pub mod cli;
pub mod clock;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod timefmt;
