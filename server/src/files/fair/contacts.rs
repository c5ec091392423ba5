//! How to reach the fair's participants: phone and e-mail, from the optional columns
//! 전화 and 이메일 of `participants.csv`. Kept apart from the core's `Fair` on purpose:
//! contact details are personal data that no rule needs, and only moderators and staff
//! see them (the moderators' board, to call a side who did not come).

use sangdam_signaling::ParticipantId;
use std::collections::BTreeMap;
use std::fmt;

/// One participant's contact details, as the fair files give them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInfo {
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactInfo {
    /// Neither a phone nor an e-mail: such a participant is left out of [`Contacts`].
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }
}

/// Every participant's contact details that the fair files give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contacts(pub BTreeMap<ParticipantId, ContactInfo>);

impl Contacts {
    pub fn get(&self, p: &ParticipantId) -> Option<&ContactInfo> {
        self.0.get(p)
    }
}

/// The longest phone number accepted, spaces and punctuation included: room for a country
/// code and an extension written out, short enough to catch two numbers in one cell.
pub const PHONE_MAX_CHARS: usize = 20;
/// The fewest digits of a phone number: a Korean local number without its area code.
pub const PHONE_MIN_DIGITS: usize = 7;
/// The longest e-mail address SMTP can carry (RFC 5321: a 256-octet path less `<` and `>`).
pub const EMAIL_MAX_CHARS: usize = 254;

/// Why a phone number or an e-mail address is refused. Each says what is expected, since
/// staff fix the cell from the message alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactError {
    PhoneCharacter,
    PhoneTooLong,
    PhoneTooFewDigits,
    EmailTooLong,
    EmailSpace,
    EmailAt,
    EmailLocalEmpty,
    EmailDomain,
}

impl ContactError {
    /// What was expected instead. A static string, so that the loader reports it as a
    /// [`super::Problem::BadFormat`] like any other malformed cell.
    pub fn expected(self) -> &'static str {
        match self {
            ContactError::PhoneCharacter => "only digits, spaces, '+', '-', '(' and ')'",
            ContactError::PhoneTooLong => "at most 20 characters",
            ContactError::PhoneTooFewDigits => "at least 7 digits",
            ContactError::EmailTooLong => "at most 254 characters",
            ContactError::EmailSpace => "no spaces",
            ContactError::EmailAt => "exactly one '@'",
            ContactError::EmailLocalEmpty => "a name before the '@'",
            ContactError::EmailDomain => "a domain with a dot after the '@', e.g. name@example.org",
        }
    }
}

impl fmt::Display for ContactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", self.expected())
    }
}

impl std::error::Error for ContactError {}

/// Checks a phone number as people write it (`02-123-4567`, `+82 10 1234 5678`,
/// `(02) 123 4567`). Only its shape is checked, not whether the number exists: the
/// moderator dials it as written.
pub fn check_phone(phone: &str) -> Result<(), ContactError> {
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'))
    {
        return Err(ContactError::PhoneCharacter);
    }
    // Only ASCII is left, so bytes are characters.
    if phone.len() > PHONE_MAX_CHARS {
        return Err(ContactError::PhoneTooLong);
    }
    if phone.chars().filter(char::is_ascii_digit).count() < PHONE_MIN_DIGITS {
        return Err(ContactError::PhoneTooFewDigits);
    }
    Ok(())
}

/// Checks an e-mail address for the mistakes a spreadsheet makes (two addresses in a cell,
/// a name instead of an address, a missing domain), not against the whole of RFC 5322:
/// a moderator only copies it into a mail program.
pub fn check_email(email: &str) -> Result<(), ContactError> {
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(ContactError::EmailTooLong);
    }
    if email.chars().any(char::is_whitespace) {
        return Err(ContactError::EmailSpace);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(ContactError::EmailAt);
    };
    if domain.contains('@') {
        return Err(ContactError::EmailAt);
    }
    if local.is_empty() {
        return Err(ContactError::EmailLocalEmpty);
    }
    // A dot between two parts: `example.org`, not `localhost`, `.org` or `example.`.
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(ContactError::EmailDomain);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_state_the_limits_that_are_checked() {
        for (error, limit) in [
            (ContactError::PhoneTooLong, PHONE_MAX_CHARS),
            (ContactError::PhoneTooFewDigits, PHONE_MIN_DIGITS),
            (ContactError::EmailTooLong, EMAIL_MAX_CHARS),
        ] {
            assert!(error.expected().contains(&format!(" {limit} ")), "{error}");
        }
    }

    #[test]
    fn phones_as_people_write_them_are_accepted() {
        for ok in [
            "02-123-4567",
            "010-1234-5678",
            "+82 10 1234 5678",
            "(02) 123 4567",
            "1234567",
            "+82-(0)2-1234-5678",
        ] {
            assert_eq!(check_phone(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn a_phone_is_refused_for_the_first_thing_wrong_with_it() {
        for (bad, why) in [
            ("02-123-4567 내선 3", ContactError::PhoneCharacter),
            ("02.123.4567", ContactError::PhoneCharacter),
            ("02-123-4567/8", ContactError::PhoneCharacter),
            ("02-123-4567 02-123-4568", ContactError::PhoneTooLong),
            ("+82 (0) 2 - 1234 - 5678", ContactError::PhoneTooLong),
            ("123-456", ContactError::PhoneTooFewDigits),
            ("---", ContactError::PhoneTooFewDigits),
        ] {
            assert_eq!(check_phone(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn e_mail_addresses_are_refused_for_the_first_thing_wrong_with_them() {
        assert_eq!(check_email("kim.minjun@example.org"), Ok(()));
        assert_eq!(check_email("p-b-i001+fair@mail.example.org"), Ok(()));
        let long = format!("{}@example.org", "a".repeat(EMAIL_MAX_CHARS));
        for (bad, why) in [
            (long.as_str(), ContactError::EmailTooLong),
            ("kim minjun@example.org", ContactError::EmailSpace),
            ("김민준", ContactError::EmailAt),
            ("a@example.org;b@example.org", ContactError::EmailAt),
            ("a@b@example.org", ContactError::EmailAt),
            ("@example.org", ContactError::EmailLocalEmpty),
            ("kim@localhost", ContactError::EmailDomain),
            ("kim@", ContactError::EmailDomain),
            ("kim@.org", ContactError::EmailDomain),
            ("kim@example.", ContactError::EmailDomain),
        ] {
            assert_eq!(check_email(bad), Err(why), "{bad}");
        }
        let just_fits = format!("{}@example.org", "a".repeat(EMAIL_MAX_CHARS - 12));
        assert_eq!(just_fits.len(), EMAIL_MAX_CHARS);
        assert_eq!(check_email(&just_fits), Ok(()));
    }
}
