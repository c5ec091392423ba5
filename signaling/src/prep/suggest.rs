//! Staff's active matching: for one institution (or enterprise) in a round, the
//! counterparts ranked by relevance less balance, with what they already have, so staff
//! can spread meetings and see why a pair fits.

use super::registry::{EnterpriseEntry, InstitutionEntry};
use super::relevance::{balance_penalty, relevance, Relevance};
use super::{Counterpart, Prep, PrepError};
use crate::fair::Round;
use crate::ids::{EnterpriseId, InstitutionId};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    #[serde(flatten)]
    pub who: Counterpart,
    pub name: String,
    /// Relevance less the balance penalty: what the list is sorted by.
    pub score: i64,
    pub relevance: Relevance,
    pub matches_in_round: u32,
    /// Matched with the one asked about in this round already.
    pub matched: bool,
}

/// Meetings one round can hold at an institution: booths × slots without the breaks.
pub fn institution_capacity(prep: &Prep, inst: &InstitutionEntry, round: &Round) -> u32 {
    let breaks = prep
        .settings
        .break_slots
        .get(&round.id)
        .map_or(0, |b| b.iter().filter(|s| **s < round.slots).count() as u32);
    inst.booths * round.slots.saturating_sub(breaks)
}

/// Accepted matches per institution and per enterprise in `round`.
pub fn loads(
    prep: &Prep,
    round: &Round,
) -> (HashMap<InstitutionId, u32>, HashMap<EnterpriseId, u32>) {
    let mut i = HashMap::new();
    let mut e = HashMap::new();
    for m in prep.accepted_in(&round.id) {
        *i.entry(m.institution.clone()).or_insert(0) += 1;
        *e.entry(m.enterprise.clone()).or_insert(0) += 1;
    }
    (i, e)
}

/// Counterparts of `of` attending `round`, best first (ties by id). `keep_unrelated` also
/// lists those with no relevance at all (a participant may ask anyone; staff's list is
/// only the fitting ones).
pub fn suggestions(
    prep: &Prep,
    round: &Round,
    of: &Counterpart,
    limit: usize,
    keep_unrelated: bool,
) -> Result<Vec<Suggestion>, PrepError> {
    let reg = &prep.registry;
    let (inst_load, ent_load) = loads(prep, round);
    let mut out: Vec<Suggestion> = match of {
        Counterpart::Institution(id) => {
            let inst = reg
                .institution(id)
                .ok_or_else(|| PrepError::UnknownOrganisation("institution", id.to_string()))?;
            reg.enterprises
                .values()
                .map(|v| &v.value)
                .filter(|e| e.attends(&round.id))
                .map(|e: &EnterpriseEntry| {
                    let rel = relevance(inst, e, &round.theme);
                    let load = ent_load.get(&e.id).copied().unwrap_or(0);
                    let full = load >= e.max_meetings;
                    Suggestion {
                        who: Counterpart::Enterprise(e.id.clone()),
                        name: e.name.clone(),
                        score: rel.score - balance_penalty(load, full),
                        relevance: rel,
                        matches_in_round: load,
                        matched: prep.live_match(id, &e.id, &round.id).is_some(),
                    }
                })
                .collect()
        }
        Counterpart::Enterprise(id) => {
            let ent = reg
                .enterprise(id)
                .ok_or_else(|| PrepError::UnknownOrganisation("enterprise", id.to_string()))?;
            reg.institutions
                .values()
                .map(|v| &v.value)
                .filter(|i| i.attends(&round.id))
                .map(|i| {
                    let rel = relevance(i, ent, &round.theme);
                    let load = inst_load.get(&i.id).copied().unwrap_or(0);
                    let full = load >= institution_capacity(prep, i, round);
                    Suggestion {
                        who: Counterpart::Institution(i.id.clone()),
                        name: i.name.clone(),
                        score: rel.score - balance_penalty(load / i.booths.max(1), full),
                        relevance: rel,
                        matches_in_round: load,
                        matched: prep.live_match(&i.id, id, &round.id).is_some(),
                    }
                })
                .collect()
        }
    };
    if !keep_unrelated {
        out.retain(|s| s.relevance.score > 0);
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| format!("{:?}", a.who).cmp(&format!("{:?}", b.who)))
    });
    out.truncate(limit);
    Ok(out)
}
