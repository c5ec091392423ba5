//! The timed room of one meeting: when it opens, when the call may start, when it warns and
//! when it closes. A sans-IO state machine in the style of str0m: feed it input with the
//! current time, drain events with [`Room::poll_event`], and sleep until
//! [`Room::poll_timeout`].
//!
//! Lifecycle: scheduled → check-in (some minutes before the slot) → live (slot start,
//! warnings at e.g. 5 and 1 minutes left) → grace (after the slot end, if the booth's next
//! meeting leaves room) → closed. A moderator or participant may end it early.

use crate::error::{ErrorCode, Refusal};
use crate::fair::Slot;
use crate::live::policy::{self, Timing};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// The timing rules a fair applies to every room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomPolicy {
    /// Check-in, no-show and grace timings, shared with the lobby.
    pub timing: Timing,
    /// Remaining times at which both sides are warned, e.g. 5 and 1 minutes.
    pub warnings: Vec<Duration>,
    /// What the sides may send each other over the data channel.
    pub files: crate::live::sharing::FileLimits,
}

impl Default for RoomPolicy {
    fn default() -> Self {
        Self {
            timing: Timing::default(),
            warnings: vec![Duration::from_secs(5 * 60), Duration::from_secs(60)],
            files: Default::default(),
        }
    }
}

impl RoomPolicy {
    /// The policy for one meeting: its grace clipped by the booth's next meeting
    /// ([`Timing::grace_for`]).
    pub fn for_meeting(&self, fair: &crate::Fair, meeting: &crate::Meeting) -> RoomPolicy {
        RoomPolicy {
            timing: Timing {
                grace: self.timing.grace_for(fair, meeting),
                ..self.timing
            },
            ..self.clone()
        }
    }
}

/// Where a room is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Before check-in: nobody may enter.
    Scheduled,
    /// Participants may enter and wait; no call yet.
    CheckIn,
    /// The slot is running: the call may start.
    Live,
    /// After the slot end, before the room closes.
    Grace,
    /// Over. Nobody may enter again.
    Closed,
}

impl Phase {
    /// Every phase, in the order a room goes through them.
    pub const ALL: [Phase; 5] = [
        Phase::Scheduled,
        Phase::CheckIn,
        Phase::Live,
        Phase::Grace,
        Phase::Closed,
    ];

    /// Whether the two sides may talk.
    pub fn is_open_for_call(self) -> bool {
        matches!(self, Phase::Live | Phase::Grace)
    }
}

/// The two sides of a meeting.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buyer,
    Vendor,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Buyer => Side::Vendor,
            Side::Vendor => Side::Buyer,
        }
    }
    fn index(self) -> usize {
        match self {
            Side::Buyer => 0,
            Side::Vendor => 1,
        }
    }
}

/// A place in a room: one of the two sides, or a moderator who stepped in as a visible
/// third party. Spelt as [`Side`] is for the two sides, so a side's messages read the same.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seat {
    Buyer,
    Vendor,
    Moderator,
}

impl Seat {
    /// Every seat, in a fixed order.
    pub const ALL: [Seat; 3] = [Seat::Buyer, Seat::Vendor, Seat::Moderator];

    /// The side this seat is, if it is one.
    pub fn side(self) -> Option<Side> {
        match self {
            Seat::Buyer => Some(Side::Buyer),
            Seat::Vendor => Some(Side::Vendor),
            Seat::Moderator => None,
        }
    }

    /// A position in per-seat arrays.
    pub fn index(self) -> usize {
        match self {
            Seat::Buyer => 0,
            Seat::Vendor => 1,
            Seat::Moderator => 2,
        }
    }
}

impl From<Side> for Seat {
    fn from(s: Side) -> Self {
        match s {
            Side::Buyer => Seat::Buyer,
            Side::Vendor => Seat::Vendor,
        }
    }
}

/// Why a room closed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseReason {
    /// The slot (and its grace) ran out.
    Timer,
    /// A moderator ended it.
    Moderator,
    /// A participant ended it before time.
    Participant,
}

/// Why a join is refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JoinRefusal {
    #[error("the room opens for check-in at {opens_at}")]
    TooEarly { opens_at: Timestamp },
    #[error("the room closed at {closed_at}")]
    Closed { closed_at: Timestamp },
    #[error("another moderator is in this room")]
    SeatTaken,
}

