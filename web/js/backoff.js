// Reconnect delays, shared by the room's and the lobby's sockets: each wait doubles up to
// a ceiling, optionally with jitter, and starts over once a connection is good. No DOM.

/**
 * `base` ms first, doubling to `max`; with `jitter` j each wait is scaled by a factor in
 * [1 − j, 1 + j) drawn from `random` (Math.random by default).
 */
export function createBackoff({ base, max, jitter = 0, random = Math.random }) {
  let delay = base;
  return {
    /** The wait before the next attempt; later calls wait longer. */
    next() {
      const wait = jitter ? delay * (1 - jitter + random() * 2 * jitter) : delay;
      delay = Math.min(delay * 2, max);
      return wait;
    },
    /** The connection is good again: the next wait is `base`. */
    reset() {
      delay = base;
    },
    /** The un-jittered delay the next attempt will use. */
    peek: () => delay,
  };
}
