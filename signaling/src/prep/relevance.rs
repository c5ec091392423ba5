//! How well an enterprise fits an institution in a round: the score staff's suggestions are
//! ranked by and the whole-set proposal maximises. One function, so the ranking staff see
//! and the optimum they are offered agree on what "relevant" means.
//!
//! The score (0–100) adds up, with the reasons kept so staff see why:
//! - overlap: each wanted item that one of the enterprise's categories names (or is named
//!   by — "청소" fits "건물 청소용역") is worth 60 ÷ the smaller list's length, so one
//!   exact fit between two one-item lists scores as much as full overlap of long ones;
//! - theme: in a round whose theme is green (그린/녹색/green/탄소/환경), a green enterprise
//!   that fits gets 25 more (the theme favours green enterprises among those that fit; it
//!   does not make an unrelated one relevant, which also keeps the candidate graph sparse);
//! - certifications: 5 each, at most 10 — a certified enterprise is easier for a public
//!   buyer to contract with (preferential purchase rules).
//!
//! A pair with no overlap scores 0 and is never suggested.

use super::registry::{EnterpriseEntry, InstitutionEntry};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relevance {
    pub score: i64,
    /// The wanted items the enterprise's categories meet.
    pub overlap: Vec<String>,
    pub green_round: bool,
    pub certifications: u32,
}

const OVERLAP_POINTS: i64 = 60;
const GREEN_POINTS: i64 = 25;
const CERTIFICATION_POINTS: i64 = 5;
const CERTIFICATION_MAX: i64 = 10;

/// Words that make a round's theme green.
const GREEN_WORDS: &[&str] = &["그린", "녹색", "green", "탄소", "환경"];

pub fn is_green_theme(theme: &str) -> bool {
    let t = theme.to_lowercase();
    GREEN_WORDS.iter().any(|w| t.contains(w))
}

/// A string as fitting compares it: no whitespace, lower case. Exposed so the proposal
/// can index distinct normalised items once instead of normalising per pair.
pub(crate) fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

fn fits(wanted: &str, category: &str) -> bool {
    fits_normalised(&norm(wanted), &norm(category))
}

/// [`fits`] on strings already passed through [`norm`].
pub(crate) fn fits_normalised(w: &str, c: &str) -> bool {
    !w.is_empty() && !c.is_empty() && (w.contains(c) || c.contains(w))
}

/// The score of a pair with `overlap` of the institution's `wanted` items fitting (0 if
/// none): one place for the arithmetic, shared by [`relevance`] and the proposal's index.
pub(crate) fn score(
    overlap: usize,
    wanted: usize,
    ent: &EnterpriseEntry,
    green_theme: bool,
) -> i64 {
    if overlap == 0 {
        return 0;
    }
    let denom = wanted.min(ent.categories.len()).max(1) as i64;
    let mut score = (OVERLAP_POINTS * overlap as i64 / denom).min(OVERLAP_POINTS);
    if green_theme && ent.green {
        score += GREEN_POINTS;
    }
    let certifications = ent.certifications.len() as i64;
    score += (certifications * CERTIFICATION_POINTS).min(CERTIFICATION_MAX);
    score.min(100)
}

pub fn relevance(inst: &InstitutionEntry, ent: &EnterpriseEntry, theme: &str) -> Relevance {
    let overlap: Vec<String> = inst
        .wanted
        .iter()
        .filter(|w| ent.categories.iter().any(|c| fits(w, c)))
        .cloned()
        .collect();
    if overlap.is_empty() {
        return Relevance::default();
    }
    let green_theme = is_green_theme(theme);
    Relevance {
        score: score(overlap.len(), inst.wanted.len(), ent, green_theme),
        overlap,
        green_round: green_theme && ent.green,
        certifications: ent.certifications.len() as u32,
    }
}

/// How much balance takes off a suggestion: 8 per meeting the counterpart already has in
/// the round (per booth for an institution), so the unmatched come first and nobody is
/// flooded, and 50 more when it is full (it can still be suggested: staff may add a slot).
pub fn balance_penalty(load: u32, full: bool) -> i64 {
    8 * load as i64 + if full { 50 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fair::{EnterpriseType, InstitutionType};
    use crate::prep::registry::Contact;

    fn inst(wanted: &[&str]) -> InstitutionEntry {
        InstitutionEntry {
            id: crate::InstitutionId::parse("i1").unwrap(),
            name: "구청".into(),
            kind: InstitutionType::District,
            contact: Contact::default(),
            wanted: wanted.iter().map(|s| s.to_string()).collect(),
            booths: 1,
            rounds: vec![],
            unavailable: vec![],
        }
    }

    fn ent(categories: &[&str], green: bool, certs: usize) -> EnterpriseEntry {
        EnterpriseEntry {
            id: crate::EnterpriseId::parse("e1").unwrap(),
            name: "기업".into(),
            kind: EnterpriseType::SocialEnterprise,
            contact: Contact::default(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            certifications: (0..certs).map(|i| format!("인증{i}")).collect(),
            green,
            max_meetings: 5,
            rounds: vec![],
            unavailable: vec![],
        }
    }

    #[test]
    fn overlap_theme_and_certifications_add_up_and_no_fit_scores_zero() {
        let i = inst(&["청소", "급식"]);
        let r = relevance(&i, &ent(&["건물 청소용역"], false, 0), "공공시장 진출 지원");
        assert_eq!((r.score, r.overlap.clone()), (60, vec!["청소".to_string()]));
        let r = relevance(&i, &ent(&["청소", "급식"], true, 3), "그린뉴딜");
        assert_eq!(r.score, 60 + 25 + 10);
        assert!(r.green_round);
        assert_eq!(relevance(&i, &ent(&["인쇄"], false, 2), "지원").score, 0);
        assert_eq!(
            relevance(&i, &ent(&["인쇄"], true, 0), "녹색 전환").score,
            0
        );
        assert_eq!(
            relevance(&i, &ent(&["급식"], true, 0), "녹색 전환").score,
            60 + 25
        );
    }

    #[test]
    fn balance_puts_the_unmatched_first() {
        assert!(balance_penalty(0, false) < balance_penalty(1, false));
        assert!(balance_penalty(0, true) > balance_penalty(5, false));
    }
}