impl JoinRefusal {
    /// The refusal a participant hears, in Korea time and with the wait from `now`.
    pub fn refusal(self, now: Timestamp) -> Refusal {
        match self {
            JoinRefusal::TooEarly { opens_at } => Refusal::new(
                ErrorCode::TooEarly,
                format!(
                    "check-in for this meeting opens at {} (in {} s)",
                    opens_at.kst(),
                    opens_at.since(now).as_secs()
                ),
            ),
            JoinRefusal::Closed { closed_at } => Refusal::new(
                ErrorCode::RoomClosed,
                format!("this meeting's room closed at {}", closed_at.kst()),
            ),
            JoinRefusal::SeatTaken => Refusal::new(
                ErrorCode::SeatTaken,
                "another moderator is in this room already; one moderator at a time",
            ),
        }
    }
}

/// Something both sides (or the server) must hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomEvent {
    /// The room moved to a new phase at `at`.
    PhaseChanged {
        phase: Phase,
        at: Timestamp,
    },
    /// `remaining` is left before the slot end.
    Warning {
        remaining: Duration,
        at: Timestamp,
    },
    PeerJoined {
        side: Side,
    },
    PeerLeft {
        side: Side,
    },
    /// Both sides are present and the room is open: the buyer makes the offer.
    CallReady,
    /// A moderator stepped into the room as a visible third party.
    ModeratorJoined,
    /// The moderator left the room.
    ModeratorLeft,
    /// The moderator and `side` are both in the room: the moderator offers to that side.
    ModeratorLink {
        side: Side,
    },
    /// A moderator moved the slot's end (extended or shortened it).
    Rescheduled {
        window: Window,
    },
    /// A side (or both) was still absent `no_show_after` into the slot.
    NoShow {
        absent: Absent,
        at: Timestamp,
    },
    /// The room is over; the server closes the connections.
    Closed {
        reason: CloseReason,
        at: Timestamp,
    },
}

/// Who did not come.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Absent {
    Buyer,
    Vendor,
    Both,
}

/// When one side was in the room.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub first_joined_at: Option<Timestamp>,
    pub last_left_at: Option<Timestamp>,
}

/// The times that decide a room's phase, derived once from the slot and the policy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub checkin_opens_at: Timestamp,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub closes_at: Timestamp,
    /// When a side still absent is on record as a no-show (`None`: the slot is too short
    /// to have the check), so a client can tell its user when that happens.
    pub no_show_at: Option<Timestamp>,
}

impl Window {
    pub fn new(slot: Slot, policy: &RoomPolicy) -> Self {
        Self {
            checkin_opens_at: policy.timing.checkin_opens_at(slot),
            starts_at: slot.start,
            ends_at: slot.end,
            closes_at: slot.end + policy.timing.grace,
            no_show_at: policy.timing.no_show_check_at(slot),
        }
    }

    /// The phase the clock alone gives. Each boundary belongs to the phase it starts.
    pub fn phase_at(&self, now: Timestamp) -> Phase {
        if now < self.checkin_opens_at {
            Phase::Scheduled
        } else if now < self.starts_at {
            Phase::CheckIn
        } else if now < self.ends_at {
            Phase::Live
        } else if now < self.closes_at {
            Phase::Grace
        } else {
            Phase::Closed
        }
    }

    /// May someone enter at `now`? The clock-only answer, usable without a live room.
    pub fn check_join(&self, now: Timestamp) -> Result<Phase, JoinRefusal> {
        match self.phase_at(now) {
            Phase::Scheduled => Err(JoinRefusal::TooEarly {
                opens_at: self.checkin_opens_at,
            }),
            Phase::Closed => Err(JoinRefusal::Closed {
                closed_at: self.closes_at,
            }),
            p => Ok(p),
        }
    }
}

