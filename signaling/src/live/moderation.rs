//! What a moderator may do to a meeting's room, and what it changes: extend, shorten or
//! end the slot, mark or clear a no-show. Every decision is made here, from the schedule,
//! the moderators' earlier changes ([`Adjustments`], which the server keeps in one shared
//! store) and the time passed in — not from a room's live state — so any node decides the
//! same, and a moderator's request is answered before any room hears of it.
//!
//! Two moderators acting at once act once: a request to move the end states the end its
//! moderator saw (`expect_ends_at`), and a second request from the same picture is refused
//! as stale; ending or marking twice changes nothing the second time; a retried request
//! (same `request` id) is answered as done without being applied again.

use crate::error::{ErrorCode, Refusal};
use crate::fair::Fair;
use crate::live::room::{Absent, Phase, Window};
use crate::records::record::ModeratorAction;
use crate::time::Timestamp;
use crate::{Meeting, MeetingId, ParticipantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

/// The longest a single extension or shortening may be, in minutes.
pub const MAX_MINUTES: u32 = 60;
/// The longest note a moderator may attach to an action, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// A moderator's change to one room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RoomAction {
    /// Move the slot's end later by `minutes` (from the end, or from now in the grace).
    Extend { minutes: u32 },
    /// Move the slot's end earlier by `minutes` (never before now).
    Shorten { minutes: u32 },
    /// Close the room now.
    End,
    /// Put `absent` on record as a no-show, whatever the room's own check found.
    MarkNoShow { absent: Absent },
    /// Take a no-show off the record (e.g. a side that came late after a network problem).
    ClearNoShow,
}

impl RoomAction {
    /// How the action reads in the record: `extend:300`, `end`, `no_show:vendor`.
    pub fn label(&self) -> String {
        match self {
            RoomAction::Extend { minutes } => format!("extend:{}", u64::from(*minutes) * 60),
            RoomAction::Shorten { minutes } => format!("shorten:{}", u64::from(*minutes) * 60),
            RoomAction::End => "end".into(),
            RoomAction::MarkNoShow { absent } => format!(
                "no_show:{}",
                match absent {
                    Absent::Buyer => "buyer",
                    Absent::Vendor => "vendor",
                    Absent::Both => "both",
                }
            ),
            RoomAction::ClearNoShow => "clear_no_show".into(),
        }
    }
}

/// One moderator's request about one room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRequest {
    pub moderator: ParticipantId,
    pub action: RoomAction,
    /// The slot end the moderator saw when they asked; a different end now means another
    /// moderator changed it meanwhile, and the request is refused as stale.
    pub expect_ends_at: Option<Timestamp>,
    pub note: Option<String>,
    /// The client's id for this request: a retry with the same id is not applied twice.
    pub request: Option<String>,
}

/// A moderator's verdict on the no-show check.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoShowMark {
    Marked { absent: Absent },
    Cleared,
}

/// What moderators changed about one meeting's room, as the shared store keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustments {
    /// The slot's end as moderators set it (`None`: the schedule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Timestamp>,
    /// The room's close as moderators set it (`None`: the policy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_show: Option<NoShowMark>,
    /// Every moderator action on this room, for the record, oldest first.
    #[serde(default)]
    pub actions: Vec<ModeratorAction>,
    /// Request ids already applied.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub requests: BTreeSet<String>,
}

impl Adjustments {
    /// The room's window with the moderators' changes applied to the schedule's `base`.
    pub fn window(&self, base: Window) -> Window {
        Window {
            ends_at: self.ends_at.unwrap_or(base.ends_at),
            closes_at: self.closes_at.unwrap_or(base.closes_at),
            ..base
        }
    }

    /// Who is on record as absent: the room's own check (`observed`), unless a moderator
    /// marked or cleared it.
    pub fn no_show(&self, observed: Option<Absent>) -> Option<Absent> {
        match self.no_show {
            Some(NoShowMark::Marked { absent }) => Some(absent),
            Some(NoShowMark::Cleared) => None,
            None => observed,
        }
    }

    /// Whether a moderator ended the room (its close is then the moderator's, whatever a
    /// node's clock says at the instant it applies it).
    pub fn ended(&self) -> bool {
        self.actions.iter().any(|a| a.action == "end")
    }

