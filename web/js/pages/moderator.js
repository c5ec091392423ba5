// The moderator's live rooms: every room of the day with its phase, who is in, the time
// left and the rooms that need attention; refreshed every 5 s.
import { h, setText } from '../dom.js';
import { t } from '../i18n/index.js';
import { clock } from '../clock.js';
import { api } from '../api.js';
import { effPhase } from '../labels.js';
import { fmtClock, fmtDur, fmtRange } from '../format.js';
import { S } from '../state.js';
import { show, remount } from '../nav.js';
import { orgCell, phaseBadge, updateBadge, opsNav } from './common.js';
import { errorPage } from './error.js';

function presenceDot(on) {
  return h('span', { class: 'dot ' + (on ? 'on' : 'off') }, h('span', { 'aria-hidden': 'true' }, on ? '●' : '○'), h('span', { class: 'sr-only' }, t(on ? 'present' : 'absent')));
}

export function moderatorPage() {
  const page = {
    name: 'moderator',
    data: null,
    error: null,
    updatedAt: null,
    mount(root) {
      root.append(opsNav('rooms'));
      const head = h('div', { class: 'card-head' }, h('h1', { id: 'mod-title' }, t('mod_title')));
      const status = h('p', { class: 'muted', role: 'status' });
      const section = h('section', { class: 'card', 'aria-labelledby': 'mod-title' }, head, status);
      root.append(section);
      if (page.error) status.append(h('span', { class: 'warn-text' }, t('mod_stale', { code: page.error.code, msg: page.error.message })));
      else if (page.updatedAt) status.append(t('mod_updated', { time: fmtClock(page.updatedAt) }));
      else status.append(t('loading'));
      if (!page.data) return;
      const rooms = page.data.rooms || [];
      const phases = rooms.map((r) => effPhase(r.meeting));
      const live = phases.filter((p) => p === 'live' || p === 'grace').length;
      const both = rooms.filter((r) => r.buyer_present && r.vendor_present).length;
      const missing = rooms.filter((r, i) => (phases[i] === 'live' || phases[i] === 'grace') && !(r.buyer_present && r.vendor_present)).length;
      section.append(
        h(
          'dl',
          { class: 'stats' },
          h('div', null, h('dt', null, t('sum_rooms')), h('dd', null, String(rooms.length))),
          h('div', null, h('dt', null, t('sum_live')), h('dd', null, String(live))),
          h('div', null, h('dt', null, t('sum_both')), h('dd', null, String(both))),
          h('div', { class: missing ? 'alert' : null }, h('dt', null, t('sum_missing')), h('dd', null, String(missing))),
        ),
      );
      if (!rooms.length) {
        section.append(h('p', { class: 'empty' }, t('mod_none')));
        return;
      }
      const rows = rooms.map((r) => {
        const m = r.meeting;
        const badge = phaseBadge(effPhase(m));
        const rem = h('td', { class: 'nowrap countdown' });
        const tr = h(
          'tr',
          { dataset: { meeting: m.id } },
          h('td', { class: 'nowrap' }, h('span', { class: 'round' }, t('round_n', { n: m.round }) + ' · ' + fmtRange(m)), h('span', { class: 'sub mono' }, m.id)),
          h('td', null, orgCell(m.institution)),
          h('td', null, orgCell(m.enterprise)),
          h('td', null, badge),
          h('td', { class: 'center' }, presenceDot(r.buyer_present)),
          h('td', { class: 'center' }, presenceDot(r.vendor_present)),
          rem,
        );
        S.tickers.push((now) => {
          const ph = effPhase(m);
          updateBadge(badge, ph);
          const w = m.window;
          let s = '—';
          if (ph === 'scheduled' || ph === 'check-in') s = t('rem_to_start', { t: fmtDur(w.starts_at - now) });
          else if (ph === 'live') s = t('rem_left', { t: fmtDur(w.ends_at - now) });
          else if (ph === 'grace') s = t('rem_grace', { t: fmtDur(w.closes_at - now) });
          setText(rem, s);
          rem.classList.toggle('last-minute', ph === 'live' && w.ends_at - now <= 60000);
          tr.classList.toggle('is-live', ph === 'live' || ph === 'grace');
          tr.classList.toggle('is-closed', ph === 'closed');
          tr.classList.toggle('needs-attention', (ph === 'live' || ph === 'grace') && !(r.buyer_present && r.vendor_present));
        });
        return tr;
      });
      section.append(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data' },
            h('caption', { class: 'sr-only' }, t('mod_caption')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, t('col_meeting')),
                h('th', { scope: 'col' }, t('col_institution')),
                h('th', { scope: 'col' }, t('col_enterprise')),
                h('th', { scope: 'col' }, t('col_phase')),
                h('th', { scope: 'col', class: 'center' }, t('col_buyer')),
                h('th', { scope: 'col', class: 'center' }, t('col_vendor')),
                h('th', { scope: 'col' }, t('col_remaining')),
              ),
            ),
            h('tbody', null, rows),
          ),
        ),
      );
    },
    async load() {
      try {
        page.data = await api('/api/rooms');
        page.error = null;
        page.updatedAt = clock.now();
      } catch (e) {
        page.error = { code: e.code || 'unknown', message: e.message || '' };
        S.lastError = { code: page.error.code, message: page.error.message, fatal: false };
        if (!page.data && e.code !== 'network') {
          if (S.page === page) show(errorPage(e));
          return;
        }
      }
      if (S.page === page) remount();
    },
    destroy() {
      clearInterval(page.timer);
    },
  };
  page.load();
  page.timer = setInterval(() => page.load(), 5000);
  return page;
}
