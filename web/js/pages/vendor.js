// The vendor's home page: the big waiting panel for the next meeting (auto-enter), the
// lobby panel (where they wait, what they may check in to, walk-ins), "my meetings", then
// meeting requests and the published timetable.
import { h, setText, setAttr } from '../dom.js';
import { t } from '../i18n/index.js';
import { fmtRange, fmtTime, fmtDur } from '../format.js';
import { kindLabel, effPhase } from '../labels.js';
import { OPEN_PHASES } from '../phase.js';
import { S, sortedMeetings } from '../state.js';
import { store, LS_AUTO, leftRooms } from '../store.js';
import { enterRoom } from '../nav.js';
import { lobbyL, lobbyClient } from '../lobby.js';
import { orgCell, phaseBadge, updateBadge } from './common.js';
import { homePage, orgHeader } from './meetings.js';
import { lobbyPanel } from './lobby_panel.js';
import { bottomSections } from './requests.js';

export function vendorPage() {
  return homePage('vendor', (root, meetings, next, page) => {
    root.append(orgHeader(null));
    const lobby = vendorLobbyPanel();
    S.tickers.push((now) => lobby.tick(now));
    if (next) root.append(waitingPanel(next, page));
    else root.append(h('section', { class: 'card wait done' }, h('p', { class: 'big-note' }, t('no_next'))));
    root.append(lobby.el);
  }, bottomSections('vendor'));
}

/** What auto-enter does now for a booked meeting (see wire/lobby.js); 'enter' without a lobby. */
function autoStep(m, now) {
  const c = lobbyClient();
  return c ? c.autoStep(m, now) : 'enter';
}

/** The vendor's big waiting panel for the next meeting, entering the room when it opens. */
function waitingPanel(m, page) {
  const w = m.window;
  // The bar fills over twice the check-in lead: half-way when check-in opens, full at the
  // start. Derived from the window only, so a reload shows the same progress.
  const from = w.checkin_opens_at - Math.max(60000, w.starts_at - w.checkin_opens_at);
  const auto = store('local', LS_AUTO) !== 'false';
  const big = h('div', { class: 'big-countdown', role: 'timer', 'aria-live': 'off' });
  const label = h('p', { class: 'big-label' }, t('wait_to_start'));
  const sub = h('p', { class: 'wait-sub', 'aria-live': 'polite' });
  const bar = h('div', { class: 'bar-fill' });
  const progress = h('div', { class: 'bar', role: 'progressbar', 'aria-label': t('progress_label'), 'aria-valuemin': '0', 'aria-valuemax': '100' }, bar);
  const badge = phaseBadge(effPhase(m));
  const btn = h('button', { type: 'button', class: 'btn primary big', 'aria-label': t('enter_aria', { name: m.institution.name }), onclick: () => enterRoom(m.id) }, t('enter'));
  const check = h('input', {
    type: 'checkbox',
    id: 'auto-enter',
    checked: auto,
    onchange: (ev) => store('local', LS_AUTO, ev.target.checked ? 'true' : 'false'),
  });
  let entering = false;
  S.tickers.push((now) => {
    const ph = effPhase(m);
    updateBadge(badge, ph);
    const toStart = w.starts_at - now;
    setText(big, fmtDur(ph === 'live' || ph === 'grace' ? 0 : toStart));
    const c = lobbyClient();
    let s;
    if (ph === 'scheduled') s = t('wait_checkin_in', { t: fmtDur(w.checkin_opens_at - now), time: fmtTime(w.checkin_opens_at) });
    else if (c && c.placeFor(m.id) && (ph === 'check-in' || ph === 'live')) s = t('wait_in_lobby');
    else if (ph === 'check-in') s = t('wait_checkin_open');
    else if (ph === 'live') s = t('wait_live');
    else s = t('wait_grace');
    setText(sub, entering ? t('entering') : s);
    const pct = Math.max(0, Math.min(100, ((now - from) / Math.max(1, w.starts_at - from)) * 100));
    bar.style.width = pct.toFixed(1) + '%';
    setAttr(progress, 'aria-valuenow', Math.round(pct));
    btn.disabled = !OPEN_PHASES.has(ph);
    setAttr(btn, 'title', ph === 'scheduled' ? t('enter_from', { time: fmtTime(w.checkin_opens_at), t: fmtDur(w.checkin_opens_at - now) }) : null);
    if (OPEN_PHASES.has(ph) && check.checked && !entering && !leftRooms.has(m.id) && S.page === page && autoStep(m, now) === 'enter') {
      entering = true;
      setTimeout(() => {
        if (S.page === page) enterRoom(m.id);
      }, 600);
    }
  });
  return h(
    'section',
    { class: 'card wait', 'aria-labelledby': 'wait-title' },
    h('div', { class: 'wait-head' }, h('h2', { id: 'wait-title' }, t('wait_title')), badge),
    h('p', { class: 'wait-org' }, orgCell(m.institution)),
    h('p', { class: 'muted' }, t('round_n', { n: m.round }) + ' · ' + m.theme + ' · ' + fmtRange(m)),
    label,
    big,
    progress,
    sub,
    h('div', { class: 'actions' }, btn, h('label', { class: 'check', for: 'auto-enter' }, check, ' ', t('auto_enter'))),
  );
}

