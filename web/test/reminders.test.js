// reminders.js: which meeting reminders are due, when the next falls, each shown once, and their words.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as r from '../js/reminders.js';
import { useLang } from '../js/i18n/index.js';

const MIN = 60000;
// 2026-11-02 14:00 KST.
const T0 = Date.UTC(2026, 10, 2, 5, 0);
const meeting = (id, startMin, other = 'Other ' + id) => ({ id, startsAt: T0 + startMin * MIN, endsAt: T0 + (startMin + 30) * MIN, other });
const LEADS = [30, 5];

/** Plays the page: at `now`, what is due is shown and remembered; returns the shown keys. */
function fire(meetings, now, fired) {
  const due = r.dueReminders(meetings, LEADS, now, fired);
  for (const d of due) fired.add(d.key);
  return due.map((d) => d.meeting.id + '/' + d.minutes);
}

test('walking through the day: each reminder once, at its instant, and the timeout points at the next', () => {
  const ms = [meeting('a', 60), meeting('b', 70)];
  const fired = new Set();
  let now = T0;
  const seen = [];
  // The page's loop: show what is due, then wait for the next instant (one timeout, no polling).
  for (let guard = 0; guard < 20; guard++) {
    seen.push(...fire(ms, now, fired).map((k) => [k, (now - T0) / MIN]));
    const next = r.nextReminderAt(ms, LEADS, now, fired);
    if (next === null) break;
    assert.ok(next > now);
    now = next;
  }
  assert.deepEqual(seen, [['a/30', 30], ['b/30', 40], ['a/5', 55], ['b/5', 65]]);
  assert.equal(r.nextReminderAt(ms, LEADS, now, fired), null);
  assert.deepEqual(fire(ms, now + 2 * MIN, fired), [], 'nothing shows twice');
});

test('a page opened 3 minutes before a meeting shows the 5-minute reminder only', () => {
  const ms = [meeting('a', 60)];
  const due = r.dueReminders(ms, LEADS, T0 + 57 * MIN, new Set());
  assert.deepEqual(due.map((d) => d.minutes), [5]);
  assert.equal(due[0].inMinutes, 3);
  // Opened 20 minutes before: the 30-minute one, which tells the real time left.
  const early = r.dueReminders(ms, LEADS, T0 + 40 * MIN, new Set());
  assert.deepEqual(early.map((d) => [d.minutes, d.inMinutes]), [[30, 20]]);
  // Opened long before: nothing yet; the next falls 30 minutes before the start.
  assert.deepEqual(r.dueReminders(ms, LEADS, T0, new Set()), []);
  assert.equal(r.nextReminderAt(ms, LEADS, T0, new Set()), T0 + 30 * MIN);
});

test('no reminder for a meeting already started, nor a next one', () => {
  const ms = [meeting('a', 60)];
  for (const at of [60, 61, 120]) {
    assert.deepEqual(r.dueReminders(ms, LEADS, T0 + at * MIN, new Set()), [], 'at ' + at);
    assert.equal(r.nextReminderAt(ms, LEADS, T0 + at * MIN, new Set()), null);
  }
  // Half a minute before: still due, as "1 minute".
  assert.equal(r.dueReminders(ms, LEADS, T0 + 59.5 * MIN, new Set())[0].inMinutes, 1);
});

test('a reload after the 30-minute reminder brings back nothing until the 5-minute one', () => {
  const ms = [meeting('a', 60)];
  const fired = new Set(r.dueReminders(ms, LEADS, T0 + 30 * MIN, new Set()).map((d) => d.key));
  // The set as the page keeps it in localStorage, read back.
  const again = new Set(JSON.parse(JSON.stringify([...fired])));
  assert.deepEqual(r.dueReminders(ms, LEADS, T0 + 45 * MIN, again), []);
  assert.equal(r.nextReminderAt(ms, LEADS, T0 + 45 * MIN, again), T0 + 55 * MIN);
  assert.deepEqual(r.dueReminders(ms, LEADS, T0 + 55 * MIN, again).map((d) => d.minutes), [5]);
});

