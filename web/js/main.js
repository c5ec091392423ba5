// The client's entry point (loaded by /app.js): the header (fair, participant, clock,
// language switch), the router from URL fragment to page, the test hooks and start-up.
//
// Routes live in the URL fragment (it never reaches the server):
//   #token=<JWT>          invite link; the token moves to sessionStorage, the fragment is cleaned
//   (empty)               the participant's home page, by role (buyer, vendor, moderator, staff)
//   #room=<meetingId>     the video room of one meeting (buyer and vendor; a moderator from the board)
//   #view=rooms           moderator: the live board over /ws/board (their default); staff: the schedule
//   #view=schedule        moderator / staff: the whole schedule (default for staff)
//   #view=log             moderator / staff: the consultation log, filters, CSV/XLSX downloads
//   #view=report          moderator / staff: the fair's report (tables and bar charts)
//   #view=prep            staff: the preparation (registrations, matches, draft schedule, publishing)
//   #survey=<meetingId>   buyer / vendor: the satisfaction survey after a meeting closed
//
// Test hooks: window.sangdam.pc(), window.sangdam.pcs(), window.sangdam.state() (with `lobby`), window.sangdam.lobby()
// (the last lobby status message); <body data-page data-phase data-call data-lobby
// data-prejoin>, where data-lobby is waiting | admitted | idle and data-prejoin is on while
// the room page shows its pre-join check (pages/prejoin.js).
import { S } from './state.js';
import { STR, t, lang, useLang } from './i18n/index.js';
import { clock } from './clock.js';
import { h, setText, setAttr } from './dom.js';
import { api, loadLabels } from './api.js';
import { fmtClock } from './format.js';
import { store, LS_LANG, SS_TOKEN } from './store.js';
import { setRouter, show, remount, hashParams, mainEl, tick } from './nav.js';
import { lobbyEnsure, lobbyState, lobbyStatus } from './lobby.js';
import { signOut } from './session.js';
import { render as renderAnnouncements } from './announcements.js';
import { landingPage, loadingPage } from './pages/landing.js';
import { errorPage } from './pages/error.js';
import { buyerPage, withBoothPanel } from './pages/buyer.js';
import { vendorPage } from './pages/vendor.js';
import { roomPage } from './pages/room.js';
import { surveyPage } from './pages/survey.js';
import { moderatorPage } from './pages/moderator.js';
import { staffPage } from './pages/staff.js';
import { logPage } from './pages/log.js';
import { reportPage } from './pages/report.js';
import { prepPage } from './pages/prep.js';

// --- header: fair name, participant, clock, language switch -------------------------------
function renderHeader() {
  setText(document.getElementById('brand-name'), t('app_name'));
  const fair = document.getElementById('fair-name');
  setText(fair, S.me && S.me.fair ? S.me.fair.name : t('app_sub'));
  const who = document.getElementById('who');
  if (who) {
    who.replaceChildren();
    if (S.me && S.me.participant) {
      const p = S.me.participant;
      who.append(h('span', { class: 'who-name' }, p.name), h('span', { class: 'who-role' }, t('role_' + p.role)));
      if (S.me.organisation) who.append(h('span', { class: 'who-org' }, S.me.organisation.name));
      who.hidden = false;
    } else who.hidden = true;
  }
  const out = document.getElementById('sign-out');
  if (out) {
    out.hidden = !S.token;
    setText(out, t('sign_out'));
    setAttr(out, 'aria-label', t('sign_out_aria'));
  }
  const group = document.getElementById('lang-switch');
  if (group) setAttr(group, 'aria-label', t('lang_group'));
  for (const b of document.querySelectorAll('[data-lang]')) setAttr(b, 'aria-pressed', b.dataset.lang === lang() ? 'true' : 'false');
  setText(document.getElementById('skip-link'), t('skip'));
  setText(document.getElementById('footer-note'), t('footer'));
  document.title = S.me && S.me.fair ? S.me.fair.name + ' · ' + t('app_name') : t('doc_title');
}

function tickClock() {
  const el = document.getElementById('clock');
  if (!el) return;
  const now = clock.now();
  setText(el.querySelector('.clock-time'), fmtClock(now));
  setText(el.querySelector('.clock-zone'), 'KST');
  setAttr(el, 'title', t('kst'));
}

function setLang(code) {
  if (!useLang(code)) return;
  store('local', LS_LANG, code);
  document.documentElement.lang = code;
  renderHeader();
  tickClock();
  renderAnnouncements();
  if (S.page) {
    if (S.page.relabel) S.page.relabel();
    else remount();
  }
}