/** The vendor's lobby: where they wait, what they may check in to, walk-ins. */
function vendorLobbyPanel() {
  let walkSel = null;
  let walkPicked = false;
  const booths = () => {
    const seen = new Map();
    for (const m of sortedMeetings()) if (!seen.has(m.institution.id)) seen.set(m.institution.id, m.institution);
    return [...seen.values()];
  };
  const checkIn = (booth, meeting) => {
    const c = lobbyClient();
    if (c) c.checkIn(booth, meeting);
  };
  const leave = (place) => {
    const c = lobbyClient();
    if (c) c.leave(place);
  };
  return lobbyPanel('vendor-lobby', 'lobby_title', () => {
    const L = lobbyL();
    const s = L.status && L.status.type === 'vendor_status' ? L.status : null;
    const places = s ? s.places || [] : [];
    const inRoom = s ? s.in_room : null;
    const queuedAt = new Set(places.map((p) => p.booth.id));
    const offers = sortedMeetings().filter((m) => {
      const ph = effPhase(m);
      // Not where they already wait: checking in again at a booth keeps the place it has.
      return (ph === 'check-in' || ph === 'live') && !queuedAt.has(m.institution.id) && !(inRoom && inRoom.meeting === m.id);
    });
    const sig = [
      L.connected, L.fatal && L.fatal.code, L.unavailable, !!L.downSince,
      places.map((p) => [p.booth.id, p.position, p.waiting, p.meeting, p.starts_at, p.disconnected, p.meeting ? 0 : L.eta[p.booth.id]]),
      inRoom && [inRoom.meeting, inRoom.until, leftRooms.has(inRoom.meeting), location.hash],
      offers.map((m) => m.id),
    ];
    const draw = () => {
      const out = [];
      if (inRoom) {
        const here = S.room && S.room.meetingId === inRoom.meeting;
        out.push(
          h(
            'div',
            { class: 'lobby-turn', role: 'status' },
            h('p', { class: 'eyebrow' }, t('lobby_turn')),
            h('p', { class: 'lobby-turn-org' }, orgCell(inRoom.booth)),
            h('p', { class: 'muted' }, inRoom.walk_in ? [h('span', { class: 'tag walk-in' }, t('lobby_walk_in')), ' '] : null, t('lobby_time_left'), ' ', h('span', { class: 'countdown', role: 'timer', dataset: { deadline: String(inRoom.until) } })),
            here ? null : h('button', { type: 'button', class: 'btn primary', onclick: () => enterRoom(inRoom.meeting) }, t('lobby_enter_room')),
          ),
        );
      }
      out.push(h('h3', null, t('lobby_places')));
      if (!places.length) out.push(h('p', { class: 'empty' }, s ? t('lobby_none') : t('loading')));
      else {
        out.push(
          h(
            'ul',
            { class: 'places' },
            places.map((p) => {
              const deadline = p.meeting ? p.starts_at : L.eta[p.booth.id];
              return h(
                'li',
                { class: 'place' + (p.disconnected ? ' is-off' : ''), dataset: { booth: p.booth.id, position: String(p.position) } },
                h(
                  'div',
                  { class: 'place-main' },
                  h('p', { class: 'place-org' }, orgCell(p.booth)),
                  h('p', { class: 'muted' }, p.meeting ? t('lobby_booked', { time: fmtTime(p.starts_at) }) : h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))),
                  p.disconnected ? h('p', { class: 'warn-text' }, t('lobby_place_off')) : null,
                ),
                h('div', { class: 'place-pos' }, h('span', { class: 'place-n' }, t('lobby_position', { n: p.position, of: p.waiting }))),
                h('div', { class: 'place-eta' }, h('span', { class: 'muted' }, t('lobby_eta')), h('span', { class: 'eta-cd', role: 'timer', dataset: { deadline: String(deadline), soon: t('lobby_eta_now') } })),
                h('button', { type: 'button', class: 'btn small', 'aria-label': t('lobby_leave_aria', { name: p.booth.name }), disabled: !L.connected, onclick: () => leave(p) }, t('lobby_leave')),
              );
            }),
          ),
        );
      }
      if (offers.length) {
        out.push(
          h('h3', null, t('lobby_offers')),
          h(
            'ul',
            { class: 'offers' },
            offers.map((m) =>
              h(
                'li',
                { class: 'offer', dataset: { meeting: m.id } },
                h('span', null, orgCell(m.institution), ' ', h('span', { class: 'muted nowrap' }, fmtRange(m))),
                h('button', { type: 'button', class: 'btn primary small', 'aria-label': t('lobby_checkin_aria', { name: m.institution.name }), disabled: !L.connected, onclick: () => checkIn(m.institution.id, m.id) }, t('lobby_checkin')),
              )),
          ),
        );
      }
      const list = booths();
      if (list.length) {
        if (!walkSel || !list.some((b) => b.id === walkSel) || (!walkPicked && queuedAt.has(walkSel))) walkSel = (list.find((b) => !queuedAt.has(b.id)) || list[0]).id;
        const btn = h('button', { type: 'button', class: 'btn', disabled: !L.connected || queuedAt.has(walkSel), onclick: () => checkIn(walkSel, null) }, t('lobby_walkin_btn'));
        const sel = h(
          'select',
          {
            id: 'walkin-booth',
            onchange: (ev) => {
              walkSel = ev.target.value;
              walkPicked = true;
              btn.disabled = !L.connected || queuedAt.has(walkSel);
            },
          },
          list.map((b) => h('option', { value: b.id }, b.name + ' · ' + kindLabel(b) + (queuedAt.has(b.id) ? ' — ' + t('lobby_waiting_here') : ''))),
        );
        sel.value = walkSel;
        out.push(
          h('h3', null, t('lobby_walkin_title')),
          h('div', { class: 'filters walkin' }, h('div', { class: 'field grow' }, h('label', { for: 'walkin-booth' }, t('lobby_walkin_label')), sel),
            btn),
          h('p', { class: 'muted note' }, t('lobby_walkin_hint')),
        );
      }
      return out;
    };
    return { sig, draw };
  });
}
