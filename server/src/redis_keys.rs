//! Every Redis key and channel Sangdam uses, built here and nowhere else, so that what is
//! in Redis can be read off one page.
//!
//! All keys of one fair share the hash tag `{fair-id}`, so in Redis Cluster they live in
//! one slot and a transaction may touch several of them.
//!
//! | key | type | what |
//! | --- | --- | --- |
//! | `sangdam:{F}:log` | stream | the consultation log, one entry per meeting |
//! | `sangdam:{F}:log:meetings` | set | meeting ids already on record (no record twice) |
//! | `sangdam:{F}:survey` | stream | survey answers |
//! | `sangdam:{F}:survey:answered` | set | `meeting/participant` pairs that answered |
//! | `sangdam:{F}:booth:I` | string (JSON) | institution I's booth: queue, current meeting |
//! | `sangdam:{F}:vendor:P` | string (JSON) | where vendor P waits or meets |
//! | `sangdam:{F}:rooms` | pub/sub channel | cross-node room traffic: presence, relayed signaling, moderators' changes |
//! | `sangdam:{F}:moderation` | hash (JSON values) | per meeting: what moderators changed (end, close, no-show mark, actions) |
//! | `sangdam:{F}:activity` | list (JSON) | the newest 500 moderator actions, for every moderator's board |
//! | `sangdam:{F}:ops` | pub/sub channel | fair-wide news: announcements, moderator activity |
//! | `sangdam:{F}:prep` | string (JSON) | the fair's preparation: registrations, requests, matches, drafts, publications |
//! | `sangdam:{F}:prep:version` | string | that document's version, compared before it is replaced |
//! | `sangdam:{F}:mail` | hash (JSON values) | the mail outbox: per notice key, its state, tries and the relay's last reason |
//! | `sangdam:{F}:mail:version` | string (counter) | grows when staff add or change entries, so the sender reloads |
//! | `sangdam:{F}:mail:lease` | string (node id, expiring) | which node sends mail now |
//! | `sangdam:{F}:people` | hash | per participant P: `gen:P` their link generation (tokens signed at a lower one are revoked; raised with HINCRBY), `off:P` = 1 if they turned reminders off |

use sangdam_signaling::{FairId, InstitutionId, ParticipantId};

/// Builds the keys of one fair.
#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(fair: &FairId) -> Self {
        Self {
            prefix: format!("sangdam:{{{fair}}}"),
        }
    }

    pub fn log_stream(&self) -> String {
        format!("{}:log", self.prefix)
    }

    pub fn log_meetings(&self) -> String {
        format!("{}:log:meetings", self.prefix)
    }

    pub fn survey_stream(&self) -> String {
        format!("{}:survey", self.prefix)
    }

    pub fn survey_answered(&self) -> String {
        format!("{}:survey:answered", self.prefix)
    }

    pub fn booth(&self, institution: &InstitutionId) -> String {
        format!("{}:booth:{institution}", self.prefix)
    }

    pub fn prep(&self) -> String {
        format!("{}:prep", self.prefix)
    }

    pub fn prep_version(&self) -> String {
        format!("{}:prep:version", self.prefix)
    }

    pub fn mail(&self) -> String {
        format!("{}:mail", self.prefix)
    }

    pub fn mail_version(&self) -> String {
        format!("{}:mail:version", self.prefix)
    }

    pub fn mail_lease(&self) -> String {
        format!("{}:mail:lease", self.prefix)
    }

    pub fn people(&self) -> String {
        format!("{}:people", self.prefix)
    }

    /// A participant's link generation, a field of [`Keys::people`].
    pub fn people_generation(participant: &ParticipantId) -> String {
        format!("gen:{participant}")
    }

    /// Whether a participant turned reminders off, a field of [`Keys::people`].
    pub fn people_reminders_off(participant: &ParticipantId) -> String {
        format!("off:{participant}")
    }

    pub fn vendor(&self, participant: &ParticipantId) -> String {
        format!("{}:vendor:{participant}", self.prefix)
    }

    pub fn rooms_channel(&self) -> String {
        format!("{}:rooms", self.prefix)
    }

    pub fn moderation(&self) -> String {
        format!("{}:moderation", self.prefix)
    }

    pub fn activity(&self) -> String {
        format!("{}:activity", self.prefix)
    }

    pub fn ops_channel(&self) -> String {
        format!("{}:ops", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_the_fairs_hash_tag() {
        let k = Keys::new(&FairId::parse("seoul-2021").unwrap());
        assert_eq!(k.log_stream(), "sangdam:{seoul-2021}:log");
        assert_eq!(
            k.booth(&InstitutionId::parse("i001").unwrap()),
            "sangdam:{seoul-2021}:booth:i001"
        );
        assert_eq!(k.people(), "sangdam:{seoul-2021}:people");
        let p = ParticipantId::parse("p-b-1").unwrap();
        assert_eq!(Keys::people_generation(&p), "gen:p-b-1");
        assert_eq!(Keys::people_reminders_off(&p), "off:p-b-1");
    }
}
