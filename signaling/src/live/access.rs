//! Who may do what in which meeting, decided once: the signaling socket, the lobby, the
//! survey and the staff API all ask [`Grant`], so a rule about roles, token scopes or
//! sides changes in one place and reads the same everywhere.
//!
//! A token scoped to one meeting acts on that meeting only, on every surface: it joins that
//! room, answers that survey, reads that meeting's record and lists that meeting; in the
//! lobby it checks in for that booking only and cannot run the booth's queue; what spans
//! the whole fair (the report, exports of other meetings, the list of fairs) it may not
//! read.

use crate::error::{ErrorCode, Refusal};
use crate::fair::{Affiliation, Fair, Meeting, Participant, Role};
use crate::ids::{EnterpriseId, InstitutionId, MeetingId};
use crate::live::lobby::LobbyOp;
use crate::live::room::{Seat, Side};
use crate::protocol::LobbyClientMessage;
use crate::records::log_view::Scope;

/// What a verified token grants: the participant it names, and the one meeting it is
/// scoped to, if any.
#[derive(Copy, Clone, Debug)]
pub struct Grant<'a> {
    pub participant: &'a Participant,
    pub scope: Option<&'a str>,
}

/// What a participant wants to do with one meeting, for the refusal's wording.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Take a side in the meeting's room.
    Join,
    /// Answer the meeting's satisfaction survey.
    Survey,
}

impl Purpose {
    fn doing(self) -> &'static str {
        match self {
            Purpose::Join => "take a side in its room",
            Purpose::Survey => "answer its survey",
        }
    }
}

/// Where a participant stands in the lobby: a vendor waits for their enterprise, a buyer
/// keeps their institution's booth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LobbySeat {
    Vendor(EnterpriseId),
    Buyer(InstitutionId),
}

impl<'a> Grant<'a> {
    pub fn new(participant: &'a Participant, scope: Option<&'a str>) -> Self {
        Self { participant, scope }
    }

    fn role(&self) -> Role {
        self.participant.role
    }

    /// The checks that need only the meeting's id, in this order on every surface: the
    /// token's scope, then the role (only a meeting's buyer and vendor act in it; a
    /// moderator may also step into its room).
    pub fn may_act_in(&self, meeting: &MeetingId, purpose: Purpose) -> Result<(), Refusal> {
        if let Some(scope) = self.scope {
            if scope != meeting.as_str() {
                return Err(Refusal::new(
                    ErrorCode::TokenWrongMeeting,
                    format!("this invite is for meeting {scope}, not {meeting}"),
                ));
            }
        }
        let refused = match self.role() {
            Role::Staff => true,
            Role::Moderator => purpose != Purpose::Join,
            Role::Buyer | Role::Vendor => false,
        };
        if refused {
            return Err(Refusal::new(
                ErrorCode::WrongRole,
                format!(
                    "a {} cannot {} in a meeting; only its buyer and vendor can",
                    self.role().as_str(),
                    purpose.doing()
                ),
            ));
        }
        Ok(())
    }

    /// Where the participant sits in a meeting's room they passed [`Grant::may_act_in`]
    /// for: their side, or the moderator's seat. `meeting` is `None` for a walk-in room
    /// (only a moderator gets a seat from this; the sides' walk-in rooms are the lobby's).
    pub fn seat_in(&self, fair: &Fair, meeting: Option<&Meeting>) -> Result<Seat, Refusal> {
        match (self.role(), meeting) {
            (Role::Moderator, _) => Ok(Seat::Moderator),
            (_, Some(m)) => self.side_in(fair, m).map(Seat::from),
            (_, None) => Err(Refusal::new(
                ErrorCode::UnknownMeeting,
                "there is no such meeting for you in this fair",
            )),
        }
    }

    /// Moderators and staff (unscoped tokens) may watch the moderators' board; only
    /// moderators act on it ([`Grant::moderate`]).
    pub fn watch_board(&self) -> Result<(), Refusal> {
        self.require(&[Role::Moderator, Role::Staff])?;
        self.require_unscoped("the live board")
    }

    /// Only an unscoped moderator's token may change rooms, move vendors or announce.
    pub fn moderate(&self) -> Result<(), Refusal> {
        if self.role() != Role::Moderator {
            return Err(Refusal::new(
                ErrorCode::WrongRole,
                format!(
                    "only moderators may manage rooms; a {} may not",
                    self.role().as_str()
                ),
            ));
        }
        self.require_unscoped("managing rooms")
    }

    /// Whether the token reaches `meeting`: always, unless it is scoped to another one.
    pub fn covers(&self, meeting: &MeetingId) -> bool {
        self.scope.is_none_or(|s| s == meeting.as_str())
    }

    fn wrong_meeting(scope: &str, what: &str) -> Refusal {
        Refusal::new(
            ErrorCode::TokenWrongMeeting,
            format!("this invite is for meeting {scope} only; {what} needs a full invite"),
        )
    }

