//! The fair's setup: rounds, organisations, participants and the meeting schedule, checked
//! once when built so that every later lookup can trust its references.

use crate::ids::{EnterpriseId, FairId, InstitutionId, MeetingId, ParticipantId, RoundId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// What a participant may do. One person has exactly one role.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Institution staff who hold the meetings.
    Buyer,
    /// Enterprise staff who wait in the lobby and present.
    Vendor,
    /// Fair operators who watch and manage rooms.
    Moderator,
    /// Support-centre staff who review the log and the report.
    Staff,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Buyer, Role::Vendor, Role::Moderator, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Vendor => "vendor",
            Role::Moderator => "moderator",
            Role::Staff => "staff",
        }
    }

    /// The Korean word staff use in the fair's files.
    pub fn label_ko(self) -> &'static str {
        match self {
            Role::Buyer => "구매자",
            Role::Vendor => "판매자",
            Role::Moderator => "운영자",
            Role::Staff => "직원",
        }
    }

    /// Accepts the English code or the Korean label, as staff may write either.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s) || r.label_ko() == s)
    }
}

/// Institution types as the Seoul fair's report counts them (기관 유형).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionType {
    /// 본청 — the city hall itself.
    CityHall,
    /// 자치구 — district offices.
    District,
    /// 투자출연기관 — city-funded bodies.
    CityFunded,
    /// 서울시교육청 — the education office and schools.
    Education,
    /// 기타 — forum members, ministry bodies, bodies outside Seoul.
    Other,
}

/// Enterprise types as the Seoul fair's report counts them (기업 유형).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseType {
    /// (예비)사회적기업 — certified or pre-certified social enterprise.
    SocialEnterprise,
    /// (사회적)협동조합 — cooperative or social cooperative.
    Cooperative,
    /// 마을기업 — village enterprise.
    VillageEnterprise,
    /// 기타 — other social-economy organisations.
    Other,
}

macro_rules! labelled {
    ($t:ty { $($v:ident => $code:literal, $ko:literal, $en:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn code(self) -> &'static str { match self { $(<$t>::$v => $code),* } }
            pub fn label_ko(self) -> &'static str { match self { $(<$t>::$v => $ko),* } }
            pub fn label_en(self) -> &'static str { match self { $(<$t>::$v => $en),* } }
            /// Accepts the code or the Korean label.
            pub fn parse(s: &str) -> Option<$t> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|t| t.code() == s || t.label_ko() == s)
            }
        }
    };
}

labelled!(InstitutionType {
    CityHall => "city_hall", "본청", "City hall",
    District => "district", "자치구", "District office",
    CityFunded => "city_funded", "투자출연기관", "City-funded body",
    Education => "education", "서울시교육청", "Education office / school",
    Other => "other", "기타", "Other",
});

labelled!(EnterpriseType {
    SocialEnterprise => "social_enterprise", "(예비)사회적기업", "(Pre-)certified social enterprise",
    Cooperative => "cooperative", "(사회적)협동조합", "(Social) cooperative",
    VillageEnterprise => "village_enterprise", "마을기업", "Village enterprise",
    Other => "other", "기타", "Other",
});

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub id: InstitutionId,
    pub name: String,
    pub kind: InstitutionType,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub name: String,
    pub kind: EnterpriseType,
}

/// The organisation a participant speaks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Affiliation {
    Institution(InstitutionId),
    Enterprise(EnterpriseId),
    /// Moderators and staff work for the fair's operator, not for a side.
    Operator,
}

