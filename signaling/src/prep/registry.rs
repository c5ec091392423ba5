//! Who registered for the fair: institutions, enterprises and their people, as staff import
//! them weeks before the fair. Richer than the live [`crate::Fair`] (wanted items, booths,
//! categories, availability) because matching and scheduling need it and a fair day does not.
//!
//! Merging an import is a rule of its own: the same file twice changes nothing, an edited
//! file updates rows in place and says which fields changed, and rows missing from a file
//! are kept (a staff member importing only this week's new enterprises must not delete
//! last week's).

use crate::fair::{Affiliation, EnterpriseType, InstitutionType, Role};
use crate::ids::{EnterpriseId, InstitutionId, ParticipantId, RoundId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The person staff call about an organisation, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub person: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Slots one side cannot attend in one round (0-based slot numbers of that round).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unavailable {
    pub round: RoundId,
    pub slots: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionEntry {
    pub id: InstitutionId,
    pub name: String,
    pub kind: InstitutionType,
    pub contact: Contact,
    /// What the institution wants to buy (구매희망품목), as staff wrote them.
    pub wanted: Vec<String>,
    /// Booths it staffs at once: that many meetings per slot.
    pub booths: u32,
    /// Rounds it takes part in; empty means all.
    pub rounds: Vec<RoundId>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseEntry {
    pub id: EnterpriseId,
    pub name: String,
    pub kind: EnterpriseType,
    pub contact: Contact,
    /// What it sells (제품분류).
    pub categories: Vec<String>,
    /// Certifications it holds (인증), e.g. 사회적기업, 녹색인증.
    pub certifications: Vec<String>,
    /// A green (녹색) enterprise: the green-new-deal round favours these.
    pub green: bool,
    /// The most meetings it takes in one round.
    pub max_meetings: u32,
    pub rounds: Vec<RoundId>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantEntry {
    pub id: ParticipantId,
    pub name: String,
    pub role: Role,
    pub affiliation: Affiliation,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One registered row with the version staff edits are checked against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned<T> {
    pub version: u64,
    #[serde(flatten)]
    pub value: T,
}

/// Everything registered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub institutions: BTreeMap<InstitutionId, Versioned<InstitutionEntry>>,
    pub enterprises: BTreeMap<EnterpriseId, Versioned<EnterpriseEntry>>,
    pub participants: BTreeMap<ParticipantId, Versioned<ParticipantEntry>>,
}

/// What one import brings, already checked row by row by the file reader.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub institutions: Vec<InstitutionEntry>,
    pub enterprises: Vec<EnterpriseEntry>,
    pub participants: Vec<ParticipantEntry>,
}

/// Which kind of row a change is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Institution,
    Enterprise,
    Participant,
}

/// One row an import added or changed; `fields` names what changed (empty when added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub kind: RowKind,
    pub id: String,
    pub fields: Vec<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub added: Vec<RowChange>,
    pub updated: Vec<RowChange>,
    pub unchanged: usize,
    /// Rows registered before but absent from this import: kept, listed so staff notice.
    pub not_in_file: usize,
}

impl ImportSummary {
    pub fn changed_nothing(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty()
    }
}

macro_rules! changed_fields {
    ($old:expr, $new:expr; $($f:ident),*) => {{
        let mut v: Vec<&'static str> = Vec::new();
        $(if $old.$f != $new.$f { v.push(stringify!($f)); })*
        v
    }};
}

fn institution_fields(a: &InstitutionEntry, b: &InstitutionEntry) -> Vec<&'static str> {
    changed_fields!(a, b; name, kind, contact, wanted, booths, rounds, unavailable)
}

fn enterprise_fields(a: &EnterpriseEntry, b: &EnterpriseEntry) -> Vec<&'static str> {
    changed_fields!(a, b; name, kind, contact, categories, certifications, green, max_meetings,
        rounds, unavailable)
}

fn participant_fields(a: &ParticipantEntry, b: &ParticipantEntry) -> Vec<&'static str> {
    changed_fields!(a, b; name, role, affiliation, phone, email)
}

