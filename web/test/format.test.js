// format.js: countdowns, shares and times in Korea time.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fmtDur, pct, fmtTime, fmtRange, seoulDay } from '../js/format.js';
import { useLang } from '../js/i18n/index.js';

test('countdowns: mm:ss, then h:mm:ss, then days; never negative; rounded up', () => {
  useLang('ko');
  assert.equal(fmtDur(0), '00:00');
  assert.equal(fmtDur(-5000), '00:00');
  assert.equal(fmtDur(1), '00:01');
  assert.equal(fmtDur(59_001), '01:00');
  assert.equal(fmtDur(3_600_000), '1:00:00');
  assert.equal(fmtDur(90_061_000), '1일 01:01:01');
  useLang('en');
  assert.equal(fmtDur(90_061_000), '1d 01:01:01');
  useLang('ko');
});

test('shares have one decimal', () => {
  assert.equal(pct(39.25), '39.3%');
  assert.equal(pct(130), '130.0%');
});

test('times are Korea time, whatever the machine says', () => {
  // 2021-05-20 01:30 UTC is 10:30 in Seoul.
  const at = Date.UTC(2021, 4, 20, 1, 30);
  assert.equal(fmtTime(at), '10:30');
  assert.equal(seoulDay(at), '2021-05-20');
  assert.equal(seoulDay(Date.UTC(2021, 4, 20, 15, 0)), '2021-05-21');
});

test('a range shows its date only when asked or when it is not today (in Seoul)', () => {
  const starts = Date.UTC(2021, 4, 20, 1, 30);
  const m = { starts_at: starts, ends_at: starts + 20 * 60000 };
  assert.equal(fmtRange(m, false, starts), '10:30–10:50');
  assert.match(fmtRange(m, true, starts), /^5월 20일 \(?목\)? 10:30–10:50$/);
  assert.notEqual(fmtRange(m, false, starts + 86_400_000), '10:30–10:50');
});