// --- routing ----------------------------------------------------------------------------------
/** Moves an invite token from the fragment into sessionStorage, and out of the address bar. */
function takeTokenFromHash() {
  const p = hashParams();
  const token = p.get('token');
  if (!token) return false;
  p.delete('token');
  S.token = token.trim();
  S.me = null;
  store('session', SS_TOKEN, S.token);
  const rest = p.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  return true;
}

let loadingMe = null;
async function route() {
  takeTokenFromHash();
  if (!S.token) {
    S.me = null;
    renderHeader();
    return show(landingPage());
  }
  if (!S.me) {
    if (!loadingMe) {
      show(loadingPage());
      // The labels (organisation types, outcomes, phases) come with the participant's view.
      const labels = loadLabels();
      loadingMe = api('/api/me')
        .then(async (me) => {
          await labels;
          S.me = me;
        })
        .finally(() => {
          loadingMe = null;
        });
    }
    try {
      await loadingMe;
    } catch (e) {
      renderHeader();
      return show(errorPage(e));
    }
    renderHeader();
  }
  lobbyEnsure();
  const p = hashParams();
  const role = S.me.participant.role;
  const room = p.get('room');
  if (room && (role === 'buyer' || role === 'vendor')) return show(withBoothPanel(roomPage(room)));
  // A moderator steps into any room from the board (the server checks the seat).
  if (room && role === 'moderator') return show(roomPage(room));
  const survey = p.get('survey');
  if (survey && (role === 'buyer' || role === 'vendor')) return show(surveyPage(survey));
  if (role === 'buyer') return show(buyerPage());
  if (role === 'vendor') return show(vendorPage());
  let view = p.get('view');
  if (view === 'log') return show(logPage());
  if (view === 'report') return show(reportPage());
  if (view === 'prep' && role === 'staff') return show(prepPage());
  if (view !== 'rooms' && view !== 'schedule') view = role === 'moderator' ? 'rooms' : 'schedule';
  // Moderators land on the board, staff on the schedule; staff may watch the board too.
  return show(view === 'rooms' ? moderatorPage() : staffPage());
}

// --- test hooks ---------------------------------------------------------------------------------
window.sangdam = {
  /** The current RTCPeerConnection of the room page, or null. */
  pc: () => (S.room ? S.room.pc : null),
  /** Every peer connection of the room page, by the seat it reaches (a side's to the other
   * side and to a moderator; a moderator's to each side). */
  pcs: () => (S.room ? Object.fromEntries([...S.room.peers].map(([seat, p]) => [seat, p.pc])) : {}),
  /** The room's state for tests; outside a room, phase is null. */
  state: () => {
    const r = S.room;
    if (!r) return { page: S.page ? S.page.name : null, phase: null, connected: false, call: 'idle', lastError: S.lastError, lobby: lobbyState() };
    return {
      page: 'room',
      meeting: r.meetingId,
      side: r.side,
      phase: r.phase,
      connected: r.call === 'connected',
      call: r.call,
      joined: r.joined,
      peerPresent: r.peerPresent,
      closed: r.closed ? r.closed.reason : null,
      lastError: r.lastError,
      fatal: r.fatal,
      noShow: r.noShow,
      window: r.window,
      sharing: r.sharing,
      lobby: lobbyState(),
    };
  },
  /** The files received in the room, with the SHA-256 (hex) of each Blob behind its
   * download link (a blob: URL cannot be fetched under the page's CSP). */
  receivedFiles: async () => {
    const files = S.roomShare ? S.roomShare.files.st.transfers.filter((x) => x.dir === 'in' && x.blob) : [];
    const hex = async (b) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', await b.arrayBuffer()))].map((x) => x.toString(16).padStart(2, '0')).join('');
    return Promise.all(files.map(async (x) => ({ name: x.name, size: x.size, type: x.type, sha256: await hex(x.blob) })));
  },
  /** The last vendor_status or booth_status from the lobby, or null. */
  lobby: () => lobbyStatus(),
  serverNow: clock.now,
  clockOffset: clock.offset,
  lang: () => lang(),
  setLang,
};

// --- start --------------------------------------------------------------------------------------
function start() {
  const saved = store('local', LS_LANG);
  useLang(saved && STR[saved] ? saved : 'ko');
  document.documentElement.lang = lang();
  S.token = store('session', SS_TOKEN) || null;
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
  const out = document.getElementById('sign-out');
  if (out) out.addEventListener('click', signOut);
  const skip = document.getElementById('skip-link');
  if (skip) {
    skip.addEventListener('click', (ev) => {
      ev.preventDefault();
      mainEl().focus();
    });
  }
  window.addEventListener('hashchange', () => route());
  setRouter(route, tickClock);
  renderHeader();
  setInterval(tick, 250);
  loadLabels();
  route();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
