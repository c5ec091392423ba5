// clock.js: the server-clock offset.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createClock } from '../js/clock.js';

test('with no server time yet, the server clock is the local one', () => {
  let local = 1000;
  const c = createClock(() => local);
  assert.equal(c.now(), 1000);
  assert.equal(c.offset(), 0);
});

test('a server time with the request instants is read at their midpoint', () => {
  let local = 10_000;
  const c = createClock(() => local);
  // Sent at 10 000, received at 10 400 (local); the server said 50 200 in between.
  c.note(50_200, 10_000, 10_400);
  assert.equal(c.offset(), 40_000);
  local = 11_000;
  assert.equal(c.now(), 51_000);
});

test('a server time without instants is taken as now', () => {
  let local = 5_000;
  const c = createClock(() => local);
  c.note(4_000);
  assert.equal(c.offset(), -1_000);
  assert.equal(c.now(), 4_000);
});

test('anything but a finite number is ignored', () => {
  const c = createClock(() => 0);
  c.note(100);
  for (const bad of [undefined, null, '100', NaN, Infinity]) c.note(bad);
  assert.equal(c.offset(), 100);
});