/// One meeting's live room.
#[derive(Debug)]
pub struct Room {
    window: Window,
    phase: Phase,
    /// Warning instants not yet announced, earliest first, each with its remaining time.
    warnings: VecDeque<(Timestamp, Duration)>,
    present: [bool; 2],
    /// Whether a moderator is in the room.
    moderator: bool,
    /// The remaining times to warn at, kept to re-arm the warnings if the end moves.
    warn_before: Vec<Duration>,
    call_ready: bool,
    closed: Option<(CloseReason, Timestamp)>,
    events: VecDeque<RoomEvent>,
    no_show_at: Option<Timestamp>,
    no_show: Option<Absent>,
    attendance: [Attendance; 2],
    /// Time both sides spent in an open room, and since when they have been (if now).
    together: Duration,
    together_since: Option<Timestamp>,
}

impl Room {
    /// A room that has seen no time yet; feed it [`Room::handle_timeout`] with the current
    /// time to bring it up to date.
    pub fn new(slot: Slot, policy: &RoomPolicy) -> Self {
        let window = Window::new(slot, policy);
        Self {
            window,
            phase: Phase::Scheduled,
            warnings: warnings_for(&policy.warnings, slot.start, slot.end),
            present: [false; 2],
            moderator: false,
            warn_before: policy.warnings.clone(),
            call_ready: false,
            closed: None,
            events: VecDeque::new(),
            no_show_at: policy.timing.no_show_check_at(slot),
            no_show: None,
            attendance: [Attendance::default(); 2],
            together: Duration::ZERO,
            together_since: None,
        }
    }

    /// When a side was in the room.
    pub fn attendance(&self, side: Side) -> Attendance {
        self.attendance[side.index()]
    }

    /// Who was found absent at the no-show check, if anyone.
    pub fn no_show(&self) -> Option<Absent> {
        self.no_show
    }

    /// How long both sides were in the open room together, up to `now`.
    pub fn together(&self, now: Timestamp) -> Duration {
        self.together + self.together_since.map_or(Duration::ZERO, |t| now.since(t))
    }

