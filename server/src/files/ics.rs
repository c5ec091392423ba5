//! Timetables as iCalendar files (RFC 5545) that calendar programs import: one `VEVENT` per
//! meeting in Korean time (`TZID=Asia/Seoul` with its `VTIMEZONE`, which has no daylight
//! saving), a stable `UID` per meeting and the publication number as `SEQUENCE`, so a
//! re-imported file moves a meeting instead of adding a second one. Built with the
//! `icalendar` crate; only the fixed `VTIMEZONE` block is text, parsed by the same crate.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::Timestamp;
use std::str::FromStr;

pub const TZID: &str = "Asia/Seoul";

/// Korea keeps +09:00 all year (no daylight saving since 1988).
const VTIMEZONE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:sangdam\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Seoul\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:KST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";

/// One meeting as a calendar entry.
pub struct CalendarEntry {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub sequence: u32,
}

fn utc(t: Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.as_millis()).unwrap_or_default()
}

fn kst(t: Timestamp) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: utc(t).with_timezone(&kst_offset()).naive_local(),
        tzid: TZID.to_string(),
    }
}

/// The calendar text. `now` stamps `DTSTAMP`.
pub fn calendar(name: &str, entries: &[CalendarEntry], now: Timestamp) -> String {
    let mut cal = Calendar::new();
    cal.name(name).timezone(TZID);
    let zone = Calendar::from_str(VTIMEZONE).expect("the fixed VTIMEZONE parses");
    cal.extend(zone.components);
    for e in entries {
        let mut ev = icalendar::Event::new();
        ev.uid(&e.uid)
            .summary(&e.summary)
            .description(&e.description)
            .url(&e.url)
            .starts(kst(e.starts_at))
            .ends(kst(e.ends_at))
            .timestamp(utc(now))
            .sequence(e.sequence);
        cal.push(ev.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, DatePerhapsTime};

    #[test]
    fn a_timetable_parses_back_with_korean_times() {
        // 2027-05-20 10:00 KST = 01:00 UTC.
        let start = Timestamp::from_millis(1_810_774_800_000);
        let text = calendar(
            "상담회",
            &[CalendarEntry {
                uid: "r1-s00-i001@fair".into(),
                summary: "상담: 서울특별시 · (주)함께".into(),
                description: "line one\nline two, with a comma; and a semicolon".into(),
                url: "https://fair.example/#room=r1-s00-i001".into(),
                starts_at: start,
                ends_at: start + std::time::Duration::from_secs(1200),
                sequence: 2,
            }],
            start,
        );
        assert!(text.contains("BEGIN:VTIMEZONE"), "{text}");
        let parsed = Calendar::from_str(&text).expect("our own file parses");
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter_map(CalendarComponent::as_event)
            .collect();
        assert_eq!(events.len(), 1);
        let ev = events[0];
        assert_eq!(ev.get_uid(), Some("r1-s00-i001@fair"));
        assert_eq!(ev.get_summary(), Some("상담: 서울특별시 · (주)함께"));
        assert_eq!(
            ev.get_description(),
            Some("line one\nline two, with a comma; and a semicolon")
        );
        assert_eq!(ev.get_sequence(), Some(2));
        match ev.get_start() {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                assert_eq!(tzid, TZID);
                assert_eq!(date_time.to_string(), "2027-05-20 10:00:00");
            }
            other => panic!("{other:?}"),
        }
    }
}
