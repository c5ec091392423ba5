// The lobby protocol (/ws/lobby, signaling/PROTOCOL.md) and what the client keeps of it:
// one connection per signed-in buyer or vendor, `hello` first with the token, pings, the
// last vendor_status / booth_status, reconnects with backoff (places are kept 2 minutes),
// the store-trouble banner, admissions (entered at once unless the participant is in a
// conversation, then when it is over), and the vendor's automatic check-in. No DOM: the
// socket factory, timers, clocks and the page's situation are arguments, and what the
// page must do is told through `emit(type, detail)`:
//   'change'   after every message (redraw panels, body[data-lobby] = mark())
//   'error'    {error, notify}: a refusal; notify if the page should say so (toast)
//   'sent-back' {room}: the buyer sent this vendor back to the queue
//   'turn'     {room, name}: admitted while busy in another conversation (deferred)
//   'enter'    {room, name}: go into this room now
//   'announcement' the message: an operator's announcement (shown until dismissed)
import { OPEN, parseFrame } from './frame.js';
import { createBackoff } from '../backoff.js';

/** The protocol version this client speaks (`v` of `hello`). */
export const VERSION = 1;
export const PING_MS = 20000;
/** Reconnects: 1 s doubling to 15 s, ±20 % jitter; back to 1 s on `welcome`. */
export const RECONNECT = { base: 1000, max: 15000, jitter: 0.2 };
/** How long the lobby may be down before auto-enter goes to the room directly. */
export const DOWN_ENTER_MS = 10000;
/** How long after the slot start a vendor still waiting in the queue enters directly. */
export const LATE_ENTER_MS = 20000;
/** After a refused automatic check-in, the next try waits this long. */
export const AUTO_RETRY_MS = 5000;
/** The store-trouble banner checks /readyz this often. */
export const READY_CHECK_MS = 3000;

/** body[data-lobby] for a status: admitted (in a room by the lobby), waiting (queued), idle. */
export function markOf(s) {
  if (s && s.type === 'vendor_status') return s.in_room ? 'admitted' : (s.places || []).length ? 'waiting' : 'idle';
  if (s && s.type === 'booth_status') return s.current ? 'admitted' : (s.queue || []).length ? 'waiting' : 'idle';
  return 'idle';
}

/**
 * Walk-in waits count down from a deadline (server ms) that only moves when the estimate
 * really does (by 1.5 s or more), so the countdown does not jitter between updates.
 * `old` and the result map booth id → deadline.
 */
export function walkInDeadlines(status, old) {
  const eta = {};
  for (const p of status.places || []) {
    if (p.meeting) continue;
    const d = status.server_time + p.estimated_wait_s * 1000;
    const prev = old[p.booth.id];
    eta[p.booth.id] = prev !== undefined && Math.abs(prev - d) < 1500 ? prev : d;
  }
  return eta;
}

/**
 * A lobby client for `token` and `role` ('vendor' | 'buyer'). Call start() once.
 *
 * - `openSocket(url)`, `timers`, `now` (local ms), `random` (jitter): the world
 * - `noteServerTime(serverTime, sentAt?, receivedAt?)`
 * - `checkReady()`: resolves true when /readyz answers 200
 * - `leftRooms`, `lobbyLeft`: sets (has/add/remove) of rooms and booked queues left on purpose
 * - `atRoom(id)`: the page shows this room; `busyElsewhere()`: in a room with the other side
 * - `phaseOf(meeting)`: the meeting's phase now
 */
