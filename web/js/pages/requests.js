// "상담 신청 / Meeting requests" on the buyer's and the vendor's home pages: requests
// received (accept / decline), requests sent (withdraw), and a form to ask (a vendor asks
// an institution) or invite (a buyer invites an enterprise). The section keeps its own data
// and element, so the home page's periodic remount neither refetches nor clears the form.
import { h } from '../dom.js';
import { t, errText, lang } from '../i18n/index.js';
import { api, apiPost } from '../api.js';
import { clock } from '../clock.js';
import { fmtDate, fmtTime } from '../format.js';
import { timetableSection } from './timetable.js';
import { requestView, splitRequests, sortCounterparts, reasonCount, REASON_MAX } from '../prep_view.js';

const at = (ms) => (typeof ms === 'number' ? fmtDate(ms) + ' ' + fmtTime(ms) : '');

/** The section for `side` ('buyer' | 'vendor'): `{el}`, loaded at once. */
export function requestsSection(side) {
  const st = { data: null, error: null, note: null, form: { round: '', to: '', reason: '' } };
  const el = h('section', { class: 'card', id: 'requests', 'aria-labelledby': 'req-title' });
  const line = h('p', { class: 'prep-status', id: 'req-status', role: 'status', 'aria-live': 'polite' });

  async function load() {
    try {
      st.data = await api('/api/requests');
      st.error = null;
    } catch (e) {
      st.error = e;
    }
    draw();
  }

  async function run(btn, fn) {
    btn.disabled = true;
    line.textContent = t('prep_working');
    try {
      st.note = { text: await fn(), kind: 'ok' };
      await load();
    } catch (e) {
      st.note = { text: e.code === 'stale_version' ? t('prep_stale') : errText(e.code), kind: e.code === 'stale_version' ? 'warn' : 'error' };
      if (e.code === 'stale_version') await load();
      else {
        btn.disabled = false;
        showNote();
      }
    }
  }

  function showNote() {
    line.textContent = st.note ? st.note.text : '';
    line.className = 'prep-status' + (st.note ? ' ' + st.note.kind : '');
  }

  function table(id, caption, list, actions) {
    if (!list.length) return h('p', { class: 'empty' }, t('req_none'));
    const now = clock.now();
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id },
        h('caption', { class: 'sr-only' }, caption),
        h('thead', null, h('tr', null, ['col_round', side === 'buyer' ? 'col_enterprise' : 'col_institution', 'req_col_reason', 'col_status', 'prep_col_action'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h(
          'tbody',
          null,
          list.map((r) => {
            const v = requestView(r, side, now);
            const round = (st.data.rounds || []).find((x) => x.id === r.round);
            return h(
              'tr',
              { dataset: { request: String(r.id), status: v.status } },
              h('td', null, round ? t('round_n', { n: round.number }) : r.round),
              h('td', null, v.other),
              h('td', { class: 'req-reason' }, r.reason || ''),
              h('td', null, h('span', { class: 'badge req-' + v.status }, t('req_status_' + v.status)), h('span', { class: 'sub' }, v.status === 'pending' ? t('req_expires', { at: at(r.expires_at) }) : r.answered_at ? t('req_answered', { at: at(r.answered_at) }) : '')),
              h('td', null, actions(r, v)),
            );
          }),
        ),
      ),
    );
  }

  function answer(r, accept) {
    return (ev) =>
      run(ev.currentTarget, async () => {
        await apiPost('/api/requests/' + r.id + '/answer', { expected_version: r.version, accept });
        return t(accept ? 'req_accepted' : 'req_declined');
      });
  }

  function form() {
    const d = st.data;
    const rounds = d.rounds || [];
    const all = d.counterparts || [];
    const open = (id) => all.some((c) => !c.rounds || c.rounds.includes(id));
    if (rounds.length && !rounds.some((r) => r.id === st.form.round)) st.form.round = (rounds.find((r) => open(r.id)) || rounds[0]).id;
    // Only organisations taking part in the chosen round (another is `not_attending`).
    const parts = sortCounterparts(d.counterparts).filter((c) => !c.rounds || c.rounds.includes(st.form.round));
    if (!rounds.length || !all.length) return h('p', { class: 'muted' }, t('req_cannot_ask'));
    if (parts.length && !parts.some((c) => c.id === st.form.to)) st.form.to = parts[0].id;
    const round = h('select', { id: 'req-round', onchange: (ev) => { st.form.round = ev.currentTarget.value; draw(); document.getElementById('req-round')?.focus(); } }, rounds.map((r) => h('option', { value: r.id }, t('round_n', { n: r.number }) + ' · ' + r.theme)));
    round.value = st.form.round;
    const to = h('select', { id: 'req-to', onchange: (ev) => { st.form.to = ev.currentTarget.value; } }, parts.length ? parts.map((c) => h('option', { value: c.id }, c.name + ' · ' + t('req_fit', { n: c.score }))) : h('option', { value: '', disabled: true }, t('req_cannot_ask')));
    to.value = st.form.to;
    const counter = h('span', { id: 'req-count', class: 'muted' });
    const reason = h('textarea', { id: 'req-reason', rows: '3', 'aria-describedby': 'req-count', value: st.form.reason });
    const send = h('button', { type: 'submit', class: 'btn primary', id: 'req-send' }, t(side === 'buyer' ? 'req_send_invite' : 'req_send_ask'));
    const count = () => {
      const c = reasonCount(reason.value);
      counter.textContent = t('req_count', { n: c.n, max: REASON_MAX });
      counter.className = c.over ? 'warn-text' : 'muted';
      send.disabled = c.over || !parts.length;
    };
    reason.addEventListener('input', () => {
      st.form.reason = reason.value;
      count();
    });
    count();
    const f = h(
      'form',
      { id: 'req-form', class: 'req-form' },
      h('h3', null, t(side === 'buyer' ? 'req_form_invite' : 'req_form_ask')),
      h(
        'div',
        { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: 'req-round' }, t('filter_round')), round),
        h('div', { class: 'field grow' }, h('label', { for: 'req-to' }, t(side === 'buyer' ? 'col_enterprise' : 'col_institution')), to),
      ),
      h('div', { class: 'field' }, h('label', { for: 'req-reason' }, t('req_reason_label')), reason, counter),
      h('div', { class: 'actions' }, send),
    );
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const kind = side === 'buyer' ? 'enterprise' : 'institution';
      run(send, async () => {
        const res = await apiPost('/api/requests', { round: st.form.round, to: { kind, id: st.form.to }, reason: st.form.reason });
        st.form.reason = '';
        return res.request && res.request.status === 'accepted' ? t('req_sent_accepted') : t('req_sent');
      });
    });
    return f;
  }

  function draw() {
    const head = h('div', { class: 'card-head' }, h('h2', { id: 'req-title' }, t('req_title')));
    if (!st.data) {
      // Someone not in the registrations (403) has no requests to make: a note, not an error.
      const why = st.error ? (st.error.code === 'unknown_participant' ? t('req_not_registered') : errText(st.error.code)) : t('loading');
      el.replaceChildren(head, h('p', { class: st.error ? 'muted' : 'loading', role: 'status' }, why));
      return;
    }
    const { received, sent } = splitRequests(st.data.requests);
    const rules = st.data.rules || {};
    el.replaceChildren(
      head,
      h('p', { class: 'muted' }, t(rules.auto_accept ? 'req_rules_auto' : 'req_rules', { h: rules.ttl_hours, sent: rules.max_sent })),
      line,
      h('h3', null, t('req_received', { n: received.length })),
      table('req-received', t('req_received_caption'), received, (r, v) =>
        v.canAnswer
          ? h(
            'span',
            { class: 'btn-row' },
            h('button', { type: 'button', class: 'btn small primary', 'aria-label': t('req_accept_aria', { name: v.other }), onclick: answer(r, true) }, t('req_accept')),
            h('button', { type: 'button', class: 'btn small', 'aria-label': t('req_decline_aria', { name: v.other }), onclick: answer(r, false) }, t('req_decline')),
          )
          : ''),
      h('h3', null, t('req_sent_title', { n: sent.length })),
      table('req-sent', t('req_sent_caption'), sent, (r, v) =>
        v.canWithdraw
          ? h(
            'button',
            {
              type: 'button',
              class: 'btn small',
              'aria-label': t('req_withdraw_aria', { name: v.other }),
              onclick: (ev) =>
                run(ev.currentTarget, async () => {
                  await apiPost('/api/requests/' + r.id + '/withdraw', { expected_version: r.version });
                  return t('req_withdrawn');
                }),
            },
            t('req_withdraw'),
          )
          : ''),
      form(),
    );
    showNote();
  }

  draw();
  load();
  return { el, relabel: draw };
}

/**
 * The requests and timetable sections under a home page's "my meetings" (below, so that as
 * they load they never move what the day of the fair needs), made once per page and kept
 * across its remounts; redrawn only when the language changed (a redraw would lose the
 * focus of someone typing a reason). Returns homePage()'s `bottom`.
 */
export function bottomSections(side) {
  return (root, page) => {
    if (!page.prepSections) page.prepSections = { lang: lang(), list: [requestsSection(side), timetableSection(side, page.reminders)] };
    const ps = page.prepSections;
    if (ps.lang !== lang()) {
      ps.lang = lang();
      for (const s of ps.list) s.relabel();
    }
    root.append(...ps.list.map((s) => s.el));
  };
}
