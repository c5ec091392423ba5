//! The words of each mail: Korean first, English below, the personal link, the timetable as
//! text, and the same timetable as an `.ics` file. Pure text from what the mailer gathered,
//! so the wording is tested without a mail server.

use crate::files::ics::{self, CalendarEntry};
use sangdam_signaling::notify::NoticeKind;
use sangdam_signaling::{MeetingId, Role, Timestamp};
use std::fmt::Write;

/// One meeting as the recipient reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub meeting: MeetingId,
    pub round_number: u32,
    pub theme: String,
    /// 1 for the round's first slot.
    pub slot_number: u32,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The other side's organisation.
    pub counterpart: String,
}

/// How a meeting changed between two publications, for a change notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeLine {
    Added(Line),
    Removed(Line),
    Moved { was: Line, now: Line },
}

/// Everything one mail says.
#[derive(Clone, Debug)]
pub struct Letter {
    pub fair_name: String,
    pub fair_id: String,
    pub recipient: String,
    pub organisation: String,
    pub role: Role,
    /// The personal link (token in the fragment).
    pub link: String,
    /// Where rooms are: `<base>/#room=<meeting>`.
    pub base_url: String,
    pub kind: NoticeKind,
    /// The recipient's whole timetable, in time order.
    pub lines: Vec<Line>,
    /// For a change notice: what changed.
    pub changes: Vec<ChangeLine>,
    /// The publication the timetable is (0 when it is the fair's own schedule).
    pub sequence: u32,
}

/// A rendered mail, before MIME.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
    /// The timetable as iCalendar text; `None` when there is nothing to put in a calendar.
    pub calendar: Option<String>,
}

/// `12월 3일 (목) 10:00–10:20` in KST.
fn when_ko(l: &Line) -> String {
    let (d, s) = day_and_time(l.starts_at);
    let (_, e) = day_and_time(l.ends_at);
    format!("{d} {s}–{e}")
}

fn when_en(l: &Line) -> String {
    let t = |x: Timestamp| {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(x.as_millis())
            .unwrap_or_default()
            .with_timezone(&sangdam_signaling::time::kst_offset())
    };
    format!(
        "{} {}–{} KST",
        t(l.starts_at).format("%a %-d %b"),
        t(l.starts_at).format("%H:%M"),
        t(l.ends_at).format("%H:%M")
    )
}

fn day_and_time(x: Timestamp) -> (String, String) {
    use chrono::Datelike;
    let d = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(x.as_millis())
        .unwrap_or_default()
        .with_timezone(&sangdam_signaling::time::kst_offset());
    let wd =
        ["월", "화", "수", "목", "금", "토", "일"][d.weekday().num_days_from_monday() as usize];
    (
        format!("{}월 {}일 ({wd})", d.month(), d.day()),
        d.format("%H:%M").to_string(),
    )
}

fn line_ko(l: &Line) -> String {
    format!(
        "{}회차 「{}」 {}번째 · {} · {}",
        l.round_number,
        l.theme,
        l.slot_number,
        when_ko(l),
        l.counterpart
    )
}

fn line_en(l: &Line) -> String {
    format!(
        "Round {}, slot {} · {} · {}",
        l.round_number,
        l.slot_number,
        when_en(l),
        l.counterpart
    )
}

fn timetable(out: &mut String, lines: &[Line], ko: bool, base_url: &str) {
    if lines.is_empty() {
        out.push_str(if ko {
            "  (아직 잡힌 상담이 없습니다. 시간표가 정해지면 다시 알려 드립니다.)\n"
        } else {
            "  (No meetings yet. We will write again when the timetable is set.)\n"
        });
        return;
    }
    for l in lines {
        let text = if ko { line_ko(l) } else { line_en(l) };
        let _ = writeln!(out, "  - {text}\n    {base_url}/#room={}", l.meeting);
    }
}

fn role_ko(role: Role) -> &'static str {
    match role {
        Role::Buyer => "구매 기관 담당자",
        Role::Vendor => "기업 담당자",
        Role::Moderator => "진행자",
        Role::Staff => "운영 사무국",
    }
}

