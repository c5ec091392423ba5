// The moderators' board's table of rooms: one row per room (time, booth, enterprise, phase,
// time left, who sits in each seat and how healthy their connection is, what needs
// attention, how to reach an absent side) with the Join and Actions buttons. Rows are kept
// by meeting id (keyed.js) and drawn again only when their room changes; the countdowns
// tick in place from the board's window and the server clock, not announced every second.
import { h, setText } from '../dom.js';
import { t } from '../i18n/index.js';
import { fmtRange, fmtTime } from '../format.js';
import { timeLeft, absentSides, contactsFor } from '../wire/board.js';
import { attentionText, leftText, sideText } from '../board_text.js';
import { orgCell, phaseBadge } from './common.js';
import { keyedList } from './keyed.js';

/** A seat's connection: a green dot when it keeps up, an orange triangle when not. */
function healthDot(seat) {
  const ok = seat.healthy !== false;
  return h('span', { class: 'dot ' + (ok ? 'on' : 'warn') }, h('span', { 'aria-hidden': 'true' }, ok ? '●' : '▲'), h('span', { class: 'sr-only' }, t(ok ? 'mb_healthy' : 'mb_unhealthy')));
}

/** One seat in the seats cell: who, since when, how healthy; or "not in". */
function seatLine(room, side) {
  const seat = room[side];
  const label = h('span', { class: 'seat-side' }, sideText(side));
  if (!seat) return h('li', { class: 'seat is-off', dataset: { seat: side } }, label, ' ', h('span', { class: 'muted' }, t('mb_seat_empty')));
  return h('li', { class: 'seat', dataset: { seat: side } }, label, ' ', healthDot(seat), ' ', h('span', { class: 'seat-name' }, seat.name), ' ', h('span', { class: 'muted nowrap' }, t('mb_since', { time: fmtTime(seat.since) })));
}

/** Phone (tel:) and e-mail (mailto:) of an absent side, from the board's contacts. */
function contactLines(model, room) {
  const out = [];
  for (const side of absentSides(room)) {
    for (const c of contactsFor(model, room, side)) {
      if (!c.phone && !c.email) continue;
      out.push(
        h(
          'li',
          { class: 'contact', dataset: { contact: c.participant } },
          h('span', { class: 'seat-side' }, t('mb_contact', { side: sideText(side) })),
          ' ',
          c.name,
          c.phone ? [' ', h('a', { href: 'tel:' + c.phone.replace(/[^0-9+]/g, ''), 'aria-label': t('mb_call_aria', { name: c.name, phone: c.phone }) }, c.phone)] : null,
          c.email ? [' ', h('a', { href: 'mailto:' + c.email, 'aria-label': t('mb_mail_aria', { name: c.name, email: c.email }) }, c.email)] : null,
        ),
      );
    }
  }
  return out.length ? h('ul', { class: 'contacts' }, out) : null;
}

/** The row of one room. `ctx`: {model(), onJoin(room), onActions(room)}. */
function roomRow(room, ctx) {
  const m = room.meeting;
  const attention = room.attention || [];
  return h(
    'tr',
    { dataset: { meeting: m.id, phase: room.phase }, class: (attention.length ? 'needs-attention ' : '') + (room.phase === 'closed' ? 'is-closed' : room.phase === 'live' || room.phase === 'grace' ? 'is-live' : '') },
    h('td', { class: 'nowrap' }, h('span', { class: 'round' }, fmtRange(m)), h('span', { class: 'sub mono' }, m.id)),
    h('td', null, orgCell(m.institution)),
    h('td', null, orgCell(m.enterprise)),
    h('td', null, phaseBadge(room.phase), room.walk_in ? [' ', h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))] : null, room.window.ends_at !== m.ends_at ? h('span', { class: 'sub' }, t('mb_new_end', { time: fmtTime(room.window.ends_at) })) : null),
    h('td', { class: 'nowrap countdown' }, h('span', { dataset: { left: m.id } })),
    h('td', null, h('ul', { class: 'seats' }, seatLine(room, 'buyer'), seatLine(room, 'vendor'), room.moderator ? h('li', { class: 'seat', dataset: { seat: 'moderator' } }, h('span', { class: 'seat-side' }, t('role_moderator')), ' ', healthDot(room.moderator), ' ', room.moderator.name) : null), contactLines(ctx.model(), room)),
    h('td', null, attention.length ? h('ul', { class: 'attention' }, attention.map((a) => h('li', { class: 'att att-' + a.kind }, attentionText(a)))) : h('span', { class: 'muted' }, '—'), room.no_show_marked ? h('span', { class: 'sub' }, t('mb_marked')) : null),
    ctx.readOnly
      ? h('td', null, h('span', { class: 'muted' }, '—'))
      : h(
      'td',
      { class: 'nowrap' },
      h('button', { type: 'button', class: 'btn primary small', disabled: room.phase === 'closed' || !!room.moderator, title: room.moderator ? t('mb_join_taken', { name: room.moderator.name }) : null, 'aria-label': t('mb_join_aria', { a: m.institution.name, b: m.enterprise.name }), onclick: () => ctx.onJoin(room) }, t('mb_join')),
      ' ',
      h('button', { type: 'button', class: 'btn small', 'aria-haspopup': 'dialog', 'aria-label': t('mb_actions_aria', { a: m.institution.name, b: m.enterprise.name }), onclick: () => ctx.onActions(room) }, t('mb_actions')),
    ),
  );
}

/** The rooms table: `update(rooms)` after each board change, `tick(now)` every second. */
export function roomsTable(ctx) {
  const tbody = h('tbody');
  const byId = new Map();
  const list = keyedList(tbody, {
    key: (r) => r.meeting.id,
    // The contacts are part of a row (they follow the room's attention), the model's rest is not.
    sig: (r) => JSON.stringify(r),
    render: (r) => roomRow(r, ctx),
  });
  const empty = h('p', { class: 'empty', hidden: true });
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data board-rooms' },
      h('caption', { class: 'sr-only' }, t('mb_rooms_caption')),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['col_time', 'col_institution', 'col_enterprise', 'col_phase', 'col_remaining', 'mb_col_seats', 'mb_col_attention', 'col_action'].map((k) => h('th', { scope: 'col' }, t(k))),
        ),
      ),
      tbody,
    ),
  );
  return {
    el: h('div', null, table, empty),
    update(rooms, emptyText) {
      byId.clear();
      for (const r of rooms) byId.set(r.meeting.id, r);
      list.update(rooms);
      empty.hidden = rooms.length > 0;
      setText(empty, emptyText);
    },
    tick(now) {
      for (const el of tbody.querySelectorAll('[data-left]')) {
        const r = byId.get(el.dataset.left);
        if (!r) continue;
        const left = timeLeft(r, now);
        setText(el, leftText(left));
        el.parentElement.classList.toggle('last-minute', left.kind === 'left' && left.ms <= 60000);
      }
    },
    reset: () => list.reset(),
  };
}
