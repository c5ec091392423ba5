//! A whole proposed set of new matches for a round: every fitting pair not matched yet as a
//! candidate weighted by relevance, each institution's remaining booth-slots and each
//! enterprise's remaining meetings as capacities, solved exactly for the largest total
//! relevance (max-weight b-matching by min-cost flow, [`super::assignment`]), with the greedy
//! total beside it so staff see what the optimum buys. Not stored: staff accept the pairs
//! they want as matches.

use super::assignment;
use super::candidates::{candidates, Candidates};
use super::{Prep, PrepError};
use crate::fair::Round;
use crate::ids::{EnterpriseId, InstitutionId};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProposedPair {
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
    pub score: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub round: crate::RoundId,
    pub pairs: Vec<ProposedPair>,
    pub total: i64,
    pub greedy_total: i64,
    pub candidates: usize,
}

pub fn propose(prep: &Prep, round: &Round) -> Result<Proposal, PrepError> {
    let Candidates {
        institutions,
        enterprises,
        problem,
    } = candidates(prep, round);
    let greedy = assignment::greedy(&problem);
    let best = assignment::solve(&problem).map_err(|e| PrepError::BadInput(e.to_string()))?;
    let pairs = best
        .chosen
        .iter()
        .map(|&k| {
            let c = &problem.edges[k];
            ProposedPair {
                institution: institutions[c.left as usize].id.clone(),
                enterprise: enterprises[c.right as usize].id.clone(),
                score: c.weight,
            }
        })
        .collect();
    Ok(Proposal {
        round: round.id.clone(),
        pairs,
        total: best.total,
        greedy_total: greedy.total,
        candidates: problem.edges.len(),
    })
}
