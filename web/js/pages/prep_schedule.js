// The schedule part of the preparation tab: make (or remake) a round's draft, review it per
// booth, per enterprise or per slot with the lower bound and what could not be placed, and
// publish the reviewed drafts (the versions on screen) as preliminary or final.
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { apiPost } from '../api.js';
import { byBooth, byEnterprise, bySlot, slotStarts, notPlacedRows, draftVersions, draftMeetings } from '../prep_view.js';
import { fmtDate, fmtTime } from '../format.js';
import { remount } from '../nav.js';
import { act, statusLine } from './prep_act.js';

const VIEWS = ['booth', 'enterprise', 'slot'];

export function scheduleSection(page, round) {
  const line = statusLine('prep-schedule-status');
  const draft = page.data.drafts.find((d) => d.round === round.id) || null;
  const make = h(
    'button',
    {
      type: 'button',
      class: 'btn primary',
      id: 'prep-make-draft',
      onclick: (ev) =>
        act(page, ev.currentTarget, line, async () => {
          const res = await apiPost('/api/prep/schedule', { round: round.id });
          const d = res.draft;
          return { text: t('prep_draft_made', { n: round.number, booked: d.booked.length, np: d.not_placed.length }), kind: d.not_placed.length ? 'warn' : 'ok' };
        }),
    },
    t(draft ? 'prep_remake_draft' : 'prep_make_draft'),
  );
  const out = [
    h('div', { class: 'card-head' }, h('h2', { id: 'prep-schedule-title' }, t('prep_schedule_title', { n: round.number })), make),
    line,
  ];
  if (!draft) out.push(h('p', { class: 'empty' }, t('prep_no_draft')));
  else out.push(draftBlock(page, round, draft));
  out.push(publishBlock(page));
  return h('section', { class: 'card', 'aria-labelledby': 'prep-schedule-title' }, out);
}

function draftBlock(page, round, draft) {
  const meetings = draftMeetings(draft);
  const np = notPlacedRows(draft, page.data.matches);
  const figures = h(
    'dl',
    { class: 'stats', id: 'prep-draft-figures' },
    h('div', null, h('dt', null, t('prep_draft_version')), h('dd', null, String(draft.version))),
    h('div', null, h('dt', null, t('prep_draft_booked')), h('dd', { id: 'prep-draft-booked' }, String(meetings.length))),
    h('div', { class: np.length ? 'alert' : null }, h('dt', null, t('prep_draft_not_placed')), h('dd', { id: 'prep-draft-not-placed' }, String(np.length))),
    h('div', null, h('dt', null, t('prep_draft_slots')), h('dd', null, t('prep_slots_of', { used: draft.slots_used, bound: draft.lower_bound, all: round.slots }))),
    h('div', null, h('dt', null, t('prep_draft_moved')), h('dd', null, String(draft.moved ?? 0))),
  );
  const tabs = h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': t('prep_view_label') },
    VIEWS.map((v) =>
      h('button', { type: 'button', class: 'btn small', id: 'prep-view-' + v, 'aria-pressed': page.draftView === v ? 'true' : 'false', onclick: () => { page.draftView = v; remount(); } }, t('prep_view_' + v))),
  );
  const view = page.draftView === 'enterprise' ? enterpriseGrid(meetings, round) : page.draftView === 'slot' ? slotList(meetings, round) : boothGrid(meetings, round);
  return [
    figures,
    h('p', { class: 'muted note' }, t('prep_bound_hint')),
    np.length
      ? [
        h('h3', null, t('prep_not_placed_title', { n: np.length })),
        h('ul', { class: 'not-placed', id: 'prep-not-placed' }, np.map((x) => h('li', null, (x.institution || '#' + x.match) + ' · ' + (x.enterprise || '') + ' — ' + t(x.reasonKey, { reason: x.reason })))),
      ]
      : null,
    tabs,
    view,
  ];
}

function slotHeads(meetings, round) {
  return slotStarts(meetings, round.slots).map((at, i) => h('th', { scope: 'col', class: 'center' }, t('prep_slot_n', { n: i + 1 }), at ? h('span', { class: 'sub' }, fmtTime(at)) : null));
}

function gridTable(id, caption, firstCol, heads, rows) {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'data grid', id }, h('caption', { class: 'sr-only' }, caption), h('thead', null, h('tr', null, h('th', { scope: 'col' }, firstCol), heads)), h('tbody', null, rows)),
  );
}

function boothGrid(meetings, round) {
  const rows = byBooth(meetings, round.slots).map((r) =>
    h(
      'tr',
      { dataset: { institution: r.institution } },
      h('th', { scope: 'row' }, r.name, r.booth ? h('span', { class: 'sub' }, t('prep_booth_n', { n: r.booth + 1 })) : null),
      r.cells.map((c) => h('td', { class: c ? 'cell-on' : 'cell-off' }, c ? c.enterprise_name : '')),
    ));
  return gridTable('prep-grid-booth', t('prep_grid_booth_caption', { n: round.number }), t('col_institution'), slotHeads(meetings, round), rows);
}

