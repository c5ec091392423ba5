//! The virtual lobby: each institution's booth has a queue of vendors waiting to be let in.
//! A pure state machine over a [`Slice`] of the lobby (the booths and vendors an operation
//! touches), with time as an argument. The stores (memory, Redis) load a slice, apply one
//! [`LobbyOp`] with [`apply`], and save what changed atomically; the rules live only here.
//!
//! Rules:
//! - A vendor with a meeting checks in once its check-in opens and waits at the booth; at
//!   the slot start they are admitted if the buyer is present.
//! - Walk-in vendors (no booking) may queue at booths that accept walk-ins and are admitted,
//!   in order, into free time, or into the rest of a slot whose vendor did not come.
//! - A booked vendor still absent `no_show_after` into the slot makes it a no-show, and the
//!   booth's next eligible waiting vendor gets the rest of the slot.
//! - A vendor who disconnects keeps their place for `disconnect_grace`.
//! - The buyer can admit the next vendor or send the current one back to the queue.
//! - A vendor is never in two rooms at once: admission at one booth takes them out of every
//!   other queue, and a vendor in a room cannot queue.

use crate::error::{ErrorCode, Refusal};
use crate::fair::{Fair, Meeting};
use crate::ids::{EnterpriseId, InstitutionId, MeetingId, ParticipantId};
use crate::live::policy::{self, Timing};
use crate::live::room::Absent;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The lobby's timing rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LobbyPolicy {
    /// Check-in and no-show timings, shared with the rooms.
    pub timing: Timing,
    /// How long a disconnected vendor keeps their place.
    pub disconnect_grace: Duration,
    /// A vendor's lobby connection not heard from for this long (see
    /// [`LobbyOp::Heartbeat`]) no longer counts: its node may have died.
    pub connection_ttl: Duration,
    /// How long a walk-in meeting in free time lasts at most.
    pub walk_in_len: Duration,
    /// A buyer not seen for this long is no longer at the booth.
    pub buyer_presence_ttl: Duration,
    /// Whether booths take walk-ins.
    pub walk_ins: bool,
}

impl Default for LobbyPolicy {
    fn default() -> Self {
        Self {
            timing: Timing::default(),
            disconnect_grace: Duration::from_secs(120),
            connection_ttl: Duration::from_secs(60),
            walk_in_len: Duration::from_secs(10 * 60),
            buyer_presence_ttl: Duration::from_secs(15),
            walk_ins: true,
        }
    }
}

/// A vendor's booked meeting at a booth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub meeting: MeetingId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// One vendor waiting at one booth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub vendor: ParticipantId,
    pub enterprise: EnterpriseId,
    pub booking: Option<Booking>,
    pub checked_in_at: Timestamp,
    pub disconnected_since: Option<Timestamp>,
    /// The place a moderator put the vendor in ([`LobbyOp::Move`]), as the order key of
    /// the neighbour it was put beside: it keeps that place as others come and go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed: Option<(Timestamp, Timestamp)>,
}

impl Waiting {
    /// Queue order: where a moderator placed the vendor; else a booked vendor by their
    /// slot start, a walk-in by when they came. (Sorting is stable, so a vendor placed
    /// beside a neighbour with the same key stays on the side it was put.)
    fn order_key(&self) -> (Timestamp, Timestamp) {
        if let Some(k) = self.placed {
            return k;
        }
        let t = self
            .booking
            .as_ref()
            .map_or(self.checked_in_at, |b| b.starts_at);
        (t, self.checked_in_at)
    }
}

/// Who is in the booth's room now, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    pub vendor: ParticipantId,
    pub enterprise: EnterpriseId,
    /// The room to enter: the booked meeting, or a walk-in room made for this admission.
    pub meeting: MeetingId,
    pub since: Timestamp,
    pub until: Timestamp,
    /// Not the vendor's own booking: free time or the rest of a no-show slot.
    pub walk_in: bool,
    /// When the room closes, if a moderator moved it ([`LobbyOp::Reschedule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    /// The moderators' change that set `closes_at` (their count of actions): an older
    /// change arriving later does not undo a newer one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub closes_version: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One institution's booth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booth {
    pub institution: InstitutionId,
    pub buyer_seen_at: Option<Timestamp>,
    pub queue: Vec<Waiting>,
    pub current: Option<Admission>,
    /// Booked meetings already settled (admitted or no-show), so a tick never repeats one.
    pub settled: BTreeSet<MeetingId>,
    /// Until when a booked meeting the lobby did not let in (its sides came straight to
    /// the room) keeps the booth, because a moderator moved its close past the slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_until: Option<Timestamp>,
    /// The moderators' change that set `held_until`, as for [`Admission::closes_version`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub held_version: u64,
}

impl Booth {
    pub fn new(institution: InstitutionId) -> Self {
        Self {
            institution,
            buyer_seen_at: None,
            queue: Vec::new(),
            current: None,
            settled: BTreeSet::new(),
            held_until: None,
            held_version: 0,
        }
    }

    /// Whether someone has the booth's room: an admission, or a moderator's hold.
    fn taken(&self, now: Timestamp) -> bool {
        self.current.is_some() || self.held_until.is_some_and(|t| t > now)
    }

    /// Whether the booth's buyer is there: heard from within `buyer_presence_ttl`.
    pub fn buyer_present(&self, now: Timestamp, policy: &LobbyPolicy) -> bool {
        self.buyer_seen_at
            .is_some_and(|t| t <= now && now.since(t) < policy.buyer_presence_ttl)
    }

    fn sort(&mut self) {
        self.queue.sort_by_key(Waiting::order_key);
    }
}

/// Where a vendor is in the lobby.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorState {
    pub queued_at: BTreeSet<InstitutionId>,
    pub in_room: Option<Admission>,
    /// The booth of `in_room`.
    pub in_room_at: Option<InstitutionId>,
    /// The vendor's open lobby connections (several tabs, maybe on several nodes), each
    /// with when it was last heard from. Closing one tab leaves the vendor connected
    /// while another is open.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub connections: BTreeMap<String, Timestamp>,
}

impl VendorState {
    /// Whether any of the vendor's connections is still alive. A vendor with no
    /// connection on record (one that never said hello, as in a store's own tests)
    /// counts as connected until told otherwise.
    fn has_live_connection(&self, now: Timestamp, ttl: Duration) -> bool {
        self.connections.is_empty() || self.connections.values().any(|seen| now.since(*seen) < ttl)
    }

    /// Whether the vendor had connections on record and none is alive any more.
    fn has_lapsed(&self, now: Timestamp, ttl: Duration) -> bool {
        !self.has_live_connection(now, ttl)
    }
}

/// The part of the lobby an operation reads and writes. Missing entries are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    pub booths: BTreeMap<InstitutionId, Booth>,
    pub vendors: BTreeMap<ParticipantId, VendorState>,
}

impl Slice {
    fn booth(&mut self, id: &InstitutionId) -> &mut Booth {
        self.booths
            .entry(id.clone())
            .or_insert_with(|| Booth::new(id.clone()))
    }

    fn vendor(&mut self, id: &ParticipantId) -> &mut VendorState {
        self.vendors.entry(id.clone()).or_default()
    }
}