export function createLobby({
  url,
  token,
  role,
  openSocket,
  noteServerTime = () => {},
  checkReady = async () => false,
  leftRooms,
  lobbyLeft,
  atRoom = () => false,
  busyElsewhere = () => false,
  phaseOf = (m) => m.phase,
  emit = () => {},
  timers = globalThis,
  now = () => Date.now(),
  random = Math.random,
}) {
  const L = {
    token,
    role,
    ws: null,
    connected: false, // `welcome` received on the current socket
    status: null, // the last vendor_status or booth_status
    admitted: null, // the last `admitted` room
    unavailable: false, // temporarily_unavailable: a banner until the next status
    fatal: null, // {code, message}: the lobby refused us for good; no reconnecting
    lastError: null,
    downSince: 0, // local ms since the lobby is unusable; 0 while connected
    eta: {}, // booth id → the walk-in wait's deadline (server ms)
    autoTried: new Set(), // meetings this page load checked in to by itself
    autoFailed: new Set(), // meetings whose automatic check-in was refused
    autoPending: null, // {meeting, at}
    autoRetryAt: 0,
    deferred: null, // an admitted room not entered because another meeting was running
    stopped: false,
  };
  const backoff = createBackoff({ ...RECONNECT, random });
  let reconnectTimer = null;
  let pingTimer = null;
  let watchTimer = null;
  let readyTimer = null;

  function send(obj) {
    const ws = L.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(obj));
    return true;
  }

  function ping() {
    send({ type: 'ping', t: now() });
  }

  function connect() {
    if (L.stopped) return;
    timers.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    let ws;
    try {
      ws = openSocket(url);
    } catch (e) {
      retry();
      return;
    }
    L.ws = ws;
    L.connected = false;
    ws.onopen = () => {
      if (ws !== L.ws) return;
      ws.send(JSON.stringify({ type: 'hello', v: VERSION, token: L.token }));
      ping();
      timers.clearInterval(pingTimer);
      pingTimer = timers.setInterval(ping, PING_MS);
    };
    ws.onmessage = (ev) => {
      if (ws !== L.ws) return;
      const msg = parseFrame(ev.data, 'lobby');
      if (msg) handle(msg);
    };
    ws.onclose = () => {
      if (ws !== L.ws) return;
      timers.clearInterval(pingTimer);
      L.ws = null;
      L.connected = false;
      if (!L.downSince) L.downSince = now();
      if (!L.fatal) retry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  function retry() {
    timers.clearTimeout(reconnectTimer);
    reconnectTimer = timers.setTimeout(connect, backoff.next());
  }

  function handle(msg) {
    switch (msg.type) {
      case 'welcome':
        L.connected = true;
        backoff.reset();
        L.downSince = 0;
        noteServerTime(msg.server_time);
        break;
      case 'vendor_status':
      case 'booth_status': {
        const prev = L.status;
        L.status = msg;
        L.unavailable = false;
        if (msg.type === 'vendor_status') vendorChanged(prev, msg);
        else boothChanged(prev, msg);
        break;
      }
      case 'admitted':
        L.admitted = msg.room;
        admitted(msg.room);
        break;
      case 'pong':
        if (typeof msg.t === 'number') noteServerTime(msg.server_time, msg.t, now());
        break;
      case 'announcement':
        emit('announcement', msg);
        break;
      case 'error': {
        L.lastError = { code: msg.code, message: msg.message, fatal: !!msg.fatal };
        let notify = false;
        if (msg.code === 'temporarily_unavailable') unavailable();
        else if (msg.fatal && msg.code !== 'not_joined') L.fatal = { code: msg.code, message: msg.message || '' };
        else notify = true;
        if (L.autoPending && msg.code !== 'temporarily_unavailable' && msg.code !== 'busy') L.autoFailed.add(L.autoPending.meeting);
        if (L.autoPending) {
          // Let the waiting panel try again in a while (busy, unavailable) or fall back (refused).
          L.autoTried.delete(L.autoPending.meeting);
          L.autoPending = null;
          L.autoRetryAt = now() + AUTO_RETRY_MS;
        }
        emit('error', { error: L.lastError, notify });
        break;
      }
      default:
        console.warn('unknown lobby message', msg.type);
    }
    emit('change');
  }

  /**
   * The store is unreachable: show the banner until a status arrives again. A booth whose
   * queue did not change gets no new status after the outage, so /readyz tells us too.
   */
  function unavailable() {
    L.unavailable = true;
    timers.clearTimeout(readyTimer);
    const check = async () => {
      if (!L.unavailable) return;
      try {
        if ((await checkReady()) && L.unavailable) {
          L.unavailable = false;
          return;
        }
      } catch (_) {
        /* still down */
      }
      if (L.unavailable) readyTimer = timers.setTimeout(check, READY_CHECK_MS);
    };
    readyTimer = timers.setTimeout(check, READY_CHECK_MS);
  }

  function vendorChanged(prev, cur) {
    L.eta = walkInDeadlines(cur, L.eta);
    if (L.autoPending && (cur.places || []).some((p) => p.meeting === L.autoPending.meeting)) L.autoPending = null;
    // Sent back by the buyer: out of the room, at the end of that booth's queue again.
    const was = prev && prev.in_room;
    if (was && !cur.in_room && (cur.places || []).some((p) => p.booth.id === was.booth.id)) emit('sent-back', { room: was });
  }

  function boothChanged(prev, cur) {
    // The lobby let a vendor into one of this buyer's booked meetings: go there too.
    const c = cur.current;
    if (c && !c.walk_in && !(prev && prev.current && prev.current.meeting === c.meeting)) admitted(c);
  }

  /** The lobby lets this participant into a room: go there, unless that would be rude. */
  function admitted(room) {
    const id = room.meeting;
    if (!id || atRoom(id)) return; // already there
    if (leftRooms.has(id)) return; // left it on purpose: the panel offers the way back
    const other = L.role === 'buyer' ? room.enterprise : room.booth;
    const name = other ? other.name : '';
    if (busyElsewhere()) {
      // In a conversation right now: do not pull them out of it; go when it is over.
      if (!L.deferred || L.deferred.meeting !== id) emit('turn', { room, name });
      L.deferred = room;
      return;
    }
    L.deferred = null;
    emit('enter', { room, name });
  }

  /** Enters a deferred admission once the meeting that held it up is over, if still valid. */
  function watch() {
    const d = L.deferred;
    if (!d) return;
    const s = L.status;
    const cur = s && (s.type === 'vendor_status' ? s.in_room : s.current);
    if (!cur || cur.meeting !== d.meeting) L.deferred = null;
    else if (!busyElsewhere()) admitted(d);
  }

  return {
    L,
    /** Opens the connection (and keeps it open) until stop(). */
    start() {
      L.downSince = now();
      watchTimer = timers.setInterval(watch, 1000);
      connect();
    },
    /** Connects again now if not connected (a page back from the back-forward cache). */
    resume() {
      if (L.token && !L.ws && !L.fatal && !L.stopped) connect();
    },
    /** Closes the socket as the page goes away; reconnecting follows as after any loss. */
    closeSocket(reason) {
      const ws = L.ws;
      if (ws && ws.readyState === OPEN) ws.close(1000, reason);
    },
    /** Whether this client is connected, reconnecting, or refused for good. */
    alive: () => !!(L.ws || reconnectTimer || L.fatal),
    /** Stops for good: no reconnects, no more events. */
    stop() {
      L.stopped = true;
      timers.clearInterval(watchTimer);
      timers.clearTimeout(readyTimer);
      timers.clearTimeout(reconnectTimer);
      timers.clearInterval(pingTimer);
      reconnectTimer = null;
      const ws = L.ws;
      L.ws = null;
      L.connected = false;
      if (ws) {
        ws.onmessage = null;
        ws.onclose = null;
        try {
          ws.close(1000, 'bye');
        } catch (_) {
          /* already closing */
        }
      }
    },
    send,
    mark: () => markOf(L.status),

    /** The vendor's place in the queue for a booked meeting, or null. */
    placeFor(meetingId) {
      const s = L.status;
      if (!s || s.type !== 'vendor_status') return null;
      return (s.places || []).find((p) => p.meeting === meetingId) || null;
    },

    /**
     * What the vendor's auto-enter does for a booked meeting whose room is open: 'wait' in
     * the lobby (checking in first, by itself), 'enter' the room once checked in for it
     * (the room is where a booked vendor waits for the start) or directly when the lobby
     * cannot help (down, refused the check-in, or waiting at the booth otherwise and the
     * slot started a while ago), or 'none' (left the queue on purpose, or in another
     * room). `serverNow` is the server's time.
     */
    autoStep(m, serverNow) {
      if (L.role !== 'vendor') return 'enter';
      if (L.fatal || (!L.connected && L.downSince && now() - L.downSince > DOWN_ENTER_MS)) return 'enter';
      if (L.autoFailed.has(m.id)) return 'enter';
      const s = L.status;
      if (s && s.in_room && s.in_room.meeting === m.id) return 'enter';
      // Checked in for this booking: wait for it in the room itself (the pre-join check,
      // camera on, joined), so the call starts at the slot start; the lobby keeps the place.
      if (s && (s.places || []).some((p) => p.meeting === m.id)) return 'enter';
      const waiting = s && (s.places || []).some((p) => p.booth.id === m.institution.id);
      if (waiting) return serverNow - m.window.starts_at > LATE_ENTER_MS ? 'enter' : 'wait';
      if (!L.connected || !s) return 'wait';
      if (lobbyLeft.has(m.id)) return 'none'; // left the queue on purpose
      if (s.in_room) return 'none'; // in another room
      if (phaseOf(m) === 'grace') return 'enter'; // too late to queue; the room is still open
      if (!L.autoTried.has(m.id) && now() >= L.autoRetryAt) {
        L.autoTried.add(m.id);
        L.autoPending = { meeting: m.id, at: now() };
        send({ type: 'check_in', booth: m.institution.id, meeting: m.id });
      }
      return 'wait';
    },

    /** Checks in at a booth, for a booked meeting or (meeting null) as a walk-in. */
    checkIn(booth, meeting) {
      if (meeting) lobbyLeft.remove(meeting);
      send(meeting ? { type: 'check_in', booth, meeting } : { type: 'check_in', booth });
    },

    /** Leaves a queue; leaving a booked meeting's queue also stops auto-enter checking in again. */
    leave(place) {
      if (place.meeting) lobbyLeft.add(place.meeting);
      send({ type: 'leave_queue', booth: place.booth.id });
    },

    admitNext: () => send({ type: 'admit_next' }),
    sendBack: () => send({ type: 'send_back' }),

    /** What the test hooks show of the lobby (body[data-lobby] is the page's). */
    snapshot() {
      const s = L.status;
      return {
        connected: L.connected,
        role: L.role,
        places: s && s.type === 'vendor_status' ? s.places : [],
        inRoom: s && s.type === 'vendor_status' ? s.in_room : null,
        booth: s && s.type === 'booth_status' ? { queue: s.queue, current: s.current } : null,
        admitted: L.admitted,
        unavailable: L.unavailable,
        fatal: L.fatal,
        lastError: L.lastError,
      };
    },
  };
}
