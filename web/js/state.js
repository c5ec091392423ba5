// The page's session: who is signed in (the token and /api/me), which page shows and the
// tickers it registered, the room being held, and the last error (for the test hooks).
// One object, shared by the modules that route, render and hold the room.

export const S = {
  token: null,
  me: null,
  page: null, // {name, mount, relabel?, destroy?}
  tickers: [],
  room: null, // the room's call state (call.js), while on the room page
  lastError: null,
};

/** The signed-in participant's role, or null. */
export function role() {
  return S.me && S.me.participant ? S.me.participant.role : null;
}

/** The participant's meetings, by start time. */
export function sortedMeetings() {
  return [...((S.me && S.me.meetings) || [])].sort((a, b) => a.starts_at - b.starts_at);
}
