//! Every participant's personal link as a sheet for mail merge (CSV for Excel, UTF-8 with a
//! BOM, and `.xlsx`), Korean headers: 이름, 소속, 역할, 이메일, 전화, 링크 — and 상담 / 시간
//! when the links are scoped to one meeting each. Cells are escaped as the log export's
//! are, so a name that looks like a formula stays text.

use crate::files::log_export::cell_text;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One link to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRow {
    pub name: String,
    pub organisation: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub link: String,
    /// For a link scoped to one meeting: its id and when it is (KST).
    pub meeting: Option<(String, String)>,
}

const COLUMNS: [&str; 6] = ["이름", "소속", "역할", "이메일", "전화", "링크"];
const SCOPED: [&str; 2] = ["상담", "시간"];

fn header(scoped: bool) -> Vec<&'static str> {
    let mut h = COLUMNS.to_vec();
    if scoped {
        h.extend(SCOPED);
    }
    h
}

fn fields(r: &InviteRow, scoped: bool) -> Vec<String> {
    let mut v: Vec<String> = [&r.name, &r.organisation, &r.role, &r.email, &r.phone]
        .iter()
        .map(|s| cell_text(s))
        .collect();
    // The link is ours (`https://…/#token=…`), never a formula: written as is.
    v.push(r.link.clone());
    if scoped {
        let (m, at) = r.meeting.clone().unwrap_or_default();
        v.push(cell_text(&m));
        v.push(cell_text(&at));
    }
    v
}

pub fn csv(rows: &[InviteRow]) -> Vec<u8> {
    let scoped = rows.iter().any(|r| r.meeting.is_some());
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header(scoped)).expect("writing to memory");
        for r in rows {
            w.write_record(fields(r, scoped))
                .expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

pub fn xlsx(rows: &[InviteRow], fair_name: &str) -> Result<Vec<u8>, XlsxError> {
    let scoped = rows.iter().any(|r| r.meeting.is_some());
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("{fair_name} 초대 링크"))
            .set_author("Sangdam"),
    );
    let sheet = book.add_worksheet();
    sheet.set_name("초대 링크")?;
    let bold = Format::new().set_bold();
    let head = header(scoped);
    for (c, title) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, f) in fields(r, scoped).into_iter().enumerate() {
            if !f.is_empty() {
                sheet.write_string(i as u32 + 1, c as u16, f)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, head.len() as u16 - 1)?;
    for (c, w) in [10.0, 24.0, 8.0, 26.0, 15.0, 60.0, 16.0, 18.0]
        .iter()
        .take(head.len())
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, meeting: Option<(&str, &str)>) -> InviteRow {
        InviteRow {
            name: name.into(),
            organisation: "종로구".into(),
            role: "구매자".into(),
            email: "a@example.org".into(),
            phone: String::new(),
            link: "http://x/#token=abc".into(),
            meeting: meeting.map(|(a, b)| (a.into(), b.into())),
        }
    }

    #[test]
    fn the_sheet_has_korean_headers_escapes_formulas_and_adds_meeting_columns_when_scoped() {
        let text = String::from_utf8(csv(&[row("=HYPERLINK(1)", None)])).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert_eq!(lines.next(), Some("이름,소속,역할,이메일,전화,링크"));
        assert_eq!(
            lines.next(),
            Some("'=HYPERLINK(1),종로구,구매자,a@example.org,,http://x/#token=abc")
        );
        let text =
            String::from_utf8(csv(&[row("김", Some(("r1-s00-i001", "05-20 10:00")))])).unwrap();
        assert!(text.contains("링크,상담,시간"), "{text}");
        assert!(text.contains(",r1-s00-i001,05-20 10:00"), "{text}");
        let book = xlsx(&[row("김", None)], "fair").unwrap();
        assert_eq!(&book[..2], b"PK", "an .xlsx is a zip");
    }
}

/// Whose links, and whether one per meeting.
#[derive(Clone, Debug, Default)]
pub struct InviteOptions {
    /// Only this role (all when `None`).
    pub role: Option<sangdam_signaling::Role>,
    /// One link per meeting, admitting to that meeting only (buyers and vendors).
    pub scoped: bool,
}

/// How links are minted: signed now, valid until `expires_at`, each at its participant's
/// current link generation (so a link staff revoked is never handed out again).
pub struct Minting<'a> {
    pub tokens: &'a crate::auth::TokenIssuer,
    pub base_url: &'a str,
    pub now: sangdam_signaling::Timestamp,
    pub expires_at: sangdam_signaling::Timestamp,
    /// Link generations by participant (from the people store); absent: 0.
    pub generations: &'a std::collections::HashMap<sangdam_signaling::ParticipantId, u32>,
}

impl Minting<'_> {
    /// `{base_url}/#token=<JWT>` for `p`, admitting to `meeting` only if given.
    pub fn link(
        &self,
        fair: &sangdam_signaling::Fair,
        p: &sangdam_signaling::Participant,
        meeting: Option<&sangdam_signaling::MeetingId>,
    ) -> String {
        let generation = self.generations.get(&p.id).copied().unwrap_or(0);
        let token =
            self.tokens
                .issue_until(fair, p, meeting, generation, self.now, self.expires_at);
        format!("{}/#token={token}", self.base_url)
    }
}

/// Every participant's link (or every buyer's and vendor's link per meeting), minted as
/// `minting` says. In participant id order, then time.
pub fn rows(
    fair: &sangdam_signaling::Fair,
    contacts: &crate::files::fair::contacts::Contacts,
    minting: &Minting<'_>,
    opts: &InviteOptions,
) -> Vec<InviteRow> {
    use sangdam_signaling::fair::Affiliation;
    let mut out = Vec::new();
    for p in fair.participants() {
        if opts.role.is_some_and(|r| r != p.role) {
            continue;
        }
        let organisation = match &p.affiliation {
            Affiliation::Institution(i) => fair.institution(i).map(|x| x.name.clone()),
            Affiliation::Enterprise(e) => fair.enterprise(e).map(|x| x.name.clone()),
            Affiliation::Operator => Some("운영 / operator".to_string()),
        }
        .unwrap_or_default();
        let contact = contacts.get(&p.id);
        let base = InviteRow {
            name: p.name.clone(),
            organisation,
            role: p.role.label_ko().to_string(),
            email: contact.and_then(|c| c.email.clone()).unwrap_or_default(),
            phone: contact.and_then(|c| c.phone.clone()).unwrap_or_default(),
            link: String::new(),
            meeting: None,
        };
        let link = |meeting: Option<&sangdam_signaling::MeetingId>| minting.link(fair, p, meeting);
        if opts.scoped {
            for m in fair.meetings_of(p) {
                out.push(InviteRow {
                    link: link(Some(&m.id)),
                    meeting: Some((m.id.to_string(), m.slot.start.kst())),
                    ..base.clone()
                });
            }
        } else {
            out.push(InviteRow {
                link: link(None),
                ..base
            });
        }
    }
    out
}
