//! The candidate pairs of a whole-set proposal, found through an index rather than by
//! scoring every institution × enterprise pair: at national scale that is 20 M pairs, each
//! normalising strings, while only a few percent share a fitting item.
//!
//! Fitting is decided once per distinct normalised wanted item × distinct normalised
//! category (a vocabulary of hundreds, not millions), then each institution visits only the
//! enterprises holding a category one of its items fits. Scores come from the same
//! arithmetic as [`super::relevance::relevance`], and the edges are in the all-pairs order
//! (institution, then enterprise), so the solver sees exactly the problem it saw before.

use super::assignment::{Candidate, Problem};
use super::registry::{EnterpriseEntry, InstitutionEntry};
use super::relevance::{fits_normalised, is_green_theme, norm, score};
use super::suggest::{institution_capacity, loads};
use super::Prep;
use crate::fair::Round;
use std::collections::{HashMap, HashSet};

/// The matching problem of a round with the parties its indices name.
#[derive(Clone, Debug)]
pub struct Candidates<'a> {
    /// `Problem::left_caps[k]` and every edge's `left == k` are `institutions[k]`.
    pub institutions: Vec<&'a InstitutionEntry>,
    /// Likewise for `right`.
    pub enterprises: Vec<&'a EnterpriseEntry>,
    pub problem: Problem,
}

/// Distinct normalised strings, numbered in first-seen order.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn id(&mut self, raw: &str) -> u32 {
        let n = norm(raw);
        if let Some(&id) = self.ids.get(&n) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(n.clone(), id);
        self.strings.push(n);
        id
    }
}

/// The attending parties and their remaining capacities, without any edges.
fn parties<'a>(prep: &'a Prep, round: &Round) -> Candidates<'a> {
    let (inst_load, ent_load) = loads(prep, round);
    let institutions: Vec<_> = prep
        .registry
        .institutions
        .values()
        .map(|v| &v.value)
        .filter(|i| i.attends(&round.id))
        .collect();
    let enterprises: Vec<_> = prep
        .registry
        .enterprises
        .values()
        .map(|v| &v.value)
        .filter(|e| e.attends(&round.id))
        .collect();
    let left_caps = institutions
        .iter()
        .map(|i| {
            institution_capacity(prep, i, round)
                .saturating_sub(inst_load.get(&i.id).copied().unwrap_or(0))
        })
        .collect();
    let right_caps = enterprises
        .iter()
        .map(|e| {
            e.max_meetings
                .saturating_sub(ent_load.get(&e.id).copied().unwrap_or(0))
        })
        .collect();
    Candidates {
        institutions,
        enterprises,
        problem: Problem {
            left_caps,
            right_caps,
            edges: Vec::new(),
        },
    }
}

/// Every fitting pair of `round` not matched in it yet, weighted by relevance.
pub fn candidates<'a>(prep: &'a Prep, round: &Round) -> Candidates<'a> {
    let mut c = parties(prep, round);
    let green_theme = is_green_theme(&round.theme);
    // One pass over the matches instead of a search per pair (`Prep::live_match`).
    let matched: HashSet<_> = prep
        .accepted_in(&round.id)
        .into_iter()
        .map(|m| (&m.institution, &m.enterprise))
        .collect();

    let mut wanted_ids = Interner::default();
    let inst_items: Vec<Vec<u32>> = c
        .institutions
        .iter()
        .map(|i| i.wanted.iter().map(|w| wanted_ids.id(w)).collect())
        .collect();
    let mut category_ids = Interner::default();
    let ent_cats: Vec<Vec<u32>> = c
        .enterprises
        .iter()
        .map(|e| {
            let mut cats: Vec<u32> = e.categories.iter().map(|k| category_ids.id(k)).collect();
            cats.sort_unstable();
            cats.dedup();
            cats
        })
        .collect();
    // fit[w]: the categories wanted item `w` fits, ascending (so membership is a search).
    let fit: Vec<Vec<u32>> = wanted_ids
        .strings
        .iter()
        .map(|w| {
            (0..category_ids.strings.len() as u32)
                .filter(|&k| fits_normalised(w, &category_ids.strings[k as usize]))
                .collect()
        })
        .collect();
    let mut holders: Vec<Vec<u32>> = vec![Vec::new(); category_ids.strings.len()];
    for (ri, cats) in ent_cats.iter().enumerate() {
        for &k in cats {
            holders[k as usize].push(ri as u32);
        }
    }

    // Which institution last reached an enterprise: dedups without clearing a set.
    let mut reached_by = vec![u32::MAX; c.enterprises.len()];
    let mut reached = Vec::new();
    for (li, (inst, items)) in c.institutions.iter().zip(&inst_items).enumerate() {
        reached.clear();
        for &w in items {
            for &k in &fit[w as usize] {
                for &ri in &holders[k as usize] {
                    if reached_by[ri as usize] != li as u32 {
                        reached_by[ri as usize] = li as u32;
                        reached.push(ri);
                    }
                }
            }
        }
        reached.sort_unstable();
        for &ri in &reached {
            let ent = c.enterprises[ri as usize];
            let cats = &ent_cats[ri as usize];
            // Counted per wanted entry, duplicates included, as `relevance` counts them.
            let overlap = items
                .iter()
                .filter(|&&w| {
                    cats.iter()
                        .any(|k| fit[w as usize].binary_search(k).is_ok())
                })
                .count();
            let weight = score(overlap, inst.wanted.len(), ent, green_theme);
            if weight > 0 && !matched.contains(&(&inst.id, &ent.id)) {
                c.problem.edges.push(Candidate {
                    left: li as u32,
                    right: ri,
                    weight,
                });
            }
        }
    }
    c
}

