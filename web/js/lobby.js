// The page's lobby connection (wire/lobby.js) for the signed-in buyer or vendor, kept
// across the home and room pages: a buyer in a room still counts as at the booth, and a
// vendor's places stay live while they move around. This is where the lobby meets the
// page: body[data-lobby], toasts, announcements, and moving into a room the lobby
// admitted one to.
// Panels (pages/lobby_panel.js) read lobbyClient() and redraw from the page ticker.
import { S, role as myRole } from './state.js';
import { clock } from './clock.js';
import { t, errText } from './i18n/index.js';
import { toast } from './dom.js';
import { effPhase } from './labels.js';
import { go, enterRoom, atRoom } from './nav.js';
import { store, SS_LOBBY_LEFT, leftRooms, lobbyLeft } from './store.js';
import { createLobby } from './wire/lobby.js';
import { socketUrl } from './wire/frame.js';
import { announce } from './announcements.js';

let client = null;
let lastError = null; // kept across connections, for the test hooks

const NONE = { connected: false, fatal: null, unavailable: false, downSince: 0, status: null, eta: {}, role: null };

/** The current lobby client, or null (not a buyer or vendor, or signed out). */
export function lobbyClient() {
  return client;
}

/** The lobby's state as panels read it (an empty one when there is no lobby). */
export function lobbyL() {
  return client ? client.L : NONE;
}

/** Sends a lobby message if connected (nothing happens otherwise). */
export function lobbySend(obj) {
  return client ? client.send(obj) : false;
}

/** In a room with the other side there: a conversation the lobby must not interrupt. */
function busyElsewhere() {
  return !!(S.room && !S.room.ended && S.room.joined && S.room.peerPresent);
}

function onEvent(type, d) {
  switch (type) {
    case 'change':
      document.body.dataset.lobby = client ? client.mark() : 'idle';
      break;
    case 'error':
      lastError = d.error;
      S.lastError = d.error;
      if (d.notify) toast(errText(d.error.code) + ' (' + d.error.code + ')', 'error');
      break;
    case 'sent-back':
      toast(t('lobby_sent_back'), 'info');
      if (S.room && S.room.meetingId === d.room.meeting) go('');
      break;
    case 'turn':
      toast(t('lobby_turn_toast', { name: d.name }), 'info');
      break;
    case 'enter':
      toast(t('lobby_entering', { name: d.name }), 'info');
      enterRoom(d.room.meeting);
      break;
    case 'announcement':
      announce(d);
      break;
  }
}

/** Opens (or keeps, or closes) the lobby connection for the signed-in participant. */
export function lobbyEnsure() {
  const role = myRole();
  if (!S.token || (role !== 'vendor' && role !== 'buyer')) return lobbyStop();
  if (client && client.L.token === S.token && client.L.role === role && client.alive()) return;
  lobbyStop();
  client = createLobby({
    url: socketUrl(location, '/ws/lobby'),
    token: S.token,
    role,
    openSocket: (url) => new WebSocket(url),
    noteServerTime: clock.note,
    checkReady: async () => (await fetch('/readyz', { cache: 'no-store' })).ok,
    leftRooms,
    lobbyLeft,
    atRoom,
    busyElsewhere,
    phaseOf: effPhase,
    emit: onEvent,
  });
  client.start();
}

/** Closes the lobby connection; `forget` also forgets the queues left on purpose. */
export function lobbyStop(forget) {
  if (forget) store('session', SS_LOBBY_LEFT, null);
  if (client) client.stop();
  client = null;
  delete document.body.dataset.lobby;
}

/** The lobby's state for tests. */
export function lobbyState() {
  const base = client
    ? client.snapshot()
    : { connected: false, role: null, places: [], inRoom: null, booth: null, admitted: null, unavailable: false, fatal: null };
  const { connected, role, places, inRoom, booth, admitted, unavailable, fatal } = base;
  return { connected, role, state: document.body.dataset.lobby || 'idle', places, inRoom, booth, admitted, unavailable, fatal, lastError };
}

/** The last vendor_status or booth_status, or null. */
export function lobbyStatus() {
  return client ? client.L.status : null;
}

// Leaving the page closes the lobby socket at once (the server keeps the places for the
// grace time); a page restored from the back-forward cache connects again.
window.addEventListener('pagehide', () => {
  if (client) client.closeSocket('pagehide');
});
window.addEventListener('pageshow', (ev) => {
  if (ev.persisted && client) client.resume();
});
