//! The prepared fair as the live fair's parts: the registered organisations and people and
//! the latest publication's meetings in the fair's rounds, so the published timetable can
//! be written out as the fair files `sangdam serve --fair DIR` serves.

use super::{Prep, PrepError};
use crate::fair::{Enterprise, FairParts, Institution, MeetingSpec, Participant, Round};
use std::collections::HashMap;

/// The parts of the fair the latest publication describes. Refused while nothing is
/// published, or when a publication seats an institution at a second booth: the live fair
/// holds one meeting per institution per slot.
pub fn fair_parts(prep: &Prep, rounds: &[Round]) -> Result<FairParts, PrepError> {
    let published = prep
        .published()
        .ok_or_else(|| PrepError::NoDraft("nothing is published yet".into()))?;
    if let Some(b) = published.booked.iter().find(|b| b.booth > 0) {
        let name = prep
            .registry
            .institution(&b.institution)
            .map_or(b.institution.to_string(), |i| i.name.clone());
        return Err(PrepError::BadInput(format!(
            "{name} meets at booth {} in round {} slot {}: the live fair seats one booth per institution; give it one booth (부스수 1) and schedule again",
            b.booth + 1,
            b.round,
            b.slot
        )));
    }
    let known: HashMap<_, _> = rounds.iter().map(|r| (r.id.clone(), r)).collect();
    let meetings = published
        .booked
        .iter()
        .filter(|b| known.contains_key(&b.round))
        .map(|b| MeetingSpec {
            id: b.meeting.clone(),
            round: b.round.clone(),
            slot: b.slot,
            institution: b.institution.clone(),
            enterprise: b.enterprise.clone(),
        })
        .collect();
    Ok(FairParts {
        rounds: rounds.to_vec(),
        institutions: prep
            .registry
            .institutions
            .values()
            .map(|v| Institution {
                id: v.value.id.clone(),
                name: v.value.name.clone(),
                kind: v.value.kind,
            })
            .collect(),
        enterprises: prep
            .registry
            .enterprises
            .values()
            .map(|v| Enterprise {
                id: v.value.id.clone(),
                name: v.value.name.clone(),
                kind: v.value.kind,
            })
            .collect(),
        participants: prep
            .registry
            .participants
            .values()
            .map(|v| Participant {
                id: v.value.id.clone(),
                name: v.value.name.clone(),
                role: v.value.role,
                affiliation: v.value.affiliation.clone(),
            })
            .collect(),
        meetings,
    })
}