    /// Adds an action that needs no decision (a moderator joining or leaving the room).
    pub fn note(&mut self, moderator: &ParticipantId, action: &str, at: Timestamp) {
        self.actions.push(ModeratorAction {
            at,
            moderator: moderator.clone(),
            action: action.into(),
            note: None,
        });
    }
}

/// The facts a decision needs about one meeting.
pub struct RoomContext<'a> {
    pub fair: &'a Fair,
    pub meeting: &'a Meeting,
    /// The room's window under the fair's policy, before any moderator's change.
    pub base: Window,
    /// The fair's grace after a slot, before it is clipped by the booth's next meeting.
    pub grace: Duration,
}

/// Why an extension cannot be as long as asked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocker {
    /// The booth (the institution's buyer) has its next meeting then.
    Booth,
    /// The enterprise's vendor has their next meeting (at any booth) then.
    Vendor,
}

/// Why a moderator's request is refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModerationError {
    #[error("this room closed at {closed_at}")]
    Closed { closed_at: Timestamp },
    #[error("the slot has not started yet (it starts at {starts_at})")]
    NotStarted { starts_at: Timestamp },
    #[error("another moderator changed this room meanwhile: it now ends at {ends_at}")]
    Stale { ends_at: Timestamp },
    #[error(
        "the {} has its next meeting {next} at {starts_at}: the slot can end at {latest} at the latest",
        match by { Blocker::Booth => "booth", Blocker::Vendor => "vendor" }
    )]
    Blocked {
        by: Blocker,
        next: MeetingId,
        starts_at: Timestamp,
        latest: Timestamp,
    },
    #[error("minutes must be between 1 and {MAX_MINUTES}")]
    BadMinutes,
    #[error("a note may be at most {MAX_NOTE_CHARS} characters")]
    BadNote,
}

impl From<ModerationError> for Refusal {
    /// A moderator's refusal concerns one request: the moderator's connection stays.
    fn from(e: ModerationError) -> Self {
        let code = match &e {
            ModerationError::Closed { .. } => ErrorCode::RoomClosed,
            ModerationError::NotStarted { .. } => ErrorCode::TooEarly,
            ModerationError::Stale { .. } => ErrorCode::Conflict,
            ModerationError::Blocked { .. } => ErrorCode::ExtendBlocked,
            ModerationError::BadMinutes | ModerationError::BadNote => ErrorCode::BadMessage,
        };
        let message = match &e {
            ModerationError::Closed { closed_at } => {
                format!("this room closed at {}", closed_at.kst())
            }
            ModerationError::NotStarted { starts_at } => {
                format!("the slot has not started yet (it starts at {})", starts_at.kst())
            }
            ModerationError::Stale { ends_at } => format!(
                "another moderator changed this room meanwhile: it now ends at {}; look again and retry",
                ends_at.kst()
            ),
            ModerationError::Blocked {
                by,
                next,
                starts_at,
                latest,
            } => format!(
                "the {} has its next meeting {next} at {}: this slot can end at {} at the latest",
                match by {
                    Blocker::Booth => "booth",
                    Blocker::Vendor => "vendor",
                },
                starts_at.kst(),
                latest.kst()
            ),
            _ => e.to_string(),
        };
        Refusal::new(code, message).for_request()
    }
}

/// What a granted request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The adjustments to store (unchanged if nothing changed).
    pub adjustments: Adjustments,
    /// The room's window after the request.
    pub window: Window,
    /// Whether anything changed: `false` for a second identical mark or a retried
    /// request.
    pub changed: bool,
}