    /// Refuses a token scoped to one meeting for what spans the whole fair (`what`, for
    /// the message).
    pub fn require_unscoped(&self, what: &str) -> Result<(), Refusal> {
        match self.scope {
            Some(scope) => Err(Self::wrong_meeting(scope, what)),
            None => Ok(()),
        }
    }

    /// Whose records the participant reads in the log: their organisation's (everything,
    /// for staff and moderators), narrowed to the one meeting of a scoped token.
    pub fn log_scope(&self) -> Scope {
        let within = Scope::of(self.participant);
        match self.scope.and_then(|s| MeetingId::parse(s).ok()) {
            Some(meeting) => Scope::OneMeeting {
                within: Box::new(within),
                meeting,
            },
            None => within,
        }
    }

    /// The participant's side in a scheduled meeting they passed [`Grant::may_act_in`]
    /// for.
    pub fn side_in(&self, fair: &Fair, meeting: &Meeting) -> Result<Side, Refusal> {
        fair.side_in(self.participant, meeting).ok_or_else(|| {
            Refusal::new(
                ErrorCode::NotYourMeeting,
                format!("meeting {} belongs to another organisation", meeting.id),
            )
        })
    }

    /// Only these roles may see what is asked (operator pages, exports, the report).
    pub fn require(&self, roles: &[Role]) -> Result<(), Refusal> {
        if roles.contains(&self.role()) {
            Ok(())
        } else {
            Err(Refusal::new(
                ErrorCode::WrongRole,
                format!("a {} may not see this", self.role().as_str()),
            ))
        }
    }

    /// The participant's place in the lobby; moderators and staff have none.
    pub fn lobby_seat(&self) -> Result<LobbySeat, Refusal> {
        match (&self.participant.affiliation, self.role()) {
            (Affiliation::Enterprise(e), Role::Vendor) => Ok(LobbySeat::Vendor(e.clone())),
            (Affiliation::Institution(i), Role::Buyer) => Ok(LobbySeat::Buyer(i.clone())),
            _ => Err(Refusal::new(
                ErrorCode::WrongRole,
                "the lobby is for vendors and buyers",
            )),
        }
    }
}

