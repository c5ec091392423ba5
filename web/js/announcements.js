// Operators' announcements as every page shows them: one banner per announcement above
// the page (in #announcements, outside <main>, so it stays while the participant moves
// between the lobby and a room) until it is dismissed. The lobby and the room socket both
// deliver an announcement (a buyer in a room has both open), so they are kept by id: each
// shows once, and a dismissed one (remembered for this tab) does not come back.
import { h } from './dom.js';
import { t } from './i18n/index.js';
import { fmtTime } from './format.js';
import { store } from './store.js';

/** sessionStorage: the ids of announcements dismissed in this tab (a JSON array). */
const SS_DISMISSED = 'sangdam.announcementsDismissed';
/** How many announcements stay shown at once (older ones give way). */
const MAX_SHOWN = 5;

const shown = []; // the announcements on screen, oldest first

function dismissed() {
  try {
    return new Set(JSON.parse(store('session', SS_DISMISSED) || '[]'));
  } catch (_) {
    return new Set();
  }
}

function dismiss(id) {
  const set = dismissed();
  set.add(id);
  store('session', SS_DISMISSED, JSON.stringify([...set].slice(-100)));
  const i = shown.findIndex((a) => a.id === id);
  if (i >= 0) shown.splice(i, 1);
  render();
}

/** Shows an `announcement` message (from either socket); a repeated or dismissed one is ignored. */
export function announce(msg) {
  if (!msg || !msg.id || !msg.text) return false;
  if (shown.some((a) => a.id === msg.id) || dismissed().has(msg.id)) return false;
  shown.push(msg);
  while (shown.length > MAX_SHOWN) shown.shift();
  render();
  return true;
}

/** Draws the banners (again, e.g. in a new language). */
export function render() {
  const host = document.getElementById('announcements');
  if (!host) return;
  host.replaceChildren(
    ...shown.map((a) =>
      h(
        'div',
        { class: 'announcement', role: 'status', dataset: { announcement: a.id } },
        h('p', { class: 'ann-head' }, h('strong', null, t('ann_title')), ' · ', a.from || t('role_moderator'), a.at ? ' · ' + fmtTime(a.at) : ''),
        h('p', { class: 'ann-text' }, a.text),
        h('button', { type: 'button', class: 'btn small', 'aria-label': t('ann_dismiss_aria'), onclick: () => dismiss(a.id) }, t('ann_dismiss')),
      )),
  );
  host.hidden = shown.length === 0;
}
