// What staff read of the mail outbox (GET /api/mail): per kind, how many were sent, are
// still to go, failed (with the relay's reason) or were dropped on purpose (a reminder
// whose meeting had begun, an invitation replaced by a newer link). No DOM.

export const KINDS = ['invitation', 'reminder', 'change'];

/** {sent, pending, failed, dropped, total} for one kind's counts ({state: n}). */
export function tally(counts) {
  const c = counts || {};
  const n = (k) => c[k] || 0;
  const sent = n('sent');
  const pending = n('queued') + n('sending');
  const failed = n('failed');
  const dropped = n('expired') + n('superseded');
  return { sent, pending, failed, dropped, total: sent + pending + failed + dropped };
}

/** Every kind's tally, and whether anything is still on its way (the page polls faster then). */
export function summarize(progress) {
  const by = (progress && progress.counts) || {};
  const kinds = {};
  let pending = 0;
  for (const k of KINDS) {
    kinds[k] = tally(by[k]);
    pending += kinds[k].pending;
  }
  return { kinds, pending, busy: pending > 0 };
}

/** The share of a kind that is done (sent, failed or dropped), 0..1; 1 when there is none. */
export function doneShare(t) {
  return t.total === 0 ? 1 : (t.total - t.pending) / t.total;
}

/** How long the page waits before asking again: soon while mail is going, rarely when idle. */
export function pollDelay(summary) {
  return summary.busy ? 2000 : 15000;
}
