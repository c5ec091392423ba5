//! Before the fair: registrations, requests, matches, the scheduler and publishing — the
//! rules of the weeks before a fair day.
//!
//! The whole preparation is one document, [`Prep`], changed only by [`Prep::apply`] with an
//! [`Edit`], the acting participant and the time. The server keeps the document (a file or
//! Redis), applies edits under a compare-and-set on [`Prep::version`], and retries when
//! another edit landed first; what staff see as "someone else changed it" is the version
//! on each record (a match, a request, a registered row, a draft), which an edit names and
//! which this module checks. So two staff members editing different matches never refuse
//! each other, and the same match is never silently overwritten.

pub mod assignment;
pub mod candidates;
pub mod drafting;
pub mod export;
pub mod matches;
pub mod proposal;
pub mod registry;
pub mod relevance;
pub mod requests;
pub mod schedule;
pub mod suggest;
pub mod timetable;

use crate::error::{ErrorCode, Refusal};
use crate::fair::{Affiliation, Role, Round};
use crate::ids::{EnterpriseId, InstitutionId, ParticipantId, RoundId};
use crate::time::Timestamp;
use matches::{Match, MatchId, MatchStatus, Origin, NOTE_MAX_CHARS};
use registry::{ImportSummary, Registration, Registry};
use requests::{Direction, Request, RequestId, RequestRules, RequestStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use timetable::{Booked, Change, Draft, Publication, PublicationKind};

/// Why an edit was refused. Each becomes one [`Refusal`] code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepError {
    #[error("{what} {id} was changed by someone else (now version {current}, you had {yours}); reload and try again")]
    Stale {
        what: &'static str,
        id: String,
        current: u64,
        yours: u64,
    },
    #[error("no request {0}")]
    UnknownRequest(RequestId),
    #[error("no match {0}")]
    UnknownMatch(MatchId),
    #[error("no registered {0} {1}")]
    UnknownOrganisation(&'static str, String),
    #[error("the fair has no round {0}")]
    UnknownRound(String),
    #[error("{0} is not registered for this fair; staff import the registrations first")]
    NotRegistered(String),
    #[error("{0}")]
    WrongRole(String),
    #[error("request {0} is neither from nor to your organisation")]
    NotYours(RequestId),
    #[error("{0}")]
    Duplicate(String),
    #[error("{0}")]
    Limit(String),
    #[error("request {id} is {status:?} already")]
    Closed {
        id: RequestId,
        status: RequestStatus,
    },
    #[error("{0}")]
    NotAttending(String),
    #[error("{0}")]
    NoDraft(String),
    #[error("{0}")]
    BadInput(String),
}

impl From<PrepError> for Refusal {
    fn from(e: PrepError) -> Refusal {
        let code = match &e {
            PrepError::Stale { .. } => ErrorCode::StaleVersion,
            PrepError::UnknownRequest(_) => ErrorCode::UnknownRequest,
            PrepError::UnknownMatch(_) => ErrorCode::UnknownMatch,
            PrepError::UnknownOrganisation(..) => ErrorCode::UnknownOrganisation,
            PrepError::UnknownRound(_) => ErrorCode::UnknownRound,
            PrepError::NotRegistered(_) => ErrorCode::UnknownParticipant,
            PrepError::WrongRole(_) => ErrorCode::WrongRole,
            PrepError::NotYours(_) => ErrorCode::NotYourRequest,
            PrepError::Duplicate(_) => ErrorCode::AlreadyRequested,
            PrepError::Limit(_) => ErrorCode::RequestLimit,
            PrepError::Closed { .. } => ErrorCode::RequestClosed,
            PrepError::NotAttending(_) => ErrorCode::NotAttending,
            PrepError::NoDraft(_) => ErrorCode::NoDraft,
            PrepError::BadInput(_) => ErrorCode::BadMessage,
        };
        Refusal::new(code, e.to_string())
    }
}

/// Per-fair settings staff change on the preparation page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepSettings {
    pub requests: RequestRules,
    /// Free slots an enterprise needs between two meetings (0: back to back is fine).
    pub min_gap_slots: u32,
    /// Slots nobody meets in, per round (a lunch break).
    pub break_slots: BTreeMap<RoundId, Vec<u32>>,
}