/// Something the lobby changes or decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LobbyOp {
    /// A vendor joins a booth's queue, for their booking there or as a walk-in.
    CheckIn {
        vendor: ParticipantId,
        enterprise: EnterpriseId,
        booth: InstitutionId,
        booking: Option<MeetingId>,
    },
    /// A vendor leaves one booth's queue, or all of them.
    Leave {
        vendor: ParticipantId,
        booth: Option<InstitutionId>,
    },
    /// A vendor's connection dropped: they keep their places for the grace time. With
    /// `conn`, only that connection closed, and the vendor is disconnected only if no
    /// other connection of theirs is alive.
    Disconnect {
        vendor: ParticipantId,
        #[serde(default)]
        conn: Option<String>,
    },
    /// A vendor's lobby connection `conn` is open (sent at hello and then periodically):
    /// it counts as alive for `connection_ttl`, and the vendor's places are theirs again.
    Heartbeat { vendor: ParticipantId, conn: String },
    /// A vendor is back: their places resume if the grace has not run out.
    Reconnect { vendor: ParticipantId },
    /// The buyer is at the booth (sent periodically while connected).
    BuyerHere { booth: InstitutionId },
    /// The buyer lets the next eligible vendor in now.
    AdmitNext { booth: InstitutionId },
    /// The buyer sends the vendor in the room back to the end of the queue.
    SendBack { booth: InstitutionId },
    /// A vendor's meeting ended (the room closed): the booth is free.
    Finish {
        booth: InstitutionId,
        meeting: MeetingId,
    },
    /// Time passed: expire, admit at slot starts, detect no-shows, fill free time.
    Tick { booth: InstitutionId },
    /// A moderator moves a vendor waiting at `from` to booth `to`'s line (the same booth:
    /// to another place in it), at `position` (0 is the front; none: by the usual order).
    Move {
        vendor: ParticipantId,
        from: InstitutionId,
        to: InstitutionId,
        #[serde(default)]
        position: Option<usize>,
    },
    /// A moderator lets one waiting vendor into the booth's free time (or their own slot).
    Admit {
        booth: InstitutionId,
        vendor: ParticipantId,
    },
    /// A moderator moved the close of `meeting`'s room at `booth` to `closes_at`: the booth
    /// stays taken until then (or is free now, if that is now).
    Reschedule {
        booth: InstitutionId,
        meeting: MeetingId,
        closes_at: Timestamp,
        /// Which change this is (the moderators' count of actions on the meeting): the
        /// lobby keeps the newest, whatever order they arrive in.
        #[serde(default)]
        version: u64,
    },
}

impl LobbyOp {
    /// The booth the op concerns, if one.
    pub fn booth(&self) -> Option<&InstitutionId> {
        match self {
            LobbyOp::CheckIn { booth, .. }
            | LobbyOp::BuyerHere { booth }
            | LobbyOp::AdmitNext { booth }
            | LobbyOp::SendBack { booth }
            | LobbyOp::Finish { booth, .. }
            | LobbyOp::Admit { booth, .. }
            | LobbyOp::Reschedule { booth, .. }
            | LobbyOp::Move { to: booth, .. }
            | LobbyOp::Tick { booth } => Some(booth),
            LobbyOp::Leave { booth, .. } => booth.as_ref(),
            LobbyOp::Disconnect { .. } | LobbyOp::Reconnect { .. } | LobbyOp::Heartbeat { .. } => {
                None
            }
        }
    }

    /// Every booth the op concerns: [`LobbyOp::booth`], and the booth a move is from.
    pub fn booths(&self) -> Vec<&InstitutionId> {
        let mut all: Vec<&InstitutionId> = self.booth().into_iter().collect();
        if let LobbyOp::Move { from, .. } = self {
            all.push(from);
        }
        all
    }

    pub fn vendor(&self) -> Option<&ParticipantId> {
        match self {
            LobbyOp::Move { vendor, .. } | LobbyOp::Admit { vendor, .. } => Some(vendor),
            LobbyOp::CheckIn { vendor, .. }
            | LobbyOp::Leave { vendor, .. }
            | LobbyOp::Disconnect { vendor, .. }
            | LobbyOp::Heartbeat { vendor, .. }
            | LobbyOp::Reconnect { vendor } => Some(vendor),
            _ => None,
        }
    }
}

/// What happened, for the people involved and the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LobbyEvent {
    Admitted {
        booth: InstitutionId,
        admission: Admission,
    },
    SentBack {
        booth: InstitutionId,
        vendor: ParticipantId,
    },
    Released {
        booth: InstitutionId,
        vendor: ParticipantId,
    },
    NoShow {
        booth: InstitutionId,
        meeting: MeetingId,
        absent: Absent,
    },
    Expired {
        booth: InstitutionId,
        vendor: ParticipantId,
    },
}

/// Why the lobby refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LobbyError {
    #[error("check-in for this meeting opens at {opens_at}")]
    TooEarly { opens_at: Timestamp },
    #[error("this meeting is over")]
    MeetingOver,
    #[error("meeting {0} is not this vendor's meeting at this booth")]
    NotYourBooking(MeetingId),
    #[error("this booth does not take walk-ins")]
    NoWalkIns,
    #[error("the vendor is in a meeting now")]
    InRoom,
    #[error("the vendor is not waiting here (the grace time may have run out)")]
    NotQueued,
    #[error("someone is in the booth's room already")]
    BoothBusy,
    #[error("nobody is waiting who can be let in")]
    NobodyWaiting,
    #[error("nobody is in the booth's room")]
    NobodyInRoom,
    #[error("there is no booth {0} in this fair")]
    UnknownBooth(InstitutionId),
    #[error("{0} is not a vendor of this fair")]
    UnknownVendor(ParticipantId),
}

impl From<LobbyError> for Refusal {
    /// A lobby refusal is about one operation: the lobby connection stays.
    fn from(e: LobbyError) -> Self {
        let code = match &e {
            LobbyError::TooEarly { .. } => ErrorCode::TooEarly,
            LobbyError::MeetingOver => ErrorCode::RoomClosed,
            LobbyError::NotYourBooking(_) => ErrorCode::NotYourMeeting,
            LobbyError::NoWalkIns => ErrorCode::NoWalkIns,
            LobbyError::InRoom => ErrorCode::InRoom,
            LobbyError::NotQueued => ErrorCode::NotQueued,
            LobbyError::BoothBusy => ErrorCode::BoothBusy,
            LobbyError::NobodyWaiting => ErrorCode::NobodyWaiting,
            LobbyError::NobodyInRoom => ErrorCode::NobodyInRoom,
            LobbyError::UnknownBooth(_) => ErrorCode::UnknownBooth,
            LobbyError::UnknownVendor(_) => ErrorCode::UnknownParticipant,
        };
        Refusal::new(code, e.to_string()).for_request()
    }
}

/// The fixed facts an operation needs: the fair's schedule and the rules.
pub struct Context<'a> {
    pub fair: &'a Fair,
    pub policy: &'a LobbyPolicy,
}

impl Context<'_> {
    /// Refuses an op about a booth or vendor this fair does not have, before anything is
    /// loaded or stored: the lobby only ever holds the fair's own booths and vendors, so no
    /// client input can make a store create a key. Stores call it first; [`apply`] too.
    pub fn check(&self, op: &LobbyOp) -> Result<(), LobbyError> {
        for b in op.booths() {
            if self.fair.institution(b).is_none() {
                return Err(LobbyError::UnknownBooth(b.clone()));
            }
        }
        if let Some(v) = op.vendor() {
            if self
                .fair
                .participant(v)
                .is_none_or(|p| p.role != crate::fair::Role::Vendor)
            {
                return Err(LobbyError::UnknownVendor(v.clone()));
            }
        }
        Ok(())
    }

    /// When the room of an admission at `booth` closes, grace included.
    pub fn room_closes_at(&self, booth: &InstitutionId, a: &Admission) -> Timestamp {
        if let Some(t) = a.closes_at {
            return t;
        }
        let booked = (!a.walk_in)
            .then(|| self.fair.meeting(&a.meeting))
            .flatten();
        match booked {
            Some(m) => self.policy.timing.closes_at(self.fair, m),
            None => self
                .policy
                .timing
                .closes_at(self.fair, &walk_in_meeting(self.fair, booth, a)),
        }
    }

    fn booked_at(&self, booth: &InstitutionId) -> Vec<&Meeting> {
        self.fair.meetings_at(booth).collect()
    }
}