    /// Why and when the room closed, once it has.
    pub fn closed(&self) -> Option<(CloseReason, Timestamp)> {
        self.closed
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn is_present(&self, side: Side) -> bool {
        self.present[side.index()]
    }

    /// Signaling may pass between the sides only while both are in an open room.
    pub fn can_relay(&self) -> bool {
        self.call_ready
    }

    pub fn has_moderator(&self) -> bool {
        self.moderator
    }

    /// Signaling may pass between the moderator and `side` while both are in the room.
    pub fn can_relay_moderator(&self, side: Side) -> bool {
        self.moderator && self.present[side.index()] && self.phase != Phase::Closed
    }

    /// Whether `seat` is in the room.
    pub fn seat_present(&self, seat: Seat) -> bool {
        match seat.side() {
            Some(side) => self.is_present(side),
            None => self.moderator,
        }
    }

    /// The next instant at which [`Room::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if self.phase == Phase::Closed {
            return None;
        }
        let w = self.window;
        let boundary = [w.checkin_opens_at, w.starts_at, w.ends_at, w.closes_at]
            .into_iter()
            .find(|t| self.later_phase(*t));
        let warning = self.warnings.front().map(|(t, _)| *t);
        [boundary, warning, self.no_show_at]
            .into_iter()
            .flatten()
            .min()
    }

    fn later_phase(&self, t: Timestamp) -> bool {
        rank(self.window.phase_at(t)) > rank(self.phase)
    }

    pub fn poll_event(&mut self) -> Option<RoomEvent> {
        self.events.pop_front()
    }

    /// Advance to `now`. A room brought up to date after a long gap announces only where
    /// it is now, not every phase it passed, and only the latest warning still relevant.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        if self.phase == Phase::Closed {
            return;
        }
        let phase = self.window.phase_at(now);
        let mut latest_warning = None;
        while let Some((t, remaining)) = self.warnings.front().copied() {
            if t > now {
                break;
            }
            self.warnings.pop_front();
            latest_warning = Some((t, remaining));
        }
        if rank(phase) > rank(self.phase) {
            let at = match phase {
                Phase::Scheduled => now,
                Phase::CheckIn => self.window.checkin_opens_at,
                Phase::Live => self.window.starts_at,
                Phase::Grace => self.window.ends_at,
                Phase::Closed => self.window.closes_at,
            };
            if phase == Phase::Closed {
                self.close(CloseReason::Timer, at);
                return;
            }
            self.phase = phase;
            self.events.push_back(RoomEvent::PhaseChanged { phase, at });
        }
        if let Some((at, remaining)) = latest_warning {
            if self.phase == Phase::Live {
                self.events.push_back(RoomEvent::Warning { remaining, at });
            }
        }
        if let Some(at) = self.no_show_at.filter(|t| *t <= now) {
            self.no_show_at = None;
            if let Some(absent) = policy::absent(self.present[0], self.present[1]) {
                self.no_show = Some(absent);
                self.events.push_back(RoomEvent::NoShow { absent, at });
            }
        }
        self.update_call_ready(now);
    }

    /// A side enters. The room first catches up with `now`.
    pub fn handle_join(&mut self, side: Side, now: Timestamp) -> Result<(), JoinRefusal> {
        self.handle_timeout(now);
        if let Some((_, at)) = self.closed {
            return Err(JoinRefusal::Closed { closed_at: at });
        }
        self.window.check_join(now)?;
        if !self.present[side.index()] {
            self.present[side.index()] = true;
            let a = &mut self.attendance[side.index()];
            a.first_joined_at.get_or_insert(now);
            self.events.push_back(RoomEvent::PeerJoined { side });
            if self.moderator {
                self.events.push_back(RoomEvent::ModeratorLink { side });
            }
        }
        self.update_call_ready(now);
        Ok(())
    }

    /// A moderator steps in, under the same clock as the sides: from check-in to the close.
    /// The moderator is not a side: the record's attendance, the no-show check and the
    /// call between the sides do not depend on them.
    pub fn handle_moderator_join(&mut self, now: Timestamp) -> Result<(), JoinRefusal> {
        self.handle_timeout(now);
        if let Some((_, at)) = self.closed {
            return Err(JoinRefusal::Closed { closed_at: at });
        }
        self.window.check_join(now)?;
        if !self.moderator {
            self.moderator = true;
            self.events.push_back(RoomEvent::ModeratorJoined);
            for side in [Side::Buyer, Side::Vendor] {
                if self.present[side.index()] {
                    self.events.push_back(RoomEvent::ModeratorLink { side });
                }
            }
        }
        Ok(())
    }

    /// The moderator leaves (or their connection drops).
    pub fn handle_moderator_leave(&mut self, now: Timestamp) {
        self.handle_timeout(now);
        if self.phase == Phase::Closed || !self.moderator {
            return;
        }
        self.moderator = false;
        self.events.push_back(RoomEvent::ModeratorLeft);
    }

    /// A moderator moved the slot's end to `ends_at` and the room's close to `closes_at`
    /// (the rules for what is allowed are [`crate::live::moderation`]'s). The warnings are
    /// re-armed for the new end; an extension made in the grace brings the room back to
    /// live; a close at or before `now` closes the room now.
    pub fn reschedule(&mut self, ends_at: Timestamp, closes_at: Timestamp, now: Timestamp) {
        self.handle_timeout(now);
        if self.phase == Phase::Closed {
            return;
        }
        self.window.ends_at = ends_at.max(self.window.starts_at);
        self.window.closes_at = closes_at.max(self.window.ends_at);
        self.warnings = warnings_for(&self.warn_before, self.window.starts_at, ends_at)
            .into_iter()
            .filter(|(t, _)| *t > now)
            .collect();
        let phase = self.window.phase_at(now);
        if phase == Phase::Closed {
            self.close(CloseReason::Moderator, now);
            return;
        }
        if phase != self.phase {
            self.phase = phase;
            self.events
                .push_back(RoomEvent::PhaseChanged { phase, at: now });
        }
        self.events.push_back(RoomEvent::Rescheduled {
            window: self.window,
        });
        self.update_call_ready(now);
    }

    /// A side leaves (or its connection drops). It may come back while the room is open.
    pub fn handle_leave(&mut self, side: Side, now: Timestamp) {
        self.handle_timeout(now);
        if self.phase == Phase::Closed || !self.present[side.index()] {
            return;
        }
        self.present[side.index()] = false;
        self.attendance[side.index()].last_left_at = Some(now);
        self.update_call_ready(now);
        self.events.push_back(RoomEvent::PeerLeft { side });
    }

    /// Ends the room before its time.
    pub fn end(&mut self, reason: CloseReason, now: Timestamp) {
        self.handle_timeout(now);
        if self.phase != Phase::Closed {
            self.close(reason, now);
        }
    }

    fn close(&mut self, reason: CloseReason, at: Timestamp) {
        self.phase = Phase::Closed;
        self.update_call_ready(at);
        for (i, a) in self.attendance.iter_mut().enumerate() {
            if self.present[i] {
                a.last_left_at = Some(at);
            }
        }
        self.no_show_at = None;
        self.warnings.clear();
        self.closed = Some((reason, at));
        self.events.push_back(RoomEvent::PhaseChanged {
            phase: Phase::Closed,
            at,
        });
        self.events.push_back(RoomEvent::Closed { reason, at });
    }

    fn update_call_ready(&mut self, now: Timestamp) {
        let ready = self.present == [true, true] && self.phase.is_open_for_call();
        if ready && !self.call_ready {
            self.events.push_back(RoomEvent::CallReady);
            self.together_since = Some(now.max(self.window.starts_at));
        }
        if !ready {
            if let Some(since) = self.together_since.take() {
                self.together += now.since(since);
            }
        }
        self.call_ready = ready;
    }
}