test('a meeting the schedule moved is reminded again at its new time', () => {
  const fired = new Set();
  fire([meeting('a', 60)], T0 + 56 * MIN, fired);
  assert.deepEqual(fire([meeting('a', 90)], T0 + 86 * MIN, fired), ['a/5']);
  assert.notEqual(r.reminderKey(meeting('a', 60), 5), r.reminderKey(meeting('a', 90), 5));
});

test('lead times: whole positive minutes, largest first, once each; none means no reminders', () => {
  assert.deepEqual(r.leadTimes([5, 30, 5, 0, -1, 2.5, '10', 15]), [30, 15, 5]);
  assert.deepEqual(r.leadTimes(undefined), []);
  assert.deepEqual(r.dueReminders([meeting('a', 1)], [], T0, new Set()), []);
  assert.equal(r.nextReminderAt([meeting('a', 60)], [], T0, new Set()), null);
});

test('the wait is the time to the next reminder, capped so the page re-plans now and then', () => {
  assert.equal(r.waitFor(null, T0), null);
  assert.equal(r.waitFor(T0 + 5 * MIN, T0), 5 * MIN);
  assert.equal(r.waitFor(T0 + 10 * 60 * MIN, T0), r.MAX_WAIT_MS);
  assert.equal(r.waitFor(T0 - 1, T0), 0);
});

test('meetings from the timetable and from /api/me merge by id, the live schedule winning', () => {
  const tt = r.fromTimetable(
    [
      { meeting: 'r1-s00-i001', starts_at: T0, ends_at: T0 + 30 * MIN, institution_name: '서울특별시', enterprise_name: '함께일하는재단' },
      { meeting: 'r1-s01-i001', starts_at: T0 + 30 * MIN, ends_at: T0 + 60 * MIN, institution_name: '서울특별시', enterprise_name: '다른기업' },
    ],
    'buyer',
  );
  assert.deepEqual(tt[0], { id: 'r1-s00-i001', startsAt: T0, endsAt: T0 + 30 * MIN, other: '함께일하는재단' });
  const me = r.fromMe([{ id: 'r1-s00-i001', starts_at: T0 + MIN, ends_at: T0 + 31 * MIN, institution: { name: '서울특별시' }, enterprise: { name: '함께일하는재단' } }], 'vendor');
  assert.equal(me[0].other, '서울특별시');
  const all = r.mergeMeetings(tt, me);
  assert.deepEqual(all.map((m) => [m.id, m.startsAt]), [['r1-s00-i001', T0 + MIN], ['r1-s01-i001', T0 + 30 * MIN]]);
  assert.deepEqual(r.mergeMeetings(undefined, [{ id: 'x' }]), [], 'a meeting without a start is left out');
});

test('remembered keys are kept only for meetings not started yet', () => {
  const keys = [r.reminderKey(meeting('a', 10), 5), r.reminderKey(meeting('b', 100), 30), 'junk'];
  assert.deepEqual(r.pruneFired(new Set(keys), T0 + 20 * MIN), [keys[1]]);
});

test('the words: Korean first, English on request, with the other side, minutes left and the start in Korea time', () => {
  const d = r.dueReminders([meeting('a', 60, '함께일하는재단')], LEADS, T0 + 57 * MIN, new Set())[0];
  useLang('ko');
  assert.deepEqual(r.reminderText(d), { title: '상담 알림', body: '함께일하는재단 상담이 3분 뒤 15:00에 시작합니다.' });
  assert.equal(r.leadText(LEADS), '30분, 5분');
  useLang('en');
  assert.deepEqual(r.reminderText(d), { title: 'Meeting reminder', body: 'Your meeting with 함께일하는재단 starts in 3 min, at 15:00.' });
  assert.equal(r.leadText([5, 30]), '30 min, 5 min');
  useLang('ko');
});
