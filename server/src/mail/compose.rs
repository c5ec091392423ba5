//! A rendered letter as an RFC 5322 message: `From`, `To`, `Reply-To`, a `Message-ID` made
//! from the notice's key (the same on every try, so a mail system can drop a duplicate), a
//! UTF-8 text part and the timetable as `text/calendar` attachment.

use super::letter::Rendered;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use sangdam_signaling::notify::NoticeKey;
use sangdam_signaling::Timestamp;
use std::time::{Duration, SystemTime};

/// Why a message could not be built: each is the recipient's data or the configuration,
/// so trying again would not help.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("the e-mail address {0:?} is not one mail can be sent to")]
    BadAddress(String),
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// Who mail is from.
#[derive(Clone, Debug)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// The domain in `Message-ID`s.
    pub domain: String,
}

/// The message id of a notice: `<invite.p001.0.seoul-2021@fair.example>`.
pub fn message_id(key: &NoticeKey, fair: &str, domain: &str) -> String {
    format!("<{}.{fair}@{domain}>", key.as_str().replace('/', "."))
}

pub fn compose(
    sender: &Sender,
    to_name: &str,
    to_address: &str,
    key: &NoticeKey,
    fair: &str,
    mail: &Rendered,
    now: Timestamp,
) -> Result<Message, ComposeError> {
    let address = to_address
        .trim()
        .parse()
        .map_err(|_| ComposeError::BadAddress(to_address.to_string()))?;
    let to = Mailbox::new(Some(to_name.to_string()), address);
    let mut b = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(&mail.subject)
        .message_id(Some(message_id(key, fair, &sender.domain)))
        .date(SystemTime::UNIX_EPOCH + Duration::from_millis(now.as_millis().max(0) as u64));
    if let Some(r) = &sender.reply_to {
        b = b.reply_to(r.clone());
    }
    let text = SinglePart::plain(mail.body.clone());
    let built = match &mail.calendar {
        Some(ics) => {
            let kind = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .map_err(|e| ComposeError::Build(e.to_string()))?;
            let file = Attachment::new(format!("sangdam-{fair}.ics")).body(ics.clone(), kind);
            b.multipart(MultiPart::mixed().singlepart(text).singlepart(file))
        }
        None => b.singlepart(text),
    };
    built.map_err(|e| ComposeError::Build(e.to_string()))
}
