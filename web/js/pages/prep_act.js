// How the preparation tab's buttons act: a status line that screen readers hear, and one
// runner for every staff edit (busy while it runs, its refusal said in words, a stale
// version answered by reloading), shared by the tab's parts.
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';

/** A status line screen readers hear (role=status), empty until something is said. */
export function statusLine(id) {
  return h('p', { id, class: 'prep-status', role: 'status', 'aria-live': 'polite' });
}

/**
 * Runs one staff action from a button: disabled while it runs, its error said in the
 * status line; a stale version reloads everything first, so what staff see is current.
 */
export async function act(page, btn, line, fn) {
  if (btn) btn.disabled = true;
  if (line) line.textContent = t('prep_working');
  try {
    const said = await fn();
    page.note = said || null;
    await page.load();
  } catch (e) {
    if (e.code === 'stale_version') {
      page.note = { text: t('prep_stale'), kind: 'warn' };
      await page.load();
    } else if (line && line.isConnected) {
      line.textContent = errText(e.code) + (e.message ? ' (' + e.message + ')' : '');
      line.className = 'prep-status error';
    }
    if (btn) btn.disabled = false;
  }
}
