// Pieces of page that several pages show: an organisation with its type, a phase badge,
// and the moderator and staff pages' tabs.
import { h, setText } from '../dom.js';
import { t } from '../i18n/index.js';
import { kindLabel } from '../labels.js';
import { role } from '../state.js';

/** An organisation's name and its type tag. */
export function orgCell(org) {
  if (!org) return '';
  return [h('span', { class: 'org-name' }, org.name), ' ', h('span', { class: 'tag kind-' + org.kind }, kindLabel(org))];
}

export function phaseBadge(phase) {
  return h('span', { class: 'badge phase-' + phase, dataset: { phase } }, t('phase_' + phase));
}

/** Moves a badge to another phase (or relabels it), touching the DOM only if needed. */
export function updateBadge(el, phase) {
  if (!el) return;
  if (el.dataset.phase !== phase) {
    el.dataset.phase = phase;
    el.className = 'badge phase-' + phase;
  }
  setText(el, t('phase_' + phase));
}

/**
 * The tabs of the moderator and staff pages; `current` is rooms, schedule, log, report or
 * prep. The live board (rooms) is for moderators and staff; only moderators act on it; the
 * preparation (prep) is staff's alone.
 */
export function opsNav(current) {
  const tab = (view, key) => h('a', { href: '#view=' + view, class: 'tab', 'aria-current': current === view ? 'page' : null }, t(key));
  return h('nav', { class: 'tabs', 'aria-label': t('nav_label') }, role() === 'moderator' || role() === 'staff' ? tab('rooms', 'nav_rooms') : null, tab('schedule', 'nav_schedule'), tab('log', 'nav_log'), tab('report', 'nav_report'), role() === 'staff' ? tab('prep', 'nav_prep') : null);
}
