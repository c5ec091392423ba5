// Where a meeting's room is in its life, from the server's snapshot and the clock. No DOM.
// The phases' order comes from the server (GET /api/labels); boundaries belong to the
// phase they start.
import { t } from './i18n/index.js';
import { fmtDur } from './format.js';

/** Phases in which the room may be entered. */
export const OPEN_PHASES = new Set(['check-in', 'live', 'grace']);

/** The phase the clock gives for a window at `now`; each boundary belongs to the phase it starts. */
export function phaseAt(w, now) {
  if (now < w.checkin_opens_at) return 'scheduled';
  if (now < w.starts_at) return 'check-in';
  if (now < w.ends_at) return 'live';
  if (now < w.closes_at) return 'grace';
  return 'closed';
}

/**
 * A meeting's phase at `now`: the later of the server's snapshot (`m.phase`) and the
 * clock's answer, in the server's phase order `order`. An unknown snapshot counts as the
 * first phase; a room the server closed early stays closed.
 */
export function effectivePhase(m, now, order) {
  const rank = (p) => order.indexOf(p);
  const snap = rank(m.phase) >= 0 ? m.phase : order[0] || 'scheduled';
  if (!m.window) return snap;
  const local = phaseAt(m.window, now);
  return rank(snap) > rank(local) ? snap : local;
}

/** The window of a meeting, or one made of its start and end when the server sent none. */
export function windowOf(m) {
  return m.window || { checkin_opens_at: m.starts_at, starts_at: m.starts_at, ends_at: m.ends_at, closes_at: m.ends_at };
}

/** Short status text with a countdown for a meeting in a phase at `now`. */
export function statusText(m, phase, now) {
  const w = windowOf(m);
  switch (phase) {
    case 'scheduled': return t('st_until_checkin', { t: fmtDur(w.checkin_opens_at - now) });
    case 'check-in': return t('st_until_start', { t: fmtDur(w.starts_at - now) });
    case 'live': return t('st_until_end', { t: fmtDur(w.ends_at - now) });
    case 'grace': return t('st_grace', { t: fmtDur(w.closes_at - now) });
    default: return t('st_closed');
  }
}
