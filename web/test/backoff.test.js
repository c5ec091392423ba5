// backoff.js: reconnect waits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createBackoff } from '../js/backoff.js';

test('waits double up to the ceiling and start over after reset', () => {
  const b = createBackoff({ base: 1000, max: 10000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => b.next()), [1000, 2000, 4000, 8000, 10000, 10000]);
  b.reset();
  assert.equal(b.next(), 1000);
  assert.equal(b.peek(), 2000);
});

test('jitter scales each wait within ±j, around the un-jittered delay', () => {
  const low = createBackoff({ base: 1000, max: 15000, jitter: 0.2, random: () => 0 });
  const high = createBackoff({ base: 1000, max: 15000, jitter: 0.2, random: () => 0.999999 });
  assert.equal(low.next(), 800);
  assert.equal(low.next(), 1600);
  assert.ok(Math.abs(high.next() - 1200) < 0.01);
  assert.ok(Math.abs(high.next() - 2400) < 0.01);
});