/// Keys a slice must hold before `op` can be applied to it: the op's booth and vendor, the
/// vendors at the booths loaded, and those vendors' other booths. Returns what is missing
/// from `slice`; a store loads it and asks again until nothing is missing.
pub fn missing(op: &LobbyOp, slice: &Slice) -> (Vec<InstitutionId>, Vec<ParticipantId>) {
    let mut booths = BTreeSet::new();
    let mut vendors = BTreeSet::new();
    booths.extend(op.booths().into_iter().cloned());
    if let Some(v) = op.vendor() {
        vendors.insert(v.clone());
    }
    // Vendors at the op's booths (one of them may be admitted or moved).
    for booth in op.booths().into_iter().filter_map(|b| slice.booths.get(b)) {
        vendors.extend(booth.queue.iter().map(|w| w.vendor.clone()));
        vendors.extend(booth.current.iter().map(|a| a.vendor.clone()));
    }
    // Every booth those vendors wait at (admission takes them out of all queues).
    for v in vendors.clone() {
        if let Some(state) = slice.vendors.get(&v) {
            booths.extend(state.queued_at.iter().cloned());
            booths.extend(state.in_room_at.iter().cloned());
        }
    }
    (
        booths
            .into_iter()
            .filter(|b| !slice.booths.contains_key(b))
            .collect(),
        vendors
            .into_iter()
            .filter(|v| !slice.vendors.contains_key(v))
            .collect(),
    )
}

/// Applies one operation. On error nothing in `slice` has changed.
pub fn apply(
    op: &LobbyOp,
    slice: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
) -> Result<Vec<LobbyEvent>, LobbyError> {
    ctx.check(op)?;
    let mut events = Vec::new();
    let mut work = slice.clone();
    match op {
        LobbyOp::CheckIn {
            vendor,
            enterprise,
            booth,
            booking,
        } => check_in(
            &mut work,
            ctx,
            now,
            vendor,
            enterprise,
            booth,
            booking.as_ref(),
        )?,
        LobbyOp::Leave { vendor, booth } => {
            let booths: Vec<InstitutionId> = match booth {
                Some(b) => vec![b.clone()],
                None => work.vendor(vendor).queued_at.iter().cloned().collect(),
            };
            for b in booths {
                remove_from_queue(&mut work, &b, vendor);
            }
        }
        LobbyOp::Disconnect { vendor, conn } => {
            let state = work.vendor(vendor);
            if let Some(conn) = conn {
                state.connections.remove(conn);
                if !state.connections.is_empty()
                    && state.has_live_connection(now, ctx.policy.connection_ttl)
                {
                    // Another tab is still open.
                    *slice = work;
                    return Ok(events);
                }
            }
            for b in work.vendor(vendor).queued_at.clone() {
                for w in work
                    .booth(&b)
                    .queue
                    .iter_mut()
                    .filter(|w| &w.vendor == vendor)
                {
                    w.disconnected_since.get_or_insert(now);
                }
            }
        }
        LobbyOp::Heartbeat { vendor, conn } => {
            work.vendor(vendor).connections.insert(conn.clone(), now);
            // Forget connections long gone (a node that died never says goodbye).
            let ttl = ctx.policy.connection_ttl;
            work.vendor(vendor)
                .connections
                .retain(|_, seen| now.since(*seen) < ttl * 10);
            for b in work.vendor(vendor).queued_at.clone() {
                for w in work
                    .booth(&b)
                    .queue
                    .iter_mut()
                    .filter(|w| &w.vendor == vendor)
                {
                    w.disconnected_since = None;
                }
            }
        }
        LobbyOp::Reconnect { vendor } => {
            let booths = work.vendor(vendor).queued_at.clone();
            let mut found = false;
            for b in booths {
                expire(&mut work, ctx, now, &b, &mut events);
                for w in work
                    .booth(&b)
                    .queue
                    .iter_mut()
                    .filter(|w| &w.vendor == vendor)
                {
                    w.disconnected_since = None;
                    found = true;
                }
            }
            if !found && work.vendor(vendor).in_room.is_none() {
                return Err(LobbyError::NotQueued);
            }
        }
        LobbyOp::BuyerHere { booth } => {
            work.booth(booth).buyer_seen_at = Some(now);
        }
        LobbyOp::AdmitNext { booth } => {
            expire(&mut work, ctx, now, booth, &mut events);
            release_if_over(&mut work, ctx, now, booth, &mut events);
            if work.booth(booth).taken(now) {
                return Err(LobbyError::BoothBusy);
            }
            let next = next_eligible(&work, booth, |_| true).ok_or(LobbyError::NobodyWaiting)?;
            admit_now(&mut work, ctx, now, booth, &next, &mut events);
        }
        LobbyOp::SendBack { booth } => {
            let current = work
                .booth(booth)
                .current
                .take()
                .ok_or(LobbyError::NobodyInRoom)?;
            let v = work.vendor(&current.vendor);
            v.in_room = None;
            v.in_room_at = None;
            v.queued_at.insert(booth.clone());
            // Back to the end of the line, as a walk-in: free time goes to whoever waited
            // next, not straight back to the vendor the buyer just sent out.
            let b = work.booth(booth);
            b.queue.push(Waiting {
                vendor: current.vendor.clone(),
                enterprise: current.enterprise.clone(),
                booking: None,
                checked_in_at: now,
                disconnected_since: None,
                placed: None,
            });
            b.sort();
            events.push(LobbyEvent::SentBack {
                booth: booth.clone(),
                vendor: current.vendor,
            });
        }
        LobbyOp::Finish { booth, meeting } => {
            if work
                .booth(booth)
                .current
                .as_ref()
                .is_some_and(|a| &a.meeting == meeting)
            {
                release(&mut work, booth, &mut events);
            }
        }
        LobbyOp::Tick { booth } => tick(&mut work, ctx, now, booth, &mut events),
        LobbyOp::Move {
            vendor,
            from,
            to,
            position,
        } => move_vendor(&mut work, ctx, now, vendor, from, to, *position)?,
        LobbyOp::Admit { booth, vendor } => {
            expire(&mut work, ctx, now, booth, &mut events);
            release_if_over(&mut work, ctx, now, booth, &mut events);
            if work.booth(booth).taken(now) {
                return Err(LobbyError::BoothBusy);
            }
            if work.vendor(vendor).in_room.is_some() {
                return Err(LobbyError::InRoom);
            }
            let who = next_eligible(&work, booth, |w| &w.vendor == vendor)
                .ok_or(LobbyError::NotQueued)?;
            admit_now(&mut work, ctx, now, booth, &who, &mut events);
        }
        LobbyOp::Reschedule {
            booth,
            meeting,
            closes_at,
            version,
        } => {
            if let Some(a) = work
                .booth(booth)
                .current
                .as_mut()
                .filter(|a| &a.meeting == meeting)
            {
                if *version < a.closes_version {
                    *slice = work;
                    return Ok(events);
                }
                a.closes_at = Some(*closes_at);
                a.closes_version = *version;
                let a = a.clone();
                let vendor = a.vendor.clone();
                work.vendor(&vendor).in_room = Some(a);
            } else if ctx
                .fair
                .meeting(meeting)
                .is_some_and(|m| &m.institution == booth)
            {
                // Its sides came straight to the room: hold the booth for it instead.
                let b = work.booth(booth);
                if *version >= b.held_version {
                    b.held_until = Some(*closes_at);
                    b.held_version = *version;
                }
            }
            release_if_over(&mut work, ctx, now, booth, &mut events);
        }
    }
    *slice = work;
    Ok(events)
}

