// What the room's and the lobby's sockets share: reading a server frame (JSON with a
// string `type`, anything else ignored) and the WebSocket ready states, so fakes in the
// tests need no browser globals. No DOM.

export const CONNECTING = 0;
export const OPEN = 1;

/** The message in a text frame, or null (with a warning naming `what`) if unreadable. */
export function parseFrame(data, what) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch (_) {
    console.warn('unreadable ' + what + ' message');
    return null;
  }
  return msg && typeof msg.type === 'string' ? msg : null;
}

/** ws:// or wss:// (as the page is http or https) to `path` on the page's host. */
export function socketUrl(loc, path) {
  return (loc.protocol === 'https:' ? 'wss' : 'ws') + '://' + loc.host + path;
}
