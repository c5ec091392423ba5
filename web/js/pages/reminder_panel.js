// The reminders of a buyer's or a vendor's home page: a banner (role=status) when one falls
// due, a system notification if the participant allowed them (asked only on a click), and
// the controls in the timetable card ("don't remind me", PUT to the server). One panel per
// home page, kept across its remounts, with one timeout at a time for the next reminder;
// reminders.js decides which are due and when. A server without reminders (404) hides it all.
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, apiSend } from '../api.js';
import { clock } from '../clock.js';
import { S } from '../state.js';
import { store, LS_REMINDED } from '../store.js';
import { dueReminders, nextReminderAt, waitFor, mergeMeetings, pruneFired, reminderText, leadText, leadTimes } from '../reminders.js';

/** A failed GET /api/reminders (other than 404) is tried again after this long. */
const RETRY_MS = 60000;

/** The browser's Notification API, or null where there is none. */
const notifications = () => (typeof Notification === 'function' ? Notification : null);

/**
 * The panel: `{banner, controls, setMeetings(source, list), draw(), stop()}`. `source` is
 * 'timetable' or 'me' (lists as reminders.js's fromTimetable / fromMe make them); the live
 * schedule (/api/me) wins where both list a meeting.
 */
export function reminderPanel() {
  const st = { state: 'loading', minutes: [], off: false, sources: { timetable: [], me: [] }, shown: [], timer: null, retry: null, busy: false, note: null, stopped: false };
  const banner = h('div', { class: 'reminder-banner', id: 'reminder-banner', role: 'status', 'aria-live': 'polite', hidden: true });
  const controls = h('div', { class: 'reminders', id: 'reminders', hidden: true });
  // Per participant: two people may share a browser, and a meeting id is both sides'.
  const firedKey = LS_REMINDED + '.' + ((S.me && S.me.participant && S.me.participant.id) || '');

  function fired() {
    try {
      return new Set(JSON.parse(store('local', firedKey) || '[]'));
    } catch (_) {
      return new Set();
    }
  }

  function remember(keys) {
    const all = fired();
    for (const k of keys) all.add(k);
    store('local', firedKey, JSON.stringify(pruneFired(all, clock.now())));
  }

  function apply(body) {
    st.state = 'ready';
    st.minutes = leadTimes(body && body.minutes);
    st.off = !!(body && body.off);
  }

  async function load() {
    try {
      apply(await api('/api/reminders'));
    } catch (e) {
      // 404: this server has no reminders; anything else may pass, so try again later.
      st.state = e.status === 404 ? 'absent' : 'failed';
      if (st.state === 'failed' && !st.stopped) st.retry = setTimeout(load, RETRY_MS);
    }
    draw();
    plan();
  }

  /** Shows what is due now and sets the one timeout for the next reminder. */
  function plan() {
    clearTimeout(st.timer);
    st.timer = null;
    if (st.stopped || st.state !== 'ready' || st.off) return;
    const now = clock.now();
    const meetings = mergeMeetings(st.sources.timetable, st.sources.me);
    st.shown = st.shown.filter((r) => now < r.meeting.startsAt);
    const due = dueReminders(meetings, st.minutes, now, fired());
    if (due.length) {
      remember(due.map((r) => r.key));
      st.shown = [...st.shown.filter((r) => !due.some((d) => d.meeting.id === r.meeting.id)), ...due];
      notify(due);
    }
    drawBanner();
    const wait = waitFor(nextReminderAt(meetings, st.minutes, now, fired()), now);
    if (wait !== null) st.timer = setTimeout(plan, wait);
  }

  function notify(due) {
    const N = notifications();
    if (!N || N.permission !== 'granted') return;
    for (const r of due) {
      const x = reminderText(r);
      try {
        new N(x.title, { body: x.body, tag: r.key });
      } catch (e) {
        // Some mobile browsers only notify through a service worker; the banner still shows.
        console.warn('notification failed', e);
      }
    }
  }

  function drawBanner() {
    const list = st.off || st.state !== 'ready' ? [] : st.shown;
    banner.hidden = list.length === 0;
    banner.replaceChildren(
      ...list.map((r) => {
        const x = reminderText(r);
        return h('p', { class: 'reminder', dataset: { meeting: r.meeting.id, minutes: String(r.minutes) } }, h('strong', null, x.title), ' · ', x.body);
      }),
      ...(list.length ? [h('button', { type: 'button', class: 'btn small', id: 'reminder-dismiss', onclick: () => { st.shown = []; drawBanner(); } }, t('rem_dismiss'))] : []),
    );
  }

  async function setOff(off, box) {
    st.busy = true;
    box.disabled = true;
    try {
      apply(await apiSend('PUT', '/api/reminders', { off }));
      st.note = { text: t(st.off ? 'rem_off_done' : 'rem_on_done'), kind: 'ok' };
    } catch (e) {
      st.note = { text: errText(e.code), kind: 'error' };
    }
    st.busy = false;
    draw();
    plan();
  }

  function drawControls() {
    const focused = document.activeElement && controls.contains(document.activeElement) ? document.activeElement.id : null;
    controls.hidden = st.state !== 'ready';
    if (controls.hidden) {
      controls.replaceChildren();
      return;
    }
    const box = h('input', { type: 'checkbox', id: 'rem-off', checked: st.off, disabled: st.busy, onchange: (ev) => setOff(ev.currentTarget.checked, ev.currentTarget) });
    const N = notifications();
    let allow = null;
    if (N && !st.off) {
      if (N.permission === 'granted') allow = h('p', { class: 'muted', id: 'rem-allowed' }, t('rem_allowed'));
      else if (N.permission === 'denied') allow = h('p', { class: 'muted', id: 'rem-denied' }, t('rem_denied'));
      else {
        allow = h(
          'button',
          {
            type: 'button',
            class: 'btn small',
            id: 'rem-allow',
            // Only on this click: browsers (rightly) distrust a permission prompt out of nowhere.
            async onclick() {
              try {
                await N.requestPermission();
              } catch (e) {
                console.warn('notification permission', e);
              }
              draw();
            },
          },
          t('rem_allow'),
        );
      }
    }
    controls.replaceChildren(
      h('h3', null, t('rem_heading')),
      h('p', { class: 'muted', id: 'rem-about' }, st.off ? t('rem_about_off') : t('rem_about', { list: leadText(st.minutes) })),
      h('div', { class: 'actions' }, h('label', { class: 'check', for: 'rem-off' }, box, ' ', t('rem_off')), allow),
      h('p', { class: 'prep-status' + (st.note ? ' ' + st.note.kind : ''), id: 'rem-status', role: 'status', 'aria-live': 'polite' }, st.note ? st.note.text : ''),
    );
    if (focused) {
      const again = document.getElementById(focused);
      if (again) again.focus();
    }
  }

  /** Draws the banner and the controls again (after a remount, or in a new language). */
  function draw() {
    drawBanner();
    drawControls();
  }

  load();
  return {
    banner,
    controls,
    draw,
    setMeetings(source, list) {
      st.sources[source] = list || [];
      plan();
    },
    stop() {
      st.stopped = true;
      clearTimeout(st.timer);
      clearTimeout(st.retry);
    },
  };
}
