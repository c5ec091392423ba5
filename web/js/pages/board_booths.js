// The moderators' board's booths: each booth's line as the lobby holds it (who waits,
// booked or walk-in, since when, disconnected), whether the buyer is at the booth and who
// is in its room, with a moderator's controls per waiting vendor — move to another booth
// (or to another place in this line) and admit now. Booths are kept by id (keyed.js): a
// choice half made in a select survives the board's pushes.
import { h, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { fmtTime } from '../format.js';
import { moderateLobby } from '../api.js';
import { orgCell } from './common.js';
import { keyedList } from './keyed.js';
import { lobbyDot } from './lobby_panel.js';

/** Sends one lobby action; says what happened (the board shows the effect). */
async function act(body, okText) {
  try {
    await moderateLobby(body);
    toast(okText, 'info');
  } catch (e) {
    const code = e.code || 'unknown';
    toast(errText(code) + (e.message ? ' — ' + e.message : '') + ' (' + code + ')', 'error');
  }
}

/** One waiting vendor with the move and admit controls. */
function waitingItem(booth, w, i, booths, readOnly) {
  const id = booth.institution.id + '-' + w.vendor;
  const to = h(
    'select',
    { id: 'mv-to-' + id },
    booths.map((b) => h('option', { value: b.institution.id, selected: b.institution.id === booth.institution.id }, b.institution.name + (b.institution.id === booth.institution.id ? ' — ' + t('mb_this_booth') : ''))),
  );
  const pos = h(
    'select',
    { id: 'mv-pos-' + id },
    h('option', { value: '' }, t('mb_pos_usual')),
    booth.waiting.map((_, n) => h('option', { value: String(n) }, t('mb_pos_n', { n: n + 1 }))),
  );
  const move = () => {
    const body = { op: 'move', vendor: w.vendor, from: booth.institution.id, to: to.value };
    if (pos.value !== '') body.position = Number(pos.value);
    act(body, t('mb_moved', { name: w.name }));
  };
  return h(
    'li',
    { class: 'waiting' + (w.disconnected ? ' is-off' : ''), dataset: { vendor: w.vendor } },
    h(
      'div',
      { class: 'place-main' },
      h('p', null, h('span', { class: 'place-n' }, String(i + 1) + '. '), w.name, ' · ', orgCell(w.enterprise)),
      h(
        'p',
        { class: 'muted' },
        w.meeting ? t('mb_booked', { id: w.meeting }) : h('span', { class: 'tag walk-in' }, t('lobby_walk_in')),
        ' · ',
        t('mb_checked_in', { time: fmtTime(w.checked_in_at) }),
        ' ',
        lobbyDot(!w.disconnected),
        w.disconnected ? [' ', h('span', { class: 'warn-text' }, t('mb_disconnected'))] : null,
      ),
    ),
    readOnly
      ? null
      : h(
      'div',
      { class: 'filters move' },
      h('div', { class: 'field' }, h('label', { for: 'mv-to-' + id }, t('mb_move_to')), to),
      h('div', { class: 'field' }, h('label', { for: 'mv-pos-' + id }, t('mb_move_pos')), pos),
      h('button', { type: 'button', class: 'btn small', 'aria-label': t('mb_move_aria', { name: w.name }), onclick: move }, t('mb_move')),
      h('button', { type: 'button', class: 'btn primary small', disabled: !!booth.current, title: booth.current ? t('err_booth_busy') : null, 'aria-label': t('mb_admit_aria', { name: w.name, booth: booth.institution.name }), onclick: () => act({ op: 'admit', booth: booth.institution.id, vendor: w.vendor }, t('mb_admitted', { name: w.name })) }, t('mb_admit')),
    ),
  );
}

/** One booth: its buyer, its room and its line. `ctx.model()` is the board. */
function boothItem(booth, ctx) {
  const model = ctx.model();
  const cur = booth.current;
  const room = cur ? model.rooms.find((r) => r.meeting.id === cur.meeting) : null;
  const wait = booth.waiting || [];
  return h(
    'li',
    { class: 'booth-card', dataset: { booth: booth.institution.id } },
    h(
      'div',
      { class: 'card-head' },
      h('h3', null, orgCell(booth.institution)),
      h('span', { class: 'muted' }, lobbyDot(booth.buyer_here), ' ', t(booth.buyer_here ? 'mb_buyer_here' : 'mb_buyer_away')),
    ),
    h('p', { class: 'muted' }, cur ? [t('mb_in_room'), ' ', room ? room.meeting.enterprise.name : cur.vendor, ' · ', fmtTime(cur.since) + '–' + fmtTime(cur.until), cur.walk_in ? [' ', h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))] : null] : t('booth_idle')),
    wait.length ? h('ol', { class: 'waiting-list', 'aria-label': t('booth_queue', { n: wait.length }) }, wait.map((w, i) => waitingItem(booth, w, i, model.booths, ctx.readOnly))) : h('p', { class: 'empty' }, t('booth_queue_empty')),
  );
}

/** The booths section; `update()` after each board change. */
export function boothsSection(ctx) {
  const ul = h('ul', { class: 'booths' });
  const list = keyedList(ul, {
    key: (b) => b.institution.id,
    // The booth list's names go into every move select: a new booth redraws them all.
    sig: (b) => JSON.stringify(b) + '|' + ctx.model().booths.map((x) => x.institution.id).join(','),
    render: (b) => boothItem(b, ctx),
  });
  const el = h('section', { class: 'card', 'aria-labelledby': 'mb-booths-title' }, h('div', { class: 'card-head' }, h('h2', { id: 'mb-booths-title' }, t('mb_booths'))), ul);
  return {
    el,
    update(booths) {
      list.update(booths);
    },
    reset: () => list.reset(),
  };
}
