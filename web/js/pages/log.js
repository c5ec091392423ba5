// The consultation log (moderators and staff): every record of a fair, filtered and
// sorted by the server, with CSV and Excel downloads. Filter choices for organisation
// types and outcomes come from the server's labels.
import { h, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, download } from '../api.js';
import { labels, kindName, outcomeLabel } from '../labels.js';
import { fmtDate, fmtTime } from '../format.js';
import { S } from '../state.js';
import { remount } from '../nav.js';
import { orgCell, opsNav } from './common.js';
import { fairSelect, defaultFair } from './report.js';

function endingText(e) {
  if (!e) return '';
  if (e.kind === 'left_early') return t('ending_left_early_' + e.side);
  if (e.kind === 'no_show') return t('ending_no_show_' + e.absent);
  return t('ending_' + e.kind);
}

export function logPage() {
  const page = {
    name: 'log',
    fairs: null,
    fair: null,
    data: null,
    orgs: null, // {institutions: [[id, name]], enterprises: [...]} of the selected fair
    f: { round: '', date: '', institution: '', enterprise: '', institution_type: '', enterprise_type: '', outcome: '', no_show: '' },
    sort: 'time',
    order: 'asc',
    error: null,
    busy: false,
    query(extra) {
      const q = new URLSearchParams({ fair: page.fair });
      for (const [k, v] of Object.entries(page.f)) if (v) q.set(k, v);
      q.set('sort', page.sort);
      q.set('order', page.order);
      for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
      return q.toString();
    },
    mount(root) {
      root.append(opsNav('log'));
      const section = h('section', { class: 'card', 'aria-labelledby': 'log-title' });
      root.append(section);
      const head = h('div', { class: 'card-head' }, h('h1', { id: 'log-title' }, t('log_title')));
      section.append(head);
      if (!page.fairs) {
        section.append(h('p', { class: 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')));
        return;
      }
      const dl = (ext) =>
        h(
          'button',
          {
            type: 'button',
            class: 'btn small',
            id: 'dl-' + ext,
            async onclick(ev) {
              const b = ev.currentTarget;
              b.disabled = true;
              try {
                await download('/api/log.' + ext + '?' + page.query(), 'sangdam-log.' + ext);
              } catch (e) {
                toast(t('dl_failed', { msg: errText(e.code) }), 'error');
              } finally {
                b.disabled = false;
              }
            },
          },
          t('dl_' + ext),
        );
      head.append(h('div', { class: 'actions' }, dl('csv'), dl('xlsx')));

      const set = (k) => (ev) => {
        page.f[k] = ev.currentTarget.value;
        page.load();
      };
      const select = (id, k, options) => {
        const s = h('select', { id, onchange: set(k) }, h('option', { value: '' }, t('filter_all')), options.map(([v, label]) => h('option', { value: v }, label)));
        s.value = page.f[k];
        return s;
      };
      const fair = page.fairs.fairs.find((x) => x.id === page.fair) || {};
      const rounds = [];
      for (let n = 1; n <= (fair.rounds || 0); n++) rounds.push([String(n), t('round_n', { n })]);
      const date = h('input', { id: 'f-date', type: 'date', value: page.f.date, onchange: set('date') });
      const orgs = page.orgs || { institutions: [], enterprises: [] };
      section.append(
        h(
          'div',
          { class: 'filters', role: 'search' },
          fairSelect(page.fairs, page.fair, (id) => {
            page.fair = id;
            page.orgs = null;
            for (const k of Object.keys(page.f)) page.f[k] = '';
            page.load();
          }),
          h('div', { class: 'field' }, h('label', { for: 'f-round' }, t('filter_round')), select('f-round', 'round', rounds)),
          h('div', { class: 'field' }, h('label', { for: 'f-date' }, t('filter_date')), date),
          h('div', { class: 'field' }, h('label', { for: 'f-inst' }, t('col_institution')), select('f-inst', 'institution', orgs.institutions)),
          h('div', { class: 'field' }, h('label', { for: 'f-ent' }, t('col_enterprise')), select('f-ent', 'enterprise', orgs.enterprises)),
          h('div', { class: 'field' }, h('label', { for: 'f-itype' }, t('filter_itype')), select('f-itype', 'institution_type', labels().institution_types.map((k) => [k.code, kindName(k.code)]))),
          h('div', { class: 'field' }, h('label', { for: 'f-etype' }, t('filter_etype')), select('f-etype', 'enterprise_type', labels().enterprise_types.map((k) => [k.code, kindName(k.code)]))),
          h('div', { class: 'field' }, h('label', { for: 'f-outcome' }, t('filter_outcome')), select('f-outcome', 'outcome', labels().outcomes.map((o) => [o.code, outcomeLabel(o.code)]).concat([['unanswered', t('outcome_unanswered')]]))),
          h('div', { class: 'field' }, h('label', { for: 'f-noshow' }, t('filter_noshow')), select('f-noshow', 'no_show', [['true', t('noshow_yes')], ['false', t('noshow_no')]])),
        ),
      );
      const status = h('p', { class: 'muted', role: 'status', id: 'log-status' });
      section.append(status);
      if (page.error) status.append(h('span', { class: 'warn-text' }, errText(page.error.code) + (page.error.message ? ' (' + page.error.message + ')' : '')));
      if (!page.data) {
        if (!page.error) status.append(t('loading'));
        return;
      }
      const rows = page.data.rows || [];
      status.append(t('log_shown', { shown: rows.length, total: page.data.total }));
      const th = (key, label) => {
        const cur = page.sort === key;
        const arrow = cur ? (page.order === 'asc' ? ' ▲' : ' ▼') : '';
        return h(
          'th',
          { scope: 'col', 'aria-sort': cur ? (page.order === 'asc' ? 'ascending' : 'descending') : null },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              dataset: { sort: key },
              onclick() {
                if (page.sort === key) page.order = page.order === 'asc' ? 'desc' : 'asc';
                else {
                  page.sort = key;
                  page.order = key === 'duration' || key === 'rating' || key === 'outcome' ? 'desc' : 'asc';
                }
                page.load();
              },
            },
            label + arrow,
          ),
        );
      };
      const rating = (r) => {
        const parts = [];
        if (r.buyer_survey) parts.push(t('side_buyer_short') + ' ' + r.buyer_survey.rating);
        if (r.vendor_survey) parts.push(t('side_vendor_short') + ' ' + r.vendor_survey.rating);
        return parts.join(' · ');
      };
      const body = rows.length
        ? rows.map((r) =>
          h(
            'tr',
            { dataset: { meeting: r.meeting }, class: r.ending && r.ending.kind === 'no_show' ? 'is-noshow' : null },
            h('td', null, h('span', { class: 'round' }, t('round_n', { n: r.round })), h('span', { class: 'sub' }, r.theme)),
            h('td', { class: 'nowrap' }, fmtDate(r.scheduled_start) + ' ' + fmtTime(r.scheduled_start), h('span', { class: 'sub mono' }, r.meeting)),
            h('td', null, orgCell(r.institution), r.buyer ? h('span', { class: 'sub' }, r.buyer.name) : null),
            h('td', null, orgCell(r.enterprise), r.vendor ? h('span', { class: 'sub' }, r.vendor.name) : null),
            h('td', { class: 'nowrap num' }, t('minutes', { n: Math.round(r.duration_s / 60) }), r.screen_shared || r.files_sent ? h('span', { class: 'sub shared' }, [r.screen_shared ? t('log_screen_shared') : null, r.files_sent ? t('log_files_sent', { n: r.files_sent }) : null].filter(Boolean).join(' · ')) : null),
            h('td', null, endingText(r.ending), r.moderator_actions && r.moderator_actions.length ? h('span', { class: 'sub' }, r.moderator_actions.map((a) => a.action).join(', ')) : null),
            h('td', { class: 'nowrap' }, rating(r)),
            h('td', null, r.outcome ? h('span', { class: 'tag outcome-' + r.outcome }, outcomeLabel(r.outcome)) : h('span', { class: 'muted' }, '—')),
          ))
        : [h('tr', null, h('td', { colspan: '8', class: 'empty' }, t('log_none')))];
      section.append(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data log' },
            h('caption', { class: 'sr-only' }, t('log_caption')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                th('round', t('col_round')),
                th('time', t('col_datetime')),
                th('institution', t('col_institution')),
                th('enterprise', t('col_enterprise')),
                th('duration', t('col_duration')),
                h('th', { scope: 'col' }, t('col_ending')),
                th('rating', t('col_rating')),
                th('outcome', t('col_outcome')),
              ),
            ),
            h('tbody', null, body),
          ),
        ),
      );
    },
    async load() {
      try {
        if (!page.fairs) {
          page.fairs = await api('/api/fairs');
          page.fair = defaultFair(page.fairs);
        }
        if (!page.orgs) {
          // Every row of the fair once, for the organisation filters.
          const all = await api('/api/log?fair=' + encodeURIComponent(page.fair) + '&limit=5000');
          const inst = new Map();
          const ent = new Map();
          for (const r of all.rows || []) {
            inst.set(r.institution.id, r.institution.name);
            ent.set(r.enterprise.id, r.enterprise.name);
          }
          const sorted = (m) => [...m.entries()].sort((a, b) => a[1].localeCompare(b[1], 'ko'));
          page.orgs = { institutions: sorted(inst), enterprises: sorted(ent) };
        }
        page.data = await api('/api/log?' + page.query({ limit: '5000' }));
        page.error = null;
      } catch (e) {
        page.error = { code: e.code || 'unknown', message: e.message || '' };
        S.lastError = { code: page.error.code, message: page.error.message, fatal: false };
      }
      if (S.page === page) remount();
    },
  };
  page.load();
  return page;
}
