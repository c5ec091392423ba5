//! Writes the published timetable out as fair files (`fair.toml`, the CSV sheets with the
//! registered contacts), so `sangdam serve --fair DIR` serves the prepared fair.

use crate::files::fair::contacts::{ContactInfo, Contacts};
use crate::files::fair::write_fair_dir_with_contacts;
use sangdam_signaling::prep::export::fair_parts;
use sangdam_signaling::prep::Prep;
use sangdam_signaling::time::KST_OFFSET_MINUTES;
use sangdam_signaling::Fair;
use std::path::Path;

/// Writes `prep`'s latest publication as the fair `served` (same id, name and rounds) into
/// `dir`. Returns the fair written.
pub fn write_prepared_fair(prep: &Prep, served: &Fair, dir: &Path) -> Result<Fair, String> {
    let rounds: Vec<_> = served.rounds().cloned().collect();
    let parts = fair_parts(prep, &rounds).map_err(|e| e.to_string())?;
    let fair = Fair::new(served.id.clone(), served.name.clone(), parts)
        .map_err(|e| format!("the prepared fair is not a valid fair: {e}"))?;
    let contacts = Contacts(
        prep.registry
            .participants
            .values()
            .map(|p| {
                (
                    p.value.id.clone(),
                    ContactInfo {
                        phone: p.value.phone.clone(),
                        email: p.value.email.clone(),
                    },
                )
            })
            .filter(|(_, c)| !c.is_empty())
            .collect(),
    );
    write_fair_dir_with_contacts(&fair, &contacts, KST_OFFSET_MINUTES, dir)
        .map_err(|e| e.to_string())?;
    Ok(fair)
}