/// The whole preparation of one fair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prep {
    /// Moves on with every applied edit; the store's compare-and-set is on this.
    pub version: u64,
    pub settings: PrepSettings,
    pub settings_version: u64,
    pub registry: Registry,
    pub requests: BTreeMap<RequestId, Request>,
    pub matches: BTreeMap<MatchId, Match>,
    pub drafts: BTreeMap<RoundId, Draft>,
    /// Every publication, oldest first; the last is what participants see.
    pub publications: Vec<Publication>,
    /// The publication each participant last looked at.
    pub seen: BTreeMap<ParticipantId, u32>,
    pub next_request: RequestId,
    pub next_match: MatchId,
}

/// Who edits: the participant from the token.
#[derive(Clone, Debug)]
pub struct Actor {
    pub participant: ParticipantId,
    pub role: Role,
}

/// An organisation id as a request names its counterpart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Counterpart {
    Institution(InstitutionId),
    Enterprise(EnterpriseId),
}

/// Every change to a fair's preparation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum Edit {
    /// Staff: merge a registration import.
    Import { registration: Registration },
    /// Staff: replace the settings.
    Settings {
        expected_version: u64,
        settings: PrepSettings,
    },
    /// A buyer invites an enterprise, or a vendor asks an institution.
    Request {
        round: RoundId,
        to: Counterpart,
        #[serde(default)]
        reason: String,
    },
    /// The other side accepts or declines.
    Answer {
        request: RequestId,
        expected_version: u64,
        accept: bool,
    },
    /// The sender takes a pending request back.
    Withdraw {
        request: RequestId,
        expected_version: u64,
    },
    /// Staff make matches directly (by hand, from a suggestion, or a proposal's pairs).
    CreateMatches {
        round: RoundId,
        pairs: Vec<(InstitutionId, EnterpriseId)>,
        #[serde(default)]
        from_proposal: bool,
        #[serde(default)]
        note: String,
    },
    /// Staff change a match: another round, a note, or call it off / back on.
    UpdateMatch {
        id: MatchId,
        expected_version: u64,
        #[serde(default)]
        round: Option<RoundId>,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        cancelled: Option<bool>,
    },
    /// Staff: keep a draft made by [`Prep::draft`] (made outside, applied if nothing it
    /// was made from changed: the draft's version is `drafts[round].version + 1`).
    KeepDraft { draft: Draft },
    /// Staff publish the drafts they reviewed (`round → draft version`).
    Publish {
        kind: PublicationKind,
        drafts: BTreeMap<RoundId, u64>,
    },
    /// A participant looked at their timetable as of publication `number`.
    Seen { number: u32 },
}

/// What an applied edit did, for the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "did", rename_all = "snake_case")]
pub enum Outcome {
    Imported {
        summary: ImportSummary,
    },
    Settings {
        version: u64,
    },
    Request {
        request: Request,
    },
    Matches {
        matches: Vec<Match>,
    },
    Match {
        r#match: Match,
    },
    Draft {
        draft: Draft,
    },
    Published {
        number: u32,
        meetings: usize,
    },
    Seen {
        number: u32,
    },
    /// The edit asked for what already is (a repeated `seen`); nothing was written.
    Nothing,
}

fn stale(what: &'static str, id: impl ToString, current: u64, yours: u64) -> PrepError {
    PrepError::Stale {
        what,
        id: id.to_string(),
        current,
        yours,
    }
}

fn require_staff(actor: &Actor, what: &str) -> Result<(), PrepError> {
    if actor.role == Role::Staff {
        Ok(())
    } else {
        Err(PrepError::WrongRole(format!("only staff may {what}")))
    }
}

impl Prep {
    /// Applies one edit as of `now`. On `Err` the document is unchanged; on `Ok` the
    /// version has moved on exactly when [`Outcome::changed`].
    pub fn apply(
        &mut self,
        actor: &Actor,
        edit: Edit,
        now: Timestamp,
        rounds: &[Round],
    ) -> Result<Outcome, PrepError> {
        let mut next = self.clone();
        next.expire(now);
        let outcome = next.apply_inner(actor, edit, now, rounds)?;
        if outcome.changed() {
            next.version += 1;
            *self = next;
        }
        Ok(outcome)
    }

