// The moderators' board (/ws/board, signaling/PROTOCOL.md "The moderators' board"): one
// connection per moderator page, `hello` first with the token (and the round asked for),
// pings for the clock, reconnects with backoff, and the board model it keeps — `board`
// replaces everything, `board_update` replaces rooms and booths by id, `activity` adds to
// a capped feed. The server pushes; nothing here polls. No DOM: the socket factory, timers
// and clocks are arguments, and the page is told through `emit(type, detail)`:
//   'change'   after every message that changed the model (redraw)
//   'activity' {entry}: a moderator action, anywhere in the fair
//   'error'    {code, message, fatal}: a refusal (fatal ones stop reconnecting)
// The pure helpers below (filters, time left, contacts) are what the page and the tests
// share, so the board's rules are checked without a browser.
import { OPEN, parseFrame } from './frame.js';
import { createBackoff } from '../backoff.js';

/** The protocol version this client speaks (`v` of `hello`). */
export const VERSION = 1;
export const PING_MS = 20000;
/** Reconnects: 1 s doubling to 15 s, ±20 % jitter; back to 1 s on `board`. */
export const RECONNECT = { base: 1000, max: 15000, jitter: 0.2 };
/** How many activity entries the model keeps (the feed shows the newest first). */
export const ACTIVITY_CAP = 200;

// --- the model (pure) -------------------------------------------------------------------

/** An empty board, before the first `board` message. */
export function emptyModel() {
  return { round: null, rounds: [], serverTime: 0, counts: {}, rooms: [], booths: [], contacts: [], activity: [] };
}

const roomId = (r) => r.meeting.id;
const boothId = (b) => b.institution.id;

/** Rooms in schedule order (start, then booth), walk-ins among them by their start. */
function byStart(a, b) {
  return a.meeting.starts_at - b.meeting.starts_at || String(a.meeting.institution.id).localeCompare(String(b.meeting.institution.id)) || String(roomId(a)).localeCompare(String(roomId(b)));
}

/** Replaces the items of `list` whose id is among `changed`'s, adds the new ones. */
function replaceById(list, changed, id) {
  if (!changed || !changed.length) return list;
  const next = new Map(changed.map((x) => [id(x), x]));
  const out = list.map((x) => (next.has(id(x)) ? next.get(id(x)) : x));
  const seen = new Set(list.map(id));
  for (const x of changed) if (!seen.has(id(x))) out.push(x);
  return out;
}

/** Keeps the newest `cap` entries, oldest first (the server's order). */
function capActivity(list, cap = ACTIVITY_CAP) {
  return list.length > cap ? list.slice(list.length - cap) : list;
}

/** The model after a `board` message: everything is the message's. */
export function applyBoard(model, msg) {
  return {
    round: msg.round,
    rounds: msg.rounds || [],
    serverTime: msg.server_time || model.serverTime,
    counts: msg.counts || {},
    rooms: [...(msg.rooms || [])].sort(byStart),
    booths: msg.booths || [],
    contacts: msg.contacts || [],
    activity: capActivity(msg.activity || []),
  };
}

/**
 * The model after a `board_update`: changed rooms and booths replaced by id, rooms in
 * `gone` (a walk-in room that closed) removed, the counts taken whole. An update for another round than the one shown (one that crossed a `watch`)
 * changes nothing: null is returned.
 */
export function applyUpdate(model, msg) {
  if (model.round === null || msg.round !== model.round) return null;
  return {
    ...model,
    serverTime: msg.server_time || model.serverTime,
    counts: msg.counts || model.counts,
    rooms: replaceById(model.rooms, msg.rooms, roomId)
      .filter((r) => !(Array.isArray(msg.gone) && msg.gone.includes(roomId(r))))
      .sort(byStart),
    booths: replaceById(model.booths, msg.booths, boothId),
  };
}

/** The model with one more activity entry (capped). */
export function applyActivity(model, entry) {
  return { ...model, activity: capActivity([...model.activity, entry]) };
}

// --- helpers the page uses (pure) -------------------------------------------------------

/** Whether a room needs a moderator's eye: the server says why in `attention`. */
export const needsAttention = (room) => Array.isArray(room.attention) && room.attention.length > 0;

/**
 * The rooms a filter lets through: `round` (a number, or null for any), `booth` (an
 * institution id, or '' / null for any), `attention` (only rooms that need it).
 */
export function filterRooms(rooms, { round = null, booth = null, attention = false } = {}) {
  return rooms.filter((r) => (round === null || round === undefined || r.meeting.round === round) && (!booth || r.meeting.institution.id === booth) && (!attention || needsAttention(r)));
}

/** The booths of a list of rooms, by name, once each: the booth filter's choices. */
export function boothsOf(rooms) {
  const seen = new Map();
  for (const r of rooms) if (!seen.has(r.meeting.institution.id)) seen.set(r.meeting.institution.id, r.meeting.institution);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'ko'));
}

/**
 * What the room's countdown shows at server time `now`: `{kind, ms}` with kind 'to_start'
 * (before the slot), 'left' (live: window.ends_at − now), 'grace' (to closes_at) or
 * 'closed' (ms 0). Always the (rescheduled) window the board sent, never the meeting's.
 */
