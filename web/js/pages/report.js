// The fair's report (moderators and staff): totals, growth on the year before, rounds,
// organisation types, the survey and the follow-ups, as tables with bar charts. Also the
// fair selector the log page shares.
import { h } from '../dom.js';
import { t, errText, lang } from '../i18n/index.js';
import { api } from '../api.js';
import { kindLabel } from '../labels.js';
import { fmtDate, pct } from '../format.js';
import { S } from '../state.js';
import { remount } from '../nav.js';
import { opsNav } from './common.js';


/** A horizontal bar for a share in percent (0–100, longer bars are clipped). */
function bar(percent, cls) {
  const w = Math.max(0, Math.min(100, percent));
  return h('span', { class: 'bar ' + (cls || ''), 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: 'width:' + w.toFixed(1) + '%' }));
}

/** The fair selector shared by the log and the report; `fairs` is /api/fairs. */
export function fairSelect(fairs, value, onchange) {
  const sel = h(
    'select',
    { id: 'f-fair' },
    fairs.fairs.map((f) => h('option', { value: f.id }, f.current ? t('fair_current', { name: f.name }) : f.name)),
  );
  sel.value = value;
  sel.addEventListener('change', () => onchange(sel.value));
  return h('div', { class: 'field' }, h('label', { for: 'f-fair' }, t('fair_label')), sel);
}

/** The fair a staff page opens with: the current one if it has records, else the latest on record. */
export function defaultFair(fairs) {
  const cur = fairs.fairs.find((f) => f.current);
  if (cur && cur.records > 0) return cur.id;
  const done = fairs.fairs.find((f) => !f.current && f.records > 0);
  return (done || cur || fairs.fairs[0]).id;
}