fn merge_rows<K: Ord + Clone + ToString, T: Clone>(
    kind: RowKind,
    table: &mut BTreeMap<K, Versioned<T>>,
    rows: Vec<T>,
    key: impl Fn(&T) -> &K,
    fields: impl Fn(&T, &T) -> Vec<&'static str>,
    summary: &mut ImportSummary,
) {
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        let k = key(&row).clone();
        seen.insert(k.clone());
        match table.get_mut(&k) {
            None => {
                summary.added.push(RowChange {
                    kind,
                    id: k.to_string(),
                    fields: Vec::new(),
                });
                table.insert(
                    k,
                    Versioned {
                        version: 1,
                        value: row,
                    },
                );
            }
            Some(old) => {
                let changed: Vec<String> = fields(&old.value, &row)
                    .into_iter()
                    .map(String::from)
                    .collect();
                if changed.is_empty() {
                    summary.unchanged += 1;
                } else {
                    summary.updated.push(RowChange {
                        kind,
                        id: k.to_string(),
                        fields: changed,
                    });
                    old.version += 1;
                    old.value = row;
                }
            }
        }
    }
    summary.not_in_file += table.keys().filter(|k| !seen.contains(*k)).count();
}

impl Registry {
    /// Merges an import: adds new rows, updates changed ones (their version moves on),
    /// keeps the rest. Only the kinds the import carries count towards `not_in_file` (a
    /// file of enterprises says nothing about institutions).
    pub fn merge(&mut self, incoming: Registration) -> ImportSummary {
        let mut summary = ImportSummary::default();
        if !incoming.institutions.is_empty() {
            merge_rows(
                RowKind::Institution,
                &mut self.institutions,
                incoming.institutions,
                |r| &r.id,
                institution_fields,
                &mut summary,
            );
        }
        if !incoming.enterprises.is_empty() {
            merge_rows(
                RowKind::Enterprise,
                &mut self.enterprises,
                incoming.enterprises,
                |r| &r.id,
                enterprise_fields,
                &mut summary,
            );
        }
        if !incoming.participants.is_empty() {
            merge_rows(
                RowKind::Participant,
                &mut self.participants,
                incoming.participants,
                |r| &r.id,
                participant_fields,
                &mut summary,
            );
        }
        summary
    }

    pub fn institution(&self, id: &InstitutionId) -> Option<&InstitutionEntry> {
        self.institutions.get(id).map(|v| &v.value)
    }

    pub fn enterprise(&self, id: &EnterpriseId) -> Option<&EnterpriseEntry> {
        self.enterprises.get(id).map(|v| &v.value)
    }

    /// The organisation a buyer or vendor speaks for, as registered.
    pub fn affiliation_of(&self, participant: &ParticipantId) -> Option<&Affiliation> {
        self.participants
            .get(participant)
            .map(|p| &p.value.affiliation)
    }
}

impl InstitutionEntry {
    /// Whether the institution takes part in `round`.
    pub fn attends(&self, round: &RoundId) -> bool {
        self.rounds.is_empty() || self.rounds.contains(round)
    }

    pub fn unavailable_in(&self, round: &RoundId) -> Vec<u32> {
        unavailable_in(&self.unavailable, round)
    }
}

impl EnterpriseEntry {
    pub fn attends(&self, round: &RoundId) -> bool {
        self.rounds.is_empty() || self.rounds.contains(round)
    }

    pub fn unavailable_in(&self, round: &RoundId) -> Vec<u32> {
        unavailable_in(&self.unavailable, round)
    }
}

