// What the buyer's and the vendor's home pages share: the organisation header, the "my
// meetings" card with its table (one piece of code for both sides; `side` decides which
// organisation is the other), and keeping /api/me fresh while the page shows.
import { h, setText, setAttr } from '../dom.js';
import { t } from '../i18n/index.js';
import { clock } from '../clock.js';
import { api } from '../api.js';
import { kindLabel, effPhase } from '../labels.js';
import { fmtRange, fmtTime, fmtDur } from '../format.js';
import { OPEN_PHASES, statusText } from '../phase.js';
import { S, sortedMeetings } from '../state.js';
import { go, enterRoom, remount } from '../nav.js';
import { orgCell, phaseBadge, updateBadge } from './common.js';
import { reminderPanel } from './reminder_panel.js';
import { fromMe } from '../reminders.js';

/** The participant's meetings as a table; `side` ('buyer' | 'vendor') is the viewer's. */
function meetingTable(meetings, side) {
  const otherKey = side === 'buyer' ? 'enterprise' : 'institution';
  const rows = meetings.map((m) => {
    const badge = phaseBadge(effPhase(m));
    const cd = h('span', { class: 'countdown' });
    const btn = h('button', { type: 'button', class: 'btn primary small', 'aria-label': t('enter_aria', { name: m[otherKey].name }), onclick: () => enterRoom(m.id) }, t('enter'));
    const wrap = h('span', { class: 'btn-wrap' }, btn);
    const sv = h('button', { type: 'button', class: 'btn small survey-link', hidden: true, onclick: () => go('survey=' + encodeURIComponent(m.id)) }, t('survey_link'));
    const tr = h(
      'tr',
      { dataset: { meeting: m.id } },
      h('td', null, h('span', { class: 'round' }, t('round_n', { n: m.round })), h('span', { class: 'sub' }, m.theme)),
      h('td', { class: 'nowrap' }, fmtRange(m)),
      h('td', null, orgCell(m[otherKey])),
      h('td', null, badge, ' ', cd),
      h('td', null, wrap, ' ', sv),
    );
    S.tickers.push((now) => {
      const ph = effPhase(m);
      updateBadge(badge, ph);
      setText(cd, ph === 'closed' ? '' : statusText(m, ph, now));
      const open = OPEN_PHASES.has(ph);
      btn.disabled = !open;
      let tip = null;
      if (ph === 'scheduled') tip = t('enter_from', { time: fmtTime(m.window.checkin_opens_at), t: fmtDur(m.window.checkin_opens_at - clock.now()) });
      else if (ph === 'closed') tip = t('enter_closed');
      setAttr(wrap, 'title', tip);
      setAttr(btn, 'title', tip);
      tr.classList.toggle('is-open', open);
      tr.classList.toggle('is-closed', ph === 'closed');
      sv.hidden = ph !== 'closed';
    });
    return tr;
  });
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data' },
      h('caption', { class: 'sr-only' }, t('my_meetings_caption')),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('col_round')),
          h('th', { scope: 'col' }, t('col_time')),
          h('th', { scope: 'col' }, t(side === 'buyer' ? 'col_enterprise' : 'col_institution')),
          h('th', { scope: 'col' }, t('col_status')),
          h('th', { scope: 'col' }, t('col_action')),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

/** The "my meetings" card of a buyer's or a vendor's home page. */
export function myMeetingsCard(meetings, side) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'mtg-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'mtg-title' }, t('my_meetings')), h('span', { class: 'muted' }, t('meeting_count', { n: meetings.length }))),
    meetings.length ? meetingTable(meetings, side) : h('p', { class: 'empty' }, t('no_meetings')),
  );
}

/** The participant's organisation (or name), role and name; `extra` on the right. */
export function orgHeader(extra) {
  const me = S.me;
  const org = me.organisation;
  return h(
    'section',
    { class: 'org-card', 'aria-labelledby': 'org-title' },
    h(
      'div',
      null,
      h('p', { class: 'eyebrow' }, t('role_' + me.participant.role)),
      h('h1', { id: 'org-title' }, org ? org.name : me.participant.name),
      h('p', { class: 'muted' }, org ? [h('span', { class: 'tag kind-' + org.kind }, kindLabel(org)), ' · '] : null, t('you_are', { name: me.participant.name })),
    ),
    extra || null,
  );
}

/** Keeps /api/me fresh (phases change, rooms end early) while on a home page. */
function refreshMe(page, everyMs) {
  page.timer = setInterval(async () => {
    try {
      const me = await api('/api/me');
      const sig = (x) => JSON.stringify(((x && x.meetings) || []).map((m) => [m.id, m.phase, m.window]));
      const changed = sig(me) !== sig(S.me);
      S.me = me;
      if (changed && S.page === page) remount();
    } catch (e) {
      console.warn('refresh /api/me failed', e);
    }
  }, everyMs);
}

/**
 * A buyer's or vendor's home page named `side`: `top(root, meetings, next, page)` draws
 * what comes before the "my meetings" card, `bottom(root, page)` what comes after it;
 * /api/me is refreshed every 30 s. `page.reminders` (kept across remounts) reminds of
 * the meetings; its banner heads the page.
 */
export function homePage(side, top, bottom) {
  const page = {
    name: side,
    reminders: reminderPanel(),
    mount(root) {
      const meetings = sortedMeetings();
      const next = meetings.find((m) => effPhase(m) !== 'closed');
      page.reminders.setMeetings('me', fromMe(meetings, side));
      page.reminders.draw();
      root.append(page.reminders.banner);
      top(root, meetings, next, page);
      root.append(myMeetingsCard(meetings, side));
      if (bottom) bottom(root, page);
    },
    destroy() {
      clearInterval(page.timer);
      page.reminders.stop();
    },
  };
  refreshMe(page, 30000);
  return page;
}