/// The warning instants for a slot from `start` to `end`, earliest first: only those that
/// fall inside the slot.
fn warnings_for(
    before: &[Duration],
    start: Timestamp,
    end: Timestamp,
) -> VecDeque<(Timestamp, Duration)> {
    let mut warnings: Vec<(Timestamp, Duration)> = before
        .iter()
        .filter(|w| **w > Duration::ZERO && end - **w > start)
        .map(|w| (end - *w, *w))
        .collect();
    warnings.sort();
    warnings.dedup();
    warnings.into()
}

fn rank(p: Phase) -> u8 {
    match p {
        Phase::Scheduled => 0,
        Phase::CheckIn => 1,
        Phase::Live => 2,
        Phase::Grace => 3,
        Phase::Closed => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::minutes;

    const MS: i64 = 1;
    const MIN: i64 = 60_000;

    /// A 20-minute slot from t=60min, check-in 10 minutes before, warnings at 5 and 1
    /// minutes left, one minute of grace.
    fn room() -> Room {
        Room::new(
            Slot {
                index: 0,
                start: at(60 * MIN),
                end: at(80 * MIN),
            },
            &RoomPolicy {
                timing: Timing {
                    checkin_before: minutes(10),
                    no_show_after: minutes(5),
                    grace: minutes(1),
                },
                warnings: vec![minutes(5), minutes(1)],
                files: Default::default(),
            },
        )
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    fn drain(r: &mut Room) -> Vec<RoomEvent> {
        std::iter::from_fn(|| r.poll_event()).collect()
    }

    #[test]
    fn the_phase_boundaries_belong_to_the_phase_they_start() {
        let w = room().window();
        assert_eq!(w.phase_at(at(50 * MIN - MS)), Phase::Scheduled);
        assert_eq!(w.phase_at(at(50 * MIN)), Phase::CheckIn);
        assert_eq!(w.phase_at(at(60 * MIN - MS)), Phase::CheckIn);
        assert_eq!(w.phase_at(at(60 * MIN)), Phase::Live);
        assert_eq!(w.phase_at(at(80 * MIN - MS)), Phase::Live);
        assert_eq!(w.phase_at(at(80 * MIN)), Phase::Grace);
        assert_eq!(w.phase_at(at(81 * MIN - MS)), Phase::Grace);
        assert_eq!(w.phase_at(at(81 * MIN)), Phase::Closed);
    }

    #[test]
    fn a_moderator_links_to_each_side_present_and_leaves_the_call_alone() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(61 * MIN)).unwrap();
        r.handle_join(Side::Vendor, at(61 * MIN)).unwrap();
        drain(&mut r);
        r.handle_moderator_join(at(62 * MIN)).unwrap();
        assert_eq!(
            drain(&mut r),
            [
                RoomEvent::ModeratorJoined,
                RoomEvent::ModeratorLink { side: Side::Buyer },
                RoomEvent::ModeratorLink { side: Side::Vendor },
            ]
        );
        assert!(r.can_relay() && r.can_relay_moderator(Side::Vendor));
        r.handle_leave(Side::Vendor, at(63 * MIN));
        assert!(!r.can_relay_moderator(Side::Vendor));
        r.handle_join(Side::Vendor, at(64 * MIN)).unwrap();
        assert_eq!(
            drain(&mut r),
            [
                RoomEvent::PeerLeft { side: Side::Vendor },
                RoomEvent::PeerJoined { side: Side::Vendor },
                RoomEvent::ModeratorLink { side: Side::Vendor },
                RoomEvent::CallReady,
            ]
        );
        r.handle_moderator_leave(at(65 * MIN));
        assert_eq!(drain(&mut r), [RoomEvent::ModeratorLeft]);
        // The moderator is no side: the call and the record's attendance are the sides'.
        assert!(r.can_relay());
        assert_eq!(
            r.attendance(Side::Buyer).first_joined_at,
            Some(at(61 * MIN))
        );
        // Like a side, a moderator cannot enter a closed room.
        r.end(CloseReason::Moderator, at(66 * MIN));
        assert!(r.handle_moderator_join(at(66 * MIN)).is_err());
    }

    #[test]
    fn an_extension_moves_the_end_rearms_the_warnings_and_brings_the_grace_back_to_live() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(60 * MIN)).unwrap();
        r.handle_join(Side::Vendor, at(60 * MIN)).unwrap();
        r.handle_timeout(at(80 * MIN + 10_000));
        assert_eq!(r.phase(), Phase::Grace);
        drain(&mut r);
        // Extended in the grace to 86 min, closing at 87.
        let now = at(80 * MIN + 20_000);
        r.reschedule(at(86 * MIN), at(87 * MIN), now);
        let w = r.window();
        assert_eq!((w.ends_at, w.closes_at), (at(86 * MIN), at(87 * MIN)));
        assert_eq!(
            drain(&mut r),
            [
                RoomEvent::PhaseChanged {
                    phase: Phase::Live,
                    at: now
                },
                RoomEvent::Rescheduled { window: w },
            ]
        );
        assert!(
            r.can_relay(),
            "the call went on through the grace and goes on"
        );
        assert_eq!(
            r.poll_timeout(),
            Some(at(81 * MIN)),
            "the 5-minute warning, re-armed"
        );
        r.handle_timeout(at(85 * MIN));
        assert_eq!(
            drain(&mut r),
            [RoomEvent::Warning {
                remaining: minutes(1),
                at: at(85 * MIN)
            }]
        );
        r.handle_timeout(at(87 * MIN));
        assert_eq!(r.closed(), Some((CloseReason::Timer, at(87 * MIN))));
    }

    #[test]
    fn a_close_moved_to_now_closes_the_room_as_the_moderators() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(61 * MIN)).unwrap();
        r.reschedule(at(70 * MIN), at(70 * MIN), at(70 * MIN));
        assert_eq!(r.closed(), Some((CloseReason::Moderator, at(70 * MIN))));
        assert_eq!(r.attendance(Side::Buyer).last_left_at, Some(at(70 * MIN)));
    }

    #[test]
    fn a_join_one_millisecond_before_check_in_is_too_early() {
        let mut r = room();
        assert_eq!(
            r.handle_join(Side::Vendor, at(50 * MIN - MS)),
            Err(JoinRefusal::TooEarly {
                opens_at: at(50 * MIN)
            })
        );
        assert!(!r.is_present(Side::Vendor));
        assert_eq!(r.handle_join(Side::Vendor, at(50 * MIN)), Ok(()));
        assert!(r.is_present(Side::Vendor));
    }

    #[test]
    fn a_join_at_the_close_instant_is_refused_but_during_grace_is_accepted() {
        let mut r = room();
        assert_eq!(r.handle_join(Side::Buyer, at(81 * MIN - MS)), Ok(()));
        let mut r = room();
        assert_eq!(
            r.handle_join(Side::Buyer, at(81 * MIN)),
            Err(JoinRefusal::Closed {
                closed_at: at(81 * MIN)
            })
        );
    }

    #[test]
    fn the_timer_walks_a_room_through_its_whole_life() {
        let mut r = room();
        let mut seen = Vec::new();
        let mut now = at(0);
        r.handle_timeout(now);
        // Drive the room exactly as the server's task does: sleep to each deadline.
        while let Some(next) = r.poll_timeout() {
            assert!(next > now, "deadlines move forward");
            now = next;
            r.handle_timeout(now);
            if now == at(50 * MIN) {
                r.handle_join(Side::Buyer, now).unwrap();
                r.handle_join(Side::Vendor, now + Duration::from_secs(30))
                    .unwrap();
            }
            seen.extend(drain(&mut r).into_iter().map(|e| (now, e)));
        }
        let expected = vec![
            (
                at(50 * MIN),
                RoomEvent::PhaseChanged {
                    phase: Phase::CheckIn,
                    at: at(50 * MIN),
                },
            ),
            (at(50 * MIN), RoomEvent::PeerJoined { side: Side::Buyer }),
            (at(50 * MIN), RoomEvent::PeerJoined { side: Side::Vendor }),
            (
                at(60 * MIN),
                RoomEvent::PhaseChanged {
                    phase: Phase::Live,
                    at: at(60 * MIN),
                },
            ),
            (at(60 * MIN), RoomEvent::CallReady),
            (
                at(75 * MIN),
                RoomEvent::Warning {
                    remaining: minutes(5),
                    at: at(75 * MIN),
                },
            ),
            (
                at(79 * MIN),
                RoomEvent::Warning {
                    remaining: minutes(1),
                    at: at(79 * MIN),
                },
            ),
            (
                at(80 * MIN),
                RoomEvent::PhaseChanged {
                    phase: Phase::Grace,
                    at: at(80 * MIN),
                },
            ),
            (
                at(81 * MIN),
                RoomEvent::PhaseChanged {
                    phase: Phase::Closed,
                    at: at(81 * MIN),
                },
            ),
            (
                at(81 * MIN),
                RoomEvent::Closed {
                    reason: CloseReason::Timer,
                    at: at(81 * MIN),
                },
            ),
        ];
        assert_eq!(seen, expected);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn the_call_is_ready_only_when_both_sides_are_in_an_open_room() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(61 * MIN)).unwrap();
        assert!(!r.can_relay());
        r.handle_join(Side::Vendor, at(62 * MIN)).unwrap();
        assert!(r.can_relay());
        let ev = drain(&mut r);
        assert_eq!(ev.last(), Some(&RoomEvent::CallReady));
        r.handle_leave(Side::Vendor, at(63 * MIN));
        assert!(!r.can_relay());
        assert_eq!(
            drain(&mut r),
            vec![RoomEvent::PeerLeft { side: Side::Vendor }]
        );
        // Coming back restarts the call.
        r.handle_join(Side::Vendor, at(64 * MIN)).unwrap();
        assert_eq!(
            drain(&mut r),
            vec![
                RoomEvent::PeerJoined { side: Side::Vendor },
                RoomEvent::CallReady
            ]
        );
    }

    #[test]
    fn a_room_caught_up_after_a_gap_announces_only_where_it_is() {
        let mut r = room();
        r.handle_timeout(at(79 * MIN + 30_000));
        assert_eq!(
            drain(&mut r),
            vec![
                RoomEvent::PhaseChanged {
                    phase: Phase::Live,
                    at: at(60 * MIN)
                },
                RoomEvent::Warning {
                    remaining: minutes(1),
                    at: at(79 * MIN)
                },
                // Nobody was there at the no-show check: that is still on record.
                RoomEvent::NoShow {
                    absent: Absent::Both,
                    at: at(65 * MIN)
                }
            ]
        );
        assert_eq!(r.poll_timeout(), Some(at(80 * MIN)));
    }

    #[test]
    fn without_grace_the_room_closes_at_the_slot_end() {
        let mut r = Room::new(
            Slot {
                index: 0,
                start: at(0),
                end: at(10 * MIN),
            },
            &RoomPolicy {
                timing: Timing {
                    checkin_before: minutes(1),
                    no_show_after: minutes(60),
                    grace: Duration::ZERO,
                },
                warnings: vec![minutes(5)],
                files: Default::default(),
            },
        );
        r.handle_timeout(at(10 * MIN - MS));
        assert_eq!(r.phase(), Phase::Live);
        assert_eq!(r.poll_timeout(), Some(at(10 * MIN)));
        r.handle_timeout(at(10 * MIN));
        assert_eq!(r.phase(), Phase::Closed);
    }

    #[test]
    fn warnings_longer_than_the_slot_are_never_sent() {
        let mut r = Room::new(
            Slot {
                index: 0,
                start: at(0),
                end: at(3 * MIN),
            },
            &RoomPolicy {
                timing: Timing {
                    checkin_before: minutes(1),
                    no_show_after: minutes(60),
                    grace: Duration::ZERO,
                },
                warnings: vec![minutes(5), minutes(1)],
                files: Default::default(),
            },
        );
        r.handle_timeout(at(0));
        drain(&mut r);
        assert_eq!(r.poll_timeout(), Some(at(2 * MIN)));
        r.handle_timeout(at(2 * MIN));
        assert_eq!(
            drain(&mut r),
            vec![RoomEvent::Warning {
                remaining: minutes(1),
                at: at(2 * MIN)
            }]
        );
    }

    #[test]
    fn ending_early_closes_for_good_and_refuses_rejoin() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(65 * MIN)).unwrap();
        r.handle_join(Side::Vendor, at(65 * MIN)).unwrap();
        drain(&mut r);
        r.end(CloseReason::Moderator, at(70 * MIN));
        assert_eq!(
            drain(&mut r),
            vec![
                RoomEvent::PhaseChanged {
                    phase: Phase::Closed,
                    at: at(70 * MIN)
                },
                RoomEvent::Closed {
                    reason: CloseReason::Moderator,
                    at: at(70 * MIN)
                }
            ]
        );
        assert!(!r.can_relay());
        assert_eq!(
            r.handle_join(Side::Vendor, at(71 * MIN)),
            Err(JoinRefusal::Closed {
                closed_at: at(70 * MIN)
            })
        );
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn a_side_absent_at_the_no_show_check_is_recorded_once() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(58 * MIN)).unwrap();
        drain(&mut r);
        assert_eq!(r.poll_timeout(), Some(at(60 * MIN)));
        r.handle_timeout(at(60 * MIN));
        drain(&mut r);
        assert_eq!(r.poll_timeout(), Some(at(65 * MIN)));
        r.handle_timeout(at(65 * MIN - MS));
        assert_eq!(r.no_show(), None);
        r.handle_timeout(at(65 * MIN));
        assert_eq!(
            drain(&mut r),
            vec![RoomEvent::NoShow {
                absent: Absent::Vendor,
                at: at(65 * MIN)
            }]
        );
        assert_eq!(r.no_show(), Some(Absent::Vendor));
        // A late vendor still gets in; the no-show stays on record.
        r.handle_join(Side::Vendor, at(66 * MIN)).unwrap();
        assert!(r.can_relay());
        assert_eq!(r.no_show(), Some(Absent::Vendor));
    }

    #[test]
    fn nobody_coming_is_a_no_show_of_both() {
        let mut r = room();
        r.handle_timeout(at(65 * MIN));
        assert_eq!(r.no_show(), Some(Absent::Both));
    }

    #[test]
    fn attendance_and_time_together_are_kept_for_the_record() {
        let mut r = room();
        r.handle_join(Side::Buyer, at(55 * MIN)).unwrap();
        r.handle_join(Side::Vendor, at(59 * MIN)).unwrap();
        // Together counts from the slot start, not from check-in.
        r.handle_timeout(at(60 * MIN));
        r.handle_leave(Side::Vendor, at(62 * MIN));
        r.handle_join(Side::Vendor, at(63 * MIN)).unwrap();
        assert_eq!(r.together(at(64 * MIN)), minutes(3));
        r.handle_timeout(at(81 * MIN));
        assert_eq!(r.closed(), Some((CloseReason::Timer, at(81 * MIN))));
        assert_eq!(r.together(at(90 * MIN)), minutes(20));
        assert_eq!(
            r.attendance(Side::Vendor),
            Attendance {
                first_joined_at: Some(at(59 * MIN)),
                last_left_at: Some(at(81 * MIN))
            }
        );
        assert_eq!(
            r.attendance(Side::Buyer).first_joined_at,
            Some(at(55 * MIN))
        );
        assert_eq!(r.no_show(), None);
    }
}
