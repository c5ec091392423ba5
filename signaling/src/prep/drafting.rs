//! From a round's accepted matches to a draft schedule: the registrations' booths and
//! availability, the fair's breaks and minimum gap, and where meetings sat before (the last
//! publication, else the last draft) turned into the scheduler's problem, and its answer
//! back into meetings with ids. Staff remake a draft after a late change and every meeting
//! that can stay where participants were told it is stays there.

use super::schedule::{self, Pair, Party, Placement, Reason};
use super::timetable::{Booked, Draft, NotPlaced};
use super::{Prep, PrepError};
use crate::fair::Round;
use crate::ids::{EnterpriseId, InstitutionId};
use crate::time::Timestamp;
use std::collections::HashMap;

fn reason_code(r: Reason) -> &'static str {
    match r {
        Reason::NoCommonSlot => "no_common_slot",
        Reason::Full => "full",
        Reason::Gap => "gap",
    }
}

/// The next draft of `round`, made from `prep` as of `now` (its version is one past the
/// current draft's, so keeping it fails if another draft was kept meanwhile).
pub fn draft(prep: &Prep, round: &Round, now: Timestamp) -> Result<Draft, PrepError> {
    let matches = prep.accepted_in(&round.id);
    let in_range =
        |slots: Vec<u32>| -> Vec<u32> { slots.into_iter().filter(|s| *s < round.slots).collect() };
    let mut inst_index: HashMap<&InstitutionId, u32> = HashMap::new();
    let mut ent_index: HashMap<&EnterpriseId, u32> = HashMap::new();
    let mut institutions = Vec::new();
    let mut enterprises = Vec::new();
    let mut pairs = Vec::new();
    for m in &matches {
        let i = *inst_index.entry(&m.institution).or_insert_with(|| {
            let reg = prep.registry.institution(&m.institution);
            institutions.push(Party {
                booths: reg.map_or(1, |r| r.booths.max(1)),
                unavailable: in_range(reg.map(|r| r.unavailable_in(&round.id)).unwrap_or_default()),
            });
            institutions.len() as u32 - 1
        });
        let e = *ent_index.entry(&m.enterprise).or_insert_with(|| {
            let reg = prep.registry.enterprise(&m.enterprise);
            enterprises.push(Party {
                booths: 1,
                unavailable: in_range(reg.map(|r| r.unavailable_in(&round.id)).unwrap_or_default()),
            });
            enterprises.len() as u32 - 1
        });
        pairs.push(Pair {
            institution: i,
            enterprise: e,
        });
    }
    // Where each match sat: what participants were last told, else the last draft.
    let before: HashMap<u64, Placement> = prep
        .published()
        .map(|p| p.booked.as_slice())
        .filter(|b| b.iter().any(|x| x.round == round.id))
        .or_else(|| prep.drafts.get(&round.id).map(|d| d.booked.as_slice()))
        .unwrap_or(&[])
        .iter()
        .filter(|b| b.round == round.id)
        .map(|b| {
            (
                b.match_id,
                Placement {
                    slot: b.slot,
                    booth: b.booth,
                },
            )
        })
        .collect();
    let previous = if before.is_empty() {
        Vec::new()
    } else {
        matches.iter().map(|m| before.get(&m.id).copied()).collect()
    };
    let problem = schedule::Problem {
        slots: round.slots,
        break_slots: in_range(
            prep.settings
                .break_slots
                .get(&round.id)
                .cloned()
                .unwrap_or_default(),
        ),
        min_gap: prep.settings.min_gap_slots,
        institutions,
        enterprises,
        matches: pairs,
        previous,
    };
    let s = schedule::schedule(&problem).map_err(|e| PrepError::BadInput(e.to_string()))?;
    let booked = matches
        .iter()
        .zip(&s.placed)
        .filter_map(|(m, p)| {
            p.map(|p| Booked {
                meeting: Booked::meeting_id(&round.id, p.slot, p.booth, &m.institution),
                match_id: m.id,
                round: round.id.clone(),
                slot: p.slot,
                booth: p.booth,
                institution: m.institution.clone(),
                enterprise: m.enterprise.clone(),
            })
        })
        .collect();
    let not_placed = s
        .unplaced
        .iter()
        .map(|u| NotPlaced {
            match_id: matches[u.index].id,
            reason: reason_code(u.reason).to_string(),
        })
        .collect();
    Ok(Draft {
        round: round.id.clone(),
        version: prep.drafts.get(&round.id).map_or(0, |d| d.version) + 1,
        made_at: now,
        booked,
        not_placed,
        lower_bound: s.lower_bound,
        slots_used: s.slots_used,
        moved: s.moved.len() as u32,
    })
}
