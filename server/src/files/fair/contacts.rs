//! How to reach the fair's participants: phone and e-mail, from the optional columns
//! 전화 and 이메일 of `participants.csv`. Kept apart from the core's `Fair` on purpose:
//! contact details are personal data that no rule needs, and only moderators and staff
//! see them (the moderators' board, to call a side who did not come).

use sangdam_signaling::ParticipantId;
use std::collections::BTreeMap;

/// One participant's contact details, as the fair files give them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInfo {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Every participant's contact details that the fair files give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contacts(pub BTreeMap<ParticipantId, ContactInfo>);

impl Contacts {
    pub fn get(&self, p: &ParticipantId) -> Option<&ContactInfo> {
        self.0.get(p)
    }
}
