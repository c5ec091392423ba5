// Signing out: forgets the invite in this tab (token, rooms and queues left on purpose),
// closes the lobby and shows the landing page.
import { S } from './state.js';
import { store, SS_TOKEN, SS_LEFT } from './store.js';
import { lobbyStop } from './lobby.js';
import { route } from './nav.js';

export function signOut() {
  if (S.page && S.page.destroy) S.page.destroy();
  S.page = null;
  lobbyStop(true);
  S.token = null;
  S.me = null;
  store('session', SS_TOKEN, null);
  store('session', SS_LEFT, null);
  history.replaceState(null, '', location.pathname + location.search);
  route();
}