/// Lets `who` into the booth now: into their own meeting if its slot is running (settled as
/// such), else into free time up to the booth's next booked slot.
fn admit_now(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    booth: &InstitutionId,
    who: &Waiting,
    events: &mut Vec<LobbyEvent>,
) {
    match who
        .booking
        .clone()
        .filter(|b| b.starts_at <= now && now < b.ends_at)
    {
        Some(b) => {
            work.booth(booth).settled.insert(b.meeting.clone());
            admit(work, booth, who, Some(&b.meeting), now, b.ends_at, events);
        }
        None => {
            let until = free_until(ctx, booth, now).unwrap_or(now + ctx.policy.walk_in_len);
            admit(work, booth, who, None, now, until, events);
        }
    }
}

/// A moderator's move: out of `from`'s line into `to`'s, at `position` if given. At a
/// booth where the vendor has a booking still ahead the vendor waits for it; elsewhere as
/// a walk-in (a moderator's move is allowed even where walk-ins are off).
fn move_vendor(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    vendor: &ParticipantId,
    from: &InstitutionId,
    to: &InstitutionId,
    position: Option<usize>,
) -> Result<(), LobbyError> {
    if work.vendor(vendor).in_room.is_some() {
        return Err(LobbyError::InRoom);
    }
    let Some(old) = work
        .booth(from)
        .queue
        .iter()
        .find(|w| &w.vendor == vendor)
        .cloned()
    else {
        return Err(LobbyError::NotQueued);
    };
    remove_from_queue(work, from, vendor);
    remove_from_queue(work, to, vendor);
    let booking = if from == to {
        old.booking.clone()
    } else {
        let settled = work
            .booths
            .get(to)
            .map(|b| b.settled.clone())
            .unwrap_or_default();
        ctx.booked_at(to)
            .into_iter()
            .find(|m| {
                m.enterprise == old.enterprise && now < m.slot.end && !settled.contains(&m.id)
            })
            .map(|m| Booking {
                meeting: m.id.clone(),
                starts_at: m.slot.start,
                ends_at: m.slot.end,
            })
    };
    let mut moved = Waiting {
        booking,
        placed: None,
        ..old
    };
    let b = work.booth(to);
    match position {
        Some(p) => {
            let p = p.min(b.queue.len());
            let beside = if p == 0 {
                b.queue.first()
            } else {
                b.queue.get(p - 1)
            };
            moved.placed = beside.map(Waiting::order_key);
            b.queue.insert(p, moved);
        }
        None => b.queue.push(moved),
    }
    b.sort();
    work.vendor(vendor).queued_at.insert(to.clone());
    Ok(())
}

fn check_in(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    vendor: &ParticipantId,
    enterprise: &EnterpriseId,
    booth: &InstitutionId,
    booking: Option<&MeetingId>,
) -> Result<(), LobbyError> {
    if work.vendor(vendor).in_room.is_some() {
        return Err(LobbyError::InRoom);
    }
    let booking = match booking {
        Some(id) => {
            let m = ctx
                .fair
                .meeting(id)
                .filter(|m| &m.institution == booth && &m.enterprise == enterprise)
                .ok_or_else(|| LobbyError::NotYourBooking(id.clone()))?;
            let opens_at = ctx.policy.timing.checkin_opens_at(m.slot);
            if now < opens_at {
                return Err(LobbyError::TooEarly { opens_at });
            }
            if now >= m.slot.end || work.booth(booth).settled.contains(id) {
                return Err(LobbyError::MeetingOver);
            }
            Some(Booking {
                meeting: m.id.clone(),
                starts_at: m.slot.start,
                ends_at: m.slot.end,
            })
        }
        None if !ctx.policy.walk_ins => return Err(LobbyError::NoWalkIns),
        None => None,
    };
    let b = work.booth(booth);
    if let Some(w) = b.queue.iter_mut().find(|w| &w.vendor == vendor) {
        // Checking in again is coming back: the place is kept.
        w.disconnected_since = None;
        return Ok(());
    }
    b.queue.push(Waiting {
        vendor: vendor.clone(),
        enterprise: enterprise.clone(),
        booking,
        checked_in_at: now,
        disconnected_since: None,
        placed: None,
    });
    b.sort();
    work.vendor(vendor).queued_at.insert(booth.clone());
    Ok(())
}

fn remove_from_queue(work: &mut Slice, booth: &InstitutionId, vendor: &ParticipantId) {
    work.booth(booth).queue.retain(|w| &w.vendor != vendor);
    work.vendor(vendor).queued_at.remove(booth);
}

fn expire(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    booth: &InstitutionId,
    events: &mut Vec<LobbyEvent>,
) {
    // Vendors whose every connection lapsed (their node died without a goodbye) are
    // disconnected from when that is noticed — not from when the lease ran out, which
    // after an outage of the store itself could already be past the grace, although the
    // vendor's tab is open and about to say so again.
    let ttl = ctx.policy.connection_ttl;
    let lapsed: Vec<ParticipantId> = work
        .booths
        .get(booth)
        .map_or(&[][..], |b| &b.queue[..])
        .iter()
        .filter(|w| w.disconnected_since.is_none())
        .filter(|w| {
            work.vendors
                .get(&w.vendor)
                .is_some_and(|v| v.has_lapsed(now, ttl))
        })
        .map(|w| w.vendor.clone())
        .collect();
    for vendor in lapsed {
        for w in work
            .booth(booth)
            .queue
            .iter_mut()
            .filter(|w| w.vendor == vendor)
        {
            w.disconnected_since = Some(now);
        }
    }
    let gone: Vec<ParticipantId> = work
        .booth(booth)
        .queue
        .iter()
        .filter(|w| {
            w.disconnected_since
                .is_some_and(|t| now.since(t) >= ctx.policy.disconnect_grace)
        })
        .map(|w| w.vendor.clone())
        .collect();
    for v in gone {
        remove_from_queue(work, booth, &v);
        events.push(LobbyEvent::Expired {
            booth: booth.clone(),
            vendor: v,
        });
    }
}

fn release(work: &mut Slice, booth: &InstitutionId, events: &mut Vec<LobbyEvent>) {
    if let Some(a) = work.booth(booth).current.take() {
        let v = work.vendor(&a.vendor);
        v.in_room = None;
        v.in_room_at = None;
        events.push(LobbyEvent::Released {
            booth: booth.clone(),
            vendor: a.vendor,
        });
    }
}

/// Frees the booth once its current room has closed: the admission's `until` (the slot's
/// end) plus the room's grace, so the booth is never free while its room is still open.
fn release_if_over(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    booth: &InstitutionId,
    events: &mut Vec<LobbyEvent>,
) {
    if work
        .booth(booth)
        .current
        .as_ref()
        .is_some_and(|a| now >= ctx.room_closes_at(booth, a))
    {
        release(work, booth, events);
    }
}

/// The first waiting vendor at `booth` who is connected, not in a room and passes `filter`.
fn next_eligible(
    work: &Slice,
    booth: &InstitutionId,
    filter: impl Fn(&Waiting) -> bool,
) -> Option<Waiting> {
    let b = work.booths.get(booth)?;
    b.queue
        .iter()
        .find(|w| {
            w.disconnected_since.is_none()
                && work
                    .vendors
                    .get(&w.vendor)
                    .is_none_or(|v| v.in_room.is_none())
                && filter(w)
        })
        .cloned()
}

/// Free time at `booth` from `now` lasts until its next booked slot starts (or `None` if a
/// booked slot is running now).
fn free_until(ctx: &Context<'_>, booth: &InstitutionId, now: Timestamp) -> Option<Timestamp> {
    let booked = ctx.booked_at(booth);
    if booked
        .iter()
        .any(|m| m.slot.start <= now && now < m.slot.end)
    {
        return None;
    }
    let next = booked.iter().map(|m| m.slot.start).find(|t| *t > now);
    let cap = now + ctx.policy.walk_in_len;
    Some(next.map_or(cap, |n| n.min(cap)))
}

