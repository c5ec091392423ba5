// One round on the preparation tab: its matches (cancel / restore with the match's
// version), suggestions for one institution (match with a click), and a whole proposed
// set (the exact optimum beside the greedy figure) that staff accept as a whole.
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, apiPost, apiSend } from '../api.js';
import { orgList, sortMatches, proposalGain } from '../prep_view.js';
import { remount } from '../nav.js';
import { act, statusLine } from './prep_act.js';

function originText(o) {
  if (!o) return '';
  return o.kind === 'request' ? t('prep_origin_request', { n: o.request }) : t('prep_origin_' + o.kind);
}

/** The round's matches, suggestions and proposal, one card. */
export function roundSection(page, round) {
  const matches = sortMatches(page.data.matches.filter((m) => m.round === round.id));
  const accepted = matches.filter((m) => m.status === 'accepted').length;
  const line = statusLine('prep-matches-status');
  const rows = matches.map((m) => {
    const cancelled = m.status === 'cancelled';
    const btn = h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        'aria-label': t(cancelled ? 'prep_restore_aria' : 'prep_cancel_aria', { i: m.institution_name, e: m.enterprise_name }),
        onclick: (ev) =>
          act(page, ev.currentTarget, line, async () => {
            await apiSend('PATCH', '/api/prep/matches/' + m.id, { expected_version: m.version, cancelled: !cancelled });
            return { text: t(cancelled ? 'prep_restored' : 'prep_cancelled', { i: m.institution_name, e: m.enterprise_name }), kind: 'ok' };
          }),
      },
      t(cancelled ? 'prep_restore' : 'prep_cancel'),
    );
    return h(
      'tr',
      { class: cancelled ? 'is-closed' : null, dataset: { match: String(m.id) } },
      h('td', null, m.institution_name),
      h('td', null, m.enterprise_name),
      h('td', null, originText(m.origin)),
      h('td', { class: 'center' }, String(m.relevance ?? '')),
      h('td', null, t('prep_status_' + m.status)),
      h('td', null, m.note || ''),
      h('td', null, btn),
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'prep-matches-title' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { id: 'prep-matches-title' }, t('prep_matches_title', { n: round.number })),
      h('span', { class: 'muted', id: 'prep-match-count' }, t('prep_match_count', { n: accepted, all: matches.length })),
    ),
    line,
    matches.length
      ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data', id: 'prep-matches' },
          h('caption', { class: 'sr-only' }, t('prep_matches_caption', { n: round.number })),
          h('thead', null, h('tr', null, ['col_institution', 'col_enterprise', 'prep_col_origin', 'prep_col_relevance', 'col_status', 'prep_col_note', 'prep_col_action'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, rows),
        ),
      )
      : h('p', { class: 'empty' }, t('prep_no_matches')),
    h('div', { class: 'two-col prep-tools' }, suggestionsPanel(page, round), proposalPanel(page, round)),
  );
}

function suggestionsPanel(page, round) {
  const line = statusLine('prep-suggest-status');
  const insts = orgList(page.data.registry.institutions);
  const sel = h('select', { id: 'prep-suggest-inst' }, h('option', { value: '' }, t('prep_pick_institution')), insts.map((i) => h('option', { value: i.id }, i.name)));
  sel.value = page.suggest.institution;
  sel.addEventListener('change', async () => {
    page.suggest = { institution: sel.value, list: null };
    if (!sel.value) return remount();
    line.textContent = t('loading');
    try {
      const res = await api('/api/prep/suggestions?' + new URLSearchParams({ round: round.id, institution: sel.value, limit: '20' }));
      page.suggest.list = res.suggestions || [];
      remount();
    } catch (e) {
      line.textContent = errText(e.code);
    }
  });
  const list = page.suggest.list;
  let body = null;
  if (list && !list.length) body = h('p', { class: 'empty' }, t('prep_no_suggestions'));
  else if (list) {
    body = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id: 'prep-suggestions' },
        h('caption', { class: 'sr-only' }, t('prep_suggest_caption')),
        h('thead', null, h('tr', null, ['col_enterprise', 'prep_col_score', 'prep_col_overlap', 'prep_col_in_round', 'prep_col_action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          null,
          list.map((s) =>
            h(
              'tr',
              { dataset: { enterprise: s.id } },
              h('td', null, s.name, s.relevance && s.relevance.green_round ? [' ', h('span', { class: 'tag' }, t('prep_green'))] : null),
              h('td', { class: 'center' }, String(s.score)),
              h('td', null, ((s.relevance && s.relevance.overlap) || []).join(', ')),
              h('td', { class: 'center' }, String(s.matches_in_round ?? 0)),
              h(
                'td',
                null,
                s.matched
                  ? h('span', { class: 'muted' }, t('prep_already_matched'))
                  : h(
                    'button',
                    {
                      type: 'button',
                      class: 'btn small primary',
                      'aria-label': t('prep_match_aria', { e: s.name }),
                      onclick: (ev) =>
                        act(page, ev.currentTarget, line, async () => {
                          await apiPost('/api/prep/matches', { round: round.id, pairs: [[page.suggest.institution, s.id]], from_proposal: false, note: '' });
                          s.matched = true;
                          return { text: t('prep_matched', { e: s.name }), kind: 'ok' };
                        }),
                    },
                    t('prep_match'),
                  ),
              ),
            )),
        ),
      ),
    );
  }
  return h(
    'div',
    { class: 'prep-panel' },
    h('h3', null, t('prep_suggest_title')),
    h('div', { class: 'filters' }, h('div', { class: 'field grow' }, h('label', { for: 'prep-suggest-inst' }, t('col_institution')), sel)),
    line,
    body,
  );
}

