// The moderator's actions on one room, in a dialog opened from the board's row: extend or
// shorten by 1, 5 or 10 minutes (sending the end the dialog shows as `expect_ends_at`, so
// two moderators clicking at once act once), end now (after a confirmation), mark a
// no-show (buyer, vendor or both, with a note) or clear it. Each click sends a fresh
// request id. The dialog follows the board live (the end and phase it shows change under
// the moderator's eyes) without redrawing its controls; refusals are shown in it with the
// code's own text (extend_blocked names the next meeting and the latest end it allows).
import { h, setText } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { fmtRange, fmtTime } from '../format.js';
import { moderateRoom } from '../api.js';
import { sideText } from '../board_text.js';
import { updateBadge, phaseBadge } from './common.js';

const STEPS = [1, 5, 10];

/**
 * The dialog. `roomOf(id)` is the board's room now (or null); `onDone(answer)` is told of
 * an accepted action. open(room) shows it for a room; refresh() after each board change.
 */
export function actionsDialog({ roomOf, onDone = () => {} }) {
  const dlg = h('dialog', { class: 'actions-dialog', 'aria-labelledby': 'act-title' });
  let current = null; // meeting id
  let shownEnd = null; // the window.ends_at the dialog shows: what `expect_ends_at` says
  let busy = false;
  const ui = {};
  // Escape (or the form's own close) closes the dialog: it no longer follows a room.
  dlg.addEventListener('close', () => {
    current = null;
  });

  function result(kind, text) {
    ui.result.className = 'act-result ' + kind;
    setText(ui.result, text);
    ui.result.hidden = !text;
  }

  async function send(body, doneText) {
    if (!current || busy) return;
    busy = true;
    setBusy(true);
    result('info', t('mb_sending'));
    try {
      const answer = await moderateRoom(current, body);
      result('ok', answer && answer.changed === false ? t('mb_unchanged') : doneText(answer));
      onDone(answer);
    } catch (e) {
      const code = e.code || 'unknown';
      result('error', errText(code) + (e.message ? ' — ' + e.message : '') + ' (' + code + ')');
    } finally {
      busy = false;
      setBusy(false);
      refresh();
    }
  }

  function setBusy(on) {
    for (const b of dlg.querySelectorAll('button[data-act]')) b.disabled = on || b.dataset.off === 'true';
  }

  const endText = (answer) => t('mb_end_now_at', { time: fmtTime(answer && answer.window ? answer.window.ends_at : shownEnd) });

  function move(verb, minutes) {
    send({ action: verb, minutes, expect_ends_at: shownEnd }, (answer) => t(verb === 'extend' ? 'mb_extended' : 'mb_shortened', { n: minutes }) + ' ' + endText(answer));
  }

  function endNow() {
    const r = roomOf(current);
    if (!r) return;
    if (!window.confirm(t('mb_end_confirm', { a: r.meeting.institution.name, b: r.meeting.enterprise.name }))) return;
    send({ action: 'end', ...note() }, () => t('mb_ended'));
  }

  function note() {
    const text = ui.note.value.trim();
    return text ? { note: text } : {};
  }

  function stepButtons(verb) {
    return STEPS.map((n) => h('button', { type: 'button', class: 'btn small', dataset: { act: verb + ':' + n }, 'aria-label': t('mb_' + verb + '_aria', { n }), onclick: () => move(verb, n) }, (verb === 'extend' ? '+' : '−') + t('mb_minutes', { n })));
  }

  function build() {
    ui.title = h('h2', { id: 'act-title', tabindex: '-1' });
    ui.meta = h('p', { class: 'muted' });
    ui.phase = phaseBadge('scheduled');
    ui.end = h('p', { class: 'act-end' });
    ui.result = h('p', { class: 'act-result', role: 'alert', hidden: true });
    ui.note = h('textarea', { id: 'act-note', rows: '2', maxlength: '500' });
    const radios = ['vendor', 'buyer', 'both'].map((side) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'act-absent', value: side, checked: side === 'vendor' }), ' ', sideText(side)));
    ui.radios = radios;
    dlg.append(
      h(
        'form',
        { method: 'dialog', class: 'act-form', onsubmit: (ev) => ev.preventDefault() },
        h('div', { class: 'card-head' }, ui.title, h('button', { type: 'button', class: 'btn ghost small', onclick: close }, t('mb_close'))),
        ui.meta,
        h('p', null, ui.phase),
        ui.end,
        h('fieldset', null, h('legend', null, t('mb_extend')), stepButtons('extend')),
        h('fieldset', null, h('legend', null, t('mb_shorten')), stepButtons('shorten')),
        h('div', { class: 'field' }, h('label', { for: 'act-note' }, t('mb_note')), ui.note),
        h(
          'fieldset',
          null,
          h('legend', null, t('mb_no_show')),
          h('div', { class: 'radios' }, radios),
          h('button', { type: 'button', class: 'btn small', dataset: { act: 'mark' }, onclick: () => send({ action: 'mark_no_show', absent: dlg.querySelector('input[name=act-absent]:checked').value, ...note() }, () => t('mb_marked_done')) }, t('mb_mark')),
          ' ',
          h('button', { type: 'button', class: 'btn small', dataset: { act: 'clear' }, onclick: () => send({ action: 'clear_no_show', ...note() }, () => t('mb_cleared')) }, t('mb_clear')),
        ),
        h('fieldset', null, h('legend', null, t('mb_end')), h('button', { type: 'button', class: 'btn danger small', dataset: { act: 'end' }, onclick: endNow }, t('mb_end_now'))),
        ui.result,
      ),
    );
  }

  /** Shows the room's live state; the controls stay as they are. */
  function refresh() {
    if (!current || !ui.title) return;
    const r = roomOf(current);
    if (!r) {
      setText(ui.end, t('mb_room_gone'));
      return;
    }
    const m = r.meeting;
    setText(ui.title, m.institution.name + ' × ' + m.enterprise.name);
    setText(ui.meta, t('round_n', { n: m.round }) + ' · ' + fmtRange(m) + ' · ' + m.id);
    updateBadge(ui.phase, r.phase);
    shownEnd = r.window.ends_at;
    setText(ui.end, t('mb_ends_at', { time: fmtTime(r.window.ends_at) }) + (r.no_show ? ' · ' + t('mb_att_no_show', { side: sideText(r.no_show) }) : ''));
    const closed = r.phase === 'closed';
    const beforeStart = r.phase === 'scheduled' || r.phase === 'check-in';
    for (const b of dlg.querySelectorAll('button[data-act]')) {
      const act = b.dataset.act;
      const off = closed || (beforeStart && (act === 'mark' || act === 'clear')) || (act === 'clear' && !r.no_show);
      b.dataset.off = off ? 'true' : 'false';
      b.disabled = busy || off;
    }
  }

  function close() {
    current = null;
    if (dlg.open) dlg.close();
  }

  return {
    el: dlg,
    open(room) {
      if (!ui.title) build();
      const changed = current !== room.meeting.id;
      current = room.meeting.id;
      if (changed) {
        ui.note.value = '';
        result('', '');
      }
      refresh();
      if (!dlg.open) {
        if (dlg.showModal) dlg.showModal();
        else dlg.setAttribute('open', '');
      }
      ui.title.focus();
    },
    refresh,
    close,
    isOpen: () => !!current,
  };
}