fn admit(
    work: &mut Slice,
    booth: &InstitutionId,
    who: &Waiting,
    meeting: Option<&MeetingId>,
    now: Timestamp,
    until: Timestamp,
    events: &mut Vec<LobbyEvent>,
) {
    let walk_in = meeting.is_none();
    let meeting = meeting
        .cloned()
        .unwrap_or_else(|| walk_in_meeting_id(booth, now));
    let admission = Admission {
        vendor: who.vendor.clone(),
        enterprise: who.enterprise.clone(),
        meeting,
        since: now,
        until,
        walk_in,
        closes_at: None,
        closes_version: 0,
    };
    for b in work.vendor(&who.vendor).queued_at.clone() {
        remove_from_queue(work, &b, &who.vendor);
    }
    let v = work.vendor(&who.vendor);
    v.in_room = Some(admission.clone());
    v.in_room_at = Some(booth.clone());
    work.booth(booth).current = Some(admission.clone());
    events.push(LobbyEvent::Admitted {
        booth: booth.clone(),
        admission,
    });
}

/// A walk-in admission as a meeting, so it gets a timed room like any scheduled one: in
/// the round that was under way when it began (or the fair's first), for the admitted
/// time.
pub fn walk_in_meeting(fair: &Fair, booth: &InstitutionId, a: &Admission) -> Meeting {
    let round = fair
        .rounds()
        .filter(|r| r.starts_at <= a.since)
        .max_by_key(|r| r.starts_at)
        .or_else(|| fair.rounds().next())
        .expect("a fair has rounds");
    Meeting {
        id: a.meeting.clone(),
        round: round.id.clone(),
        slot: crate::fair::Slot {
            index: 0,
            start: a.since,
            end: a.until,
        },
        institution: booth.clone(),
        enterprise: a.enterprise.clone(),
    }
}

/// The id of a room made for a walk-in admission: unique per booth and start.
pub fn walk_in_meeting_id(booth: &InstitutionId, now: Timestamp) -> MeetingId {
    MeetingId::parse(format!("w-{booth}-{}", now.as_millis())).expect("ids are ASCII")
}

fn tick(
    work: &mut Slice,
    ctx: &Context<'_>,
    now: Timestamp,
    booth: &InstitutionId,
    events: &mut Vec<LobbyEvent>,
) {
    expire(work, ctx, now, booth, events);
    release_if_over(work, ctx, now, booth, events);
    let buyer_here = work.booth(booth).buyer_present(now, ctx.policy);
    for m in ctx.booked_at(booth) {
        if !(m.slot.start <= now && now < m.slot.end) || work.booth(booth).settled.contains(&m.id) {
            continue;
        }
        let waiting = next_eligible(work, booth, |w| {
            w.booking.as_ref().is_some_and(|b| b.meeting == m.id)
        });
        let free = work.booth(booth).current.is_none();
        if let Some(who) = waiting.filter(|_| buyer_here && free) {
            work.booth(booth).settled.insert(m.id.clone());
            admit(work, booth, &who, Some(&m.id), now, m.slot.end, events);
        } else if ctx
            .policy
            .timing
            .no_show_check_at(m.slot)
            .is_some_and(|at| now >= at)
        {
            let vendor_here = work
                .booth(booth)
                .queue
                .iter()
                .any(|w| w.booking.as_ref().is_some_and(|b| b.meeting == m.id));
            // Both here but the room is still taken: the vendor waits, no one is absent.
            let Some(absent) = policy::absent(buyer_here, vendor_here) else {
                continue;
            };
            work.booth(booth).settled.insert(m.id.clone());
            events.push(LobbyEvent::NoShow {
                booth: booth.clone(),
                meeting: m.id.clone(),
                absent,
            });
            if absent == Absent::Vendor && !work.booth(booth).taken(now) {
                if let Some(next) = next_eligible(work, booth, |w| w.booking.is_none()) {
                    admit(work, booth, &next, None, now, m.slot.end, events);
                }
            }
        }
    }
    // Free time: walk-ins, in order, while the buyer is here.
    if buyer_here && ctx.policy.walk_ins && !work.booth(booth).taken(now) {
        if let Some(until) = free_until(ctx, booth, now).filter(|u| *u > now) {
            if let Some(next) = next_eligible(work, booth, |w| w.booking.is_none()) {
                admit(work, booth, &next, None, now, until, events);
            }
        }
    }
}

/// The next instant after `now` at which the schedule makes a [`LobbyOp::Tick`] of `booth`
/// due: a booked slot's start (its admission), its no-show check, or its room's close (the
/// booth is free again). The ticker sleeps until the earliest of these over the booths, so
/// admissions happen at their exact time and not at its next periodic tick; that tick stays
/// for what only the lobby's state makes due (grace expiries, lapsed connections, free
/// time for walk-ins). `None` once the booth's schedule is over.
pub fn next_due(ctx: &Context<'_>, booth: &InstitutionId, now: Timestamp) -> Option<Timestamp> {
    let timing = &ctx.policy.timing;
    ctx.fair
        .meetings_at(booth)
        .flat_map(|m| {
            [
                Some(m.slot.start),
                timing.no_show_check_at(m.slot),
                Some(timing.closes_at(ctx.fair, m)),
            ]
        })
        .flatten()
        .filter(|t| *t > now)
        .min()
}

/// A vendor's place in one booth's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub booth: InstitutionId,
    /// 1 = next.
    pub position: usize,
    pub waiting: usize,
    pub estimated_wait_s: u64,
    pub booking: Option<Booking>,
    pub disconnected: bool,
}

/// What a vendor sees of the lobby.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorView {
    pub places: Vec<Place>,
    pub in_room: Option<Admission>,
    pub in_room_at: Option<InstitutionId>,
}