impl Grant<'_> {
    /// The lobby operation a message asks for, if this grant and seat may ask it.
    /// Identity comes from the token, never from the message. Refusals concern the one
    /// message: the connection stays.
    pub fn lobby_op(&self, seat: &LobbySeat, msg: LobbyClientMessage) -> Result<LobbyOp, Refusal> {
        let p = self.participant;
        if let Some(scope) = self.scope {
            match &msg {
                LobbyClientMessage::CheckIn { meeting, .. }
                    if meeting.as_ref().is_none_or(|m| m.as_str() != scope) =>
                {
                    return Err(Self::wrong_meeting(
                        scope,
                        "waiting at another booth or as a walk-in",
                    )
                    .for_request());
                }
                LobbyClientMessage::AdmitNext {} | LobbyClientMessage::SendBack {} => {
                    return Err(
                        Self::wrong_meeting(scope, "running the booth's queue").for_request()
                    );
                }
                _ => {}
            }
        }
        let wrong = |what: &str| {
            Err(
                Refusal::new(ErrorCode::WrongRole, format!("only a {what} may do that"))
                    .for_request(),
            )
        };
        match (msg, seat) {
            (LobbyClientMessage::CheckIn { booth, meeting }, LobbySeat::Vendor(e)) => {
                Ok(LobbyOp::CheckIn {
                    vendor: p.id.clone(),
                    enterprise: e.clone(),
                    booth,
                    booking: meeting,
                })
            }
            (LobbyClientMessage::LeaveQueue { booth }, LobbySeat::Vendor(_)) => {
                Ok(LobbyOp::Leave {
                    vendor: p.id.clone(),
                    booth,
                })
            }
            (LobbyClientMessage::AdmitNext {}, LobbySeat::Buyer(i)) => {
                Ok(LobbyOp::AdmitNext { booth: i.clone() })
            }
            (LobbyClientMessage::SendBack {}, LobbySeat::Buyer(i)) => {
                Ok(LobbyOp::SendBack { booth: i.clone() })
            }
            (LobbyClientMessage::CheckIn { .. } | LobbyClientMessage::LeaveQueue { .. }, _) => {
                wrong("vendor")
            }
            (LobbyClientMessage::AdmitNext {} | LobbyClientMessage::SendBack {}, _) => {
                wrong("buyer")
            }
            (LobbyClientMessage::Hello { .. }, _) => {
                Err(Refusal::new(ErrorCode::AlreadyJoined, "already said hello").for_request())
            }
            (LobbyClientMessage::Ping { .. }, _) => Err(Refusal::new(
                ErrorCode::BadMessage,
                "a ping is answered, not applied to the lobby",
            )
            .for_request()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ParticipantId;

    fn person(id: &str, role: Role, affiliation: Affiliation) -> Participant {
        Participant {
            id: ParticipantId::parse(id).unwrap(),
            name: id.into(),
            role,
            affiliation,
        }
    }

    fn inst(id: &str) -> InstitutionId {
        InstitutionId::parse(id).unwrap()
    }

    fn ent(id: &str) -> EnterpriseId {
        EnterpriseId::parse(id).unwrap()
    }

    #[test]
    fn scope_is_checked_before_role_and_both_before_the_meeting() {
        let staff = person("s", Role::Staff, Affiliation::Operator);
        let m = MeetingId::parse("m-1").unwrap();
        let scoped = Grant::new(&staff, Some("m-2"));
        assert_eq!(
            scoped.may_act_in(&m, Purpose::Join).unwrap_err().code,
            ErrorCode::TokenWrongMeeting
        );
        let unscoped = Grant::new(&staff, None);
        let refused = unscoped.may_act_in(&m, Purpose::Survey).unwrap_err();
        assert_eq!(refused.code, ErrorCode::WrongRole);
        assert!(refused.message.contains("survey"), "{}", refused.message);
        let buyer = person("b", Role::Buyer, Affiliation::Institution(inst("i-1")));
        assert!(Grant::new(&buyer, Some("m-1"))
            .may_act_in(&m, Purpose::Join)
            .is_ok());
    }

    #[test]
    fn only_buyers_and_vendors_have_lobby_seats_and_each_asks_only_its_own_ops() {
        let vendor = person("v", Role::Vendor, Affiliation::Enterprise(ent("e-1")));
        let buyer = person("b", Role::Buyer, Affiliation::Institution(inst("i-1")));
        let moderator = person("m", Role::Moderator, Affiliation::Operator);
        assert_eq!(
            Grant::new(&moderator, None).lobby_seat().unwrap_err().code,
            ErrorCode::WrongRole
        );
        let g = Grant::new(&vendor, None);
        let seat = g.lobby_seat().unwrap();
        assert_eq!(seat, LobbySeat::Vendor(ent("e-1")));
        let refused = g
            .lobby_op(&seat, LobbyClientMessage::AdmitNext {})
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::WrongRole);
        assert!(!refused.is_fatal());
        assert_eq!(
            g.lobby_op(
                &seat,
                LobbyClientMessage::CheckIn {
                    booth: inst("i-9"),
                    meeting: None
                }
            )
            .unwrap(),
            LobbyOp::CheckIn {
                vendor: vendor.id.clone(),
                enterprise: ent("e-1"),
                booth: inst("i-9"),
                booking: None
            }
        );
        let gb = Grant::new(&buyer, None);
        let booth = gb.lobby_seat().unwrap();
        assert_eq!(
            gb.lobby_op(&booth, LobbyClientMessage::SendBack {})
                .unwrap(),
            LobbyOp::SendBack { booth: inst("i-1") }
        );
    }

    #[test]
    fn a_scoped_token_reaches_its_one_meeting_on_every_surface() {
        let vendor = person("v", Role::Vendor, Affiliation::Enterprise(ent("e-1")));
        let buyer = person("b", Role::Buyer, Affiliation::Institution(inst("i-1")));
        let mine = MeetingId::parse("m-1").unwrap();
        let other = MeetingId::parse("m-2").unwrap();
        let g = Grant::new(&vendor, Some("m-1"));
        assert!(g.covers(&mine) && !g.covers(&other));
        assert!(Grant::new(&vendor, None).covers(&other));
        assert_eq!(
            g.require_unscoped("the report").unwrap_err().code,
            ErrorCode::TokenWrongMeeting
        );
        assert_eq!(
            g.log_scope(),
            Scope::OneMeeting {
                within: Box::new(Scope::Enterprise(ent("e-1"))),
                meeting: mine.clone()
            }
        );
        let seat = g.lobby_seat().unwrap();
        let check_in = |meeting: Option<&MeetingId>| LobbyClientMessage::CheckIn {
            booth: inst("i-1"),
            meeting: meeting.cloned(),
        };
        assert!(g.lobby_op(&seat, check_in(Some(&mine))).is_ok());
        for refused in [check_in(Some(&other)), check_in(None)] {
            let r = g.lobby_op(&seat, refused).unwrap_err();
            assert_eq!(r.code, ErrorCode::TokenWrongMeeting);
            assert!(!r.is_fatal());
        }
        let gb = Grant::new(&buyer, Some("m-1"));
        let booth = gb.lobby_seat().unwrap();
        assert_eq!(
            gb.lobby_op(&booth, LobbyClientMessage::AdmitNext {})
                .unwrap_err()
                .code,
            ErrorCode::TokenWrongMeeting
        );
    }

    #[test]
    fn operator_pages_need_an_operator_role() {
        let vendor = person("v", Role::Vendor, Affiliation::Enterprise(ent("e-1")));
        let g = Grant::new(&vendor, None);
        assert_eq!(
            g.require(&[Role::Staff, Role::Moderator]).unwrap_err().code,
            ErrorCode::WrongRole
        );
        assert!(g.require(&[Role::Vendor]).is_ok());
    }
}