    fn apply_inner(
        &mut self,
        actor: &Actor,
        edit: Edit,
        now: Timestamp,
        rounds: &[Round],
    ) -> Result<Outcome, PrepError> {
        let round_of = |id: &RoundId| {
            rounds
                .iter()
                .find(|r| &r.id == id)
                .ok_or_else(|| PrepError::UnknownRound(id.to_string()))
        };
        match edit {
            Edit::Import { registration } => {
                require_staff(actor, "import registrations")?;
                let summary = self.registry.merge(registration);
                Ok(Outcome::Imported { summary })
            }
            Edit::Settings {
                expected_version,
                settings,
            } => {
                require_staff(actor, "change the settings")?;
                if expected_version != self.settings_version {
                    return Err(stale(
                        "settings",
                        "",
                        self.settings_version,
                        expected_version,
                    ));
                }
                for (r, slots) in &settings.break_slots {
                    let round = round_of(r)?;
                    if let Some(s) = slots.iter().find(|s| **s >= round.slots) {
                        return Err(PrepError::BadInput(format!(
                            "break slot {s} is past round {r}'s {} slots",
                            round.slots
                        )));
                    }
                }
                if settings.requests.ttl_hours == 0 {
                    return Err(PrepError::BadInput(
                        "requests must wait at least one hour".into(),
                    ));
                }
                self.settings = settings;
                self.settings_version += 1;
                Ok(Outcome::Settings {
                    version: self.settings_version,
                })
            }
            Edit::Request { round, to, reason } => {
                round_of(&round)?;
                let reason = requests::check_reason(&reason)?;
                self.request(actor, round, to, reason, now)
            }
            Edit::Answer {
                request,
                expected_version,
                accept,
            } => self.answer(actor, request, expected_version, accept, now),
            Edit::Withdraw {
                request,
                expected_version,
            } => {
                let r = self
                    .requests
                    .get_mut(&request)
                    .ok_or(PrepError::UnknownRequest(request))?;
                if r.from != actor.participant {
                    return Err(PrepError::NotYours(request));
                }
                if r.status != RequestStatus::Pending {
                    return Err(PrepError::Closed {
                        id: request,
                        status: r.status,
                    });
                }
                if r.version != expected_version {
                    return Err(stale("request", request, r.version, expected_version));
                }
                r.status = RequestStatus::Withdrawn;
                r.version += 1;
                r.answered_at = Some(now);
                Ok(Outcome::Request { request: r.clone() })
            }
            Edit::CreateMatches {
                round,
                pairs,
                from_proposal,
                note,
            } => {
                require_staff(actor, "make matches")?;
                round_of(&round)?;
                let note = check_note(&note)?;
                if pairs.is_empty() {
                    return Err(PrepError::BadInput("no pairs to match".into()));
                }
                let origin = if from_proposal {
                    Origin::Proposal
                } else {
                    Origin::Staff
                };
                let mut made = Vec::new();
                for (i, e) in pairs {
                    self.check_pair(&i, &e, &round)?;
                    if self.live_match(&i, &e, &round).is_some() {
                        if from_proposal {
                            // A proposal accepted twice, or partly made by hand meanwhile:
                            // the pairs already matched stay as they are.
                            continue;
                        }
                        return Err(PrepError::Duplicate(format!(
                            "{i} and {e} are matched in round {round} already"
                        )));
                    }
                    made.push(self.add_match(
                        i,
                        e,
                        round.clone(),
                        origin,
                        note.clone(),
                        now,
                        actor,
                    ));
                }
                if made.is_empty() {
                    return Ok(Outcome::Nothing);
                }
                Ok(Outcome::Matches { matches: made })
            }
            Edit::UpdateMatch {
                id,
                expected_version,
                round,
                note,
                cancelled,
            } => {
                require_staff(actor, "change matches")?;
                let current = self.matches.get(&id).ok_or(PrepError::UnknownMatch(id))?;
                if current.version != expected_version {
                    return Err(stale("match", id, current.version, expected_version));
                }
                let mut m = current.clone();
                if let Some(r) = round {
                    round_of(&r)?;
                    self.check_pair(&m.institution, &m.enterprise, &r)?;
                    m.round = r;
                }
                if let Some(n) = note {
                    m.note = check_note(&n)?;
                }
                if let Some(c) = cancelled {
                    m.status = if c {
                        MatchStatus::Cancelled
                    } else {
                        MatchStatus::Accepted
                    };
                }
                if m.is_accepted()
                    && self.matches.values().any(|o| {
                        o.id != id
                            && o.is_accepted()
                            && o.is_between(&m.institution, &m.enterprise, &m.round)
                    })
                {
                    return Err(PrepError::Duplicate(format!(
                        "{} and {} are matched in round {} already",
                        m.institution, m.enterprise, m.round
                    )));
                }
                if m == *current {
                    return Ok(Outcome::Nothing);
                }
                m.version += 1;
                self.matches.insert(id, m.clone());
                Ok(Outcome::Match { r#match: m })
            }
            Edit::KeepDraft { draft } => {
                require_staff(actor, "schedule")?;
                round_of(&draft.round)?;
                let current = self.drafts.get(&draft.round).map_or(0, |d| d.version);
                if draft.version != current + 1 {
                    return Err(stale("draft", &draft.round, current, draft.version - 1));
                }
                self.drafts.insert(draft.round.clone(), draft.clone());
                Ok(Outcome::Draft { draft })
            }
            Edit::Publish { kind, drafts } => {
                require_staff(actor, "publish")?;
                if drafts.is_empty() {
                    return Err(PrepError::NoDraft("name the drafts to publish".into()));
                }
                let mut booked = Vec::new();
                for (round, version) in &drafts {
                    let d = self.drafts.get(round).ok_or_else(|| {
                        PrepError::NoDraft(format!("round {round} has no draft schedule"))
                    })?;
                    if d.version != *version {
                        return Err(stale("draft", round, d.version, *version));
                    }
                    booked.extend(d.booked.iter().cloned());
                }
                // Rounds not named keep what the last publication had for them.
                if let Some(last) = self.publications.last() {
                    booked.extend(
                        last.booked
                            .iter()
                            .filter(|b| !drafts.contains_key(&b.round))
                            .cloned(),
                    );
                }
                booked.sort_by(|a, b| {
                    (&a.round, a.slot, &a.meeting).cmp(&(&b.round, b.slot, &b.meeting))
                });
                let number = self.publications.len() as u32 + 1;
                let meetings = booked.len();
                self.publications.push(Publication {
                    number,
                    kind,
                    at: now,
                    booked,
                });
                Ok(Outcome::Published { number, meetings })
            }
            Edit::Seen { number } => {
                let latest = self.publications.len() as u32;
                if number == 0 || number > latest {
                    return Err(PrepError::BadInput(format!(
                        "publication {number} does not exist (latest is {latest})"
                    )));
                }
                if self.seen.get(&actor.participant) == Some(&number) {
                    return Ok(Outcome::Nothing);
                }
                self.seen.insert(actor.participant.clone(), number);
                Ok(Outcome::Seen { number })
            }
        }
    }

    /// Marks pending requests past their expiry as expired.
    fn expire(&mut self, now: Timestamp) {
        for r in self.requests.values_mut() {
            if r.status_at(now) == RequestStatus::Expired && r.status == RequestStatus::Pending {
                r.status = RequestStatus::Expired;
                r.version += 1;
            }
        }
    }

    fn check_pair(
        &self,
        i: &InstitutionId,
        e: &EnterpriseId,
        round: &RoundId,
    ) -> Result<(), PrepError> {
        let inst = self
            .registry
            .institution(i)
            .ok_or_else(|| PrepError::UnknownOrganisation("institution", i.to_string()))?;
        let ent = self
            .registry
            .enterprise(e)
            .ok_or_else(|| PrepError::UnknownOrganisation("enterprise", e.to_string()))?;
        if !inst.attends(round) {
            return Err(PrepError::NotAttending(format!(
                "{} does not take part in round {round}",
                inst.name
            )));
        }
        if !ent.attends(round) {
            return Err(PrepError::NotAttending(format!(
                "{} does not take part in round {round}",
                ent.name
            )));
        }
        Ok(())
    }

    pub fn live_match(
        &self,
        i: &InstitutionId,
        e: &EnterpriseId,
        round: &RoundId,
    ) -> Option<&Match> {
        self.matches
            .values()
            .find(|m| m.is_accepted() && m.is_between(i, e, round))
    }

    #[allow(clippy::too_many_arguments)]
    fn add_match(
        &mut self,
        institution: InstitutionId,
        enterprise: EnterpriseId,
        round: RoundId,
        origin: Origin,
        note: String,
        now: Timestamp,
        actor: &Actor,
    ) -> Match {
        self.next_match += 1;
        let m = Match {
            id: self.next_match,
            version: 1,
            institution,
            enterprise,
            round,
            origin,
            status: MatchStatus::Accepted,
            note,
            created_at: now,
            created_by: actor.participant.clone(),
        };
        self.matches.insert(m.id, m.clone());
        m
    }

    /// The organisation a buyer or vendor speaks for, from the registrations.
    fn side_of(&self, actor: &Actor) -> Result<Affiliation, PrepError> {
        let p = self
            .registry
            .participants
            .get(&actor.participant)
            .ok_or_else(|| PrepError::NotRegistered(actor.participant.to_string()))?;
        Ok(p.value.affiliation.clone())
    }

    fn request(
        &mut self,
        actor: &Actor,
        round: RoundId,
        to: Counterpart,
        reason: String,
        now: Timestamp,
    ) -> Result<Outcome, PrepError> {
        let (direction, institution, enterprise) = match (actor.role, self.side_of(actor)?, to) {
            (Role::Vendor, Affiliation::Enterprise(e), Counterpart::Institution(i)) => {
                (Direction::VendorAsks, i, e)
            }
            (Role::Buyer, Affiliation::Institution(i), Counterpart::Enterprise(e)) => {
                (Direction::InstitutionInvites, i, e)
            }
            (Role::Vendor | Role::Buyer, _, _) => {
                return Err(PrepError::WrongRole(
                    "a vendor asks an institution and a buyer invites an enterprise".into(),
                ))
            }
            _ => {
                return Err(PrepError::WrongRole(
                    "only buyers and vendors send requests; staff make matches".into(),
                ))
            }
        };
        self.check_pair(&institution, &enterprise, &round)?;
        if self.live_match(&institution, &enterprise, &round).is_some()
            || self
                .requests
                .values()
                .any(|r| r.is_live(now) && r.is_between(&institution, &enterprise, &round))
        {
            return Err(PrepError::Duplicate(format!(
                "{institution} and {enterprise} have a request or a match in round {round} already"
            )));
        }
        let rules = &self.settings.requests;
        let sent = self
            .requests
            .values()
            .filter(|r| r.from == actor.participant && r.is_live(now))
            .count() as u32;
        if sent >= rules.max_sent {
            return Err(PrepError::Limit(format!(
                "you have {sent} open or accepted requests, the most this fair allows"
            )));
        }
        let received = self
            .requests
            .values()
            .filter(|r| {
                r.status_at(now) == RequestStatus::Pending
                    && match direction {
                        Direction::VendorAsks => {
                            r.institution == institution && r.direction == Direction::VendorAsks
                        }
                        Direction::InstitutionInvites => {
                            r.enterprise == enterprise
                                && r.direction == Direction::InstitutionInvites
                        }
                    }
            })
            .count() as u32;
        if received >= rules.max_received {
            return Err(PrepError::Limit(format!(
                "the other side has {received} requests waiting for an answer, the most this fair allows; try later"
            )));
        }
        self.next_request += 1;
        let id = self.next_request;
        let mut r = Request {
            id,
            version: 1,
            direction,
            from: actor.participant.clone(),
            institution,
            enterprise,
            round,
            reason,
            status: RequestStatus::Pending,
            created_at: now,
            expires_at: now + Duration::from_secs(u64::from(rules.ttl_hours) * 3600),
            answered_by: None,
            answered_at: None,
            made_match: None,
        };
        if rules.auto_accept {
            let m = self.add_match(
                r.institution.clone(),
                r.enterprise.clone(),
                r.round.clone(),
                Origin::Request(id),
                String::new(),
                now,
                actor,
            );
            r.status = RequestStatus::Accepted;
            r.answered_at = Some(now);
            r.made_match = Some(m.id);
        }
        self.requests.insert(id, r.clone());
        Ok(Outcome::Request { request: r })
    }

    fn answer(
        &mut self,
        actor: &Actor,
        id: RequestId,
        expected_version: u64,
        accept: bool,
        now: Timestamp,
    ) -> Result<Outcome, PrepError> {
        let side = self.side_of(actor)?;
        let r = self
            .requests
            .get(&id)
            .ok_or(PrepError::UnknownRequest(id))?;
        let answering_side = match r.direction {
            Direction::VendorAsks => Affiliation::Institution(r.institution.clone()),
            Direction::InstitutionInvites => Affiliation::Enterprise(r.enterprise.clone()),
        };
        if side != answering_side {
            return Err(PrepError::NotYours(id));
        }
        // Closed first: an answer to an expired request should say so, not "stale"
        // because the expiry moved its version on.
        if r.status != RequestStatus::Pending {
            return Err(PrepError::Closed {
                id,
                status: r.status,
            });
        }
        if r.version != expected_version {
            return Err(stale("request", id, r.version, expected_version));
        }
        let mut r = r.clone();
        r.version += 1;
        r.answered_by = Some(actor.participant.clone());
        r.answered_at = Some(now);
        if accept {
            // A match staff made meanwhile between the same two is the same meeting.
            let existing = self
                .live_match(&r.institution, &r.enterprise, &r.round)
                .map(|m| m.id);
            let m = match existing {
                Some(m) => m,
                None => {
                    self.add_match(
                        r.institution.clone(),
                        r.enterprise.clone(),
                        r.round.clone(),
                        Origin::Request(id),
                        String::new(),
                        now,
                        actor,
                    )
                    .id
                }
            };
            r.status = RequestStatus::Accepted;
            r.made_match = Some(m);
        } else {
            r.status = RequestStatus::Declined;
        }
        self.requests.insert(id, r.clone());
        Ok(Outcome::Request { request: r })
    }

    /// The latest publication, if any.
    pub fn published(&self) -> Option<&Publication> {
        self.publications.last()
    }

    /// A participant's requests, sent by them or addressed to their organisation.
    pub fn requests_of(&self, participant: &ParticipantId) -> Vec<&Request> {
        let side = self
            .registry
            .participants
            .get(participant)
            .map(|p| p.value.affiliation.clone());
        self.requests
            .values()
            .filter(|r| {
                &r.from == participant
                    || match &side {
                        Some(Affiliation::Institution(i)) => &r.institution == i,
                        Some(Affiliation::Enterprise(e)) => &r.enterprise == e,
                        _ => false,
                    }
            })
            .collect()
    }

    /// An organisation's meetings in publication `number` (or the latest).
    pub fn timetable_of(&self, side: &Affiliation, number: Option<u32>) -> Vec<&Booked> {
        let p = match number {
            Some(n) => self.publications.get(n as usize - 1),
            None => self.publications.last(),
        };
        p.into_iter()
            .flat_map(|p| p.booked.iter())
            .filter(|b| match side {
                Affiliation::Institution(i) => &b.institution == i,
                Affiliation::Enterprise(e) => &b.enterprise == e,
                Affiliation::Operator => false,
            })
            .collect()
    }

    /// What changed in a participant's timetable since the publication they last saw
    /// (everything is new to someone who never looked).
    pub fn changes_for(&self, participant: &ParticipantId, side: &Affiliation) -> Vec<Change> {
        let seen = self.seen.get(participant).copied();
        let old = match seen {
            Some(n) => self.timetable_of(side, Some(n)),
            None => Vec::new(),
        };
        timetable::changes(old, self.timetable_of(side, None))
    }

    /// Accepted matches of a round, in id order.
    pub fn accepted_in(&self, round: &RoundId) -> Vec<&Match> {
        self.matches
            .values()
            .filter(|m| m.is_accepted() && &m.round == round)
            .collect()
    }
}

impl Outcome {
    /// Whether the document changed (a repeated import or `seen` did not: the store
    /// writes nothing and the version stays).
    pub fn changed(&self) -> bool {
        match self {
            Outcome::Nothing => false,
            Outcome::Imported { summary } => !summary.changed_nothing(),
            _ => true,
        }
    }
}

fn check_note(note: &str) -> Result<String, PrepError> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(PrepError::BadInput(format!(
            "the note is longer than {NOTE_MAX_CHARS} characters"
        )));
    }
    Ok(note.to_string())
}

#[cfg(test)]
mod tests;