/// Decides one moderator's request about one room at `now`.
pub fn decide(
    ctx: &RoomContext<'_>,
    adj: &Adjustments,
    req: &RoomRequest,
    now: Timestamp,
) -> Result<Outcome, ModerationError> {
    // Requests reach the store in any order from nodes whose clocks read a moment apart:
    // one decided after another is decided no earlier than it, so an end is never undone
    // by a request stamped a millisecond before it.
    let now = adj.actions.last().map_or(now, |last| now.max(last.at));
    let window = adj.window(ctx.base);
    let unchanged = || Outcome {
        adjustments: adj.clone(),
        window,
        changed: false,
    };
    if req
        .request
        .as_ref()
        .is_some_and(|r| adj.requests.contains(r))
    {
        return Ok(unchanged());
    }
    if req
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(ModerationError::BadNote);
    }
    if window.phase_at(now) == Phase::Closed {
        return Err(ModerationError::Closed {
            closed_at: window.closes_at,
        });
    }
    let mut next = adj.clone();
    match &req.action {
        RoomAction::Extend { minutes } | RoomAction::Shorten { minutes } => {
            if !(1..=MAX_MINUTES).contains(minutes) {
                return Err(ModerationError::BadMinutes);
            }
            if req.expect_ends_at.is_some_and(|e| e != window.ends_at) {
                return Err(ModerationError::Stale {
                    ends_at: window.ends_at,
                });
            }
            let by = Duration::from_secs(u64::from(*minutes) * 60);
            let extend = matches!(req.action, RoomAction::Extend { .. });
            let ends_at = if extend {
                let ends_at = window.ends_at.max(now) + by;
                if let Some((blocker, m)) = first_blocker(ctx, ends_at) {
                    return Err(ModerationError::Blocked {
                        by: blocker,
                        next: m.id.clone(),
                        starts_at: m.slot.start,
                        latest: m.slot.start,
                    });
                }
                ends_at
            } else {
                (window.ends_at - by).max(now).max(window.starts_at)
            };
            next.ends_at = Some(ends_at);
            // Shortening never moves the close later (in the grace the end is already past).
            let close = closes_after(ctx, ends_at);
            next.closes_at = Some(if extend {
                close
            } else {
                close.min(window.closes_at)
            });
        }
        RoomAction::End => {
            next.ends_at = Some(window.ends_at.min(now));
            next.closes_at = Some(now);
        }
        RoomAction::MarkNoShow { absent } => {
            if now < window.starts_at {
                return Err(ModerationError::NotStarted {
                    starts_at: window.starts_at,
                });
            }
            let mark = NoShowMark::Marked { absent: *absent };
            if adj.no_show == Some(mark) {
                return Ok(unchanged());
            }
            next.no_show = Some(mark);
        }
        RoomAction::ClearNoShow => {
            if adj.no_show == Some(NoShowMark::Cleared) {
                return Ok(unchanged());
            }
            next.no_show = Some(NoShowMark::Cleared);
        }
    }
    next.actions.push(ModeratorAction {
        at: now,
        moderator: req.moderator.clone(),
        action: req.action.label(),
        note: req.note.clone().filter(|n| !n.trim().is_empty()),
    });
    if let Some(r) = &req.request {
        next.requests.insert(r.clone());
    }
    let window = next.window(ctx.base);
    Ok(Outcome {
        adjustments: next,
        window,
        changed: true,
    })
}

/// The room's close for a slot ending at `ends_at`: the fair's grace, clipped by the
/// booth's next meeting.
fn closes_after(ctx: &RoomContext<'_>, ends_at: Timestamp) -> Timestamp {
    let close = ends_at + ctx.grace;
    match next_at_booth(ctx) {
        Some(n) if n.slot.start < close => n.slot.start.max(ends_at),
        _ => close,
    }
}

/// The booth's next booked meeting after this one.
fn next_at_booth<'a>(ctx: &RoomContext<'a>) -> Option<&'a Meeting> {
    let m = ctx.meeting;
    ctx.fair
        .meetings_at(&m.institution)
        .filter(|n| n.id != m.id && n.slot.start >= m.slot.start)
        .min_by_key(|n| n.slot.start)
}

/// The vendor's next meeting after this one, at any booth.
fn next_for_vendor<'a>(ctx: &RoomContext<'a>) -> Option<&'a Meeting> {
    let m = ctx.meeting;
    ctx.fair
        .meetings()
        .filter(|n| n.enterprise == m.enterprise && n.id != m.id && n.slot.start >= m.slot.start)
        .min_by_key(|n| n.slot.start)
}

