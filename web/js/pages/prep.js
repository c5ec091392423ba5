// Staff's preparation tab (#view=prep): importing registrations, the counts, the request
// and scheduling settings, then per round the matches (pages/prep_round.js) and the draft
// schedule with publishing (pages/prep_schedule.js). Every edit names the version it saw;
// a 409 stale_version reloads and says so, never overwrites.
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, apiSend, apiUpload } from '../api.js';
import { fileKind, importSummary, parseSlots, formatSlots } from '../prep_view.js';
import { S } from '../state.js';
import { remount } from '../nav.js';
import { opsNav } from './common.js';
import { roundSection } from './prep_round.js';
import { scheduleSection } from './prep_schedule.js';
import { invitesSection } from './prep_invites.js';
import { mailSection } from './prep_mail.js';
import { act, statusLine } from './prep_act.js';

export function prepPage() {
  const page = {
    name: 'prep',
    data: null, // {prep, registry, matches, drafts}
    error: null,
    round: null,
    note: null, // {text, kind}: what the last action did, shown once at the top
    imports: [], // [{name, result | problems | error}] of this visit
    proposal: {}, // round → the last proposal
    suggest: { institution: '', list: null },
    draftView: 'booth',
    mount(root) {
      root.append(opsNav('prep'));
      const section = h('section', { class: 'card', 'aria-labelledby': 'prep-title' }, h('div', { class: 'card-head' }, h('h1', { id: 'prep-title' }, t('prep_title'))));
      root.append(section);
      if (!page.data) {
        section.append(h('p', { class: 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')));
        return;
      }
      const note = statusLine('prep-note');
      if (page.note) {
        note.textContent = page.note.text;
        note.className = 'prep-status ' + (page.note.kind || 'ok');
      }
      section.append(note, countsBlock(page.data.prep));
      root.append(importSection(page), settingsSection(page), invitesSection(), mailSection());
      const rounds = page.data.prep.rounds || [];
      if (!rounds.length) {
        root.append(h('section', { class: 'card' }, h('p', { class: 'empty' }, t('prep_no_rounds'))));
        return;
      }
      if (!rounds.some((r) => r.id === page.round)) page.round = rounds[0].id;
      const sel = h(
        'select',
        { id: 'prep-round', onchange: (ev) => { page.round = ev.currentTarget.value; page.suggest = { institution: '', list: null }; remount(); } },
        rounds.map((r) => h('option', { value: r.id }, t('round_n', { n: r.number }) + ' · ' + r.theme)),
      );
      sel.value = page.round;
      const round = rounds.find((r) => r.id === page.round);
      root.append(
        h('div', { class: 'filters prep-round-pick' }, h('div', { class: 'field' }, h('label', { for: 'prep-round' }, t('prep_round_pick')), sel)),
        roundSection(page, round),
        scheduleSection(page, round),
      );
    },
    async load() {
      try {
        const [prep, registry, matches, drafts] = await Promise.all([api('/api/prep'), api('/api/prep/registry'), api('/api/prep/matches'), api('/api/prep/drafts')]);
        page.data = { prep, registry, matches: matches.matches || [], drafts: drafts.drafts || [] };
        page.error = null;
      } catch (e) {
        page.error = e;
      }
      if (S.page === page) remount();
    },
  };
  page.load();
  return page;
}

function countsBlock(prep) {
  const c = prep.counts || {};
  const r = c.requests || {};
  const item = (id, key, n) => h('div', null, h('dt', null, t(key)), h('dd', { id }, String(n ?? 0)));
  return h(
    'dl',
    { class: 'stats', id: 'prep-counts' },
    item('pc-institutions', 'cnt_institutions', c.institutions),
    item('pc-enterprises', 'cnt_enterprises', c.enterprises),
    item('pc-participants', 'prep_cnt_participants', c.participants),
    item('pc-matches', 'prep_cnt_matches', c.matches),
    ['pending', 'accepted', 'declined', 'expired', 'withdrawn'].map((s) => item('pc-req-' + s, 'prep_cnt_req_' + s, r[s])),
    item('pc-publications', 'prep_cnt_publications', (prep.publications || []).length),
  );
}

// --- import ---------------------------------------------------------------------------------
function importSection(page) {
  const input = h('input', { type: 'file', id: 'prep-file', accept: '.xlsx,.csv', multiple: true });
  const line = statusLine('prep-import-status');
  const results = h('div', { id: 'prep-import-result' }, page.imports.map(importResult));
  const btn = h('button', { type: 'button', class: 'btn primary', id: 'prep-import' }, t('prep_import_btn'));
  btn.addEventListener('click', () => {
    const files = [...input.files];
    if (!files.length) {
      line.textContent = t('prep_import_pick');
      return;
    }
    const wrong = files.filter((f) => !fileKind(f.name));
    if (wrong.length) {
      line.textContent = t('prep_import_kind', { names: wrong.map((f) => f.name).join(', ') });
      return;
    }
    act(page, btn, line, async () => {
      page.imports = [];
      // One file after another: each import is merged on top of the one before.
      for (const f of files) {
        try {
          const res = await apiUpload('/api/prep/import?name=' + encodeURIComponent(f.name), f);
          page.imports.push({ name: f.name, result: res.summary });
        } catch (e) {
          if (e.code === 'bad_import') page.imports.push({ name: f.name, problems: e.problems || [], message: e.message });
          else page.imports.push({ name: f.name, error: e });
        }
      }
      return { text: t('prep_import_done', { n: files.length }), kind: 'ok' };
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'prep-import-title' },
    h('h2', { id: 'prep-import-title' }, t('prep_import_title')),
    h('p', { class: 'muted' }, t('prep_import_hint')),
    h('div', { class: 'filters' }, h('div', { class: 'field grow' }, h('label', { for: 'prep-file' }, t('prep_import_label')), input), btn),
    line,
    results,
  );
}

function importResult(x) {
  const head = h('h3', null, x.name);
  if (x.error) return h('div', { class: 'import-result error', dataset: { file: x.name } }, head, h('p', { class: 'prep-status error' }, errText(x.error.code)));
  if (x.problems) {
    return h(
      'div',
      { class: 'import-result error', dataset: { file: x.name } },
      head,
      h('p', { class: 'warn-text' }, t('prep_import_refused', { n: x.problems.length })),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'prep-import-problems' },
          h('caption', { class: 'sr-only' }, t('prep_import_problems_caption', { name: x.name })),
          h('thead', null, h('tr', null, ['prep_col_sheet', 'prep_col_row', 'prep_col_column', 'prep_col_reason'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, x.problems.map((p) => h('tr', null, h('td', null, p.sheet || ''), h('td', { class: 'center' }, p.row ?? ''), h('td', null, p.column || ''), h('td', null, p.reason || '')))),
        ),
      ),
    );
  }
  const s = importSummary(x.result);
  return h(
    'div',
    { class: 'import-result', dataset: { file: x.name } },
    head,
    h(
      'dl',
      { class: 'stats' },
      [['added', s.added], ['updated', s.updated], ['unchanged', s.unchanged], ['not_in_file', s.notInFile]].map(([k, n]) => h('div', null, h('dt', null, t('prep_imp_' + k)), h('dd', { dataset: { count: k } }, String(n)))),
    ),
    s.nothing ? h('p', { class: 'muted' }, t('prep_import_nothing')) : null,
    s.updatedRows.length
      ? h('ul', { class: 'import-updated' }, s.updatedRows.map((r) => h('li', null, t('prep_kind_' + r.kind) + ' ' + r.id + ': ' + r.fields.join(', '))))
      : null,
    s.notInFile ? h('p', { class: 'muted note' }, t('prep_import_kept', { n: s.notInFile })) : null,
  );
}

// --- settings -------------------------------------------------------------------------------
function settingsSection(page) {
  const prep = page.data.prep;
  const st = prep.settings || { requests: {}, break_slots: {} };
  const rq = st.requests || {};
  const line = statusLine('prep-settings-status');
  const num = (id, value, min) => h('input', { type: 'number', id, value: String(value ?? 0), min: String(min), step: '1', required: true, class: 'num' });
  const auto = h('input', { type: 'checkbox', id: 'ps-auto', checked: !!rq.auto_accept });
  const ttl = num('ps-ttl', rq.ttl_hours, 1);
  const maxSent = num('ps-max-sent', rq.max_sent, 0);
  const maxRecv = num('ps-max-received', rq.max_received, 0);
  const gap = num('ps-gap', st.min_gap_slots, 0);
  const rounds = prep.rounds || [];
  const breaks = rounds.map((r) => ({ r, input: h('input', { type: 'text', id: 'ps-break-' + r.id, value: formatSlots((st.break_slots || {})[r.id]), placeholder: t('prep_break_ph'), autocomplete: 'off' }) }));
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const form = h(
    'form',
    { id: 'prep-settings', novalidate: true },
    h('div', { class: 'filters' }, h('label', { class: 'check', for: 'ps-auto' }, auto, ' ', t('prep_auto_accept'))),
    h('div', { class: 'filters' }, field('ps-ttl', t('prep_ttl'), ttl), field('ps-max-sent', t('prep_max_sent'), maxSent), field('ps-max-received', t('prep_max_received'), maxRecv), field('ps-gap', t('prep_min_gap'), gap)),
    breaks.length ? h('div', { class: 'filters' }, breaks.map(({ r, input }) => field(input.id, t('prep_break_slots', { n: r.number, slots: r.slots }), input))) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary', id: 'ps-save' }, t('prep_save'))),
    line,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ints = [ttl, maxSent, maxRecv, gap].map((x) => Number(x.value));
    if (ints.some((n) => !Number.isInteger(n) || n < 0) || ints[0] < 1) {
      line.textContent = t('prep_bad_number');
      return;
    }
    const breakSlots = {};
    for (const { r, input } of breaks) {
      try {
        const list = parseSlots(input.value, r.slots);
        if (list.length) breakSlots[r.id] = list;
      } catch (e) {
        line.textContent = t('prep_bad_slots', { n: r.number, bad: e.bad });
        input.focus();
        return;
      }
    }
    const settings = { requests: { auto_accept: auto.checked, ttl_hours: ints[0], max_sent: ints[1], max_received: ints[2] }, min_gap_slots: ints[3], break_slots: breakSlots };
    act(page, form.querySelector('#ps-save'), line, async () => {
      await apiSend('PUT', '/api/prep/settings', { expected_version: prep.settings_version, settings });
      return { text: t('prep_saved'), kind: 'ok' };
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'prep-settings-title' }, h('h2', { id: 'prep-settings-title' }, t('prep_settings_title')), form);
}
