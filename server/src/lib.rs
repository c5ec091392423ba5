//! The `sangdam` server: everything that does IO around the `sangdam_signaling` core —
//! HTTP and WebSocket endpoints, invite tokens, one task per live room, the embedded web
//! client, configuration and telemetry.

pub mod api;
pub mod auth;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod consultation_log;
pub mod demo;
pub mod export;
pub mod fairfile;
pub mod frames;
pub mod history;
pub mod labels_api;
pub mod lobby_store;
pub mod lobby_ws;
pub mod records_api;
pub mod redis_keys;
pub mod rooms;
pub mod seeded;
pub mod settings;
pub mod startup;
pub mod survey_api;
pub mod survey_file;
pub mod telemetry;
pub mod timefmt;
pub mod web_assets;
pub mod ws;
