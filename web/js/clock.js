// The server's clock as this page knows it. Every countdown is based on clock.now(), so
// every screen agrees with the server (and with each other) whatever the local clock says.
// No DOM: createClock() takes the local clock as an argument, so tests drive it.

/**
 * A clock that keeps the offset between the server's time and the local one.
 * `localNow` is the local clock (Date.now by default).
 */
export function createClock(localNow = () => Date.now()) {
  let offset = 0; // server_time − local time, in ms
  return {
    /** The server's time now, in ms since the epoch. */
    now: () => localNow() + offset,
    /** server_time − local time, in ms. */
    offset: () => offset,
    /**
     * Notes a server_time. With the request's send and receive instants (local clock), the
     * server's reading is taken to be at their midpoint; without them, at this instant.
     */
    note(serverTime, sentAt, receivedAt) {
      if (typeof serverTime !== 'number' || !isFinite(serverTime)) return;
      const local = sentAt !== undefined && receivedAt !== undefined ? (sentAt + receivedAt) / 2 : localNow();
      offset = serverTime - local;
    },
  };
}

/** The page's clock. */
export const clock = createClock();