/// The vendor's places and room, from a slice holding the vendor and their booths.
pub fn vendor_view(
    slice: &Slice,
    ctx: &Context<'_>,
    vendor: &ParticipantId,
    now: Timestamp,
) -> VendorView {
    let Some(state) = slice.vendors.get(vendor) else {
        return VendorView::default();
    };
    let places = state
        .queued_at
        .iter()
        .filter_map(|b| slice.booths.get(b))
        .filter_map(|booth| {
            let idx = booth.queue.iter().position(|w| &w.vendor == vendor)?;
            let me = &booth.queue[idx];
            let estimated = match &me.booking {
                Some(b) => b.starts_at.since(now),
                None => {
                    let current_left = booth
                        .current
                        .as_ref()
                        .map_or(Duration::ZERO, |a| a.until.since(now));
                    let ahead = booth.queue[..idx]
                        .iter()
                        .filter(|w| w.booking.is_none())
                        .count() as u32;
                    current_left + ctx.policy.walk_in_len * ahead
                }
            };
            Some(Place {
                booth: booth.institution.clone(),
                position: idx + 1,
                waiting: booth.queue.len(),
                estimated_wait_s: estimated.as_secs(),
                booking: me.booking.clone(),
                disconnected: me.disconnected_since.is_some(),
            })
        })
        .collect();
    VendorView {
        places,
        in_room: state.in_room.clone(),
        in_room_at: state.in_room_at.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fair::{
        Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType,
        MeetingSpec, Participant, Role, Round,
    };
    use crate::time::minutes;
    use crate::FairId;

    const MIN: i64 = 60_000;

    fn at(m: i64) -> Timestamp {
        Timestamp::from_millis(m * MIN)
    }

    fn id<T: TryFrom<String>>(s: &str) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(s.to_string()).unwrap()
    }

    /// Booth i1: m1 with e1 at 60–80 min, m2 with e2 at 90–110. Booth i2: m3 with e1 at 90–110.
    fn fair() -> Fair {
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
        let vendor = |p: &str, e: &str| Participant {
            id: id(p),
            name: p.into(),
            role: Role::Vendor,
            affiliation: Affiliation::Enterprise(id(e)),
        };
        let meeting = |m: &str, slot, i: &str, e: &str| MeetingSpec {
            id: id(m),
            round: id("r1"),
            slot,
            institution: id(i),
            enterprise: id(e),
        };
        Fair::new(
            FairId::parse("f").unwrap(),
            "f",
            FairParts {
                rounds: vec![Round {
                    id: id("r1"),
                    number: 1,
                    theme: "t".into(),
                    starts_at: at(60),
                    slot_len: minutes(20),
                    break_len: minutes(10),
                    slots: 3,
                }],
                institutions: vec![inst("i1"), inst("i2")],
                enterprises: vec![ent("e1"), ent("e2"), ent("e3"), ent("e4")],
                participants: vec![
                    vendor("v1", "e1"),
                    vendor("v2", "e2"),
                    vendor("v3", "e3"),
                    vendor("v4", "e4"),
                ],
                meetings: vec![
                    meeting("m1", 0, "i1", "e1"),
                    meeting("m2", 1, "i1", "e2"),
                    meeting("m3", 1, "i2", "e1"),
                ],
            },
        )
        .unwrap()
    }

    struct Lobby {
        fair: Fair,
        policy: LobbyPolicy,
        slice: Slice,
    }

    impl Lobby {
        fn new() -> Self {
            Self {
                fair: fair(),
                policy: LobbyPolicy::default(),
                slice: Slice::default(),
            }
        }
        fn op(&mut self, op: LobbyOp, now: Timestamp) -> Result<Vec<LobbyEvent>, LobbyError> {
            let ctx = Context {
                fair: &self.fair,
                policy: &self.policy,
            };
            apply(&op, &mut self.slice, &ctx, now)
        }
        fn check_in(
            &mut self,
            v: &str,
            e: &str,
            booth: &str,
            booking: Option<&str>,
            now: Timestamp,
        ) -> Result<Vec<LobbyEvent>, LobbyError> {
            self.op(
                LobbyOp::CheckIn {
                    vendor: id(v),
                    enterprise: id(e),
                    booth: id(booth),
                    booking: booking.map(id),
                },
                now,
            )
        }
        fn buyer(&mut self, booth: &str, now: Timestamp) {
            self.op(LobbyOp::BuyerHere { booth: id(booth) }, now)
                .unwrap();
        }
        fn tick(&mut self, booth: &str, now: Timestamp) -> Vec<LobbyEvent> {
            self.op(LobbyOp::Tick { booth: id(booth) }, now).unwrap()
        }
        fn view(&self, v: &str, now: Timestamp) -> VendorView {
            let ctx = Context {
                fair: &self.fair,
                policy: &self.policy,
            };
            vendor_view(&self.slice, &ctx, &id(v), now)
        }
    }

    fn admitted(events: &[LobbyEvent]) -> Vec<(String, String, bool)> {
        events
            .iter()
            .filter_map(|e| match e {
                LobbyEvent::Admitted { admission: a, .. } => {
                    Some((a.vendor.to_string(), a.meeting.to_string(), a.walk_in))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_booked_vendor_checks_in_when_check_in_opens_and_sees_their_wait() {
        let mut l = Lobby::new();
        assert_eq!(
            l.check_in(
                "v1",
                "e1",
                "i1",
                Some("m1"),
                at(50) - Duration::from_millis(1)
            ),
            Err(LobbyError::TooEarly { opens_at: at(50) })
        );
        l.check_in("v1", "e1", "i1", Some("m1"), at(50)).unwrap();
        let view = l.view("v1", at(52));
        assert_eq!(view.places.len(), 1);
        assert_eq!(view.places[0].position, 1);
        assert_eq!(view.places[0].estimated_wait_s, 8 * 60);
        // Someone else's booking is refused.
        assert_eq!(
            l.check_in("v2", "e2", "i1", Some("m1"), at(52)),
            Err(LobbyError::NotYourBooking(id("m1")))
        );
    }

    #[test]
    fn at_the_slot_start_the_booked_vendor_is_admitted_only_if_the_buyer_is_there() {
        let mut l = Lobby::new();
        l.check_in("v1", "e1", "i1", Some("m1"), at(55)).unwrap();
        assert_eq!(admitted(&l.tick("i1", at(60))), vec![]);
        l.buyer("i1", at(61));
        assert_eq!(
            admitted(&l.tick("i1", at(61))),
            vec![("v1".into(), "m1".into(), false)]
        );
        assert!(l.view("v1", at(61)).places.is_empty());
        assert_eq!(l.view("v1", at(61)).in_room.unwrap().until, at(80));
        // Ticks are idempotent: nobody is admitted twice.
        l.buyer("i1", at(62));
        assert_eq!(admitted(&l.tick("i1", at(62))), vec![]);
        // At the slot's end the room is in its grace (a minute): the booth stays taken...
        let ev = l.tick("i1", at(80));
        assert!(
            !ev.iter().any(|e| matches!(e, LobbyEvent::Released { .. })),
            "{ev:?}"
        );
        // ...and is free again when the room closes.
        let ev = l.tick("i1", at(81));
        assert!(
            ev.contains(&LobbyEvent::Released {
                booth: id("i1"),
                vendor: id("v1")
            }),
            "{ev:?}"
        );
        assert_eq!(l.view("v1", at(81)).in_room, None);
    }

    #[test]
    fn the_next_due_instant_is_the_schedules_and_a_tick_then_admits_at_that_instant() {
        let mut l = Lobby::new();
        let ctx = Context {
            fair: &l.fair,
            policy: &l.policy,
        };
        // Booth i1: m1 60–80 (no-show check at 65, closes at 81), m2 90–110.
        let walk = |from: Timestamp| {
            let mut seen = Vec::new();
            let mut now = from;
            while let Some(t) = next_due(&ctx, &id("i1"), now) {
                assert!(t > now, "due instants move forward");
                seen.push(t);
                now = t;
            }
            seen
        };
        assert_eq!(
            walk(at(50)),
            vec![at(60), at(65), at(81), at(90), at(95), at(111)]
        );
        assert_eq!(
            next_due(&ctx, &id("i1"), at(60) - Duration::from_millis(1)),
            Some(at(60))
        );
        assert_eq!(next_due(&ctx, &id("i1"), at(200)), None);
        // Booth i2 has only m3 (90–110).
        assert_eq!(next_due(&ctx, &id("i2"), at(50)), Some(at(90)));

        // Both there before the start: the tick at the due instant admits, from that instant.
        l.check_in("v1", "e1", "i1", Some("m1"), at(55)).unwrap();
        l.buyer("i1", at(59) + Duration::from_secs(50));
        let just_before = at(60) - Duration::from_millis(1);
        assert_eq!(admitted(&l.tick("i1", just_before)), vec![]);
        let ev = l.tick("i1", at(60));
        assert_eq!(admitted(&ev), vec![("v1".into(), "m1".into(), false)]);
        assert_eq!(l.view("v1", at(60)).in_room.unwrap().since, at(60));
    }

    #[test]
    fn a_vendor_no_show_hands_the_rest_of_the_slot_to_the_next_walk_in() {
        let mut l = Lobby::new();
        l.check_in("v3", "e3", "i1", None, at(58)).unwrap();
        l.check_in("v4", "e4", "i1", None, at(59)).unwrap();
        l.buyer("i1", at(60));
        // Free time before the slot: v3 is let in until m1 starts, and out again at 60.
        l.buyer("i1", at(64) + Duration::from_secs(59));
        assert_eq!(
            admitted(&l.tick("i1", at(64) + Duration::from_secs(59))),
            vec![]
        );
        l.buyer("i1", at(65));
        let ev = l.tick("i1", at(65));
        assert!(
            ev.contains(&LobbyEvent::NoShow {
                booth: id("i1"),
                meeting: id("m1"),
                absent: Absent::Vendor
            }),
            "{ev:?}"
        );
        let got = admitted(&ev);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "v3");
        assert!(got[0].2, "a walk-in admission");
        assert_eq!(l.view("v3", at(65)).in_room.unwrap().until, at(80));
        // v4 is next in line.
        assert_eq!(l.view("v4", at(65)).places[0].position, 1);
    }

    #[test]
    fn walk_ins_fill_free_time_in_the_order_they_came() {
        let mut l = Lobby::new();
        l.check_in("v4", "e4", "i2", None, at(10)).unwrap();
        l.check_in("v3", "e3", "i2", None, at(11)).unwrap();
        assert_eq!(l.view("v3", at(11)).places[0].position, 2);
        assert_eq!(l.view("v3", at(11)).places[0].estimated_wait_s, 10 * 60);
        l.buyer("i2", at(12));
        let got = admitted(&l.tick("i2", at(12)));
        assert_eq!(
            got,
            vec![(
                "v4".into(),
                walk_in_meeting_id(&id("i2"), at(12)).to_string(),
                true
            )]
        );
        assert_eq!(l.view("v4", at(12)).in_room.unwrap().until, at(22));
        // The walk-in room has its grace too: the next walk-in goes in when it closes.
        l.buyer("i2", at(22));
        assert_eq!(admitted(&l.tick("i2", at(22))), vec![]);
        l.buyer("i2", at(23));
        let ev = l.tick("i2", at(23));
        assert_eq!(admitted(&ev)[0].0, "v3");
    }

    fn line(l: &Lobby, booth: &str) -> Vec<String> {
        l.slice.booths[&id::<InstitutionId>(booth)]
            .queue
            .iter()
            .map(|w| w.vendor.to_string())
            .collect()
    }

    #[test]
    fn a_moderator_moves_a_waiting_vendor_to_another_booth_or_place() {
        let mut l = Lobby::new();
        for (v, e, t) in [("v2", "e2", 10), ("v3", "e3", 11), ("v4", "e4", 12)] {
            l.check_in(v, e, "i2", None, at(t)).unwrap();
        }
        // To the front of the same line, and it stays there as others arrive.
        let mv = |v: &str, from: &str, to: &str, position| LobbyOp::Move {
            vendor: id(v),
            from: id(from),
            to: id(to),
            position,
        };
        l.op(mv("v4", "i2", "i2", Some(0)), at(13)).unwrap();
        assert_eq!(line(&l, "i2"), ["v4", "v2", "v3"]);
        l.check_in("v1", "e1", "i2", None, at(14)).unwrap();
        assert_eq!(line(&l, "i2"), ["v4", "v2", "v3", "v1"]);
        // Second place.
        l.op(mv("v1", "i2", "i2", Some(1)), at(15)).unwrap();
        assert_eq!(line(&l, "i2"), ["v4", "v1", "v2", "v3"]);
        // To booth i1, where e2 has booking m2 ahead: v2 waits for it there.
        l.op(mv("v2", "i2", "i1", None), at(16)).unwrap();
        assert_eq!(line(&l, "i2"), ["v4", "v1", "v3"]);
        assert_eq!(line(&l, "i1"), ["v2"]);
        let w = &l.slice.booths[&id::<InstitutionId>("i1")].queue[0];
        assert_eq!(w.booking.as_ref().unwrap().meeting.as_str(), "m2");
        let places = l.view("v2", at(16)).places;
        assert_eq!(places.len(), 1, "out of i2's line, into i1's: {places:?}");
        // Refusals change nothing.
        let before = l.slice.clone();
        assert_eq!(
            l.op(mv("v2", "i2", "i1", None), at(17)),
            Err(LobbyError::NotQueued)
        );
        assert_eq!(
            l.op(mv("v3", "i2", "nope", None), at(17)),
            Err(LobbyError::UnknownBooth(id("nope")))
        );
        assert_eq!(l.slice, before);
    }

    #[test]
    fn a_moderator_admits_a_chosen_vendor_into_free_time() {
        let mut l = Lobby::new();
        l.check_in("v4", "e4", "i2", None, at(10)).unwrap();
        l.check_in("v3", "e3", "i2", None, at(11)).unwrap();
        let admit = |v: &str| LobbyOp::Admit {
            booth: id("i2"),
            vendor: id(v),
        };
        // The second in line, not the first; until the booth's next booking (m3 at 90)
        // or the walk-in length.
        let got = admitted(&l.op(admit("v3"), at(12)).unwrap());
        assert_eq!(got[0].0, "v3");
        assert_eq!(l.view("v3", at(12)).in_room.unwrap().until, at(22));
        assert_eq!(line(&l, "i2"), ["v4"]);
        assert_eq!(l.op(admit("v4"), at(13)), Err(LobbyError::BoothBusy));
        assert_eq!(
            l.op(
                LobbyOp::Admit {
                    booth: id("i1"),
                    vendor: id("v2")
                },
                at(13)
            ),
            Err(LobbyError::NotQueued)
        );
    }

    #[test]
    fn a_rescheduled_room_keeps_its_booth_until_its_new_close() {
        let mut l = Lobby::new();
        l.check_in("v4", "e4", "i2", None, at(10)).unwrap();
        l.check_in("v3", "e3", "i2", None, at(11)).unwrap();
        l.buyer("i2", at(12));
        let got = admitted(&l.tick("i2", at(12)));
        let meeting: MeetingId = id(&got[0].1);
        // Extended to close at 30 instead of 23.
        l.op(
            LobbyOp::Reschedule {
                booth: id("i2"),
                meeting: meeting.clone(),
                closes_at: at(30),
                version: 1,
            },
            at(15),
        )
        .unwrap();
        l.buyer("i2", at(25));
        assert_eq!(admitted(&l.tick("i2", at(25))), vec![]);
        // Ended now by a moderator: the booth is free at once.
        let ev = l
            .op(
                LobbyOp::Reschedule {
                    booth: id("i2"),
                    meeting: meeting.clone(),
                    closes_at: at(26),
                    version: 3,
                },
                at(26),
            )
            .unwrap();
        assert!(
            ev.iter().any(|e| matches!(e, LobbyEvent::Released { .. })),
            "{ev:?}"
        );
        l.buyer("i2", at(26));
        assert_eq!(admitted(&l.tick("i2", at(26)))[0].0, "v3");
    }

    #[test]
    fn an_extended_meeting_its_sides_entered_directly_holds_the_booth_against_walk_ins() {
        let mut l = Lobby::new();
        // m3 at i2 runs 90–110; its sides came straight to the room (no admission). A
        // moderator extends it to close at 118.
        l.op(
            LobbyOp::Reschedule {
                booth: id("i2"),
                meeting: id("m3"),
                closes_at: at(118),
                version: 1,
            },
            at(100),
        )
        .unwrap();
        l.check_in("v4", "e4", "i2", None, at(111)).unwrap();
        l.buyer("i2", at(112));
        assert_eq!(admitted(&l.tick("i2", at(112))), vec![], "held until 118");
        assert_eq!(
            l.op(LobbyOp::AdmitNext { booth: id("i2") }, at(112)),
            Err(LobbyError::BoothBusy)
        );
        l.buyer("i2", at(118));
        assert_eq!(admitted(&l.tick("i2", at(118)))[0].0, "v4");
    }

    #[test]
    fn closing_one_of_two_tabs_leaves_the_vendor_connected() {
        let mut l = Lobby::new();
        let s = |secs: u64| at(10) + Duration::from_secs(secs);
        let beat = |conn: &str| LobbyOp::Heartbeat {
            vendor: id("v3"),
            conn: conn.into(),
        };
        let close = |conn: &str| LobbyOp::Disconnect {
            vendor: id("v3"),
            conn: Some(conn.into()),
        };
        l.op(beat("a-1"), s(0)).unwrap();
        l.check_in("v3", "e3", "i1", None, s(0)).unwrap();
        l.op(beat("b-7"), s(5)).unwrap();
        l.op(close("a-1"), s(10)).unwrap();
        assert!(
            !l.view("v3", s(10)).places[0].disconnected,
            "tab b-7 is open"
        );
        l.op(close("b-7"), s(20)).unwrap();
        assert!(l.view("v3", s(20)).places[0].disconnected);
        // A tab opened again within the grace takes the place back.
        l.op(beat("b-8"), s(30)).unwrap();
        assert!(!l.view("v3", s(30)).places[0].disconnected);
    }

    #[test]
    fn a_vendor_whose_connections_all_fell_silent_is_disconnected_and_then_expires() {
        let mut l = Lobby::new();
        l.op(
            LobbyOp::Heartbeat {
                vendor: id("v3"),
                conn: "dead-node-1".into(),
            },
            at(10),
        )
        .unwrap();
        l.check_in("v3", "e3", "i1", None, at(10)).unwrap();
        // Heard at 10; the connection counts for a minute (the default TTL).
        l.tick("i1", at(10) + Duration::from_secs(59));
        assert!(!l.view("v3", at(11)).places[0].disconnected);
        l.tick("i1", at(12));
        assert!(l.view("v3", at(12)).places[0].disconnected);
        // The grace (two minutes) runs from when the lapse was noticed, at 12.
        let ev = l.tick("i1", at(13) + Duration::from_secs(30));
        assert!(
            !ev.iter().any(|e| matches!(e, LobbyEvent::Expired { .. })),
            "{ev:?}"
        );
        let ev = l.tick("i1", at(14));
        assert!(
            ev.contains(&LobbyEvent::Expired {
                booth: id("i1"),
                vendor: id("v3")
            }),
            "{ev:?}"
        );
    }

    #[test]
    fn a_disconnected_vendor_keeps_their_place_for_the_grace_time() {
        let mut l = Lobby::new();
        l.check_in("v3", "e3", "i1", None, at(10)).unwrap();
        l.check_in("v4", "e4", "i1", None, at(11)).unwrap();
        l.op(
            LobbyOp::Disconnect {
                vendor: id("v3"),
                conn: None,
            },
            at(12),
        )
        .unwrap();
        assert!(l.view("v3", at(12)).places[0].disconnected);
        l.op(LobbyOp::Reconnect { vendor: id("v3") }, at(13))
            .unwrap();
        assert_eq!(l.view("v3", at(13)).places[0].position, 1);
        assert!(!l.view("v3", at(13)).places[0].disconnected);

        l.op(
            LobbyOp::Disconnect {
                vendor: id("v3"),
                conn: None,
            },
            at(14),
        )
        .unwrap();
        // Disconnected vendors are skipped, not admitted.
        l.buyer("i1", at(15));
        assert_eq!(admitted(&l.tick("i1", at(15)))[0].0, "v4");
        let ev = l.tick("i1", at(16));
        assert!(
            ev.contains(&LobbyEvent::Expired {
                booth: id("i1"),
                vendor: id("v3")
            }),
            "{ev:?}"
        );
        assert_eq!(
            l.op(LobbyOp::Reconnect { vendor: id("v3") }, at(17)),
            Err(LobbyError::NotQueued)
        );
    }

    #[test]
    fn admission_at_one_booth_takes_the_vendor_out_of_every_other_queue() {
        let mut l = Lobby::new();
        l.check_in("v1", "e1", "i1", Some("m1"), at(55)).unwrap();
        l.check_in("v1", "e1", "i2", None, at(55)).unwrap();
        assert_eq!(l.view("v1", at(55)).places.len(), 2);
        l.buyer("i1", at(60));
        l.tick("i1", at(60));
        let view = l.view("v1", at(60));
        assert!(view.places.is_empty(), "{view:?}");
        assert!(l.slice.booths[&id::<InstitutionId>("i2")].queue.is_empty());
        assert_eq!(
            l.check_in("v1", "e1", "i2", None, at(61)),
            Err(LobbyError::InRoom)
        );
    }

    #[test]
    fn the_buyer_admits_the_next_vendor_or_sends_one_back() {
        let mut l = Lobby::new();
        l.check_in("v3", "e3", "i2", None, at(10)).unwrap();
        l.check_in("v4", "e4", "i2", None, at(11)).unwrap();
        let ev = l
            .op(LobbyOp::AdmitNext { booth: id("i2") }, at(12))
            .unwrap();
        assert_eq!(admitted(&ev)[0].0, "v3");
        assert_eq!(
            l.op(LobbyOp::AdmitNext { booth: id("i2") }, at(12)),
            Err(LobbyError::BoothBusy)
        );
        l.op(LobbyOp::SendBack { booth: id("i2") }, at(13)).unwrap();
        assert_eq!(l.view("v4", at(13)).places[0].position, 1);
        assert_eq!(
            l.view("v3", at(13)).places[0].position,
            2,
            "sent back to the end"
        );
        // Free time goes to whoever waited next.
        l.buyer("i2", at(14));
        assert_eq!(admitted(&l.tick("i2", at(14)))[0].0, "v4");
        l.op(
            LobbyOp::Finish {
                booth: id("i2"),
                meeting: walk_in_meeting_id(&id("i2"), at(14)),
            },
            at(15),
        )
        .unwrap();
        assert_eq!(
            l.op(LobbyOp::SendBack { booth: id("i2") }, at(15)),
            Err(LobbyError::NobodyInRoom)
        );
    }

    #[test]
    fn admitting_a_booked_vendor_during_their_slot_uses_their_meeting() {
        let mut l = Lobby::new();
        l.check_in("v1", "e1", "i1", Some("m1"), at(55)).unwrap();
        // The buyer is not "here" for the tick, but lets the vendor in by hand.
        let ev = l
            .op(LobbyOp::AdmitNext { booth: id("i1") }, at(61))
            .unwrap();
        assert_eq!(admitted(&ev), vec![("v1".into(), "m1".into(), false)]);
        // The slot is settled: no no-show later.
        l.op(
            LobbyOp::Finish {
                booth: id("i1"),
                meeting: id("m1"),
            },
            at(62),
        )
        .unwrap();
        let ev = l.tick("i1", at(66));
        assert!(
            !ev.iter().any(|e| matches!(e, LobbyEvent::NoShow { .. })),
            "{ev:?}"
        );
    }

    #[test]
    fn a_failed_operation_changes_nothing() {
        let mut l = Lobby::new();
        l.check_in("v3", "e3", "i2", None, at(10)).unwrap();
        let before = l.slice.clone();
        assert!(l.check_in("v2", "e2", "i1", Some("m1"), at(10)).is_err());
        assert!(l.op(LobbyOp::SendBack { booth: id("i2") }, at(10)).is_err());
        assert_eq!(l.slice, before);
    }

    #[test]
    fn a_slice_knows_which_booths_and_vendors_it_still_needs() {
        let mut l = Lobby::new();
        l.check_in("v1", "e1", "i1", None, at(10)).unwrap();
        l.check_in("v1", "e1", "i2", None, at(10)).unwrap();
        let tick = LobbyOp::Tick { booth: id("i1") };
        let (b, v) = missing(&tick, &Slice::default());
        assert_eq!((b, v), (vec![id("i1")], vec![]));
        let mut partial = Slice::default();
        partial
            .booths
            .insert(id("i1"), l.slice.booths[&id::<InstitutionId>("i1")].clone());
        assert_eq!(missing(&tick, &partial), (vec![], vec![id("v1")]));
        partial.vendors.insert(
            id("v1"),
            l.slice.vendors[&id::<ParticipantId>("v1")].clone(),
        );
        assert_eq!(missing(&tick, &partial), (vec![id("i2")], vec![]));
        partial
            .booths
            .insert(id("i2"), l.slice.booths[&id::<InstitutionId>("i2")].clone());
        assert_eq!(missing(&tick, &partial), (vec![], vec![]));
    }
}