export function timeLeft(room, now) {
  const w = room.window;
  switch (room.phase) {
    case 'scheduled':
    case 'check-in':
      return { kind: 'to_start', ms: w.starts_at - now };
    case 'live':
      return { kind: 'left', ms: w.ends_at - now };
    case 'grace':
      return { kind: 'grace', ms: w.closes_at - now };
    default:
      return { kind: 'closed', ms: 0 };
  }
}

/** The sides (buyer, vendor) the board marks absent or dropped in a room. */
export function absentSides(room) {
  const out = new Set();
  for (const a of room.attention || []) if ((a.kind === 'absent' || a.kind === 'dropped') && a.side) out.add(a.side);
  return [...out];
}

/**
 * How to reach a room's side: the contacts of that role whose organisation is the room's
 * institution (buyer) or enterprise (vendor), by name — the board's contacts carry the
 * organisation's name, not its id. If the seat is (or was) taken, that person first.
 */
export function contactsFor(model, room, side) {
  const org = side === 'buyer' ? room.meeting.institution : room.meeting.enterprise;
  const seat = room[side];
  const list = (model.contacts || []).filter((c) => c.role === side && c.organisation === org.name);
  return seat ? [...list.filter((c) => c.participant === seat.participant), ...list.filter((c) => c.participant !== seat.participant)] : list;
}

/** The room the board shows for a meeting id, or null. */
export function roomById(model, id) {
  return model.rooms.find((r) => r.meeting.id === id) || null;
}

// --- the connection ---------------------------------------------------------------------

/**
 * A board client for a moderator's `token`; `round` is the round to ask for first (null:
 * the server's choice). Call start() once.
 */
export function createBoard({ url, token, round = null, openSocket, noteServerTime = () => {}, emit = () => {}, timers = globalThis, now = () => Date.now(), random = Math.random }) {
  const B = {
    ws: null,
    connected: false, // a `board` received on the current socket
    model: emptyModel(),
    wanted: round, // the round asked for: sent again on a reconnect
    fatal: null,
    lastError: null,
    stopped: false,
  };
  const backoff = createBackoff({ ...RECONNECT, random });
  let reconnectTimer = null;
  let pingTimer = null;

  function send(obj) {
    const ws = B.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(obj));
    return true;
  }

  const ping = () => send({ type: 'ping', t: now() });

  function connect() {
    if (B.stopped || B.fatal) return;
    timers.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    let ws;
    try {
      ws = openSocket(url);
    } catch (_) {
      retry();
      return;
    }
    B.ws = ws;
    B.connected = false;
    ws.onopen = () => {
      if (ws !== B.ws) return;
      const hello = { type: 'hello', v: VERSION, token };
      if (typeof B.wanted === 'number') hello.round = B.wanted;
      ws.send(JSON.stringify(hello));
      ping();
      timers.clearInterval(pingTimer);
      pingTimer = timers.setInterval(ping, PING_MS);
    };
    ws.onmessage = (ev) => {
      if (ws !== B.ws) return;
      const msg = parseFrame(ev.data, 'board');
      if (msg) handle(msg);
    };
    ws.onclose = (ev) => {
      if (ws !== B.ws) return;
      timers.clearInterval(pingTimer);
      B.ws = null;
      B.connected = false;
      // 4000: a fatal refusal (its reason is the code); 4001: replaced. Neither is retried.
      if ((ev && (ev.code === 4000 || ev.code === 4001)) && !B.fatal) B.fatal = { code: ev.reason || 'unknown', message: '' };
      if (!B.fatal && !B.stopped) retry();
      emit('change');
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
    if (typeof msg.server_time === 'number' && msg.type !== 'pong') noteServerTime(msg.server_time);
    switch (msg.type) {
      case 'board':
        B.connected = true;
        backoff.reset();
        B.model = applyBoard(B.model, msg);
        B.wanted = msg.round;
        break;
      case 'board_update': {
        const next = applyUpdate(B.model, msg);
        if (!next) return;
        B.model = next;
        break;
      }
      case 'activity':
        if (!msg.entry) return;
        B.model = applyActivity(B.model, msg.entry);
        emit('activity', { entry: msg.entry });
        break;
      case 'pong':
        if (typeof msg.t === 'number') noteServerTime(msg.server_time, msg.t, now());
        else noteServerTime(msg.server_time);
        return;
      case 'error':
        B.lastError = { code: msg.code, message: msg.message || '', fatal: !!msg.fatal };
        if (msg.fatal) B.fatal = { code: msg.code, message: msg.message || '' };
        emit('error', B.lastError);
        break;
      default:
        console.warn('unknown board message', msg.type);
        return;
    }
    emit('change');
  }

  return {
    B,
    /** The board as last received. */
    model: () => B.model,
    /** Opens the connection (and keeps it open) until stop(). */
    start: connect,
    /** Switches to another round: a whole `board` follows (also after a reconnect). */
    watch(round) {
      B.wanted = round;
      return send({ type: 'watch', round });
    },
    /** Stops for good: no reconnects, no more events. */
    stop() {
      B.stopped = true;
      timers.clearTimeout(reconnectTimer);
      timers.clearInterval(pingTimer);
      reconnectTimer = null;
      const ws = B.ws;
      B.ws = null;
      B.connected = false;
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
  };
}