fn unavailable_in(list: &[Unavailable], round: &RoundId) -> Vec<u32> {
    let mut v: Vec<u32> = list
        .iter()
        .filter(|u| &u.round == round)
        .flat_map(|u| u.slots.iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Reads the availability notation staff write in one cell: `r1:0-2,5; r2:7` = round r1
/// slots 0, 1, 2 and 5, round r2 slot 7 (0-based, as in `meetings.csv`). Empty = always
/// available. Returns what was expected on a malformed cell.
pub fn parse_unavailable(cell: &str) -> Result<Vec<Unavailable>, &'static str> {
    const EXPECTED: &str = "round:slots, e.g. `r1:0-2,5; r2:7`";
    let mut out: Vec<Unavailable> = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (round, slots) = part.split_once(':').ok_or(EXPECTED)?;
        let round = RoundId::parse(round.trim()).map_err(|_| EXPECTED)?;
        let mut list = Vec::new();
        for piece in slots.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = match piece.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (piece, piece),
            };
            let a: u32 = a.parse().map_err(|_| EXPECTED)?;
            let b: u32 = b.parse().map_err(|_| EXPECTED)?;
            if b < a || b - a > 1000 {
                return Err(EXPECTED);
            }
            list.extend(a..=b);
        }
        if list.is_empty() {
            return Err(EXPECTED);
        }
        match out.iter_mut().find(|u| u.round == round) {
            Some(u) => u.slots.extend(list),
            None => out.push(Unavailable { round, slots: list }),
        }
    }
    for u in &mut out {
        u.slots.sort_unstable();
        u.slots.dedup();
    }
    out.sort();
    Ok(out)
}

/// Writes availability back in the notation [`parse_unavailable`] reads (ranges folded).
pub fn format_unavailable(list: &[Unavailable]) -> String {
    list.iter()
        .map(|u| {
            let mut parts = Vec::new();
            let mut i = 0;
            while i < u.slots.len() {
                let start = u.slots[i];
                let mut end = start;
                while i + 1 < u.slots.len() && u.slots[i + 1] == end + 1 {
                    i += 1;
                    end = u.slots[i];
                }
                parts.push(if start == end {
                    start.to_string()
                } else {
                    format!("{start}-{end}")
                });
                i += 1;
            }
            format!("{}:{}", u.round, parts.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(id: &str, booths: u32) -> InstitutionEntry {
        InstitutionEntry {
            id: InstitutionId::parse(id).unwrap(),
            name: format!("기관 {id}"),
            kind: InstitutionType::District,
            contact: Contact::default(),
            wanted: vec!["청소".into()],
            booths,
            rounds: vec![],
            unavailable: vec![],
        }
    }

    #[test]
    fn the_same_import_twice_changes_nothing_and_an_edit_names_its_fields() {
        let mut reg = Registry::default();
        let first = Registration {
            institutions: vec![inst("i1", 1), inst("i2", 2)],
            ..Default::default()
        };
        let s = reg.merge(first.clone());
        assert_eq!(s.added.len(), 2);
        let s = reg.merge(first);
        assert!(s.changed_nothing());
        assert_eq!(s.unchanged, 2);

        let mut edited = inst("i2", 3);
        edited.wanted.push("급식".into());
        let s = reg.merge(Registration {
            institutions: vec![edited],
            ..Default::default()
        });
        assert_eq!(s.updated.len(), 1);
        assert_eq!(s.updated[0].fields, vec!["wanted", "booths"]);
        assert_eq!(s.not_in_file, 1, "i1 was not in the file and is kept");
        let i2 = &reg.institutions[&InstitutionId::parse("i2").unwrap()];
        assert_eq!((i2.version, i2.value.booths), (2, 3));
        assert!(reg
            .institution(&InstitutionId::parse("i1").unwrap())
            .is_some());
    }

    #[test]
    fn availability_cells_round_trip_and_refuse_nonsense() {
        let v = parse_unavailable("r2:7; r1:5,0-2").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].slots, vec![0, 1, 2, 5]);
        assert_eq!(format_unavailable(&v), "r1:0-2,5; r2:7");
        assert_eq!(parse_unavailable("").unwrap(), vec![]);
        for bad in ["r1", "r1:", "r1:a", "r1:3-1", ":1", "r 1:2"] {
            assert!(parse_unavailable(bad).is_err(), "{bad}");
        }
    }
}
