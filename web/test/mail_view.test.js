import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tally, summarize, doneShare, pollDelay } from '../js/mail_view.js';

test('a kind tallies sent, pending, failed and dropped', () => {
  const t = tally({ sent: 5, queued: 2, sending: 1, failed: 1, expired: 3, superseded: 1 });
  assert.deepEqual(t, { sent: 5, pending: 3, failed: 1, dropped: 4, total: 13 });
  assert.equal(doneShare(t), 10 / 13);
  assert.deepEqual(tally(undefined), { sent: 0, pending: 0, failed: 0, dropped: 0, total: 0 });
  assert.equal(doneShare(tally({})), 1);
});

test('the page polls fast only while mail is on its way', () => {
  const busy = summarize({ counts: { invitation: { queued: 1, sent: 2 }, reminder: { sent: 4 } } });
  assert.equal(busy.pending, 1);
  assert.equal(busy.kinds.reminder.sent, 4);
  assert.equal(busy.kinds.change.total, 0);
  assert.equal(pollDelay(busy), 2000);
  const idle = summarize({ counts: { invitation: { sent: 3, failed: 1 } } });
  assert.equal(idle.busy, false);
  assert.equal(pollDelay(idle), 15000);
  assert.equal(summarize(null).pending, 0);
});
