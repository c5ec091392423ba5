//! What arrived at the sink, read as a mail (mail-parser): headers decoded, the text body
//! decoded from its transfer encoding and charset, attachments with their names and bytes,
//! so a test asserts on what a reader sees rather than on MIME text.

use mail_parser::{Address, MessageParser, MimeHeaders};

use super::Received;

/// One mailbox of an address header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, decoded (RFC 2047).
    pub name: Option<String>,
    pub address: String,
}

/// One attachment: a part whose disposition or type makes it one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailAttachment {
    pub filename: Option<String>,
    /// `type/subtype`, lower case (`text/calendar`).
    pub content_type: String,
    /// The Content-Type's parameters (`method`, `charset`…), names lower case.
    pub params: Vec<(String, String)>,
    /// Decoded from its transfer encoding.
    pub bytes: Vec<u8>,
}

impl MailAttachment {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bytes as UTF-8 text (lossy), e.g. an `.ics`.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// A received mail, parsed.
#[derive(Clone, Debug)]
pub struct ParsedMail {
    pub subject: Option<String>,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    /// Without the angle brackets.
    pub message_id: Option<String>,
    /// The first text/plain body, decoded.
    pub text: Option<String>,
    /// The first text/html body, decoded.
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// Every header of the top part as (name, raw value), in order.
    pub headers: Vec<(String, String)>,
}

impl ParsedMail {
    pub fn parse(raw: &[u8]) -> anyhow::Result<ParsedMail> {
        let m = MessageParser::default().parse(raw).ok_or_else(|| {
            anyhow::anyhow!(
                "not a mail: {:?}",
                String::from_utf8_lossy(&raw[..raw.len().min(200)])
            )
        })?;
        let text = m
            .text_bodies()
            .find(|p| p.is_content_type("text", "plain") || p.content_type().is_none())
            .and_then(|p| p.text_contents())
            .map(str::to_string);
        let html = m
            .html_bodies()
            .find(|p| p.is_content_type("text", "html"))
            .and_then(|p| p.text_contents())
            .map(str::to_string);
        let attachments = m
            .attachments()
            .map(|p| {
                let ct = p.content_type();
                MailAttachment {
                    filename: p.attachment_name().map(str::to_string),
                    content_type: ct.map_or("application/octet-stream".to_string(), |c| {
                        let t = c.ctype().to_ascii_lowercase();
                        match c.subtype() {
                            Some(s) => format!("{t}/{}", s.to_ascii_lowercase()),
                            None => t,
                        }
                    }),
                    params: ct
                        .and_then(|c| c.attributes())
                        .map(|a| {
                            a.iter()
                                .map(|x| (x.name.to_ascii_lowercase(), x.value.to_string()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    bytes: p.contents().to_vec(),
                }
            })
            .collect();
        Ok(ParsedMail {
            subject: m.subject().map(str::to_string),
            from: mailboxes(m.from()),
            to: mailboxes(m.to()),
            cc: mailboxes(m.cc()),
            reply_to: mailboxes(m.reply_to()),
            message_id: m.message_id().map(str::to_string),
            text,
            html,
            attachments,
            headers: m
                .headers_raw()
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect(),
        })
    }

    /// The first header of that name (case-insensitive), raw (not RFC 2047-decoded).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The addresses of `to`, for quick comparisons.
    pub fn to_addresses(&self) -> Vec<&str> {
        self.to.iter().map(|m| m.address.as_str()).collect()
    }

    /// The first attachment of that content type (`text/calendar`).
    pub fn attachment_of_type(&self, content_type: &str) -> Option<&MailAttachment> {
        self.attachments
            .iter()
            .find(|a| a.content_type.eq_ignore_ascii_case(content_type))
    }
}

impl From<&Received> for ParsedMail {
    /// Panics if the data is not a mail at all: a test helper, where that is a failure.
    fn from(r: &Received) -> Self {
        ParsedMail::parse(&r.data).expect("the received data parses as a mail")
    }
}

fn mailboxes(a: Option<&Address<'_>>) -> Vec<Mailbox> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| {
                Some(Mailbox {
                    name: x.name().map(str::to_string),
                    address: x.address()?.to_string(),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}