impl Affiliation {
    /// A compact form for tokens and logs: `institution:ID`, `enterprise:ID`, `operator`.
    pub fn code(&self) -> String {
        match self {
            Affiliation::Institution(id) => format!("institution:{id}"),
            Affiliation::Enterprise(id) => format!("enterprise:{id}"),
            Affiliation::Operator => "operator".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    pub role: Role,
    pub affiliation: Affiliation,
}

/// A round (회차): one day of meetings on one theme, cut into equal slots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub id: RoundId,
    pub number: u32,
    pub theme: String,
    /// Start of the first slot.
    pub starts_at: Timestamp,
    pub slot_len: Duration,
    /// Pause between two slots, so a buyer can breathe and the next vendor can check in.
    pub break_len: Duration,
    pub slots: u32,
}

/// One slot's window.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub index: u32,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Round {
    /// The window of slot `index` (0-based), or `None` past the round's last slot.
    pub fn slot(&self, index: u32) -> Option<Slot> {
        if index >= self.slots {
            return None;
        }
        let start = self.starts_at + (self.slot_len + self.break_len) * index;
        Some(Slot {
            index,
            start,
            end: start + self.slot_len,
        })
    }

    pub fn ends_at(&self) -> Timestamp {
        self.slot(self.slots.saturating_sub(1))
            .map(|s| s.end)
            .unwrap_or(self.starts_at)
    }
}

/// A match placed in a round and a slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub round: RoundId,
    pub slot: Slot,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
}

/// A meeting as staff write it: which round, which slot, which two organisations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingSpec {
    pub id: MeetingId,
    pub round: RoundId,
    pub slot: u32,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
}

/// What is wrong with a fair's setup. File loaders add the file and line around it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FairError {
    #[error("duplicate {what} id {id}")]
    Duplicate { what: &'static str, id: String },
    #[error("meeting {meeting}: unknown {what} {id}")]
    UnknownReference {
        meeting: String,
        what: &'static str,
        id: String,
    },
    #[error("meeting {meeting}: round {round} has {slots} slots, slot {slot} does not exist")]
    NoSuchSlot {
        meeting: String,
        round: String,
        slots: u32,
        slot: u32,
    },
    #[error("meeting {meeting}: {what} {id} already meets in round {round} slot {slot} ({other})")]
    DoubleBooked {
        meeting: String,
        what: &'static str,
        id: String,
        round: String,
        slot: u32,
        other: String,
    },
    #[error("participant {participant}: a {role} must belong to {expected}")]
    WrongAffiliation {
        participant: String,
        role: &'static str,
        expected: &'static str,
    },
    #[error("participant {participant}: unknown {what} {id}")]
    UnknownAffiliation {
        participant: String,
        what: &'static str,
        id: String,
    },
    #[error("round {round}: {problem}")]
    BadRound { round: String, problem: String },
}

/// A checked fair. Built only by [`Fair::new`], so its references always resolve.
#[derive(Clone, Debug)]
pub struct Fair {
    pub id: FairId,
    pub name: String,
    rounds: BTreeMap<RoundId, Round>,
    institutions: BTreeMap<InstitutionId, Institution>,
    enterprises: BTreeMap<EnterpriseId, Enterprise>,
    participants: BTreeMap<ParticipantId, Participant>,
    meetings: BTreeMap<MeetingId, Meeting>,
    /// Each booth's meetings in time order, so the lobby's and the rooms' questions about
    /// one booth cost as much as that booth has meetings, not the whole fair.
    at_booth: BTreeMap<InstitutionId, Vec<MeetingId>>,
}

/// The raw parts of a fair, before checking.
#[derive(Clone, Debug, Default)]
pub struct FairParts {
    pub rounds: Vec<Round>,
    pub institutions: Vec<Institution>,
    pub enterprises: Vec<Enterprise>,
    pub participants: Vec<Participant>,
    pub meetings: Vec<MeetingSpec>,
}

fn index<K: Ord + Clone + ToString, V>(
    what: &'static str,
    items: Vec<V>,
    key: impl Fn(&V) -> &K,
) -> Result<BTreeMap<K, V>, FairError> {
    let mut map = BTreeMap::new();
    for item in items {
        let k = key(&item).clone();
        if map.contains_key(&k) {
            return Err(FairError::Duplicate {
                what,
                id: k.to_string(),
            });
        }
        map.insert(k, item);
    }
    Ok(map)
}

