//! The demo fair's registrations: every institution, enterprise and participant of the demo
//! fair with what preparing a fair needs on top (wanted items, product categories, green
//! enterprises, certifications, meeting caps), drawn from a seed so that matching and the
//! scheduler have the same realistic input every time, and the sample import files under
//! `config/` can be checked against it.

use crate::demo::seeded::SplitMix64;
use crate::files::fair::contacts::Contacts;
use sangdam_signaling::fair::{Affiliation, EnterpriseType, Fair};
use sangdam_signaling::prep::registry::{
    Contact, EnterpriseEntry, InstitutionEntry, ParticipantEntry, Registration, Unavailable,
};

/// Any fixed seed, apart from the fair's, so that changing one leaves the other.
const SEED: u64 = 0x2E61_5747_2026;

/// What Seoul's public bodies buy from the social economy, with a weight for how often
/// it comes up: cleaning and catering far more than video production. Both sides draw
/// from the one list, so that most institutions share items with several enterprises.
/// No item holds a list separator (`,` `;` `/` `·`): it would read back as two.
const ITEMS: [(&str, u64); 20] = [
    ("청소", 10),
    ("방역", 7),
    ("급식", 8),
    ("도시락", 6),
    ("인쇄", 9),
    ("홍보물", 7),
    ("교육", 6),
    ("문화행사", 5),
    ("사무용품", 6),
    ("조경", 4),
    ("돌봄", 4),
    ("IT 유지보수", 4),
    ("영상제작", 3),
    ("친환경 제품", 5),
    ("재활용", 3),
    ("기념품", 4),
    ("시설 보수", 4),
    ("컨설팅", 3),
    ("세탁", 2),
    ("다과", 3),
];

const CERTIFICATIONS: [&str; 5] = [
    "우수제품",
    "여성기업",
    "장애인기업",
    "중증장애인생산품",
    "혁신제품",
];

/// `n` different items, drawn by weight.
fn items(rng: &mut SplitMix64, n: usize) -> Vec<String> {
    let weights: Vec<u64> = ITEMS.iter().map(|(_, w)| *w).collect();
    let mut out: Vec<String> = Vec::with_capacity(n);
    while out.len() < n {
        let item = ITEMS[rng.weighted(&weights)].0;
        if !out.iter().any(|i| i == item) {
            out.push(item.to_string());
        }
    }
    out
}

