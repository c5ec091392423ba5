//! The rules of the TURN relay that every participant behind a strict network needs: who
//! may use it and until when ([`credentials`]), where it may relay to ([`peers`]), and what
//! a client is handed to find it ([`ice`]). The server runs the relay; the rules live here.

pub mod credentials;
pub mod ice;
pub mod peers;

pub use credentials::{CredentialError, TurnCredential, TurnGrant};
pub use ice::IcePlan;
pub use peers::{PeerClass, PeerPolicy, RefusedPeer};
