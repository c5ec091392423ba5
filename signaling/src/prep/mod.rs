//! Before the fair: registrations, requests, matches, the scheduler and publishing — the rules of the weeks before a fair day.

pub mod schedule;
