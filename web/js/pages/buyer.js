// The buyer's home page (the next meeting, the booth, "my meetings", then meeting requests
// and the published timetable) and the booth panel: who waits at the institution's booth, who
// is in its room, admit the next or send one back. Buyers keep the booth panel under the
// room too.
import { h, setText } from '../dom.js';
import { t } from '../i18n/index.js';
import { fmtRange, fmtTime } from '../format.js';
import { effPhase } from '../labels.js';
import { statusText } from '../phase.js';
import { S } from '../state.js';
import { leftRooms } from '../store.js';
import { enterRoom, atRoom } from '../nav.js';
import { lobbyL, lobbySend } from '../lobby.js';
import { orgCell } from './common.js';
import { homePage, orgHeader } from './meetings.js';
import { lobbyPanel, lobbyDot } from './lobby_panel.js';
import { bottomSections } from './requests.js';

export function buyerPage() {
  return homePage('buyer', (root, meetings, next) => {
    let nextBox = null;
    if (next) {
      const cd = h('span', { class: 'next-cd' });
      nextBox = h(
        'div',
        { class: 'next-box' },
        h('p', { class: 'eyebrow' }, t('next_meeting')),
        h('p', { class: 'next-org' }, orgCell(next.enterprise)),
        h('p', { class: 'muted' }, fmtRange(next)),
        cd,
      );
      S.tickers.push((now) => setText(cd, statusText(next, effPhase(next), now)));
    }
    const booth = boothPanel();
    S.tickers.push((now) => booth.tick(now));
    root.append(orgHeader(nextBox), booth.el);
  }, bottomSections('buyer'));
}

/** Buyers keep their booth panel under the room, to admit the next or send one back. */
export function withBoothPanel(page) {
  if (lobbyL().role !== 'buyer') return page;
  const mount = page.mount;
  page.mount = (root) => {
    mount(root);
    const booth = boothPanel();
    S.tickers.push((now) => booth.tick(now));
    root.append(booth.el);
  };
  return page;
}

/** The buyer's booth: who waits, who is in the room, admit next and send back. */
function boothPanel() {
  return lobbyPanel('booth', 'booth_title', () => {
    const L = lobbyL();
    const s = L.status && L.status.type === 'booth_status' ? L.status : null;
    const queue = s ? s.queue || [] : [];
    const cur = s ? s.current : null;
    const sig = [
      L.connected, L.fatal && L.fatal.code, L.unavailable, !!L.downSince, !!s,
      queue.map((q) => [q.vendor, q.meeting, q.checked_in_at, q.disconnected]),
      cur && [cur.meeting, cur.until, cur.enterprise.id, leftRooms.has(cur.meeting), location.hash],
    ];
    const draw = () => {
      const out = [];
      const box = h('div', { class: 'booth-now' + (cur ? ' busy' : '') }, h('p', { class: 'eyebrow' }, t('booth_now')));
      if (cur) {
        box.append(
          h('p', { class: 'lobby-turn-org' }, orgCell(cur.enterprise), ' ', cur.walk_in ? h('span', { class: 'tag walk-in' }, t('lobby_walk_in')) : null),
          h('p', { class: 'muted' }, fmtTime(cur.since) + '–' + fmtTime(cur.until) + ' · ' + t('lobby_time_left') + ' ', h('span', { class: 'countdown', role: 'timer', dataset: { deadline: String(cur.until) } })),
          h(
            'div',
            { class: 'actions' },
            atRoom(cur.meeting) ? null : h('button', { type: 'button', class: 'btn primary', onclick: () => enterRoom(cur.meeting) }, t('lobby_enter_room')),
            h('button', { type: 'button', class: 'btn', disabled: !L.connected, onclick: () => lobbySend({ type: 'send_back' }) }, t('booth_send_back')),
          ),
        );
      } else box.append(h('p', { class: 'muted' }, s ? t('booth_idle') : t('loading')));
      out.push(box);
      out.push(
        h(
          'div',
          { class: 'card-head booth-queue-head' },
          h('h3', null, t('booth_queue', { n: queue.length })),
          h('button', { type: 'button', class: 'btn primary', id: 'admit-next', disabled: !L.connected || !queue.length, onclick: () => lobbySend({ type: 'admit_next' }) }, t('booth_admit')),
        ),
      );
      if (!queue.length) out.push(h('p', { class: 'empty' }, t('booth_queue_empty')));
      else {
        const rows = queue.map((q, i) =>
          h(
            'tr',
            { dataset: { vendor: q.vendor }, class: q.disconnected ? 'is-closed' : null },
            h('td', { class: 'center' }, String(i + 1)),
            h('td', null, q.name),
            h('td', null, orgCell(q.enterprise)),
            h('td', { class: 'nowrap' }, q.meeting ? t('lobby_booked', { time: fmtTime(q.starts_at) }) : h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))),
            h('td', { class: 'nowrap' }, fmtTime(q.checked_in_at), h('span', { class: 'sub countdown', dataset: { since: String(q.checked_in_at) } })),
            h('td', { class: 'center' }, lobbyDot(!q.disconnected)),
          ));
        out.push(
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data' },
              h('caption', { class: 'sr-only' }, t('booth_caption')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col', class: 'center' }, t('booth_col_no')),
                  h('th', { scope: 'col' }, t('booth_col_name')),
                  h('th', { scope: 'col' }, t('col_enterprise')),
                  h('th', { scope: 'col' }, t('booth_col_booking')),
                  h('th', { scope: 'col' }, t('booth_col_since')),
                  h('th', { scope: 'col', class: 'center' }, t('booth_col_conn')),
                ),
              ),
              h('tbody', null, rows),
            ),
          ),
        );
      }
      out.push(h('p', { class: 'muted note' }, t('booth_note')));
      return out;
    };
    return { sig, draw };
  });
}