export function reportPage() {
  const page = {
    name: 'report',
    fairs: null,
    fair: null,
    data: null,
    error: null,
    mount(root) {
      root.append(opsNav('report'));
      const section = h('section', { class: 'card report', 'aria-labelledby': 'report-title' });
      root.append(section);
      section.append(h('div', { class: 'card-head' }, h('h1', { id: 'report-title' }, t('report_title'))));
      if (!page.fairs || !page.data) {
        section.append(h('p', { class: 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')));
        if (page.fairs) section.append(h('div', { class: 'filters' }, fairSelect(page.fairs, page.fair, (id) => page.choose(id))));
        return;
      }
      const r = page.data;
      const tt = r.totals;
      section.append(
        h('div', { class: 'filters' }, fairSelect(page.fairs, page.fair, (id) => page.choose(id))),
        h(
          'dl',
          { class: 'stats big' },
          h('div', null, h('dt', null, t('rep_institutions')), h('dd', { id: 'rep-institutions' }, String(tt.institutions))),
          h('div', null, h('dt', null, t('rep_enterprises')), h('dd', { id: 'rep-enterprises' }, String(tt.enterprises))),
          h('div', null, h('dt', null, t('rep_consultations')), h('dd', { id: 'rep-consultations' }, String(tt.consultations))),
          h('div', null, h('dt', null, t('rep_no_shows')), h('dd', null, String(tt.no_shows))),
          h('div', null, h('dt', null, t('rep_avg')), h('dd', null, t('minutes', { n: tt.average_minutes }))),
          h('div', null, h('dt', null, t('rep_screen_shares')), h('dd', { id: 'rep-screen-shares' }, String(tt.screen_shares || 0))),
          h('div', null, h('dt', null, t('rep_files_sent')), h('dd', { id: 'rep-files-sent' }, String(tt.files_sent || 0))),
        ),
        h('p', { class: 'muted note' }, t('rep_basis', { ip: tt.institution_participations, ep: tt.enterprise_participations })),
      );

      const table = (caption, heads, rows) =>
        h(
          'div',
          { class: 'table-wrap' },
          h('table', { class: 'data report-table' }, h('caption', null, caption), h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', null, rows)),
        );

      if (r.growth) {
        const g = r.growth;
        const line = (key) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, t('rep_' + key)),
            h('td', { class: 'num' }, String(g[key].previous)),
            h('td', { class: 'num' }, String(g[key].current)),
            h('td', { class: 'num strong' }, pct(g[key].pct)),
            h('td', { class: 'bar-cell' }, bar(g[key].pct / 2, 'growth'), h('span', { class: 'bar-mark', 'aria-hidden': 'true' })),
          );
        section.append(
          h('h2', null, t('rep_growth')),
          table(t('rep_growth_caption', { name: g.previous.name }), [t('rep_item'), t('rep_prev'), t('rep_cur'), t('rep_vs_prev'), ''], ['institutions', 'enterprises', 'consultations'].map(line)),
        );
      }

      const maxRound = Math.max(1, ...r.rounds.map((x) => x.consultations + x.no_shows));
      section.append(
        h('h2', null, t('rep_rounds')),
        table(
          t('rep_rounds_caption'),
          [t('col_round'), t('col_date'), t('rep_consultations'), t('rep_no_shows'), t('rep_institutions'), t('rep_enterprises'), ''],
          r.rounds.map((x) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, t('round_n', { n: x.number }), h('span', { class: 'sub' }, x.theme)),
              h('td', { class: 'nowrap' }, fmtDate(x.starts_at)),
              h('td', { class: 'num' }, String(x.consultations)),
              h('td', { class: 'num' }, String(x.no_shows)),
              h('td', { class: 'num' }, String(x.institutions)),
              h('td', { class: 'num' }, String(x.enterprises)),
              h('td', { class: 'bar-cell' }, bar((100 * x.consultations) / maxRound)),
            ),
          ),
        ),
      );

      const types = (key, list) =>
        table(
          t('rep_' + key + '_caption'),
          [t('rep_type'), t('col_distinct'), t('col_share'), '', t('col_participations'), t('rep_consultations')],
          list.map((k) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, kindLabel({ kind: k.kind, kind_label: k.label })),
              h('td', { class: 'num' }, String(k.distinct)),
              h('td', { class: 'num' }, pct(k.distinct_pct)),
              h('td', { class: 'bar-cell' }, bar(k.distinct_pct)),
              h('td', { class: 'num' }, String(k.participations)),
              h('td', { class: 'num' }, String(k.consultations)),
            ),
          ),
        );
      section.append(
        h('h2', null, t('rep_types')),
        h('div', { class: 'two-col' }, types('itypes', r.institution_types), types('etypes', r.enterprise_types)),
      );

      const shares = (caption, list) =>
        table(
          caption,
          [t('rep_answer'), t('rep_count'), t('col_share'), ''],
          list.map((s) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, lang() === 'en' && s.label_en ? s.label_en : s.label),
              h('td', { class: 'num' }, String(s.count)),
              h('td', { class: 'num strong' }, pct(s.pct)),
              h('td', { class: 'bar-cell' }, bar(s.pct)),
            ),
          ),
        );
      const side = (key) => {
        const s = r.survey[key];
        return h(
          'div',
          { class: 'survey-side' },
          h('h3', null, t('rep_survey_' + key, { n: s.responses })),
          shares(lang() === 'en' && s.question_en ? s.question_en : s.question, s.valued),
          h('p', { class: 'muted' }, t('rep_rating', { avg: s.rating.average.toFixed(2) }), ' ', h('span', { class: 'mono' }, s.rating.counts.map((n, i) => i + 1 + '★ ' + n).join(' · '))),
        );
      };
      section.append(h('h2', null, t('rep_survey')), h('div', { class: 'two-col' }, side('buyer'), side('vendor')));
      section.append(
        h('h2', null, t('rep_followup')),
        h('div', { class: 'two-col' }, shares(t('rep_outcomes_caption'), r.outcomes), shares(t('rep_endings_caption'), r.endings)),
      );
    },
    choose(id) {
      page.fair = id;
      page.data = null;
      page.load();
    },
    async load() {
      try {
        if (!page.fairs) {
          page.fairs = await api('/api/fairs');
          page.fair = defaultFair(page.fairs);
        }
        page.data = await api('/api/report?fair=' + encodeURIComponent(page.fair));
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

