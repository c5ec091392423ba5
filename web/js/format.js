// Formatting of times, countdowns and shares, in Korea time and the current language. No
// DOM (Intl only), so the tests check the same text the pages show.
import { lang, t } from './i18n/index.js';
import { clock } from './clock.js';

const fmtCache = {};
function fmt(kind) {
  const key = lang() + ':' + kind;
  if (!fmtCache[key]) {
    const loc = lang() === 'ko' ? 'ko-KR' : 'en-GB';
    const base = { timeZone: 'Asia/Seoul' };
    const opts = {
      time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
      clock: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
      date: { month: 'short', day: 'numeric', weekday: 'short' },
      ymd: { year: 'numeric', month: '2-digit', day: '2-digit' },
    }[kind];
    fmtCache[key] = new Intl.DateTimeFormat(loc, Object.assign(base, opts));
  }
  return fmtCache[key];
}

export const fmtTime = (ms) => fmt('time').format(new Date(ms));
export const fmtClock = (ms) => fmt('clock').format(new Date(ms));
export const fmtDate = (ms) => fmt('date').format(new Date(ms));
/** The day in Seoul, as YYYY-MM-DD. */
export const seoulDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul' }).format(new Date(ms));

/** A meeting's time range; with its date when asked, or when it is not today (server's day). */
export function fmtRange(m, withDate, now = clock.now()) {
  const range = fmtTime(m.starts_at) + '–' + fmtTime(m.ends_at);
  return withDate || seoulDay(m.starts_at) !== seoulDay(now) ? fmtDate(m.starts_at) + ' ' + range : range;
}

/** A countdown: mm:ss, h:mm:ss past an hour, with days past a day. */
export function fmtDur(ms) {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86400);
  s %= 86400;
  const hh = Math.floor(s / 3600);
  s %= 3600;
  const mm = Math.floor(s / 60);
  const ss = s % 60;
  const p2 = (n) => String(n).padStart(2, '0');
  if (d > 0) return t('days', { n: d }) + ' ' + `${p2(hh)}:${p2(mm)}:${p2(ss)}`;
  if (hh > 0) return `${hh}:${p2(mm)}:${p2(ss)}`;
  return `${p2(mm)}:${p2(ss)}`;
}

/** A share in percent with one decimal: 39.3%. */
export function pct(n) {
  return (Math.round(n * 10) / 10).toFixed(1) + '%';
}
