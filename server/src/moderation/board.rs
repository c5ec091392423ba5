//! The moderators' board: one picture of the whole fair, computed on this node from what
//! it knows — its own rooms' status, the seats other nodes announce over the bus, the
//! lobby's booths and the moderators' changes in the shared stores — and shared by every
//! board connection, each of which sends its moderator only the rooms and booths of their
//! round that changed. The picture is recomputed when something changes (a room's status,
//! a bus presence, an action) and at least once a second (for what only the clock moves,
//! and lobby changes made on other nodes), and only while a moderator is watching.

use crate::app::clock;
use crate::files::fair::contacts::Contacts;
use crate::lobby::store::LobbyStore;
use crate::moderation::store::ModerationStore;
use crate::rooms::bus::REMOTE_HEALTHY;
use crate::rooms::{RoomStatus, Rooms};
use sangdam_signaling::live::lobby::{walk_in_meeting, Booth, LobbyPolicy};
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::live::room::{Seat, Side};
use sangdam_signaling::protocol::board::{
    Attention, BoardAdmission, BoardBooth, BoardRoom, BoardWaiting, Contact, Counts, RoundView,
    SeatView,
};
use sangdam_signaling::protocol::{MeetingView, OrgView};
use sangdam_signaling::{Fair, InstitutionId, Meeting, MeetingId, Phase, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tracing::warn;

/// The fair as the board shows it, at one instant.
#[derive(Debug)]
pub struct Picture {
    pub at: Timestamp,
    /// By round number, in start order.
    pub rooms: BTreeMap<u32, Vec<BoardRoom>>,
    /// By round number: the booths with meetings in that round.
    pub booths: BTreeMap<u32, Vec<BoardBooth>>,
    pub counts: BTreeMap<u32, Counts>,
}

impl Default for Picture {
    fn default() -> Self {
        Picture {
            at: Timestamp::from_millis(0),
            rooms: BTreeMap::new(),
            booths: BTreeMap::new(),
            counts: BTreeMap::new(),
        }
    }
}

impl Picture {
    pub fn rooms(&self, round: u32) -> &[BoardRoom] {
        self.rooms.get(&round).map_or(&[], Vec::as_slice)
    }
    pub fn booths(&self, round: u32) -> &[BoardBooth] {
        self.booths.get(&round).map_or(&[], Vec::as_slice)
    }
    pub fn counts(&self, round: u32) -> Counts {
        self.counts.get(&round).cloned().unwrap_or_default()
    }
}

/// How many board connections are open on this node: the picture is drawn only while
/// there is one.
#[derive(Clone, Default)]
pub struct Watchers(Arc<std::sync::atomic::AtomicUsize>);

/// One board connection, counted while it lives.
pub struct Watching(Arc<std::sync::atomic::AtomicUsize>);

impl Watchers {
    pub fn watch(&self) -> Watching {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Watching(self.0.clone())
    }

    fn any(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed) > 0
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the board reads.
#[derive(Clone)]
pub struct Sources {
    pub fair: Arc<Fair>,
    pub rooms: Rooms,
    pub lobby: Arc<dyn LobbyStore>,
    pub moderation: Arc<dyn ModerationStore>,
    pub contacts: Arc<Contacts>,
    pub watchers: Watchers,
    /// The lobby's rules, for whether a booth's buyer is there.
    pub lobby_policy: LobbyPolicy,
}

/// How long the board waits after a change for more to come, so a burst (a round
/// starting: hundreds of joins) is one redraw.
const SETTLE: Duration = Duration::from_millis(25);
/// Redrawn at least this often while anyone watches.
const REFRESH: Duration = Duration::from_secs(1);
/// And at most this often: under churn (a round starting) one redraw per quarter second
/// carries every change; a lone change waits only [`SETTLE`].
const MIN_GAP: Duration = Duration::from_millis(250);

/// Keeps the picture up to date for as long as the server runs. Board connections
/// subscribe to the returned channel.
pub fn start(sources: Sources, changed: Arc<Notify>) -> watch::Receiver<Arc<Picture>> {
    let (tx, rx) = watch::channel(Arc::new(Picture::default()));
    tokio::spawn(async move {
        let mut last_adjustments = HashMap::new();
        let mut last_booths = HashMap::new();
        let mut drawn = tokio::time::Instant::now() - MIN_GAP;
        loop {
            tokio::select! {
                _ = changed.notified() => {
                    tokio::time::sleep(SETTLE).await;
                    tokio::time::sleep_until(drawn + MIN_GAP).await;
                }
                _ = tokio::time::sleep(REFRESH) => {}
            }
            drawn = tokio::time::Instant::now();
            if !sources.watchers.any() {
                continue;
            }
            let picture = sources
                .picture(&mut last_adjustments, &mut last_booths)
                .await;
            if tx.send(Arc::new(picture)).is_err() {
                return;
            }
        }
    });
    rx
}

impl Sources {
    /// Computes the picture now. The shared stores' last good answers stand in while they
    /// are out of reach, so the board goes on showing the rooms.
    pub async fn picture(
        &self,
        last_adjustments: &mut HashMap<MeetingId, Adjustments>,
        last_booths: &mut HashMap<InstitutionId, Booth>,
    ) -> Picture {
        let fair = &*self.fair;
        match self.moderation.all().await {
            Ok(a) => *last_adjustments = a,
            Err(r) => warn!(%r, "board: moderators' changes unreadable; showing the last known"),
        }
        let ids: Vec<InstitutionId> = fair.institutions().map(|i| i.id.clone()).collect();
        match self.lobby.booths(ids).await {
            Ok(b) => *last_booths = b.into_iter().map(|b| (b.institution.clone(), b)).collect(),
            Err(e) => warn!(error = %e, "board: lobby unreadable; showing the last known"),
        }
        let now = clock::now();
        let mono = clock::monotonic();
        // The schedule's meetings, and the walk-in rooms open here or in the lobby.
        let mut meetings: Vec<(Meeting, bool)> =
            fair.meetings().map(|m| (m.clone(), false)).collect();
        let mut walk_ins: BTreeSet<MeetingId> = BTreeSet::new();
        for m in self.rooms.open_walk_ins() {
            walk_ins.insert(m.id.clone());
            meetings.push((m, true));
        }
        for (booth, b) in last_booths.iter() {
            if let Some(a) = b.current.as_ref().filter(|a| a.walk_in) {
                if walk_ins.insert(a.meeting.clone()) {
                    meetings.push((walk_in_meeting(fair, booth, a), true));
                }
            }
        }
        let mut picture = Picture {
            at: now,
            ..Picture::default()
        };
        for (m, walk_in) in &meetings {
            let Some(round) = fair.round(&m.round).map(|r| r.number) else {
                continue;
            };
            let adj = last_adjustments.get(&m.id).cloned().unwrap_or_default();
            let room = self.room(m, *walk_in, &adj, now, mono);
            picture.rooms.entry(round).or_default().push(room);
        }
        for rooms in picture.rooms.values_mut() {
            rooms.sort_by(|a, b| {
                (a.meeting.starts_at, &a.meeting.institution.id)
                    .cmp(&(b.meeting.starts_at, &b.meeting.institution.id))
            });
        }
        for r in fair.rounds() {
            let booths: BTreeSet<&InstitutionId> = fair
                .meetings()
                .filter(|m| m.round == r.id)
                .map(|m| &m.institution)
                .collect();
            let views: Vec<BoardBooth> = booths
                .into_iter()
                .filter_map(|i| {
                    let b = last_booths
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| Booth::new(i.clone()));
                    self.booth(&b, now)
                })
                .collect();
            let counts = counts(picture.rooms(r.number), &views);
            picture.counts.insert(r.number, counts);
            picture.booths.insert(r.number, views);
        }
        picture
    }

    fn room(
        &self,
        m: &Meeting,
        walk_in: bool,
        adj: &Adjustments,
        now: Timestamp,
        mono: Timestamp,
    ) -> BoardRoom {
        let fair = &*self.fair;
        let base = self.rooms.window(m);
        let status: RoomStatus = match self.rooms.status(&m.id) {
            Some(s) => s,
            None => {
                let window = adj.window(base);
                let phase = match self.rooms.closed_at(&m.id) {
                    Some(_) => Phase::Closed,
                    None => window.phase_at(now),
                };
                // Not running here: the seats other nodes announce.
                let remote = self
                    .rooms
                    .bus()
                    .map(|b| b.remote_seats(&m.id, mono))
                    .unwrap_or_default();
                RoomStatus {
                    phase,
                    window,
                    seats: remote.map(|r| {
                        r.map(|r| crate::rooms::SeatStatus {
                            participant: r.participant,
                            since: r.since,
                            healthy: r.healthy && mono.since(r.seen) <= REMOTE_HEALTHY,
                        })
                    }),
                    dropped: [false, false],
                    no_show: adj.no_show(None),
                    no_show_marked: adj.no_show.is_some(),
                    actions: adj.actions.len(),
                }
            }
        };
        let seat = |s: Seat| {
            status.seats[s.index()].as_ref().map(|x| SeatView {
                name: x
                    .participant
                    .as_ref()
                    .and_then(|p| fair.participant(p))
                    .map_or_else(String::new, |p| p.name.clone()),
                participant: x.participant.clone().unwrap_or_else(|| {
                    sangdam_signaling::ParticipantId::parse("unknown").expect("valid id")
                }),
                since: x.since,
                healthy: x.healthy,
            })
        };
        let (buyer, vendor, moderator) =
            (seat(Seat::Buyer), seat(Seat::Vendor), seat(Seat::Moderator));
        let running = matches!(status.phase, Phase::Live | Phase::Grace);
        let mut attention = Vec::new();
        for (side, view) in [(Side::Buyer, &buyer), (Side::Vendor, &vendor)] {
            let i = Seat::from(side).index();
            match view {
                None if running && status.dropped[i] => attention.push(Attention::Dropped { side }),
                None if running => attention.push(Attention::Absent { side }),
                Some(v) if !v.healthy => attention.push(Attention::Unhealthy { side }),
                _ => {}
            }
        }
        if let Some(absent) = status.no_show {
            attention.push(Attention::NoShow { absent });
        }
        let overrun = status.phase == Phase::Grace
            || (running && now >= m.slot.end && status.window.ends_at > m.slot.end);
        if overrun {
            attention.push(Attention::Overrun);
        }
        BoardRoom {
            meeting: MeetingView::of(fair, m),
            walk_in,
            window: status.window,
            phase: status.phase,
            buyer,
            vendor,
            moderator,
            no_show: status.no_show,
            no_show_marked: status.no_show_marked,
            attention,
            actions: status.actions,
        }
    }

    fn booth(&self, b: &Booth, now: Timestamp) -> Option<BoardBooth> {
        let fair = &*self.fair;
        let institution = fair.institution(&b.institution)?;
        let waiting = b
            .queue
            .iter()
            .filter_map(|w| {
                let e = fair.enterprise(&w.enterprise)?;
                Some(BoardWaiting {
                    vendor: w.vendor.clone(),
                    name: fair
                        .participant(&w.vendor)
                        .map_or_else(String::new, |p| p.name.clone()),
                    enterprise: OrgView::enterprise(e),
                    meeting: w.booking.as_ref().map(|x| x.meeting.clone()),
                    checked_in_at: w.checked_in_at,
                    disconnected: w.disconnected_since.is_some(),
                })
            })
            .collect();
        Some(BoardBooth {
            institution: OrgView::institution(institution),
            buyer_here: b.buyer_present(now, &self.lobby_policy),
            waiting,
            current: b.current.as_ref().map(|a| BoardAdmission {
                vendor: a.vendor.clone(),
                meeting: a.meeting.clone(),
                since: a.since,
                until: a.until,
                walk_in: a.walk_in,
            }),
        })
    }

    /// How to reach the participants of `round`'s meetings and its moderators.
    pub fn contacts(&self, round: u32) -> Vec<Contact> {
        let fair = &*self.fair;
        let Some(r) = fair.rounds().find(|r| r.number == round) else {
            return Vec::new();
        };
        let mut orgs: BTreeSet<String> = BTreeSet::new();
        for m in fair.meetings().filter(|m| m.round == r.id) {
            orgs.insert(m.institution.to_string());
            orgs.insert(m.enterprise.to_string());
        }
        fair.participants()
            .filter(|p| match &p.affiliation {
                sangdam_signaling::fair::Affiliation::Institution(i) => orgs.contains(i.as_str()),
                sangdam_signaling::fair::Affiliation::Enterprise(e) => orgs.contains(e.as_str()),
                sangdam_signaling::fair::Affiliation::Operator => true,
            })
            .map(|p| {
                let info = self.contacts.get(&p.id).cloned().unwrap_or_default();
                Contact {
                    participant: p.id.clone(),
                    name: p.name.clone(),
                    role: p.role,
                    organisation: OrgView::of_participant(fair, p).map(|o| o.name),
                    phone: info.phone,
                    email: info.email,
                }
            })
            .collect()
    }

    /// The rounds, for the board's picker.
    pub fn rounds(&self) -> Vec<RoundView> {
        self.fair
            .rounds()
            .map(|r| {
                let ends_at = self
                    .fair
                    .meetings()
                    .filter(|m| m.round == r.id)
                    .map(|m| m.slot.end)
                    .max()
                    .unwrap_or(r.starts_at);
                RoundView {
                    number: r.number,
                    theme: r.theme.clone(),
                    starts_at: r.starts_at,
                    ends_at,
                }
            })
            .collect()
    }

    /// The round to show first: the one under way, else the next, else the last.
    pub fn current_round(&self, now: Timestamp) -> u32 {
        let rounds = self.rounds();
        rounds
            .iter()
            .find(|r| r.starts_at <= now && now < r.ends_at)
            .or_else(|| {
                rounds
                    .iter()
                    .filter(|r| r.starts_at > now)
                    .min_by_key(|r| r.starts_at)
            })
            .or_else(|| rounds.iter().max_by_key(|r| r.starts_at))
            .map_or(1, |r| r.number)
    }
}

fn counts(rooms: &[BoardRoom], booths: &[BoardBooth]) -> Counts {
    let mut c = Counts {
        rooms: rooms.len(),
        waiting: booths.iter().map(|b| b.waiting.len()).sum(),
        ..Counts::default()
    };
    for r in rooms {
        match r.phase {
            Phase::Scheduled => c.scheduled += 1,
            Phase::CheckIn => c.check_in += 1,
            Phase::Live => c.live += 1,
            Phase::Grace => c.grace += 1,
            Phase::Closed => c.closed += 1,
        }
        if !r.attention.is_empty() {
            c.attention += 1;
        }
        if r.no_show.is_some() {
            c.no_shows += 1;
        }
        if r.attention.contains(&Attention::Overrun) {
            c.overruns += 1;
        }
        if r.walk_in {
            c.walk_ins += 1;
        }
        if r.moderator.is_some() {
            c.moderated += 1;
        }
    }
    c
}