/// The demo registration of `fair` (the demo fair, usually): the same ids and names, the
/// contact person of each organisation its first buyer or vendor, with that person's phone
/// and e-mail from `contacts`. The same fair and contacts always give the same result.
pub fn demo_registration(fair: &Fair, contacts: &Contacts) -> Registration {
    let mut rng = SplitMix64(SEED);
    let person_of = |side: &Affiliation| -> Contact {
        let Some(p) = fair.participants().find(|p| &p.affiliation == side) else {
            return Contact::default();
        };
        let info = contacts.get(&p.id);
        Contact {
            person: p.name.clone(),
            phone: info.and_then(|c| c.phone.clone()),
            email: info.and_then(|c| c.email.clone()),
        }
    };
    let rounds: Vec<_> = fair.rounds().map(|r| (r.id.clone(), r.slots)).collect();

    let institutions = fair
        .institutions()
        .map(|i| {
            let n = 2 + rng.index(3);
            let wanted = items(&mut rng, n);
            InstitutionEntry {
                id: i.id.clone(),
                name: i.name.clone(),
                kind: i.kind,
                contact: person_of(&Affiliation::Institution(i.id.clone())),
                wanted,
                // The live fair serves one booth per institution.
                booths: 1,
                rounds: Vec::new(),
                unavailable: Vec::new(),
            }
        })
        .collect();

    let enterprises = fair
        .enterprises()
        .map(|e| {
            let n = 1 + rng.index(3);
            let categories = items(&mut rng, n);
            let green = rng.chance(30);
            let mut certifications = Vec::new();
            if e.kind == EnterpriseType::SocialEnterprise {
                certifications.push("사회적기업".to_string());
            }
            if green && rng.chance(50) {
                certifications.push("녹색인증".to_string());
            }
            if rng.chance(25) {
                certifications.push(rng.pick(&CERTIFICATIONS).to_string());
            }
            // A few take part in one round only, or cannot come to part of one.
            let attends = if rng.chance(10) && !rounds.is_empty() {
                vec![rounds[rng.index(rounds.len())].0.clone()]
            } else {
                Vec::new()
            };
            let unavailable = if rng.chance(10) && !rounds.is_empty() {
                let (round, slots) = &rounds[rng.index(rounds.len())];
                let first = rng.below(u64::from(*slots).saturating_sub(1)) as u32;
                vec![Unavailable {
                    round: round.clone(),
                    slots: vec![first, first + 1],
                }]
            } else {
                Vec::new()
            };
            EnterpriseEntry {
                id: e.id.clone(),
                name: e.name.clone(),
                kind: e.kind,
                contact: person_of(&Affiliation::Enterprise(e.id.clone())),
                categories,
                certifications,
                green,
                max_meetings: 3 + rng.below(4) as u32,
                rounds: attends,
                unavailable,
            }
        })
        .collect();

    let participants = fair
        .participants()
        .map(|p| {
            let info = contacts.get(&p.id);
            ParticipantEntry {
                id: p.id.clone(),
                name: p.name.clone(),
                role: p.role,
                affiliation: p.affiliation.clone(),
                phone: info.and_then(|c| c.phone.clone()),
                email: info.and_then(|c| c.email.clone()),
            }
        })
        .collect();

    Registration {
        institutions,
        enterprises,
        participants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::fair::demo_contacts;
    use crate::demo::{demo_fair, DemoOptions};
    use sangdam_signaling::Timestamp;

    fn demo() -> (Fair, Registration) {
        let fair = demo_fair(&DemoOptions::starting_at(Timestamp::from_millis(
            1_779_238_800_000,
        )));
        let contacts = demo_contacts(&fair);
        let reg = demo_registration(&fair, &contacts);
        (fair, reg)
    }

    #[test]
    fn every_organisation_and_person_of_the_demo_fair_is_registered_the_same_every_time() {
        let (fair, reg) = demo();
        assert_eq!(reg.institutions.len(), fair.institutions().count());
        assert_eq!(reg.enterprises.len(), fair.enterprises().count());
        assert_eq!(reg.participants.len(), fair.participants().count());
        assert_eq!(reg, demo().1);
        assert!(reg.institutions.iter().all(|i| i.booths == 1));
        assert!(reg
            .enterprises
            .iter()
            .all(|e| (3..=6).contains(&e.max_meetings) && !e.categories.is_empty()));
        let i001 = &reg.institutions[0];
        assert_eq!(
            i001.contact.person,
            fair.participants().next().unwrap().name
        );
        assert_eq!(i001.contact.phone.as_deref(), Some("02-0000-0001"));
    }

    #[test]
    fn the_demo_registration_survives_its_own_files() {
        use crate::files::registrations::{
            read_file, read_files, sheet_name, write_csv, write_xlsx,
        };
        use sangdam_signaling::prep::registry::{Registry, RowKind};
        let (_, reg) = demo();
        let known = Registry::default();
        assert_eq!(
            read_file("demo.xlsx", &write_xlsx(&reg), &known).unwrap(),
            reg
        );
        let files: Vec<_> = [
            RowKind::Institution,
            RowKind::Enterprise,
            RowKind::Participant,
        ]
        .into_iter()
        .map(|k| (format!("{}.csv", sheet_name(k)), write_csv(k, &reg)))
        .collect();
        assert_eq!(read_files(&files, &known).unwrap(), reg);
    }

    #[test]
    fn about_a_third_of_the_enterprises_are_green_and_most_institutions_share_items_with_several() {
        let (_, reg) = demo();
        let green = reg.enterprises.iter().filter(|e| e.green).count();
        let share = green * 100 / reg.enterprises.len();
        assert!((20..=40).contains(&share), "{share} % green");
        let overlapping = reg
            .institutions
            .iter()
            .filter(|i| {
                reg.enterprises
                    .iter()
                    .filter(|e| e.categories.iter().any(|c| i.wanted.contains(c)))
                    .count()
                    >= 5
            })
            .count();
        assert!(
            overlapping * 10 >= reg.institutions.len() * 9,
            "{overlapping}"
        );
    }
}
