// The whole schedule (staff's default page, a tab for moderators), with a round filter,
// a search over names and types, and counts of meetings and organisations.
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { effPhase, kindNameEn } from '../labels.js';
import { fmtRange } from '../format.js';
import { S } from '../state.js';
import { show, remount } from '../nav.js';
import { orgCell, phaseBadge, opsNav } from './common.js';
import { errorPage } from './error.js';

export function staffPage() {
  const page = {
    name: 'staff',
    data: null,
    round: '',
    query: '',
    mount(root) {
      root.append(opsNav('schedule'));
      const section = h('section', { class: 'card', 'aria-labelledby': 'staff-title' }, h('div', { class: 'card-head' }, h('h1', { id: 'staff-title' }, t('staff_title'))));
      root.append(section);
      if (!page.data) {
        section.append(h('p', { class: 'loading', role: 'status' }, t('loading')));
        return;
      }
      const all = page.data.meetings || [];
      const rounds = [...new Map(all.map((m) => [m.round, m.theme])).entries()].sort((a, b) => a[0] - b[0]);
      const sel = h(
        'select',
        { id: 'f-round' },
        h('option', { value: '' }, t('filter_all')),
        rounds.map(([n, theme]) => h('option', { value: String(n) }, t('round_n', { n }) + ' · ' + theme)),
      );
      sel.value = page.round;
      const q = h('input', { id: 'f-q', type: 'search', placeholder: t('filter_search_ph'), value: page.query, autocomplete: 'off' });
      const counts = h('dl', { class: 'stats', 'aria-live': 'polite' });
      const tbody = h('tbody');
      const draw = () => {
        const needle = page.query.trim().toLowerCase();
        const list = all.filter((m) => {
          if (page.round && String(m.round) !== page.round) return false;
          if (!needle) return true;
          const hay = [m.id, m.theme, m.institution.name, m.institution.kind_label, kindNameEn(m.institution.kind), m.enterprise.name, m.enterprise.kind_label, kindNameEn(m.enterprise.kind)].join(' ').toLowerCase();
          return hay.includes(needle);
        });
        const inst = new Set(list.map((m) => m.institution.id)).size;
        const ent = new Set(list.map((m) => m.enterprise.id)).size;
        counts.replaceChildren(
          h('div', null, h('dt', null, t('cnt_meetings')), h('dd', { id: 'cnt-meetings' }, String(list.length))),
          h('div', null, h('dt', null, t('cnt_institutions')), h('dd', { id: 'cnt-institutions' }, String(inst))),
          h('div', null, h('dt', null, t('cnt_enterprises')), h('dd', { id: 'cnt-enterprises' }, String(ent))),
        );
        tbody.replaceChildren(
          ...(list.length
            ? list.map((m) =>
              h(
                'tr',
                { dataset: { meeting: m.id } },
                h('td', null, h('span', { class: 'round' }, t('round_n', { n: m.round })), h('span', { class: 'sub' }, m.theme)),
                h('td', { class: 'nowrap' }, fmtRange(m, true), h('span', { class: 'sub mono' }, m.id)),
                h('td', null, orgCell(m.institution)),
                h('td', null, orgCell(m.enterprise)),
                h('td', null, phaseBadge(effPhase(m))),
              ))
            : [h('tr', null, h('td', { colspan: '5', class: 'empty' }, t('staff_none')))]),
        );
      };
      sel.addEventListener('change', () => {
        page.round = sel.value;
        draw();
      });
      q.addEventListener('input', () => {
        page.query = q.value;
        draw();
      });
      section.append(
        h(
          'div',
          { class: 'filters', role: 'search' },
          h('div', { class: 'field' }, h('label', { for: 'f-round' }, t('filter_round')), sel),
          h('div', { class: 'field grow' }, h('label', { for: 'f-q' }, t('filter_search')), q),
        ),
        counts,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data' },
            h('caption', { class: 'sr-only' }, t('staff_caption')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, t('col_round')),
                h('th', { scope: 'col' }, t('col_datetime')),
                h('th', { scope: 'col' }, t('col_institution')),
                h('th', { scope: 'col' }, t('col_enterprise')),
                h('th', { scope: 'col' }, t('col_phase')),
              ),
            ),
            tbody,
          ),
        ),
        h('p', { class: 'muted note' }, t('log_later')),
      );
      draw();
    },
    async load() {
      try {
        page.data = await api('/api/meetings');
        if (S.page === page) remount();
      } catch (e) {
        if (S.page === page) show(errorPage(e));
      }
    },
  };
  page.load();
  return page;
}