impl Fair {
    pub fn new(id: FairId, name: impl Into<String>, parts: FairParts) -> Result<Fair, FairError> {
        let rounds = index("round", parts.rounds, |r| &r.id)?;
        for r in rounds.values() {
            if r.slot_len.is_zero() {
                return Err(FairError::BadRound {
                    round: r.id.to_string(),
                    problem: "slot length must be more than zero".into(),
                });
            }
            if r.slots == 0 {
                return Err(FairError::BadRound {
                    round: r.id.to_string(),
                    problem: "a round needs at least one slot".into(),
                });
            }
        }
        let institutions = index("institution", parts.institutions, |i| &i.id)?;
        let enterprises = index("enterprise", parts.enterprises, |e| &e.id)?;
        let participants = index("participant", parts.participants, |p| &p.id)?;
        for p in participants.values() {
            check_affiliation(p, &institutions, &enterprises)?;
        }
        let mut meetings = BTreeMap::new();
        let mut busy: HashMap<(String, RoundId, u32), MeetingId> = HashMap::new();
        for spec in parts.meetings {
            let unknown = |what: &'static str, id: String| FairError::UnknownReference {
                meeting: spec.id.to_string(),
                what,
                id,
            };
            let round = rounds
                .get(&spec.round)
                .ok_or_else(|| unknown("round", spec.round.to_string()))?;
            if !institutions.contains_key(&spec.institution) {
                return Err(unknown("institution", spec.institution.to_string()));
            }
            if !enterprises.contains_key(&spec.enterprise) {
                return Err(unknown("enterprise", spec.enterprise.to_string()));
            }
            let slot = round.slot(spec.slot).ok_or_else(|| FairError::NoSuchSlot {
                meeting: spec.id.to_string(),
                round: round.id.to_string(),
                slots: round.slots,
                slot: spec.slot,
            })?;
            for (what, org) in [
                ("institution", format!("i:{}", spec.institution)),
                ("enterprise", format!("e:{}", spec.enterprise)),
            ] {
                let key = (org.clone(), spec.round.clone(), spec.slot);
                if let Some(other) = busy.insert(key, spec.id.clone()) {
                    return Err(FairError::DoubleBooked {
                        meeting: spec.id.to_string(),
                        what,
                        id: org[2..].to_string(),
                        round: spec.round.to_string(),
                        slot: spec.slot,
                        other: other.to_string(),
                    });
                }
            }
            if meetings.contains_key(&spec.id) {
                return Err(FairError::Duplicate {
                    what: "meeting",
                    id: spec.id.to_string(),
                });
            }
            meetings.insert(
                spec.id.clone(),
                Meeting {
                    id: spec.id,
                    round: spec.round,
                    slot,
                    institution: spec.institution,
                    enterprise: spec.enterprise,
                },
            );
        }
        let mut at_booth: BTreeMap<InstitutionId, Vec<MeetingId>> = BTreeMap::new();
        let mut by_time: Vec<&Meeting> = meetings.values().collect();
        by_time.sort_by_key(|m| (m.slot.start, m.id.clone()));
        for m in by_time {
            at_booth
                .entry(m.institution.clone())
                .or_default()
                .push(m.id.clone());
        }
        Ok(Fair {
            id,
            name: name.into(),
            rounds,
            institutions,
            enterprises,
            participants,
            meetings,
            at_booth,
        })
    }

    pub fn rounds(&self) -> impl Iterator<Item = &Round> {
        self.rounds.values()
    }
    pub fn institutions(&self) -> impl Iterator<Item = &Institution> {
        self.institutions.values()
    }
    pub fn enterprises(&self) -> impl Iterator<Item = &Enterprise> {
        self.enterprises.values()
    }
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.participants.values()
    }
    pub fn meetings(&self) -> impl Iterator<Item = &Meeting> {
        self.meetings.values()
    }

    /// One booth's meetings, in time order.
    pub fn meetings_at(&self, booth: &InstitutionId) -> impl Iterator<Item = &Meeting> {
        self.at_booth
            .get(booth)
            .into_iter()
            .flatten()
            .filter_map(|id| self.meetings.get(id))
    }
    pub fn round(&self, id: &RoundId) -> Option<&Round> {
        self.rounds.get(id)
    }
    pub fn institution(&self, id: &InstitutionId) -> Option<&Institution> {
        self.institutions.get(id)
    }
    pub fn enterprise(&self, id: &EnterpriseId) -> Option<&Enterprise> {
        self.enterprises.get(id)
    }
    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.participants.get(id)
    }
    pub fn meeting(&self, id: &MeetingId) -> Option<&Meeting> {
        self.meetings.get(id)
    }

    /// The side a participant takes in a meeting, or `None` if the meeting is not theirs.
    pub fn side_in(&self, participant: &Participant, meeting: &Meeting) -> Option<crate::Side> {
        match (&participant.role, &participant.affiliation) {
            (Role::Buyer, Affiliation::Institution(i)) if *i == meeting.institution => {
                Some(crate::Side::Buyer)
            }
            (Role::Vendor, Affiliation::Enterprise(e)) if *e == meeting.enterprise => {
                Some(crate::Side::Vendor)
            }
            _ => None,
        }
    }

    /// A participant's meetings in time order; moderators and staff have none of their own.
    pub fn meetings_of(&self, participant: &Participant) -> Vec<&Meeting> {
        let mut v: Vec<&Meeting> = self
            .meetings
            .values()
            .filter(|m| self.side_in(participant, m).is_some())
            .collect();
        v.sort_by_key(|m| (m.slot.start, m.id.clone()));
        v
    }

    /// When the fair's last slot ends (its start when it has no rounds).
    pub fn ends_at(&self) -> Option<Timestamp> {
        self.rounds.values().map(Round::ends_at).max()
    }

    /// The first participant with a role, in id order: the demo's invite links use it.
    pub fn first_with_role(&self, role: Role) -> Option<&Participant> {
        self.participants.values().find(|p| p.role == role)
    }
}