function enterpriseGrid(meetings, round) {
  const rows = byEnterprise(meetings, round.slots).map((r) =>
    h(
      'tr',
      { dataset: { enterprise: r.enterprise } },
      h('th', { scope: 'row' }, r.name, h('span', { class: 'sub' }, t('meeting_count', { n: r.count }))),
      r.cells.map((c) => h('td', { class: c ? 'cell-on' : 'cell-off' }, c ? c.institution_name : '')),
    ));
  return gridTable('prep-grid-enterprise', t('prep_grid_ent_caption', { n: round.number }), t('col_enterprise'), slotHeads(meetings, round), rows);
}

function slotList(meetings, round) {
  const rows = bySlot(meetings).flatMap((s) =>
    s.meetings.map((m, i) =>
      h(
        'tr',
        null,
        i === 0 ? h('th', { scope: 'rowgroup', rowspan: String(s.meetings.length) }, t('prep_slot_n', { n: s.slot + 1 }), s.starts_at ? h('span', { class: 'sub' }, fmtTime(s.starts_at)) : null) : null,
        h('td', null, m.institution_name, m.booth ? h('span', { class: 'sub' }, t('prep_booth_n', { n: m.booth + 1 })) : null),
        h('td', null, m.enterprise_name),
        h('td', { class: 'mono sub' }, m.meeting),
      )));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', id: 'prep-grid-slot' },
      h('caption', { class: 'sr-only' }, t('prep_grid_slot_caption', { n: round.number })),
      h('thead', null, h('tr', null, ['prep_col_slot', 'col_institution', 'col_enterprise', 'col_meeting'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, rows),
    ),
  );
}

function publishBlock(page) {
  const line = statusLine('prep-publish-status');
  const drafts = page.data.drafts;
  const versions = draftVersions(drafts);
  const rounds = new Map((page.data.prep.rounds || []).map((r) => [r.id, r.number]));
  const pub = (kind) =>
    h(
      'button',
      {
        type: 'button',
        class: 'btn' + (kind === 'final' ? ' primary' : ''),
        id: 'prep-publish-' + kind,
        disabled: !drafts.length,
        // No confirm(): a later publication supersedes this one, and participants see what changed.
        onclick: (ev) =>
          act(page, ev.currentTarget, line, async () => {
            const res = await apiPost('/api/prep/publish', { kind, drafts: versions });
            return { text: t('prep_published', { n: res.number, kind: t('prep_pub_' + kind), m: res.meetings }), kind: 'ok' };
          }),
      },
      t('prep_publish_' + kind),
    );
  const pubs = [...(page.data.prep.publications || [])].reverse();
  return [
    h('h3', null, t('prep_publish_title')),
    roundsTable(page.data.prep.rounds || []),
    h('p', { class: 'muted' }, drafts.length ? t('prep_publish_what', { list: drafts.map((d) => t('round_n', { n: rounds.get(d.round) ?? d.round }) + ' v' + d.version).join(', ') }) : t('prep_publish_none')),
    h('div', { class: 'actions' }, pub('preliminary'), pub('final')),
    line,
    pubs.length
      ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'prep-publications' },
          h('caption', { class: 'sr-only' }, t('prep_publications_caption')),
          h('thead', null, h('tr', null, ['prep_col_number', 'prep_col_kind', 'col_datetime', 'prep_col_meetings'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, pubs.map((p) => h('tr', { dataset: { number: String(p.number) } }, h('td', { class: 'center' }, String(p.number)), h('td', null, t('prep_pub_' + p.kind)), h('td', { class: 'nowrap' }, fmtDate(p.at) + ' ' + fmtTime(p.at)), h('td', { class: 'center' }, String(p.meetings))))),
        ),
      )
      : h('p', { class: 'empty' }, t('prep_no_publications')),
  ];
}

/** Every round's draft at a glance: what publishing would send. */
function roundsTable(rounds) {
  const cell = (v) => h('td', { class: 'center' }, v === null || v === undefined ? '–' : String(v));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data', id: 'prep-rounds' },
      h('caption', { class: 'sr-only' }, t('prep_rounds_caption')),
      h('thead', null, h('tr', null, ['col_round', 'prep_cnt_matches', 'prep_draft_version', 'prep_draft_booked', 'prep_draft_not_placed', 'prep_draft_slots'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h(
        'tbody',
        null,
        rounds.map((r) => {
          const d = r.draft;
          return h(
            'tr',
            { dataset: { round: r.id }, class: d && d.not_placed ? 'needs-attention' : null },
            h('th', { scope: 'row' }, t('round_n', { n: r.number }), h('span', { class: 'sub' }, r.theme)),
            cell(r.matches),
            cell(d && d.version),
            cell(d && d.booked),
            cell(d && d.not_placed),
            cell(d ? t('prep_slots_of', { used: d.slots_used, bound: d.lower_bound, all: r.slots }) : null),
          );
        }),
      ),
    ),
  );
}
