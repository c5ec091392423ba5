//! The `sangdam` server: everything that does IO around the `sangdam_signaling` core.
//!
//! Layout, by layer (each folder's `mod.rs` says more):
//! - [`app`]: the binary's setup — command line, settings, start-up, the shared
//!   [`app::state::AppState`], the clock, logging;
//! - `http`: the HTTP API — router, the one refusal-to-response mapping, the caller
//!   extractor, one module per resource (schedule, records, survey, labels), the
//!   embedded web client;
//! - `ws`: the WebSockets — frame reading, the hello of the sockets without a join, signaling (`/ws`), lobby (`/ws/lobby`), the
//!   moderators' board (`/ws/board`);
//! - `rooms`: live rooms — the registry and scheduler, one task per room, the
//!   cross-node bus;
//! - [`lobby`]: the lobby's ticker and its stores (memory, Redis transactions);
//! - [`moderation`]: moderators' actions carried out, their store (memory, Redis) and
//!   the moderators' live board;
//! - [`people`]: each participant's access settings — link generation (revocation) and
//!   reminder opt-out (file, Redis);
//! - [`journal`]: the durable consultation log and survey answers (file, Redis Stream);
//! - [`files`]: file formats — fair directories, survey files, log exports (CSV, XLSX);
//! - [`demo`]: the demo fair and its two completed fairs of history;
//! - [`auth`]: invite tokens; [`redis_keys`]: every Redis key, on one page.
//!
//! Requests flow `http`/`ws` → the core's rules (`sangdam_signaling::live`) → `rooms`,
//! `lobby`, `journal`. Handlers take [`app::state::AppState`]; nothing imports `app::startup`
//! but the binary's setup. Public are only the parts the tests and tools in `tests/` use
//! (starting the server, settings, tokens, stores, journals, file formats, the demo); the
//! handlers, sockets and room tasks are reached as a user reaches them, over the network.

pub mod app;
pub mod auth;
pub mod demo;
pub mod files;
pub(crate) mod http;
pub mod journal;
pub mod lobby;
pub mod mail;
pub mod moderation;
pub mod people;
pub mod prep;
pub mod redis_keys;
pub mod redis_link;
pub(crate) mod rooms;
pub mod turn;
pub(crate) mod ws;
