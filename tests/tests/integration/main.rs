//! Integration tests: the real server on port 0, reached over HTTP and WebSocket as a user
//! would, with real WebRTC peers. One test binary, so it links once.

mod call;
mod config_files;
mod deadlines;
mod durability;
mod floods;
mod frames;
mod http;
mod invites;
mod layout;
mod lobby;
mod lobby_store;
mod mail;
mod moderation;
mod nodes;
mod prep;
mod prep_cli;
mod records;
mod refusals;
mod revoke;
mod sharing;
mod timing;
mod turn;
