//! Moderators' actions, carried out: each request is decided by the core
//! (`live::moderation` for rooms, `live::lobby` for moves and admissions) on the shared
//! state, stored, handed to the room on whichever node runs it (here directly, elsewhere
//! over the bus), written into the meeting's record (as an action in its adjustments) and
//! shown on every moderator's board (the activity feed). The HTTP edge is
//! `http::moderation`; the board is [`board`].

pub mod board;
pub mod store;

use crate::lobby::store::LobbyStore;
use crate::rooms::bus::{Bus, OpsMessage};
use crate::rooms::Rooms;
use sangdam_signaling::live::lobby::{walk_in_meeting, LobbyEvent, LobbyOp};
use sangdam_signaling::live::moderation::{self, Adjustments, RoomContext, RoomRequest};
use sangdam_signaling::protocol::board::{
    ActivityEntry, AnnounceBody, LobbyActionBody, RoomActionBody, RoomActionDone,
    MAX_ANNOUNCEMENT_CHARS,
};
use sangdam_signaling::protocol::{Announcement, Audience};
use sangdam_signaling::{
    ErrorCode, Fair, InstitutionId, Meeting, MeetingId, Participant, ParticipantId, Phase, Refusal,
    Timestamp,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use store::ModerationStore;
use tokio::sync::{broadcast, Notify};
use tracing::{info, warn};

/// The moderators' side of the server. Cheap to clone.
#[derive(Clone)]
pub struct Moderation {
    inner: Arc<Inner>,
}

struct Inner {
    fair: Arc<Fair>,
    store: Arc<dyn ModerationStore>,
    rooms: Rooms,
    lobby: Arc<dyn LobbyStore>,
    bus: Option<Arc<Bus>>,
    /// Fair-wide news for this node's connections.
    ops: broadcast::Sender<OpsMessage>,
    /// Poked when the board may need redrawing.
    changed: Arc<Notify>,
    seq: AtomicU64,
}

impl Moderation {
    pub fn new(
        fair: Arc<Fair>,
        store: Arc<dyn ModerationStore>,
        rooms: Rooms,
        lobby: Arc<dyn LobbyStore>,
        bus: Option<Arc<Bus>>,
        ops: broadcast::Sender<OpsMessage>,
        changed: Arc<Notify>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                fair,
                store,
                rooms,
                lobby,
                bus,
                ops,
                changed,
                seq: AtomicU64::new(0),
            }),
        }
    }

    pub fn store(&self) -> &Arc<dyn ModerationStore> {
        &self.inner.store
    }

    /// A meeting of the schedule, or a walk-in room the lobby holds now.
    pub async fn meeting(&self, id: &MeetingId) -> Result<Meeting, Refusal> {
        if let Some(m) = self.inner.fair.meeting(id) {
            return Ok(m.clone());
        }
        if let Some(m) = self
            .inner
            .rooms
            .open_walk_ins()
            .into_iter()
            .find(|m| &m.id == id)
        {
            return Ok(m);
        }
        match walk_in_booth(id) {
            Some(booth) if self.inner.fair.institution(&booth).is_some() => {
                let b = self.inner.lobby.booth(booth.clone()).await?;
                b.current
                    .filter(|a| &a.meeting == id)
                    .map(|a| walk_in_meeting(&self.inner.fair, &booth, &a))
                    .ok_or_else(|| unknown(id))
            }
            _ => Err(unknown(id)),
        }
    }

    /// One action on one room, decided on the shared state.
    pub async fn room_action(
        &self,
        moderator: &Participant,
        meeting_id: &MeetingId,
        body: RoomActionBody,
        now: Timestamp,
    ) -> Result<RoomActionDone, Refusal> {
        let meeting = self.meeting(meeting_id).await?;
        let base = self.inner.rooms.window(&meeting);
        let ctx = RoomContext {
            fair: &self.inner.fair,
            meeting: &meeting,
            base,
            grace: self.inner.rooms.grace(),
        };
        let label = body.action.label();
        let note = body.note.clone();
        let req = RoomRequest {
            moderator: moderator.id.clone(),
            action: body.action,
            expect_ends_at: body.expect_ends_at,
            note: body.note,
            request: body.request,
        };
        let changed = AtomicBool::new(false);
        let stored = self
            .inner
            .store
            .update(
                meeting_id,
                Box::new(|adj: &Adjustments| {
                    let out = moderation::decide(&ctx, adj, &req, now)?;
                    changed.store(out.changed, Ordering::Relaxed);
                    Ok(out.changed.then_some(out.adjustments))
                }),
            )
            .await?;
        let changed = changed.load(Ordering::Relaxed);
        let window = stored.window(base);
        if changed {
            info!(meeting = %meeting_id, moderator = %moderator.id, action = %label, "moderator action");
            self.inner.rooms.adjusted(meeting_id, stored.clone()).await;
            if (window.closes_at) != base.closes_at || stored.closes_at.is_some() {
                let op = LobbyOp::Reschedule {
                    booth: meeting.institution.clone(),
                    meeting: meeting_id.clone(),
                    closes_at: window.closes_at,
                    version: stored.actions.len() as u64,
                };
                // The lobby frees the booth at the room's close: keep it in step. If the
                // store is away the booth's own clock still frees it (at the old close).
                if let Err(e) = self.inner.lobby.apply(op, now).await {
                    warn!(error = %e, "the lobby did not hear of the moved close");
                }
            }
            self.activity(ActivityEntry {
                at: now,
                moderator: moderator.id.clone(),
                name: moderator.name.clone(),
                action: label,
                meeting: Some(meeting_id.clone()),
                booth: Some(meeting.institution.clone()),
                vendor: None,
                note,
            })
            .await;
        }
        Ok(RoomActionDone {
            meeting: meeting_id.clone(),
            window,
            phase: match self.inner.rooms.closed_at(meeting_id) {
                Some(_) => Phase::Closed,
                None => window.phase_at(now),
            },
            changed,
            actions: stored.actions,
        })
    }

    /// Moves a waiting vendor or lets one in.
    pub async fn lobby_action(
        &self,
        moderator: &Participant,
        body: LobbyActionBody,
        now: Timestamp,
    ) -> Result<Vec<LobbyEvent>, Refusal> {
        // A vendor moved away from their booking: that meeting's record says so.
        let mut moved_from_booking: Option<MeetingId> = None;
        let (op, action, booth, vendor, note) = match body {
            LobbyActionBody::Move {
                vendor,
                from,
                to,
                position,
                note,
            } => {
                let enterprise =
                    self.inner
                        .fair
                        .participant(&vendor)
                        .and_then(|p| match &p.affiliation {
                            sangdam_signaling::fair::Affiliation::Enterprise(e) => Some(e.clone()),
                            _ => None,
                        });
                moved_from_booking = self
                    .inner
                    .fair
                    .meetings_at(&from)
                    .find(|m| Some(&m.enterprise) == enterprise.as_ref() && m.slot.end > now)
                    .filter(|_| from != to)
                    .map(|m| m.id.clone());
                (
                    LobbyOp::Move {
                        vendor: vendor.clone(),
                        from,
                        to: to.clone(),
                        position,
                    },
                    format!("move:{to}"),
                    to,
                    vendor,
                    note,
                )
            }
            LobbyActionBody::Admit {
                booth,
                vendor,
                note,
            } => (
                LobbyOp::Admit {
                    booth: booth.clone(),
                    vendor: vendor.clone(),
                },
                "admit".to_string(),
                booth,
                vendor,
                note,
            ),
        };
        check_note(note.as_deref())?;
        let events = self.inner.lobby.apply(op, now).await?;
        info!(moderator = %moderator.id, %action, booth = %booth, vendor = %vendor, "moderator lobby action");
        // An admission opens a meeting: its record shows who let the vendor in.
        let admitted = events.iter().find_map(|e| match e {
            LobbyEvent::Admitted { admission, .. } => Some(admission.meeting.clone()),
            _ => None,
        });
        for m in admitted.iter().chain(&moved_from_booking) {
            self.note_action(&moderator.id, m, &action, note.clone(), now)
                .await;
        }
        self.activity(ActivityEntry {
            at: now,
            moderator: moderator.id.clone(),
            name: moderator.name.clone(),
            action,
            meeting: admitted,
            booth: Some(booth),
            vendor: Some(vendor),
            note,
        })
        .await;
        Ok(events)
    }

    /// Sends an announcement to its audience on every node.
    pub async fn announce(
        &self,
        moderator: &Participant,
        body: AnnounceBody,
        now: Timestamp,
    ) -> Result<Announcement, Refusal> {
        let text = body.text.trim().to_string();
        if text.is_empty() || text.chars().count() > MAX_ANNOUNCEMENT_CHARS {
            return Err(Refusal::new(
                ErrorCode::BadMessage,
                format!("an announcement has 1 to {MAX_ANNOUNCEMENT_CHARS} characters"),
            )
            .for_request());
        }
        match &body.audience {
            Audience::All => {}
            Audience::Round { round } => {
                if !self.inner.fair.rounds().any(|r| r.number == *round) {
                    return Err(Refusal::new(
                        ErrorCode::BadMessage,
                        format!("this fair has no round {round}"),
                    )
                    .for_request());
                }
            }
            Audience::Meeting { meeting } => {
                self.meeting(meeting).await?;
            }
        }
        let seq = self.inner.seq.fetch_add(1, Ordering::Relaxed);
        let ann = Announcement {
            id: format!("a-{}-{}-{seq}", now.as_millis(), moderator.id),
            text: text.clone(),
            from: moderator.name.clone(),
            audience: body.audience.clone(),
            at: now,
        };
        info!(moderator = %moderator.id, audience = ?ann.audience, "announcement");
        let _ = self.inner.ops.send(OpsMessage::Announcement(ann.clone()));
        if let Some(bus) = &self.inner.bus {
            bus.publish_ops(OpsMessage::Announcement(ann.clone())).await;
        }
        let meeting = match &body.audience {
            Audience::Meeting { meeting } => {
                self.note_action(&moderator.id, meeting, "announce", Some(text.clone()), now)
                    .await;
                Some(meeting.clone())
            }
            _ => None,
        };
        self.activity(ActivityEntry {
            at: now,
            moderator: moderator.id.clone(),
            name: moderator.name.clone(),
            action: "announce".into(),
            meeting,
            booth: None,
            vendor: None,
            note: Some(text),
        })
        .await;
        Ok(ann)
    }

    /// A moderator stepped into or out of a room: on its record and every board.
    pub async fn seat_changed(
        &self,
        moderator: &Participant,
        meeting: &MeetingId,
        action: &str,
        now: Timestamp,
    ) {
        self.note_action(&moderator.id, meeting, action, None, now)
            .await;
        self.activity(ActivityEntry {
            at: now,
            moderator: moderator.id.clone(),
            name: moderator.name.clone(),
            action: action.into(),
            meeting: Some(meeting.clone()),
            booth: None,
            vendor: None,
            note: None,
        })
        .await;
    }

    /// Adds an action that needs no decision to a meeting's record. Best effort: a store
    /// out of reach loses this line of the record (and says so), never the meeting.
    async fn note_action(
        &self,
        moderator: &ParticipantId,
        meeting: &MeetingId,
        action: &str,
        note: Option<String>,
        now: Timestamp,
    ) {
        let stored = self
            .inner
            .store
            .update(
                meeting,
                Box::new(|adj: &Adjustments| {
                    let mut next = adj.clone();
                    next.note(moderator, action, now);
                    if let Some(last) = next.actions.last_mut() {
                        last.note = note.clone();
                    }
                    Ok(Some(next))
                }),
            )
            .await;
        match stored {
            Ok(adj) => self.inner.rooms.adjusted(meeting, adj).await,
            Err(r) => warn!(%meeting, %r, "a moderator action could not be noted for the record"),
        }
    }

    /// Passes fair-wide news to this node's connections and, over the bus, every other
    /// node's.
    pub(crate) async fn tell_every_node(&self, body: OpsMessage) {
        // Nobody listening on this node is fine.
        let _ = self.inner.ops.send(body.clone());
        if let Some(bus) = &self.inner.bus {
            bus.publish_ops(body).await;
        }
    }

    /// Shows an action on every moderator's board, on every node.
    async fn activity(&self, entry: ActivityEntry) {
        if let Err(r) = self.inner.store.push_activity(entry.clone()).await {
            warn!(%r, "the activity feed is out of reach; the action is on its boards only");
        }
        let _ = self.inner.ops.send(OpsMessage::Activity(entry.clone()));
        if let Some(bus) = &self.inner.bus {
            bus.publish_ops(OpsMessage::Activity(entry)).await;
        }
        self.inner.changed.notify_one();
    }
}

fn unknown(id: &MeetingId) -> Refusal {
    Refusal::new(
        ErrorCode::UnknownMeeting,
        format!("there is no meeting {id} in this fair (a walk-in room that closed is gone)"),
    )
    .for_request()
}

fn check_note(note: Option<&str>) -> Result<(), Refusal> {
    if note.is_some_and(|n| n.chars().count() > moderation::MAX_NOTE_CHARS) {
        return Err(Refusal::new(
            ErrorCode::BadMessage,
            format!(
                "a note may be at most {} characters",
                moderation::MAX_NOTE_CHARS
            ),
        )
        .for_request());
    }
    Ok(())
}

/// The booth of a walk-in room's id (`w-<booth>-<ms>`).
pub fn walk_in_booth(id: &MeetingId) -> Option<InstitutionId> {
    let rest = id.as_str().strip_prefix("w-")?;
    let (booth, ms) = rest.rsplit_once('-')?;
    ms.parse::<i64>().ok()?;
    InstitutionId::parse(booth).ok()
}
