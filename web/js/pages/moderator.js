// The moderators' live board (#view=rooms): one round's rooms, booths, counts and every
// moderator's actions, pushed by the server over /ws/board (wire/board.js) — nothing here
// polls. At the top the counts (aria-live) and the filters (round → `watch`, booth, "needs
// attention"); then the rooms (board_rooms.js, with the actions dialog of
// board_actions.js), the announcement form and the activity feed (board_feed.js), and
// the booths' lines (board_booths.js). A moderator steps into a room with Join, which
// opens the same room page buyers and vendors use (#room=<id>).
import { h, setText, setAttr, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { clock } from '../clock.js';
import { S, role } from '../state.js';
import { enterRoom, mainEl } from '../nav.js';
import { socketUrl } from '../wire/frame.js';
import { createBoard, filterRooms, boothsOf, roomById } from '../wire/board.js';
import { COUNT_KEYS, ALERT_COUNTS } from '../board_text.js';
import { opsNav } from './common.js';
import { roomsTable } from './board_rooms.js';
import { actionsDialog } from './board_actions.js';
import { boothsSection } from './board_booths.js';
import { activityFeed, announceForm } from './board_feed.js';

/** The round the board watched last in this tab, so coming back from a room keeps it. */
let lastRound = null;

export function moderatorPage() {
  const filters = { booth: '', attention: false };
  const ui = {};
  const model = () => board.model();

  const board = createBoard({
    url: socketUrl(location, '/ws/board'),
    token: S.token,
    round: lastRound,
    openSocket: (url) => new WebSocket(url),
    noteServerTime: clock.note,
    emit(type, d) {
      if (type === 'error') {
        S.lastError = d;
        if (!d.fatal) toast(errText(d.code) + ' (' + d.code + ')', 'error');
      }
      if (type === 'change') {
        if (typeof model().round === 'number') lastRound = model().round;
        draw();
      }
    },
  });

  const ctx = {
    model,
    // Staff watch the board; only moderators act on it (the server refuses anyone else).
    readOnly: role() !== 'moderator',
    onJoin: (room) => enterRoom(room.meeting.id),
    onActions: (room) => ui.dialog.open(room),
  };

  function connText() {
    const B = board.B;
    if (B.fatal) return t('mb_fatal', { msg: errText(B.fatal.code), code: B.fatal.code });
    if (B.connected) return t('mb_live');
    return B.model.round === null ? t('mb_connecting') : t('mb_reconnecting');
  }

  function build(root) {
    ui.conn = h('p', { class: 'muted', role: 'status' });
    ui.counts = h('dl', { class: 'stats', 'aria-live': 'polite', 'aria-label': t('mb_counts') });
    ui.countEls = {};
    for (const k of COUNT_KEYS) {
      const dd = h('dd', null, '0');
      const box = h('div', { dataset: { count: k } }, h('dt', null, t('mb_count_' + k)), dd);
      ui.countEls[k] = { box, dd };
      ui.counts.append(box);
    }
    ui.round = h('select', {
      id: 'mb-round',
      onchange: () => {
        const n = Number(ui.round.value);
        if (n && n !== model().round) board.watch(n);
      },
    });
    ui.booth = h('select', {
      id: 'mb-booth',
      onchange: () => {
        filters.booth = ui.booth.value;
        draw();
      },
    });
    ui.attention = h(
      'button',
      {
        type: 'button',
        class: 'btn toggle',
        'aria-pressed': 'false',
        onclick: () => {
          filters.attention = !filters.attention;
          draw();
        },
      },
      t('mb_attention_only'),
    );
    ui.rooms = roomsTable(ctx);
    ui.dialog = actionsDialog({ roomOf: (id) => roomById(model(), id) });
    ui.booths = boothsSection(ctx);
    ui.feed = activityFeed();
    ui.announce = announceForm(ctx);
    root.append(
      opsNav('rooms'),
      h(
        'section',
        { class: 'card board', 'aria-labelledby': 'mod-title' },
        h('div', { class: 'card-head' }, h('h1', { id: 'mod-title' }, t('mb_title')), ui.conn),
        ui.counts,
        h(
          'div',
          { class: 'filters', role: 'group', 'aria-label': t('mb_filters') },
          h('div', { class: 'field' }, h('label', { for: 'mb-round' }, t('mb_round')), ui.round),
          h('div', { class: 'field' }, h('label', { for: 'mb-booth' }, t('mb_booth')), ui.booth),
          ui.attention,
        ),
        ui.rooms.el,
      ),
      h('div', { class: 'board-cols' }, ctx.readOnly ? null : ui.announce.el, ui.feed.el),
      ui.booths.el,
      ui.dialog.el,
    );
  }

  /** Options of a select from [value, label] pairs, drawn again only if they changed. */
  function options(sel, pairs, value) {
    const sig = JSON.stringify(pairs);
    if (sel.dataset.sig !== sig) {
      sel.dataset.sig = sig;
      sel.replaceChildren(...pairs.map(([v, label]) => h('option', { value: v }, label)));
    }
    if (sel.value !== value) sel.value = value;
  }

  function draw() {
    if (!ui.conn) return;
    const m = model();
    setText(ui.conn, connText());
    for (const k of COUNT_KEYS) {
      const n = Number(m.counts[k] || 0);
      setText(ui.countEls[k].dd, String(n));
      ui.countEls[k].box.classList.toggle('alert', ALERT_COUNTS.has(k) && n > 0);
    }
    options(ui.round, m.rounds.map((r) => [String(r.number), t('round_n', { n: r.number }) + ' · ' + r.theme]), String(m.round || ''));
    ui.round.disabled = !board.B.connected;
    const booths = boothsOf(m.rooms);
    if (filters.booth && !booths.some((b) => b.id === filters.booth)) filters.booth = '';
    options(ui.booth, [['', t('mb_all_booths')], ...booths.map((b) => [b.id, b.name])], filters.booth);
    setAttr(ui.attention, 'aria-pressed', filters.attention ? 'true' : 'false');
    const rooms = filterRooms(m.rooms, { round: m.round, booth: filters.booth, attention: filters.attention });
    ui.rooms.update(rooms, m.round === null ? t('loading') : filters.attention || filters.booth ? t('mb_none_filtered') : t('mod_none'));
    ui.rooms.tick(clock.now());
    ui.booths.update(m.booths);
    ui.feed.update(m);
    ui.announce.update();
    ui.dialog.refresh();
  }

  const page = {
    name: 'moderator',
    mount(root) {
      build(root);
      draw();
      S.tickers.push((now) => ui.rooms && ui.rooms.tick(now));
      if (!page.started) {
        page.started = true;
        board.start();
      }
    },
    relabel() {
      // Everything drawn from strings again; the socket and the model stay.
      const root = mainEl();
      root.replaceChildren();
      for (const k of Object.keys(ui)) delete ui[k];
      S.tickers = [];
      page.mount(root);
    },
    destroy() {
      board.stop();
    },
  };
  return page;
}
