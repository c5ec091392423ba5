// "내 시간표 / My timetable" on the buyer's and the vendor's home pages: the published
// timetable with KST times and the other side, what changed since the participant last
// marked it seen (highlighted), "mark as seen", and the .ics download (fetched with the
// token; a plain link could not carry it). The meeting reminders' controls sit here too,
// and the published meetings feed them.
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, apiPost, download } from '../api.js';
import { fmtDate, fmtTime } from '../format.js';
import { S } from '../state.js';
import { describeChange, changedMeetings, sortChanges } from '../prep_view.js';
import { fromTimetable } from '../reminders.js';

/**
 * The section for `side` ('buyer' | 'vendor'): `{el}`, loaded at once. `reminders` (the
 * home page's reminderPanel, optional) gets the published meetings and shows its controls
 * at the end.
 */
export function timetableSection(side, reminders) {
  const st = { data: null, error: null };
  const el = h('section', { class: 'card', id: 'timetable', 'aria-labelledby': 'tt-title' });
  const line = h('p', { class: 'prep-status', id: 'tt-status', role: 'status', 'aria-live': 'polite' });

  async function load() {
    try {
      st.data = await api('/api/timetable');
      st.error = null;
      if (reminders) reminders.setMeetings('timetable', fromTimetable(st.data.meetings, side));
    } catch (e) {
      st.error = e;
    }
    draw();
  }

  function say(text, kind) {
    line.textContent = text;
    line.className = 'prep-status ' + kind;
  }

  function draw() {
    const head = h('div', { class: 'card-head' }, h('h2', { id: 'tt-title' }, t('tt_title')));
    if (!st.data) {
      const why = st.error ? (st.error.code === 'unknown_participant' ? t('req_not_registered') : errText(st.error.code)) : t('loading');
      el.replaceChildren(head, h('p', { class: st.error ? 'muted' : 'loading', role: 'status' }, why), ...tail());
      return;
    }
    const d = st.data;
    if (!d.publication) {
      el.replaceChildren(head, h('p', { class: 'empty', id: 'tt-none' }, t('tt_none')), ...tail());
      return;
    }
    const p = d.publication;
    const meetings = [...(d.meetings || [])].sort((a, b) => a.starts_at - b.starts_at);
    const changes = sortChanges(d.changes);
    const fresh = changedMeetings(changes);
    const movedTo = new Map(changes.filter((c) => c.change === 'moved').map((c) => [c.now.meeting, c]));
    const unseen = (d.seen || 0) < p.number;
    const seenBtn = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        id: 'tt-seen',
        disabled: !unseen,
        async onclick(ev) {
          const b = ev.currentTarget;
          b.disabled = true;
          try {
            await apiPost('/api/timetable/seen', { number: p.number });
            await load();
            say(t('tt_seen_done', { n: p.number }), 'ok');
          } catch (e) {
            b.disabled = false;
            say(errText(e.code), 'error');
          }
        },
      },
      t('tt_seen'),
    );
    const ics = h(
      'button',
      {
        type: 'button',
        class: 'btn primary',
        id: 'tt-ics',
        async onclick(ev) {
          const b = ev.currentTarget;
          b.disabled = true;
          try {
            await download('/api/timetable.ics', 'sangdam-' + S.me.participant.id + '.ics');
            say(t('tt_ics_done'), 'ok');
          } catch (e) {
            say(t('dl_failed', { msg: errText(e.code) }), 'error');
          } finally {
            b.disabled = false;
          }
        },
      },
      t('tt_ics'),
    );
    const otherKey = side === 'buyer' ? 'enterprise_name' : 'institution_name';
    const rows = meetings.map((m) => {
      const isNew = fresh.has(m.meeting);
      const mark = isNew ? h('span', { class: 'tag changed' }, t(movedTo.has(m.meeting) ? 'tt_tag_moved' : 'tt_tag_added')) : null;
      return h(
        'tr',
        { class: isNew ? 'is-changed' : null, dataset: { meeting: m.meeting } },
        h('td', null, h('span', { class: 'round' }, t('round_n', { n: m.round_number })), h('span', { class: 'sub' }, m.theme || '')),
        h('td', { class: 'nowrap' }, fmtDate(m.starts_at) + ' ' + fmtTime(m.starts_at) + '–' + fmtTime(m.ends_at)),
        h('td', null, m[otherKey], side === 'vendor' && m.booth ? h('span', { class: 'sub' }, t('prep_booth_n', { n: m.booth + 1 })) : null),
        h('td', null, mark),
      );
    });
    el.replaceChildren(
      head,
      h('p', { id: 'tt-publication' }, t('tt_publication', { n: p.number, kind: t('prep_pub_' + p.kind), at: fmtDate(p.at) + ' ' + fmtTime(p.at) }), ' ', h('span', { class: 'muted' }, t('tt_count', { n: meetings.length }))),
      changes.length && unseen
        ? h(
          'div',
          { class: 'tt-changes', role: 'region', 'aria-label': t('tt_changes_label') },
          h('h3', null, t('tt_changes', { n: changes.length })),
          h('ul', { id: 'tt-change-list' }, changes.map((c) => {
            const x = describeChange(c, meetings, side);
            const when = x.found ? ' — ' + fmtDate(x.found.starts_at) + ' ' + fmtTime(x.found.starts_at) : '';
            return h('li', { dataset: { change: c.change } }, t(x.key, x.vars) + when);
          })),
        )
        : null,
      meetings.length
        ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data', id: 'tt-meetings' },
            h('caption', { class: 'sr-only' }, t('tt_caption')),
            h('thead', null, h('tr', null, ['col_round', 'col_datetime', side === 'buyer' ? 'col_enterprise' : 'col_institution', 'tt_col_change'].map((k) => h('th', { scope: 'col' }, t(k))))),
            h('tbody', null, rows),
          ),
        )
        : h('p', { class: 'empty' }, t('tt_empty')),
      h('div', { class: 'actions' }, seenBtn, ics),
      line,
      ...tail(),
    );
  }

  /** The reminders' controls, drawn in the current language (they hide themselves when the server has none); a list, since replaceChildren would print a null. */
  function tail() {
    if (!reminders) return [];
    reminders.draw();
    return [reminders.controls];
  }

  draw();
  load();
  return { el, relabel: draw };
}
