// What the vendor's lobby panel and the buyer's booth panel share: a card that redraws
// its body only when what it shows changes (never every second, so focus and selections
// survive), the connection line, the banners, the live countdowns.
import { h, setText } from '../dom.js';
import { t, errText, lang } from '../i18n/index.js';
import { fmtDur } from '../format.js';
import { lobbyL } from '../lobby.js';

/** The connection line. */
function connLine() {
  const L = lobbyL();
  if (L.fatal) return h('span', { class: 'lobby-conn off' }, t('lobby_offline'));
  if (L.connected) return h('span', { class: 'lobby-conn on' }, h('span', { 'aria-hidden': 'true' }, '● '), t('lobby_live'));
  return h('span', { class: 'lobby-conn off' }, h('span', { 'aria-hidden': 'true' }, '○ '), t('lobby_offline'));
}

/** The refusal, connecting and store-trouble banners. */
function notices() {
  const L = lobbyL();
  const out = [];
  if (L.fatal) out.push(h('p', { class: 'lobby-banner error', role: 'alert' }, t('lobby_fatal', { msg: errText(L.fatal.code) }), ' (', h('code', null, L.fatal.code), ')'));
  else if (!L.connected) out.push(h('p', { class: 'lobby-banner', role: 'status' }, L.downSince && L.status ? t('lobby_reconnecting') : t('lobby_connecting')));
  else if (L.unavailable) out.push(h('p', { class: 'lobby-banner', role: 'status', dataset: { banner: 'temporarily_unavailable' } }, t('lobby_unavailable')));
  return out;
}

/** An online / offline dot with its words for screen readers. */
export function lobbyDot(on) {
  return h('span', { class: 'dot ' + (on ? 'on' : 'off') }, h('span', { 'aria-hidden': 'true' }, on ? '●' : '○'), h('span', { class: 'sr-only' }, t(on ? 'lobby_live' : 'lobby_offline')));
}

/** Updates the live countdowns in a panel: [data-deadline] counts down, [data-since] up. */
function tickCountdowns(root, now) {
  for (const el of root.querySelectorAll('[data-deadline]')) {
    const left = Number(el.dataset.deadline) - now;
    setText(el, left <= 0 && el.dataset.soon ? el.dataset.soon : fmtDur(left));
  }
  for (const el of root.querySelectorAll('[data-since]')) setText(el, t('booth_waited', { t: fmtDur(now - Number(el.dataset.since)) }));
}

/**
 * A lobby card: `body(now)` returns {sig, draw}; the body is drawn again when `sig` (with
 * the language) changes, and its countdowns tick in between.
 */
export function lobbyPanel(cls, titleKey, body) {
  const head = h('div', { class: 'card-head' });
  const inner = h('div', { class: 'lobby-body' });
  const section = h('section', { class: 'card lobby ' + cls, 'aria-labelledby': cls + '-title' }, head, inner);
  let sig = null;
  return {
    el: section,
    tick(now) {
      const parts = body(now);
      const next = lang() + '|' + JSON.stringify(parts.sig);
      if (next !== sig) {
        sig = next;
        head.replaceChildren(h('h2', { id: cls + '-title' }, t(titleKey)), connLine());
        inner.replaceChildren(...notices(), ...parts.draw());
      }
      tickCountdowns(inner, now);
    },
  };
}