fn check_affiliation(
    p: &Participant,
    institutions: &BTreeMap<InstitutionId, Institution>,
    enterprises: &BTreeMap<EnterpriseId, Enterprise>,
) -> Result<(), FairError> {
    let wrong = |expected| FairError::WrongAffiliation {
        participant: p.id.to_string(),
        role: p.role.as_str(),
        expected,
    };
    match (&p.role, &p.affiliation) {
        (Role::Buyer, Affiliation::Institution(i)) => {
            if institutions.contains_key(i) {
                Ok(())
            } else {
                Err(FairError::UnknownAffiliation {
                    participant: p.id.to_string(),
                    what: "institution",
                    id: i.to_string(),
                })
            }
        }
        (Role::Vendor, Affiliation::Enterprise(e)) => {
            if enterprises.contains_key(e) {
                Ok(())
            } else {
                Err(FairError::UnknownAffiliation {
                    participant: p.id.to_string(),
                    what: "enterprise",
                    id: e.to_string(),
                })
            }
        }
        (Role::Buyer, _) => Err(wrong("an institution")),
        (Role::Vendor, _) => Err(wrong("an enterprise")),
        (Role::Moderator | Role::Staff, Affiliation::Operator) => Ok(()),
        (Role::Moderator | Role::Staff, _) => Err(wrong("the operator")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::minutes;

    fn id<T: TryFrom<String>>(s: &str) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(s.to_string()).unwrap()
    }

    fn parts() -> FairParts {
        FairParts {
            rounds: vec![Round {
                id: id("r1"),
                number: 1,
                theme: "공공시장 진출 지원".into(),
                starts_at: Timestamp::from_millis(0),
                slot_len: minutes(20),
                break_len: minutes(10),
                slots: 3,
            }],
            institutions: vec![Institution {
                id: id("i1"),
                name: "서울특별시".into(),
                kind: InstitutionType::CityHall,
            }],
            enterprises: vec![
                Enterprise {
                    id: id("e1"),
                    name: "함께일하는재단".into(),
                    kind: EnterpriseType::SocialEnterprise,
                },
                Enterprise {
                    id: id("e2"),
                    name: "마을협동조합".into(),
                    kind: EnterpriseType::Cooperative,
                },
            ],
            participants: vec![
                Participant {
                    id: id("b1"),
                    name: "김구매".into(),
                    role: Role::Buyer,
                    affiliation: Affiliation::Institution(id("i1")),
                },
                Participant {
                    id: id("v1"),
                    name: "이판매".into(),
                    role: Role::Vendor,
                    affiliation: Affiliation::Enterprise(id("e1")),
                },
            ],
            meetings: vec![MeetingSpec {
                id: id("m1"),
                round: id("r1"),
                slot: 1,
                institution: id("i1"),
                enterprise: id("e1"),
            }],
        }
    }

    #[test]
    fn slots_follow_the_round_schedule() {
        let fair = Fair::new(id("f"), "fair", parts()).unwrap();
        let m = fair.meeting(&id("m1")).unwrap();
        assert_eq!(m.slot.start, Timestamp::from_millis(0) + minutes(30));
        assert_eq!(m.slot.end, Timestamp::from_millis(0) + minutes(50));
        assert_eq!(
            fair.round(&id("r1")).unwrap().ends_at().as_millis(),
            80 * 60_000
        );
    }

    #[test]
    fn a_participant_sees_only_their_organisations_meetings() {
        let fair = Fair::new(id("f"), "fair", parts()).unwrap();
        let buyer = fair.participant(&id("b1")).unwrap();
        let vendor = fair.participant(&id("v1")).unwrap();
        let m = fair.meeting(&id("m1")).unwrap();
        assert_eq!(fair.side_in(buyer, m), Some(crate::Side::Buyer));
        assert_eq!(fair.side_in(vendor, m), Some(crate::Side::Vendor));
        assert_eq!(fair.meetings_of(vendor).len(), 1);
    }

    #[test]
    fn bad_references_are_refused_with_what_is_wrong() {
        let mut p = parts();
        p.meetings[0].enterprise = id("e9");
        let err = Fair::new(id("f"), "fair", p).unwrap_err();
        assert_eq!(err.to_string(), "meeting m1: unknown enterprise e9");

        let mut p = parts();
        p.meetings[0].slot = 3;
        assert!(matches!(
            Fair::new(id("f"), "fair", p),
            Err(FairError::NoSuchSlot { slot: 3, .. })
        ));

        let mut p = parts();
        p.meetings.push(MeetingSpec {
            id: id("m2"),
            round: id("r1"),
            slot: 1,
            institution: id("i1"),
            enterprise: id("e2"),
        });
        let err = Fair::new(id("f"), "fair", p).unwrap_err();
        assert!(
            err.to_string().contains("institution i1 already meets"),
            "{err}"
        );

        let mut p = parts();
        p.participants[1].affiliation = Affiliation::Institution(id("i1"));
        assert!(matches!(
            Fair::new(id("f"), "fair", p),
            Err(FairError::WrongAffiliation { .. })
        ));
    }

    #[test]
    fn types_parse_from_korean_labels_and_codes() {
        assert_eq!(
            InstitutionType::parse("자치구"),
            Some(InstitutionType::District)
        );
        assert_eq!(
            InstitutionType::parse("education"),
            Some(InstitutionType::Education)
        );
        assert_eq!(
            EnterpriseType::parse("(사회적)협동조합"),
            Some(EnterpriseType::Cooperative)
        );
        assert_eq!(Role::parse("판매자"), Some(Role::Vendor));
        assert_eq!(Role::parse("unknown"), None);
    }
}