impl Letter {
    pub fn render(&self, now: Timestamp) -> Rendered {
        let mut b = String::new();
        let fair = &self.fair_name;
        let subject = match &self.kind {
            NoticeKind::Invitation { .. } => {
                format!("[{fair}] 온라인 상담회 초대 · Your invitation")
            }
            NoticeKind::Reminder { minutes, .. } => {
                format!(
                    "[{fair}] {minutes}분 뒤 상담 시작 · Your meeting starts in {minutes} minutes"
                )
            }
            NoticeKind::Change { .. } => {
                format!("[{fair}] 상담 시간표가 바뀌었습니다 · Your timetable has changed")
            }
        };
        let _ = writeln!(
            b,
            "{} 님 ({}, {})\n",
            self.recipient,
            self.organisation,
            role_ko(self.role)
        );
        match &self.kind {
            NoticeKind::Invitation { .. } => {
                let _ = writeln!(
                    b,
                    "「{fair}」에 초대합니다. 아래 개인 링크로 들어오시면 상담 시간에 맞춰 화상 상담방이 열립니다.\n이 링크는 본인만 쓰는 것이니 다른 사람과 나누지 마세요.\n"
                );
            }
            NoticeKind::Reminder { meeting, minutes } => {
                let l = self.lines.iter().find(|l| &l.meeting == meeting);
                let _ = writeln!(b, "{minutes}분 뒤 상담이 시작됩니다.");
                if let Some(l) = l {
                    let _ = writeln!(
                        b,
                        "  - {}\n    {}/#room={}",
                        line_ko(l),
                        self.base_url,
                        l.meeting
                    );
                }
                let _ = writeln!(b, "\n시작 시각에 맞춰 아래 개인 링크로 들어와 주세요. 알림을 그만 받으려면 링크의 시간표 화면에서 끌 수 있습니다.\n");
            }
            NoticeKind::Change { .. } => {
                let _ = writeln!(b, "상담 시간표가 바뀌었습니다. 바뀐 내용:");
                self.changes_text(&mut b, true);
                b.push('\n');
            }
        }
        let _ = writeln!(b, "개인 링크: {}\n", self.link);
        if !matches!(self.kind, NoticeKind::Reminder { .. }) {
            b.push_str("상담 시간표 (한국 시간):\n");
            timetable(&mut b, &self.lines, true, &self.base_url);
            b.push_str("첨부한 .ics 파일을 열면 일정이 달력에 들어갑니다.\n");
        }
        b.push_str("\n----------------------------------------\n\n");
        let _ = writeln!(b, "Dear {} ({}),\n", self.recipient, self.organisation);
        match &self.kind {
            NoticeKind::Invitation { .. } => {
                let _ = writeln!(b, "You are invited to \"{fair}\". Open your personal link below; your video room opens at each meeting's time.\nThe link is yours alone: please do not share it.\n");
            }
            NoticeKind::Reminder { meeting, minutes } => {
                let _ = writeln!(b, "Your meeting starts in {minutes} minutes.");
                if let Some(l) = self.lines.iter().find(|l| &l.meeting == meeting) {
                    let _ = writeln!(
                        b,
                        "  - {}\n    {}/#room={}",
                        line_en(l),
                        self.base_url,
                        l.meeting
                    );
                }
                let _ = writeln!(b, "\nPlease join on time with your personal link. You can turn reminders off on your timetable page.\n");
            }
            NoticeKind::Change { .. } => {
                let _ = writeln!(b, "Your timetable has changed:");
                self.changes_text(&mut b, false);
                b.push('\n');
            }
        }
        let _ = writeln!(b, "Your personal link: {}\n", self.link);
        if !matches!(self.kind, NoticeKind::Reminder { .. }) {
            b.push_str("Your timetable (Korea time):\n");
            timetable(&mut b, &self.lines, false, &self.base_url);
            b.push_str("Open the attached .ics file to put it in your calendar.\n");
        }
        let calendar = (!matches!(self.kind, NoticeKind::Reminder { .. })
            && !self.lines.is_empty())
        .then(|| ics::calendar(fair, &self.calendar_entries(), now));
        Rendered {
            subject,
            body: b,
            calendar,
        }
    }

    fn changes_text(&self, b: &mut String, ko: bool) {
        let line = |l: &Line| if ko { line_ko(l) } else { line_en(l) };
        for c in &self.changes {
            let _ = match (c, ko) {
                (ChangeLine::Added(l), true) => writeln!(b, "  + 추가: {}", line(l)),
                (ChangeLine::Added(l), false) => writeln!(b, "  + added: {}", line(l)),
                (ChangeLine::Removed(l), true) => writeln!(b, "  - 취소: {}", line(l)),
                (ChangeLine::Removed(l), false) => writeln!(b, "  - cancelled: {}", line(l)),
                (ChangeLine::Moved { was, now }, true) => {
                    writeln!(b, "  → 변경: {} ⇒ {}", line(was), when_ko(now))
                }
                (ChangeLine::Moved { was, now }, false) => {
                    writeln!(b, "  → moved: {} ⇒ {}", line(was), when_en(now))
                }
            };
        }
    }

