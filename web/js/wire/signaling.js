// The signaling protocol of one room (/ws, signaling/PROTOCOL.md) over one WebSocket:
// `join` first, with the token and the meeting; a `ping` every 20 s; frames read and
// checked; the server's time noted from every message that carries it. No DOM and no
// WebRTC: the socket comes from a factory, so node drives this with a fake. call.js
// decides what the messages mean.
import { CONNECTING, OPEN, parseFrame } from './frame.js';

/** The protocol version this client speaks (`v` of `join`). */
export const VERSION = 1;
/** How often the client pings, in ms (the server drops silent sockets). */
export const PING_MS = 20000;

/**
 * Opens one signaling connection; throws what the socket factory throws.
 *
 * - `openSocket(url)`: a WebSocket (or a fake with send, close, readyState, on* handlers)
 * - `noteServerTime(serverTime, sentAt?, receivedAt?)`: pongs give a round trip's midpoint
 * - `onMessage(msg)`: every readable message, in order
 * - `onClose(ev)`: the socket closed without `close()` being called
 * - `timers` (setInterval/clearInterval) and `now` (local ms) default to the global ones
 */
export function openSignaling({ url, token, meeting, openSocket, noteServerTime = () => {}, onMessage, onClose, timers = globalThis, now = () => Date.now() }) {
  const ws = openSocket(url);
  let pingTimer = null;
  let done = false;

  const conn = {
    /** Sends a message if the socket is open; false if it was not. */
    send(obj) {
      if (ws.readyState !== OPEN) return false;
      ws.send(JSON.stringify(obj));
      return true;
    },
    ping() {
      conn.send({ type: 'ping', t: now() });
    },
    /** Whether the socket is open now. */
    isOpen: () => ws.readyState === OPEN,
    /**
     * Stops this connection for good: `leave` first if asked and possible, then a normal
     * close. Nothing more is delivered after this.
     */
    close(sendLeave) {
      done = true;
      timers.clearInterval(pingTimer);
      if (sendLeave && ws.readyState === OPEN) {
        try {
          ws.send(JSON.stringify({ type: 'leave' }));
        } catch (_) {
          /* closing anyway */
        }
      }
      ws.onmessage = null;
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) {
        try {
          ws.close(1000, 'bye');
        } catch (_) {
          /* already closing */
        }
      }
    },
  };

  ws.onopen = () => {
    if (done) return;
    ws.send(JSON.stringify({ type: 'join', v: VERSION, token, meeting }));
    conn.ping();
    timers.clearInterval(pingTimer);
    pingTimer = timers.setInterval(conn.ping, PING_MS);
  };
  ws.onmessage = (ev) => {
    if (done) return;
    const msg = parseFrame(ev.data, 'server');
    if (!msg) return;
    if (msg.type === 'pong') {
      if (typeof msg.t === 'number') noteServerTime(msg.server_time, msg.t, now());
      else noteServerTime(msg.server_time);
    } else if (typeof msg.server_time === 'number') noteServerTime(msg.server_time);
    onMessage(msg);
  };
  ws.onclose = (ev) => {
    timers.clearInterval(pingTimer);
    if (done) return;
    done = true;
    onClose(ev);
  };
  ws.onerror = () => {
    /* onclose follows */
  };
  return conn;
}