function proposalPanel(page, round) {
  const line = statusLine('prep-proposal-status');
  const p = page.proposal[round.id];
  const btn = h(
    'button',
    {
      type: 'button',
      class: 'btn primary',
      id: 'prep-propose',
      onclick: (ev) =>
        act(page, ev.currentTarget, line, async () => {
          page.proposal[round.id] = await apiPost('/api/prep/proposal', { round: round.id });
          return null;
        }),
    },
    t('prep_propose'),
  );
  const out = [h('h3', null, t('prep_proposal_title')), h('p', { class: 'muted' }, t('prep_proposal_hint')), h('div', { class: 'actions' }, btn), line];
  if (p) {
    const g = proposalGain(p);
    const names = {
      i: Object.fromEntries(orgList(page.data.registry.institutions).map((x) => [x.id, x.name])),
      e: Object.fromEntries(orgList(page.data.registry.enterprises).map((x) => [x.id, x.name])),
    };
    const accept = h(
      'button',
      {
        type: 'button',
        class: 'btn primary',
        id: 'prep-accept-proposal',
        disabled: !p.pairs.length,
        onclick: (ev) =>
          act(page, ev.currentTarget, line, async () => {
            const res = await apiPost('/api/prep/matches', { round: round.id, pairs: p.pairs.map((x) => [x.institution, x.enterprise]), from_proposal: true, note: '' });
            delete page.proposal[round.id];
            return { text: t('prep_accepted', { n: (res.matches || []).length }), kind: 'ok' };
          }),
      },
      t('prep_accept_all', { n: p.pairs.length }),
    );
    out.push(
      h(
        'dl',
        { class: 'stats', id: 'prep-proposal-figures' },
        h('div', null, h('dt', null, t('prep_prop_pairs')), h('dd', { id: 'prep-proposal-pairs' }, String(p.pairs.length))),
        h('div', null, h('dt', null, t('prep_prop_total')), h('dd', null, String(p.total))),
        h('div', null, h('dt', null, t('prep_prop_greedy')), h('dd', null, String(p.greedy_total))),
        h('div', null, h('dt', null, t('prep_prop_gain')), h('dd', null, '+' + g.gain + ' (' + g.pct + '%)')),
        h('div', null, h('dt', null, t('prep_prop_candidates')), h('dd', null, String(p.candidates ?? ''))),
      ),
      p.pairs.length
        ? h(
          'div',
          { class: 'table-wrap prep-scroll' },
          h(
            'table',
            { class: 'data' },
            h('caption', { class: 'sr-only' }, t('prep_proposal_caption', { n: round.number })),
            h('thead', null, h('tr', null, ['col_institution', 'col_enterprise', 'prep_col_score'].map((k) => h('th', { scope: 'col' }, t(k))))),
            h('tbody', null, p.pairs.map((x) => h('tr', null, h('td', null, names.i[x.institution] || x.institution), h('td', null, names.e[x.enterprise] || x.enterprise), h('td', { class: 'center' }, String(x.score))))),
          ),
        )
        : h('p', { class: 'empty' }, t('prep_proposal_empty')),
      h('div', { class: 'actions' }, accept),
    );
  }
  return h('div', { class: 'prep-panel' }, out);
}