    /// The timetable as calendar entries, one per meeting, with the meeting id as `UID`
    /// (the same as `/api/timetable.ics`), so a later file moves an entry instead of adding one.
    pub fn calendar_entries(&self) -> Vec<CalendarEntry> {
        self.lines
            .iter()
            .map(|l| CalendarEntry {
                uid: format!("{}@{}", l.meeting, self.fair_id),
                summary: format!("상담: {} ({}회차)", l.counterpart, l.round_number),
                description: format!(
                    "{} {}회차 「{}」 {}번째 상담 · Consultation, round {}\n상대 / With: {}\n상담방 / Room: {}/#room={}",
                    self.fair_name,
                    l.round_number,
                    l.theme,
                    l.slot_number,
                    l.round_number,
                    l.counterpart,
                    self.base_url,
                    l.meeting
                ),
                url: format!("{}/#room={}", self.base_url, l.meeting),
                starts_at: l.starts_at,
                ends_at: l.ends_at,
                sequence: self.sequence,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{Calendar, CalendarComponent, Component};
    use std::str::FromStr;

    fn line(m: &str, start_kst_hour: i64) -> Line {
        // 2027-05-20 00:00 KST = 2027-05-19 15:00 UTC.
        let day = 1_810_738_800_000i64;
        let s = Timestamp::from_millis(day + start_kst_hour * 3_600_000);
        Line {
            meeting: MeetingId::parse(m).unwrap(),
            round_number: 1,
            theme: "공공시장".into(),
            slot_number: 2,
            starts_at: s,
            ends_at: s + std::time::Duration::from_secs(1200),
            counterpart: "서울특별시 종로구".into(),
        }
    }

    fn letter(kind: NoticeKind) -> Letter {
        Letter {
            fair_name: "2021 서울 상담회".into(),
            fair_id: "seoul-2021".into(),
            recipient: "김판매".into(),
            organisation: "(주)함께".into(),
            role: Role::Vendor,
            link: "https://fair.example/#token=abc".into(),
            base_url: "https://fair.example".into(),
            kind,
            lines: vec![line("r1-s01-i001", 10), line("r1-s03-i002", 11)],
            changes: vec![],
            sequence: 2,
        }
    }

    #[test]
    fn an_invitation_is_korean_first_with_the_link_the_timetable_and_a_calendar() {
        let now = Timestamp::from_millis(1_810_000_000_000);
        let r = letter(NoticeKind::Invitation { generation: 0 }).render(now);
        assert_eq!(
            r.subject,
            "[2021 서울 상담회] 온라인 상담회 초대 · Your invitation"
        );
        let ko = r.body.find("초대합니다").unwrap();
        let en = r.body.find("You are invited").unwrap();
        assert!(ko < en, "Korean first");
        assert_eq!(r.body.matches("https://fair.example/#token=abc").count(), 2);
        assert!(
            r.body
                .contains("5월 20일 (목) 10:00–10:20 · 서울특별시 종로구"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Thu 20 May 10:00–10:20 KST"), "{}", r.body);
        assert!(r.body.contains("https://fair.example/#room=r1-s03-i002"));
        let cal = Calendar::from_str(r.calendar.as_deref().unwrap()).unwrap();
        let uids: Vec<&str> = cal
            .components
            .iter()
            .filter_map(CalendarComponent::as_event)
            .filter_map(|e| e.get_uid())
            .collect();
        assert_eq!(uids, ["r1-s01-i001@seoul-2021", "r1-s03-i002@seoul-2021"]);
    }

    #[test]
    fn a_reminder_names_its_meeting_and_carries_no_calendar() {
        let r = letter(NoticeKind::Reminder {
            meeting: MeetingId::parse("r1-s03-i002").unwrap(),
            minutes: 5,
        })
        .render(Timestamp::from_millis(0));
        assert!(r.subject.contains("5분 뒤 상담 시작"));
        assert!(r.body.contains("5분 뒤 상담이 시작됩니다.\n  - 1회차 「공공시장」 2번째 · 5월 20일 (목) 11:00–11:20"), "{}", r.body);
        assert!(!r.body.contains("10:00–10:20"), "only the meeting due");
        assert!(r.calendar.is_none());
    }

    #[test]
    fn a_change_notice_says_what_moved() {
        let mut l = letter(NoticeKind::Change { publication: 2 });
        l.changes = vec![
            ChangeLine::Moved {
                was: line("r1-s01-i001", 9),
                now: line("r1-s01-i001", 10),
            },
            ChangeLine::Removed(line("r1-s05-i003", 14)),
        ];
        let r = l.render(Timestamp::from_millis(0));
        assert!(r.body.contains("  → 변경: 1회차 「공공시장」 2번째 · 5월 20일 (목) 09:00–09:20 · 서울특별시 종로구 ⇒ 5월 20일 (목) 10:00–10:20"), "{}", r.body);
        assert!(r
            .body
            .contains("  - cancelled: Round 1, slot 2 · Thu 20 May 14:00–14:20 KST"));
        assert!(r.calendar.is_some());
    }
}