/// The definition the index must agree with: every pair scored by `relevance`.
#[cfg(test)]
pub(crate) fn candidates_all_pairs<'a>(prep: &'a Prep, round: &Round) -> Candidates<'a> {
    let mut c = parties(prep, round);
    for (li, i) in c.institutions.iter().enumerate() {
        for (ri, e) in c.enterprises.iter().enumerate() {
            let weight = super::relevance::relevance(i, e, &round.theme).score;
            if weight > 0 && prep.live_match(&i.id, &e.id, &round.id).is_none() {
                c.problem.edges.push(Candidate {
                    left: li as u32,
                    right: ri as u32,
                    weight,
                });
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fair::{EnterpriseType, InstitutionType};
    use crate::ids::{EnterpriseId, InstitutionId, ParticipantId, RoundId};
    use crate::prep::matches::{Match, MatchStatus, Origin};
    use crate::prep::registry::{Contact, Versioned};
    use crate::time::Timestamp;
    use proptest::prelude::*;
    use std::time::Duration;

    /// Items chosen to exercise fitting: phrases containing an item, spacing and case that
    /// normalise away, an item inside another ("청소" in "청소용역"), and a blank one.
    const WORDS: &[&str] = &[
        "청소",
        "건물 청소용역",
        "청소용역",
        "급식",
        "학교 급식 식자재",
        "인쇄",
        "인 쇄",
        "LED",
        "led 조명",
        "조명",
        "도시락",
        " ",
    ];

    fn round(id: &str, theme: &str) -> Round {
        Round {
            id: RoundId::parse(id).unwrap(),
            number: 1,
            theme: theme.into(),
            starts_at: Timestamp::from_millis(0),
            slot_len: Duration::from_secs(1200),
            break_len: Duration::from_secs(600),
            slots: 4,
        }
    }

    fn words() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(proptest::sample::select(WORDS), 0..=3)
            .prop_map(|v| v.into_iter().map(String::from).collect())
    }

    fn rounds() -> impl Strategy<Value = Vec<RoundId>> {
        prop_oneof![
            3 => Just(vec![]),
            1 => Just(vec![RoundId::parse("r1").unwrap()]),
            1 => Just(vec![RoundId::parse("r2").unwrap()]),
        ]
    }

    fn prep() -> impl Strategy<Value = Prep> {
        let inst = (words(), 1u32..=2, rounds());
        let ent = (words(), any::<bool>(), 0usize..=3, 0u32..=3, rounds());
        (
            proptest::collection::vec(inst, 0..=8),
            proptest::collection::vec(ent, 0..=12),
            proptest::collection::vec((0usize..8, 0usize..12, any::<bool>()), 0..=6),
        )
            .prop_map(|(insts, ents, matches)| {
                let mut p = Prep::default();
                for (n, (wanted, booths, rounds)) in insts.into_iter().enumerate() {
                    let id = InstitutionId::parse(format!("i{n}")).unwrap();
                    let value = InstitutionEntry {
                        id: id.clone(),
                        name: format!("기관{n}"),
                        kind: InstitutionType::District,
                        contact: Contact::default(),
                        wanted,
                        booths,
                        rounds,
                        unavailable: vec![],
                    };
                    p.registry
                        .institutions
                        .insert(id, Versioned { version: 1, value });
                }
                for (n, (categories, green, certs, max, rounds)) in ents.into_iter().enumerate() {
                    let id = EnterpriseId::parse(format!("e{n}")).unwrap();
                    let value = EnterpriseEntry {
                        id: id.clone(),
                        name: format!("기업{n}"),
                        kind: EnterpriseType::SocialEnterprise,
                        contact: Contact::default(),
                        categories,
                        certifications: (0..certs).map(|c| format!("인증{c}")).collect(),
                        green,
                        max_meetings: max,
                        rounds,
                        unavailable: vec![],
                    };
                    p.registry
                        .enterprises
                        .insert(id, Versioned { version: 1, value });
                }
                // Matches may name absent parties or the other round; both must be harmless.
                for (k, (i, e, cancelled)) in matches.into_iter().enumerate() {
                    let id = k as u64 + 1;
                    p.matches.insert(
                        id,
                        Match {
                            id,
                            version: 1,
                            institution: InstitutionId::parse(format!("i{i}")).unwrap(),
                            enterprise: EnterpriseId::parse(format!("e{e}")).unwrap(),
                            round: RoundId::parse(if k % 3 == 2 { "r2" } else { "r1" }).unwrap(),
                            origin: Origin::Staff,
                            status: if cancelled {
                                MatchStatus::Cancelled
                            } else {
                                MatchStatus::Accepted
                            },
                            note: String::new(),
                            created_at: Timestamp::from_millis(0),
                            created_by: ParticipantId::parse("staff").unwrap(),
                        },
                    );
                }
                p
            })
    }

    fn ids(c: &Candidates) -> (Vec<InstitutionId>, Vec<EnterpriseId>) {
        (
            c.institutions.iter().map(|i| i.id.clone()).collect(),
            c.enterprises.iter().map(|e| e.id.clone()).collect(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn the_index_finds_exactly_the_all_pairs_candidates(
            p in prep(),
            theme in proptest::sample::select(&["그린뉴딜", "공공시장 진출"][..]),
        ) {
            let r = round("r1", theme);
            let fast = candidates(&p, &r);
            let slow = candidates_all_pairs(&p, &r);
            prop_assert_eq!(ids(&fast), ids(&slow));
            prop_assert_eq!(fast.problem, slow.problem);
        }
    }

    #[test]
    fn a_phrase_category_and_spacing_still_fit_and_a_live_match_is_left_out() {
        let mut p = Prep::default();
        for (n, wanted) in [["청소"], ["인쇄"]].iter().enumerate() {
            let id = InstitutionId::parse(format!("i{n}")).unwrap();
            let value = InstitutionEntry {
                id: id.clone(),
                name: String::new(),
                kind: InstitutionType::District,
                contact: Contact::default(),
                wanted: wanted.iter().map(|s| s.to_string()).collect(),
                booths: 1,
                rounds: vec![],
                unavailable: vec![],
            };
            p.registry
                .institutions
                .insert(id, Versioned { version: 1, value });
        }
        for (n, cat) in ["건물 청소용역", "인 쇄", "급식"].iter().enumerate() {
            let id = EnterpriseId::parse(format!("e{n}")).unwrap();
            let value = EnterpriseEntry {
                id: id.clone(),
                name: String::new(),
                kind: EnterpriseType::SocialEnterprise,
                contact: Contact::default(),
                categories: vec![cat.to_string()],
                certifications: vec![],
                green: false,
                max_meetings: 5,
                rounds: vec![],
                unavailable: vec![],
            };
            p.registry
                .enterprises
                .insert(id, Versioned { version: 1, value });
        }
        let r = round("r1", "지원");
        let pairs = |p: &Prep| -> Vec<(u32, u32, i64)> {
            candidates(p, &r)
                .problem
                .edges
                .iter()
                .map(|c| (c.left, c.right, c.weight))
                .collect()
        };
        assert_eq!(pairs(&p), vec![(0, 0, 60), (1, 1, 60)]);
        p.matches.insert(
            1,
            Match {
                id: 1,
                version: 1,
                institution: InstitutionId::parse("i1").unwrap(),
                enterprise: EnterpriseId::parse("e1").unwrap(),
                round: r.id.clone(),
                origin: Origin::Staff,
                status: MatchStatus::Accepted,
                note: String::new(),
                created_at: Timestamp::from_millis(0),
                created_by: ParticipantId::parse("staff").unwrap(),
            },
        );
        assert_eq!(pairs(&p), vec![(0, 0, 60)]);
    }
}
