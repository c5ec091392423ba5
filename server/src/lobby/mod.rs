//! The lobby's IO: where its state is kept ([`store`]: memory or Redis transactions) and
//! the [`ticker`] that advances every booth's clock. The rules are the core's
//! (`sangdam_signaling::live::lobby`); the lobby's socket is [`crate::ws::lobby`].

pub mod store;
pub mod ticker;

use crate::lobby::store::{LobbyStore, StoreError};
use sangdam_signaling::live::access::LobbySeat;
use sangdam_signaling::live::lobby::walk_in_meeting;
use sangdam_signaling::{Fair, Meeting, MeetingId, Participant, Side, Timestamp};

/// A room the lobby let this participant into that is not in the fair's schedule (free
/// time, or the rest of a no-show slot): the meeting it opens as, and their side. `None`
/// unless `meeting` is the walk-in admission they are in now.
pub async fn walk_in_room(
    store: &dyn LobbyStore,
    fair: &Fair,
    p: &Participant,
    seat: &LobbySeat,
    meeting: &MeetingId,
    now: Timestamp,
) -> Result<Option<(Meeting, Side)>, StoreError> {
    let (admission, booth, side) = match seat {
        LobbySeat::Vendor(_) => {
            let view = store.vendor_view(p.id.clone(), now).await?;
            match (view.in_room, view.in_room_at) {
                (Some(a), Some(b)) => (a, b, Side::Vendor),
                _ => return Ok(None),
            }
        }
        LobbySeat::Buyer(i) => match store.booth(i.clone()).await?.current {
            Some(a) => (a, i.clone(), Side::Buyer),
            None => return Ok(None),
        },
    };
    if &admission.meeting != meeting || !admission.walk_in {
        return Ok(None);
    }
    Ok(Some((walk_in_meeting(fair, &booth, &admission), side)))
}
