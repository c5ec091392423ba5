// Meeting reminders while a participant's page is open (e.g. 30 and 5 minutes before each
// meeting): which reminders are due now, when the next one falls (the page sets one timeout
// for it rather than polling), which were already shown, and their text. No DOM, no clock:
// `now` is an argument, so the tests walk a whole day of meetings in a few lines.
import { t } from './i18n/index.js';
import { fmtTime } from './format.js';

const MINUTE = 60000;
/** The longest single wait: the page re-plans at least this often, so a changed server-clock offset or a machine waking from sleep is caught up. */
export const MAX_WAIT_MS = 30 * MINUTE;

/**
 * The key remembering that one reminder was shown. The start is part of it: a meeting the
 * schedule moved is a new appointment and is reminded again.
 */
export function reminderKey(meeting, minutes) {
  return meeting.id + '/' + minutes + '/' + meeting.startsAt;
}

/** The usable lead times: whole positive minutes, largest first, without repeats. */
export function leadTimes(minutes) {
  const ok = (Array.isArray(minutes) ? minutes : []).filter((n) => Number.isInteger(n) && n > 0);
  return [...new Set(ok)].sort((a, b) => b - a);
}

/** Meetings of GET /api/timetable (`meeting`, `starts_at`, the other side's `*_name`) for `side` ('buyer' | 'vendor'). */
export function fromTimetable(list, side) {
  const other = side === 'buyer' ? 'enterprise_name' : 'institution_name';
  return (list || []).map((m) => ({ id: m.meeting, startsAt: m.starts_at, endsAt: m.ends_at, other: m[other] || '' }));
}

/** Meetings of GET /api/me (`id`, `starts_at`, the other side's organisation) for `side`. */
export function fromMe(list, side) {
  const other = side === 'buyer' ? 'enterprise' : 'institution';
  return (list || []).map((m) => ({ id: m.id, startsAt: m.starts_at, endsAt: m.ends_at, other: (m[other] && m[other].name) || '' }));
}

/**
 * One list from several sources, by meeting id; a later list wins for a meeting both have
 * (the page passes the published timetable first, then the live schedule of /api/me).
 */
export function mergeMeetings(...lists) {
  const byId = new Map();
  for (const list of lists) for (const m of list || []) if (m && m.id && Number.isFinite(m.startsAt)) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.startsAt - b.startsAt);
}

/**
 * The reminders due at `now`: for each meeting not started yet, the latest lead time whose
 * instant has passed, unless shown already (`fired`, a Set of reminderKey()s). A page opened
 * 3 minutes before a meeting gets its 5-minute reminder, not the 30-minute one too.
 * Each: `{meeting, minutes, key, inMinutes}` (`inMinutes`: whole minutes left, at least 1).
 */
export function dueReminders(meetings, minutes, now, fired) {
  const leads = leadTimes(minutes);
  const out = [];
  for (const m of meetings) {
    if (!(now < m.startsAt)) continue;
    // Largest first, so the last one passed is the latest instant.
    let latest = null;
    for (const n of leads) if (m.startsAt - n * MINUTE <= now) latest = n;
    if (latest === null) continue;
    const key = reminderKey(m, latest);
    if (fired && fired.has(key)) continue;
    out.push({ meeting: m, minutes: latest, key, inMinutes: Math.max(1, Math.ceil((m.startsAt - now) / MINUTE)) });
  }
  return out;
}

/** The next instant after `now` at which a reminder falls due, or null if none will. */
export function nextReminderAt(meetings, minutes, now, fired) {
  let next = null;
  for (const m of meetings) {
    for (const n of leadTimes(minutes)) {
      const at = m.startsAt - n * MINUTE;
      if (at > now && (!fired || !fired.has(reminderKey(m, n))) && (next === null || at < next)) next = at;
    }
  }
  return next;
}

/** How long the page's one timeout waits for `next` (nextReminderAt), or null for none. */
export function waitFor(next, now) {
  if (next === null || next === undefined) return null;
  return Math.min(Math.max(0, next - now), MAX_WAIT_MS);
}

/** The remembered keys worth keeping: those of meetings not started yet (the key holds the start). */
export function pruneFired(keys, now) {
  return [...keys].filter((k) => {
    const start = Number(String(k).split('/').pop());
    return Number.isFinite(start) && start > now;
  });
}

/** A reminder's words in the current language: `{title, body}` for the banner and the system notification. */
export function reminderText(r) {
  return {
    title: t('rem_title'),
    body: t('rem_body', { other: r.meeting.other, n: r.inMinutes, time: fmtTime(r.meeting.startsAt) }),
  };
}

/** The lead times as words: "30분, 5분" / "30 min, 5 min". */
export function leadText(minutes) {
  return leadTimes(minutes).map((n) => t('rem_minutes', { n })).join(', ');
}
