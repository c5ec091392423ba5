// phase.js: a meeting's phase from its window, the server's snapshot and the clock.
import test from 'node:test';
import assert from 'node:assert/strict';
import { phaseAt, effectivePhase, statusText, OPEN_PHASES } from '../js/phase.js';
import { useLang } from '../js/i18n/index.js';

const ORDER = ['scheduled', 'check-in', 'live', 'grace', 'closed'];
const W = { checkin_opens_at: 1000, starts_at: 2000, ends_at: 3000, closes_at: 3500 };

test('each boundary belongs to the phase it starts', () => {
  assert.equal(phaseAt(W, 999), 'scheduled');
  assert.equal(phaseAt(W, 1000), 'check-in');
  assert.equal(phaseAt(W, 1999), 'check-in');
  assert.equal(phaseAt(W, 2000), 'live');
  assert.equal(phaseAt(W, 3000), 'grace');
  assert.equal(phaseAt(W, 3499), 'grace');
  assert.equal(phaseAt(W, 3500), 'closed');
});

test('the clock moves a stale snapshot forward', () => {
  assert.equal(effectivePhase({ phase: 'scheduled', window: W }, 2500, ORDER), 'live');
});

test('a snapshot ahead of the clock wins: a room closed early stays closed', () => {
  assert.equal(effectivePhase({ phase: 'closed', window: W }, 2500, ORDER), 'closed');
  assert.equal(effectivePhase({ phase: 'live', window: W }, 1500, ORDER), 'live');
});

test('an unknown snapshot counts as the first phase; no window means the snapshot', () => {
  assert.equal(effectivePhase({ phase: 'weird', window: W }, 1500, ORDER), 'check-in');
  assert.equal(effectivePhase({ phase: 'grace' }, 0, ORDER), 'grace');
  assert.equal(effectivePhase({ phase: 'weird' }, 0, ORDER), 'scheduled');
});

test('the room may be entered from check-in to the end of grace', () => {
  assert.deepEqual([...OPEN_PHASES], ['check-in', 'live', 'grace']);
});

test('status texts count down to the next boundary', () => {
  useLang('ko');
  const m = { window: W };
  assert.equal(statusText(m, 'scheduled', 0), '입장까지 00:01');
  assert.equal(statusText(m, 'check-in', 1000), '시작까지 00:01');
  assert.equal(statusText(m, 'live', 2000), '종료까지 00:01');
  assert.equal(statusText(m, 'grace', 3000), '마무리 00:01');
  assert.equal(statusText(m, 'closed', 9000), '종료됨');
  useLang('en');
  assert.equal(statusText({ starts_at: 0, ends_at: 90_000 }, 'live', 0), 'Ends in 01:30');
  useLang('ko');
});
