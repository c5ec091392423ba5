//! Typed identifiers, built only through `parse`, so a handler never carries a raw string
//! where an id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id must not be empty")]
    Empty,
    #[error("an id is at most 64 characters, this one has {0}")]
    TooLong(usize),
    #[error("an id may hold only ASCII letters, digits, '-' and '_'; found {0:?}")]
    BadChar(char),
}

/// Ids travel in URLs, CSV cells, Redis keys and log lines: keeping them to a safe ASCII
/// alphabet means none of those places needs escaping.
pub fn check_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    let n = s.chars().count();
    if n > 64 {
        return Err(IdError::TooLong(n));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(IdError::BadChar(c));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_id(&s)?;
                Ok(Self(s))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A fair (상담회), e.g. `seoul-2021`.
    FairId
);
id_type!(
    /// A round (회차) of a fair.
    RoundId
);
id_type!(
    /// A buyer organisation (기관).
    InstitutionId
);
id_type!(
    /// A vendor organisation (기업).
    EnterpriseId
);
id_type!(
    /// A person with one role.
    ParticipantId
);
id_type!(
    /// A match placed in a round and a slot.
    MeetingId
);
id_type!(
    /// An online briefing (설명회): one presenter, many viewers.
    BriefingId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_long_and_odd_strings() {
        assert_eq!(MeetingId::parse(""), Err(IdError::Empty));
        assert_eq!(MeetingId::parse("a".repeat(65)), Err(IdError::TooLong(65)));
        assert_eq!(MeetingId::parse("a b"), Err(IdError::BadChar(' ')));
        assert_eq!(MeetingId::parse("기관"), Err(IdError::BadChar('기')));
        assert_eq!(MeetingId::parse("R1-S01_x").unwrap().as_str(), "R1-S01_x");
    }

    #[test]
    fn ids_are_checked_when_deserialized() {
        let ok: MeetingId = serde_json::from_str("\"m-1\"").unwrap();
        assert_eq!(ok.as_str(), "m-1");
        assert!(serde_json::from_str::<MeetingId>("\"m 1\"").is_err());
    }
}
