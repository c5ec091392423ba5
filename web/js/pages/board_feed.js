// The moderators' board's activity feed (every moderator's actions in the fair, newest
// first, as they happen; new entries are added at the top, never the whole list redrawn,
// so a screen reader hears each once) and the announcement form (text, to everyone, one
// round or one room).
import { h, setText } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { fmtClock } from '../format.js';
import { announce } from '../api.js';
import { actionText } from '../board_text.js';

const entryKey = (e) => [e.at, e.moderator, e.action, e.meeting || '', e.booth || '', e.vendor || ''].join('|');

/** The feed: `update(model)` adds what is new (the model keeps the newest last). */
export function activityFeed() {
  const ol = h('ol', { class: 'activity', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const empty = h('p', { class: 'empty' }, t('mb_activity_none'));
  const seen = new Set();
  const el = h('section', { class: 'card', 'aria-labelledby': 'mb-act-title' }, h('div', { class: 'card-head' }, h('h2', { id: 'mb-act-title' }, t('mb_activity'))), empty, ol);
  function item(e, model) {
    const booths = Object.fromEntries(model.booths.map((b) => [b.institution.id, b.institution.name]));
    // A move names its booth in the action already; other lobby actions name it here.
    const where = e.meeting || (e.booth && !String(e.action).startsWith('move:') ? booths[e.booth] || e.booth : '');
    return h(
      'li',
      { class: 'act-entry', dataset: { action: e.action } },
      h('time', { class: 'mono', datetime: new Date(e.at).toISOString() }, fmtClock(e.at)),
      ' ',
      h('strong', null, e.name || e.moderator),
      ' · ',
      actionText(e.action, booths),
      where ? [' · ', h('span', { class: 'mono' }, where)] : null,
      e.note ? h('span', { class: 'sub' }, '“' + e.note + '”') : null,
    );
  }
  return {
    el,
    update(model) {
      for (const e of model.activity) {
        const k = entryKey(e);
        if (seen.has(k)) continue;
        seen.add(k);
        ol.prepend(item(e, model));
      }
      while (ol.children.length > 200) ol.lastElementChild.remove();
      empty.hidden = ol.children.length > 0;
    },
    /** Draws every entry again (a new language). */
    reset() {
      seen.clear();
      ol.replaceChildren();
    },
  };
}

/** The announcement form. `ctx`: {model()} for the rounds and rooms to address. */
export function announceForm(ctx) {
  const text = h('textarea', { id: 'ann-text', rows: '3', maxlength: '500', required: true });
  const to = h('select', { id: 'ann-to' });
  const room = h('select', { id: 'ann-room' });
  const roomField = h('div', { class: 'field grow', hidden: true }, h('label', { for: 'ann-room' }, t('mb_ann_room')), room);
  const status = h('p', { class: 'act-result', role: 'status', hidden: true });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, t('mb_ann_send'));
  let sig = '';

  function say(kind, s) {
    status.className = 'act-result ' + kind;
    setText(status, s);
    status.hidden = !s;
  }

  async function submit(ev) {
    ev.preventDefault();
    const body = { text: text.value.trim() };
    if (!body.text) {
      say('error', t('mb_ann_empty'));
      text.focus();
      return;
    }
    if (to.value === 'all') body.to = 'all';
    else if (to.value === 'meeting') Object.assign(body, { to: 'meeting', meeting: room.value });
    else Object.assign(body, { to: 'round', round: Number(to.value.slice(6)) });
    btn.disabled = true;
    say('info', t('mb_sending'));
    try {
      await announce(body);
      say('ok', t('mb_ann_sent'));
      text.value = '';
    } catch (e) {
      const code = e.code || 'unknown';
      say('error', errText(code) + (e.message ? ' — ' + e.message : '') + ' (' + code + ')');
    } finally {
      btn.disabled = false;
    }
  }

  to.addEventListener('change', () => {
    roomField.hidden = to.value !== 'meeting';
  });

  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'mb-ann-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'mb-ann-title' }, t('mb_ann_title'))),
    h(
      'form',
      { class: 'announce-form', onsubmit: submit },
      h('div', { class: 'field' }, h('label', { for: 'ann-text' }, t('mb_ann_text')), text),
      h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'ann-to' }, t('mb_ann_to')), to), roomField, btn),
      status,
    ),
  );
  return {
    el,
    /** The audience choices follow the board's rounds and rooms (kept if unchanged). */
    update() {
      const model = ctx.model();
      const next = JSON.stringify([model.round, model.rounds.map((r) => r.number), model.rooms.map((r) => r.meeting.id)]);
      if (next === sig) return;
      sig = next;
      const keepTo = to.value;
      const keepRoom = room.value;
      to.replaceChildren(
        h('option', { value: 'all' }, t('mb_ann_all')),
        ...model.rounds.map((r) => h('option', { value: 'round:' + r.number }, t('round_n', { n: r.number }) + ' · ' + r.theme)),
        h('option', { value: 'meeting' }, t('mb_ann_one_room')),
      );
      room.replaceChildren(...model.rooms.map((r) => h('option', { value: r.meeting.id }, r.meeting.institution.name + ' × ' + r.meeting.enterprise.name + ' (' + r.meeting.id + ')')));
      if ([...to.options].some((o) => o.value === keepTo)) to.value = keepTo;
      if ([...room.options].some((o) => o.value === keepRoom)) room.value = keepRoom;
      roomField.hidden = to.value !== 'meeting';
    },
  };
}
