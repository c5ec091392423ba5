// Browser storage: every key the client keeps, in one place, and reads and writes that
// survive storage being disabled (the app still works for the page load).

/** localStorage: the chosen language ('ko' | 'en'). */
export const LS_LANG = 'sangdam.lang';
/** localStorage: the vendor's auto-enter checkbox ('true' | 'false'). */
export const LS_AUTO = 'sangdam.autoEnter';
/** localStorage prefix (+ '.' + participant id): the meeting reminders already shown (JSON array of keys). */
export const LS_REMINDED = 'sangdam.reminded';
/** sessionStorage: the invite token of this tab. */
export const SS_TOKEN = 'sangdam.token';
/** sessionStorage: rooms the participant left on purpose (JSON array of meeting ids). */
export const SS_LEFT = 'sangdam.leftRooms';
/** sessionStorage: booked meetings whose queue the vendor left on purpose. */
export const SS_LOBBY_LEFT = 'sangdam.lobbyLeft';

/** Reads (value undefined), removes (null) or writes a key of 'local' or 'session' storage. */
export function store(kind, key, value) {
  try {
    const s = kind === 'local' ? window.localStorage : window.sessionStorage;
    if (value === undefined) return s.getItem(key);
    if (value === null) s.removeItem(key);
    else s.setItem(key, value);
  } catch (_) {
    /* storage may be disabled; the app still works for this page load */
  }
  return null;
}

/** A set of ids kept in sessionStorage under `key` (this tab, this browser session). */
export function sessionSet(key) {
  return {
    get() {
      try {
        return new Set(JSON.parse(store('session', key) || '[]'));
      } catch (_) {
        return new Set();
      }
    },
    add(id) {
      const s = this.get();
      s.add(id);
      store('session', key, JSON.stringify([...s]));
    },
    remove(id) {
      const s = this.get();
      if (s.delete(id)) store('session', key, JSON.stringify([...s]));
    },
    has(id) {
      return this.get().has(id);
    },
  };
}

/** Rooms the participant left on purpose: not entered again automatically. */
export const leftRooms = sessionSet(SS_LEFT);
/** Booked meetings whose queue the vendor left on purpose (this browser session). */
export const lobbyLeft = sessionSet(SS_LOBBY_LEFT);
