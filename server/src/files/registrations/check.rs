//! The checks that need more than one row: an id twice in one import (across files and
//! sheets too), and a participant's 소속 that must name an organisation of the right kind,
//! in this import or registered before.

use super::problems::Problems;
use super::rows::{organisation_of, At, Parsed};
use sangdam_signaling::fair::{Affiliation, Role};
use sangdam_signaling::prep::registry::{ParticipantEntry, Registration, Registry};
use sangdam_signaling::{EnterpriseId, InstitutionId};
use std::collections::{HashMap, HashSet};

/// Runs the checks over everything read and gives the registration they allow (only used
/// when `problems` stays empty).
pub(super) fn finish(parsed: Parsed, known: &Registry, problems: &mut Problems) -> Registration {
    duplicates(
        "institution",
        parsed
            .institutions
            .iter()
            .map(|(at, e)| (at, e.id.to_string())),
        problems,
    );
    duplicates(
        "enterprise",
        parsed
            .enterprises
            .iter()
            .map(|(at, e)| (at, e.id.to_string())),
        problems,
    );
    duplicates(
        "participant",
        parsed
            .participants
            .iter()
            .map(|(at, p)| (at, p.id.to_string())),
        problems,
    );

    let institutions: HashSet<String> = parsed
        .institutions
        .iter()
        .map(|(_, e)| e.id.to_string())
        .chain(parsed.broken_institutions.iter().cloned())
        .chain(known.institutions.keys().map(|k| k.to_string()))
        .collect();
    let enterprises: HashSet<String> = parsed
        .enterprises
        .iter()
        .map(|(_, e)| e.id.to_string())
        .chain(parsed.broken_enterprises.iter().cloned())
        .chain(known.enterprises.keys().map(|k| k.to_string()))
        .collect();

    let mut participants = Vec::with_capacity(parsed.participants.len());
    for (at, p) in parsed.participants {
        let affiliation = match (&p.org, p.role) {
            (None, _) => Affiliation::Operator,
            (Some(org), role) => {
                let (own, other) = match role {
                    Role::Vendor => (&enterprises, &institutions),
                    _ => (&institutions, &enterprises),
                };
                let (what, noun, sheet) = organisation_of(role);
                let other_kind = if role == Role::Vendor {
                    Role::Buyer
                } else {
                    Role::Vendor
                };
                if !own.contains(org) {
                    let reason = if other.contains(org) {
                        format!(
                            "{org} is not {what} but {}; a {} must belong to {what} (expected an 아이디 from the {sheet} sheet)",
                            organisation_of(other_kind).0,
                            role.as_str()
                        )
                    } else {
                        format!(
                            "unknown {noun} {org:?}: neither in this import nor registered before (expected an 아이디 from the {sheet} sheet)"
                        )
                    };
                    problems.push(&at.sheet, at.row, Some("소속"), reason);
                    continue;
                }
                // The id was checked when the row was read, so parsing cannot fail here.
                match role {
                    Role::Vendor => match EnterpriseId::parse(org.clone()) {
                        Ok(id) => Affiliation::Enterprise(id),
                        Err(_) => continue,
                    },
                    _ => match InstitutionId::parse(org.clone()) {
                        Ok(id) => Affiliation::Institution(id),
                        Err(_) => continue,
                    },
                }
            }
        };
        participants.push(ParticipantEntry {
            id: p.id,
            name: p.name,
            role: p.role,
            affiliation,
            phone: p.phone,
            email: p.email,
        });
    }

    Registration {
        institutions: parsed.institutions.into_iter().map(|(_, e)| e).collect(),
        enterprises: parsed.enterprises.into_iter().map(|(_, e)| e).collect(),
        participants,
    }
}

/// Reports every row whose id an earlier row already has, naming that first row.
fn duplicates<'a>(
    what: &str,
    rows: impl Iterator<Item = (&'a At, String)>,
    problems: &mut Problems,
) {
    let mut first: HashMap<String, &At> = HashMap::new();
    for (at, id) in rows {
        match first.get(&id) {
            Some(earlier) => problems.push(
                &at.sheet,
                at.row,
                Some("아이디"),
                format!("duplicate {what} id {id:?}, first on {earlier} (expected each id once per import)"),
            ),
            None => {
                first.insert(id, at);
            }
        }
    }
}