/// The earliest next meeting that a slot ending at `ends_at` would run into.
fn first_blocker<'a>(ctx: &RoomContext<'a>, ends_at: Timestamp) -> Option<(Blocker, &'a Meeting)> {
    [
        next_at_booth(ctx).map(|m| (Blocker::Booth, m)),
        next_for_vendor(ctx).map(|m| (Blocker::Vendor, m)),
    ]
    .into_iter()
    .flatten()
    .filter(|(_, m)| m.slot.start < ends_at)
    .min_by_key(|(_, m)| m.slot.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::room::RoomPolicy;
    use crate::time::minutes;

    const MIN: i64 = 60_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    fn id<T: TryFrom<String>>(s: &str) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(s.to_string()).unwrap()
    }

    /// Back-to-back 20-minute slots from t=60 min (60–80, 80–100, 100–120).
    /// Booth i1: m1 (e1, slot 0), m2 (e2, slot 1). Booth i2: m3 (e3, slot 0), m4 (e4,
    /// slot 2). Booth i3: m5 (e5, slot 0); e5 meets i4 next (m6, slot 1).
    fn fair() -> Fair {
        use crate::fair::{
            Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType,
            MeetingSpec, Participant, Role, Round,
        };
        let inst = |i: &str| Institution {
            id: id(i),
            name: i.into(),
            kind: InstitutionType::District,
        };
        let ent = |e: &str| Enterprise {
            id: id(e),
            name: e.into(),
            kind: EnterpriseType::Cooperative,
        };
        let meeting = |m: &str, slot, i: &str, e: &str| MeetingSpec {
            id: id(m),
            round: id("r1"),
            slot,
            institution: id(i),
            enterprise: id(e),
        };
        Fair::new(
            crate::FairId::parse("f").unwrap(),
            "f",
            FairParts {
                rounds: vec![Round {
                    id: id("r1"),
                    number: 1,
                    theme: "t".into(),
                    starts_at: at(60 * MIN),
                    slot_len: minutes(20),
                    break_len: minutes(0),
                    slots: 3,
                }],
                institutions: ["i1", "i2", "i3", "i4"].map(inst).into(),
                enterprises: ["e1", "e2", "e3", "e4", "e5"].map(ent).into(),
                participants: vec![Participant {
                    id: id("mod1"),
                    name: "mod".into(),
                    role: Role::Moderator,
                    affiliation: Affiliation::Operator,
                }],
                meetings: vec![
                    meeting("m1", 0, "i1", "e1"),
                    meeting("m2", 1, "i1", "e2"),
                    meeting("m3", 0, "i2", "e3"),
                    meeting("m4", 2, "i2", "e4"),
                    meeting("m5", 0, "i3", "e5"),
                    meeting("m6", 1, "i4", "e5"),
                ],
            },
        )
        .unwrap()
    }

    fn ctx<'a>(fair: &'a Fair, id: &str) -> RoomContext<'a> {
        let meeting = fair.meeting(&self::id::<MeetingId>(id)).unwrap();
        let policy = RoomPolicy::default().for_meeting(fair, meeting);
        RoomContext {
            fair,
            meeting,
            base: Window::new(meeting.slot, &policy),
            grace: RoomPolicy::default().timing.grace,
        }
    }

    fn req(action: RoomAction) -> RoomRequest {
        RoomRequest {
            moderator: id("mod1"),
            action,
            expect_ends_at: None,
            note: None,
            request: None,
        }
    }

    #[test]
    fn an_extension_into_free_time_moves_the_end_and_the_close() {
        let fair = fair();
        // m2 is booth i1's last meeting and e2's only one: nothing follows it.
        let c = ctx(&fair, "m2");
        let now = c.base.starts_at + minutes(10);
        let out = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 5 }),
            now,
        )
        .unwrap();
        assert!(out.changed);
        assert_eq!(out.window.ends_at, c.base.ends_at + minutes(5));
        assert_eq!(out.window.closes_at, out.window.ends_at + c.grace);
        assert_eq!(out.adjustments.actions.len(), 1);
        assert_eq!(out.adjustments.actions[0].action, "extend:300");
        assert_eq!(out.adjustments.actions[0].at, now);
    }

    #[test]
    fn an_extension_into_the_booths_next_meeting_is_refused_with_the_latest_end() {
        let fair = fair();
        // m1 at booth i1 (60–80) is followed by m2 at 80.
        let c = ctx(&fair, "m1");
        let now = c.base.starts_at + minutes(5);
        let err = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 1 }),
            now,
        )
        .unwrap_err();
        match err {
            ModerationError::Blocked {
                by, next, latest, ..
            } => {
                assert_eq!(by, Blocker::Booth);
                assert_eq!(next.as_str(), "m2");
                assert_eq!(latest, c.base.ends_at);
            }
            other => panic!("expected blocked, got {other:?}"),
        }
        let refusal: Refusal = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 1 }),
            now,
        )
        .unwrap_err()
        .into();
        assert_eq!(refusal.code, ErrorCode::ExtendBlocked);
        assert!(refusal.message.contains("booth"), "{}", refusal.message);
    }

    #[test]
    fn an_extension_into_the_vendors_next_meeting_elsewhere_is_refused() {
        let fair = fair();
        // m3 (booth i2, 60–80): the booth is free until m4 at 100 and e3 has nothing
        // after: 20 minutes fit, 21 do not.
        let c = ctx(&fair, "m3");
        let now = c.base.starts_at + minutes(5);
        let ok = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 20 }),
            now,
        )
        .unwrap();
        assert_eq!(ok.window.ends_at, c.base.ends_at + minutes(20));
        let err = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 21 }),
            now,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ModerationError::Blocked {
                    by: Blocker::Booth,
                    ..
                }
            ),
            "{err:?}"
        );
        // m5 (booth i3, 60–80): the booth is free, but its vendor e5 meets i4 at 80.
        let c = ctx(&fair, "m5");
        let now = c.base.starts_at + minutes(1);
        let err = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 5 }),
            now,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                ModerationError::Blocked {
                    by: Blocker::Vendor,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn two_moderators_extending_from_the_same_picture_extend_once() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.starts_at + minutes(10);
        let mut first = req(RoomAction::Extend { minutes: 5 });
        first.expect_ends_at = Some(c.base.ends_at);
        let mut second = first.clone();
        second.moderator = id("mod2");
        let out = decide(&c, &Adjustments::default(), &first, now).unwrap();
        let err = decide(&c, &out.adjustments, &second, now).unwrap_err();
        assert_eq!(
            err,
            ModerationError::Stale {
                ends_at: c.base.ends_at + minutes(5)
            }
        );
    }

    #[test]
    fn a_retried_request_is_done_once() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.starts_at + minutes(10);
        let mut r = req(RoomAction::Extend { minutes: 5 });
        r.request = Some("click-1".into());
        let out = decide(&c, &Adjustments::default(), &r, now).unwrap();
        let again = decide(&c, &out.adjustments, &r, now + minutes(1)).unwrap();
        assert!(!again.changed);
        assert_eq!(again.adjustments, out.adjustments);
        assert_eq!(again.window.ends_at, c.base.ends_at + minutes(5));
    }

    #[test]
    fn an_extension_in_the_grace_counts_from_now() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.ends_at + Duration::from_secs(30);
        assert_eq!(c.base.phase_at(now), Phase::Grace);
        let out = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Extend { minutes: 2 }),
            now,
        )
        .unwrap();
        assert_eq!(out.window.ends_at, now + minutes(2));
        assert_eq!(out.window.phase_at(now), Phase::Live);
    }

    #[test]
    fn shortening_never_goes_before_now_and_ending_closes_now() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.starts_at + minutes(15);
        let out = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Shorten { minutes: 3 }),
            now,
        )
        .unwrap();
        assert_eq!(out.window.ends_at, c.base.ends_at - minutes(3));
        let out = decide(
            &c,
            &out.adjustments,
            &req(RoomAction::Shorten { minutes: 60 }),
            now,
        )
        .unwrap();
        assert_eq!(out.window.ends_at, now);
        assert_eq!(out.window.phase_at(now), Phase::Grace);
        let ended = decide(&c, &out.adjustments, &req(RoomAction::End), now).unwrap();
        assert_eq!(ended.window.closes_at, now);
        assert_eq!(ended.window.phase_at(now), Phase::Closed);
        let labels: Vec<_> = ended
            .adjustments
            .actions
            .iter()
            .map(|a| a.action.as_str())
            .collect();
        assert_eq!(labels, ["shorten:180", "shorten:3600", "end"]);
        // A second moderator ending it too: refused, the room is closed.
        let err = decide(&c, &ended.adjustments, &req(RoomAction::End), now).unwrap_err();
        assert_eq!(err, ModerationError::Closed { closed_at: now });
        let refusal: Refusal = err.into();
        assert_eq!(refusal.code, ErrorCode::RoomClosed);
        assert!(!refusal.is_fatal());
    }

    #[test]
    fn a_request_stamped_before_the_last_change_is_decided_after_it() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let t = c.base.starts_at + minutes(5);
        let mut second = req(RoomAction::End);
        second.moderator = id("mod2");
        let ended = decide(&c, &Adjustments::default(), &second, t).unwrap();
        // Another node's end, read a millisecond earlier, arrives after it: refused.
        let early = t - Duration::from_millis(1);
        assert_eq!(
            decide(&c, &ended.adjustments, &req(RoomAction::End), early),
            Err(ModerationError::Closed { closed_at: t })
        );
    }

    #[test]
    fn shortening_in_the_grace_never_moves_the_close_later() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.ends_at + Duration::from_secs(10);
        assert_eq!(c.base.phase_at(now), Phase::Grace);
        let out = decide(
            &c,
            &Adjustments::default(),
            &req(RoomAction::Shorten { minutes: 1 }),
            now,
        )
        .unwrap();
        assert_eq!(out.window.ends_at, now);
        assert!(out.window.closes_at <= c.base.closes_at, "{:?}", out.window);
        // Huge minutes are refused, not overflowed.
        assert_eq!(
            decide(
                &c,
                &Adjustments::default(),
                &req(RoomAction::Extend { minutes: u32::MAX }),
                now
            ),
            Err(ModerationError::BadMinutes)
        );
        assert_eq!(
            RoomAction::Extend { minutes: u32::MAX }.label(),
            format!("extend:{}", u64::from(u32::MAX) * 60)
        );
    }

    #[test]
    fn a_closed_room_takes_no_action() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.closes_at;
        for action in [
            RoomAction::Extend { minutes: 1 },
            RoomAction::End,
            RoomAction::ClearNoShow,
        ] {
            assert!(matches!(
                decide(&c, &Adjustments::default(), &req(action), now),
                Err(ModerationError::Closed { .. })
            ));
        }
    }

    #[test]
    fn marking_a_no_show_overrides_the_check_and_clearing_takes_it_off() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let early = c.base.starts_at - Duration::from_secs(1);
        let mark = RoomAction::MarkNoShow {
            absent: Absent::Vendor,
        };
        assert_eq!(
            decide(&c, &Adjustments::default(), &req(mark.clone()), early),
            Err(ModerationError::NotStarted {
                starts_at: c.base.starts_at
            })
        );
        let now = c.base.starts_at + minutes(6);
        let mut r = req(mark);
        r.note = Some("전화 연결 안 됨 / no answer on the phone".into());
        let marked = decide(&c, &Adjustments::default(), &r, now).unwrap();
        assert_eq!(marked.adjustments.no_show(None), Some(Absent::Vendor));
        assert_eq!(
            marked.adjustments.actions[0].note.as_deref(),
            Some("전화 연결 안 됨 / no answer on the phone")
        );
        // The same mark again changes nothing and adds no second action.
        let again = decide(&c, &marked.adjustments, &r, now).unwrap();
        assert!(!again.changed);
        assert_eq!(again.adjustments.actions.len(), 1);
        let cleared = decide(&c, &marked.adjustments, &req(RoomAction::ClearNoShow), now).unwrap();
        assert_eq!(cleared.adjustments.no_show(Some(Absent::Vendor)), None);
        assert_eq!(cleared.adjustments.actions.len(), 2);
        let mut long = req(RoomAction::ClearNoShow);
        long.note = Some("x".repeat(MAX_NOTE_CHARS + 1));
        assert_eq!(
            decide(&c, &Adjustments::default(), &long, now),
            Err(ModerationError::BadNote)
        );
    }

    #[test]
    fn minutes_out_of_range_are_refused() {
        let fair = fair();
        let c = ctx(&fair, "m2");
        let now = c.base.starts_at;
        for m in [0, MAX_MINUTES + 1] {
            assert_eq!(
                decide(
                    &c,
                    &Adjustments::default(),
                    &req(RoomAction::Extend { minutes: m }),
                    now
                ),
                Err(ModerationError::BadMinutes)
            );
        }
    }
}
