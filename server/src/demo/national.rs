//! A national fair for the measuring tools: thousands of institutions and enterprises, two
//! meetings per enterprise, everyone with an e-mail address — the invitation sheet's and the
//! mailer's load (`cargo bench --bench invites`, `mail-bench`).

use crate::files::fair::contacts::{ContactInfo, Contacts};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, Fair, FairParts, Institution, InstitutionType,
    MeetingSpec, Participant, Role, Round,
};
use sangdam_signaling::{FairId, Timestamp};
use std::time::Duration;

fn id<T: TryFrom<String>>(s: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s).expect("a valid id")
}

/// The fair office's participant id.
pub const STAFF: &str = "p-staff";

/// A fair of `n_inst` booths (one buyer each) and `n_ent` vendors, two meetings each, a
/// staff member, everyone with an e-mail address: a national fair's invitation load.
pub fn national_fair(n_inst: usize, n_ent: usize) -> (Fair, Contacts) {
    assert!(
        n_inst > 0 && n_ent <= 5 * n_inst,
        "five enterprises per institution at most: each booth has five slots for first meetings"
    );
    let institutions: Vec<Institution> = (0..n_inst)
        .map(|i| Institution {
            id: id(format!("i{i:05}")),
            name: format!("기관 {i:05}"),
            kind: InstitutionType::ALL[i % 5],
        })
        .collect();
    let enterprises: Vec<Enterprise> = (0..n_ent)
        .map(|e| Enterprise {
            id: id(format!("e{e:05}")),
            name: format!("(주)사회적기업 {e:05}"),
            kind: EnterpriseType::ALL[e % 4],
        })
        .collect();
    let mut participants: Vec<Participant> = institutions
        .iter()
        .map(|i| Participant {
            id: id(format!("p-b-{}", i.id)),
            name: format!("구매자 {}", i.id),
            role: Role::Buyer,
            affiliation: Affiliation::Institution(i.id.clone()),
        })
        .collect();
    participants.extend(enterprises.iter().map(|e| Participant {
        id: id(format!("p-v-{}", e.id)),
        name: format!("판매자 {}", e.id),
        role: Role::Vendor,
        affiliation: Affiliation::Enterprise(e.id.clone()),
    }));
    // Someone to send the invitations: the fair office.
    participants.push(Participant {
        id: id(STAFF.into()),
        name: "사무국".into(),
        role: Role::Staff,
        affiliation: Affiliation::Operator,
    });
    let contacts = Contacts(
        participants
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    ContactInfo {
                        phone: Some("02-0000-0000".into()),
                        email: Some(format!("{}@example.org", p.id)),
                    },
                )
            })
            .collect(),
    );
    let round = Round {
        id: id("r1".into()),
        number: 1,
        theme: "공공시장 진출 지원".into(),
        starts_at: Timestamp::from_millis(1_900_000_000_000),
        slot_len: Duration::from_secs(1200),
        break_len: Duration::from_secs(600),
        slots: 12,
    };
    // Each enterprise meets two institutions: slots 0–4 and 5–9 of a 12-slot round, so
    // every booth slot is used at most once.
    let meetings: Vec<MeetingSpec> = (0..n_ent)
        .flat_map(|e| {
            let first = (e % n_inst, (e / n_inst) as u32);
            let second = ((e + n_inst / 2) % n_inst, 5 + (e / n_inst) as u32);
            [first, second].map(|(i, slot)| MeetingSpec {
                id: id(format!("r1-s{slot:02}-i{i:05}")),
                round: id("r1".into()),
                slot,
                institution: id(format!("i{i:05}")),
                enterprise: id(format!("e{e:05}")),
            })
        })
        .collect();
    let parts = FairParts {
        rounds: vec![round],
        institutions,
        enterprises,
        participants,
        meetings,
    };
    let fair = Fair::new(id::<FairId>("national".into()), "전국 상담회", parts).expect("valid");
    (fair, contacts)
}
