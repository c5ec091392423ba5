// A list of elements kept by key, for pages that redraw on every push from the server
// (the moderators' board): an item is drawn again only when its signature changes, and
// not while the keyboard focus is inside it (a moderator choosing in a select or typing a
// note keeps what they were doing; the item catches up when focus leaves). Nodes move
// only when the order changes, so focus and screen-reader position survive updates.
import { lang } from '../i18n/index.js';

/**
 * `container` gets one element per item: `key(item)` names it, `sig(item)` says when it
 * must be drawn again (with the language), `render(item)` draws it.
 */
export function keyedList(container, { key, sig, render }) {
  const kept = new Map(); // key → {el, sig}
  let last = [];

  function update(items) {
    last = items;
    const want = new Set();
    items.forEach((item, i) => {
      const k = key(item);
      want.add(k);
      const s = lang() + '|' + sig(item);
      let entry = kept.get(k);
      if (!entry || entry.sig !== s) {
        const busy = entry && entry.el.contains(document.activeElement) && document.activeElement !== document.body;
        if (busy) {
          if (!entry.waiting) {
            entry.waiting = true;
            entry.el.addEventListener('focusout', () => setTimeout(() => update(last), 0), { once: true });
          }
        } else {
          const el = render(item);
          if (entry) entry.el.replaceWith(el);
          entry = { el, sig: s, waiting: false };
          kept.set(k, entry);
        }
      }
      if (container.children[i] !== entry.el) container.insertBefore(entry.el, container.children[i] || null);
    });
    for (const [k, entry] of kept) {
      if (!want.has(k)) {
        entry.el.remove();
        kept.delete(k);
      }
    }
  }

  return {
    update,
    /** Forgets every element (the next update draws all again). */
    reset() {
      for (const entry of kept.values()) entry.el.remove();
      kept.clear();
    },
  };
}
