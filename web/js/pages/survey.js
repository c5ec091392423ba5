// The satisfaction survey about one meeting, for its buyer or vendor (#survey=<id>),
// open once the room closed: the side's question, a 1–5 rating and what followed.
import { h, setText, toast } from '../dom.js';
import { t, errText, lang } from '../i18n/index.js';
import { api, apiPost } from '../api.js';
import { fmtRange, fmtTime } from '../format.js';
import { S } from '../state.js';
import { go, remount } from '../nav.js';
import { orgCell } from './common.js';

export function surveyPage(meetingId) {
  const page = {
    name: 'survey',
    data: null,
    error: null,
    sent: false,
    mount(root) {
      const section = h('section', { class: 'card survey', 'aria-labelledby': 'survey-title' });
      root.append(section);
      section.append(h('div', { class: 'card-head' }, h('h1', { id: 'survey-title' }, t('survey_title'))));
      const back = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => go('') }, t('back')));
      if (!page.data) {
        section.append(h('p', { class: page.error ? 'warn-text' : 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')), back);
        return;
      }
      const d = page.data;
      const other = d.side === 'buyer' ? d.meeting.enterprise : d.meeting.institution;
      section.append(h('p', { class: 'muted' }, t('round_n', { n: d.meeting.round }), ' · ', fmtRange(d.meeting, true), ' · ', orgCell(other)));
      if (d.answered) {
        section.setAttribute('data-answered', 'true');
        section.append(h('p', { class: 'big-note', role: 'status' }, t('survey_thanks')), back);
        return;
      }
      if (!d.open) {
        section.append(h('p', { class: 'big-note' }, t('survey_not_open', { time: fmtTime(d.opens_at) })), back);
        return;
      }
      const msg = h('p', { class: 'warn-text', role: 'alert', hidden: true });
      const radios = (name, items) =>
        h(
          'div',
          { class: 'choices' },
          items.map(([value, label]) => h('label', { class: 'choice' }, h('input', { type: 'radio', name, value, required: true }), h('span', null, label))),
        );
      const q = d.question;
      const form = h(
        'form',
        {
          class: 'survey-form',
          async onsubmit(ev) {
            ev.preventDefault();
            const fd = new FormData(form);
            const valued = fd.get('valued');
            const rating = fd.get('rating');
            const outcome = fd.get('outcome');
            if (!valued || !rating || !outcome) {
              msg.hidden = false;
              setText(msg, t('survey_missing'));
              return;
            }
            const submit = form.querySelector('button[type=submit]');
            submit.disabled = true;
            try {
              await apiPost('/api/survey/' + encodeURIComponent(meetingId), { valued, rating: Number(rating), outcome, comment: String(fd.get('comment') || '') });
              page.data.answered = true;
              toast(t('survey_thanks'), 'info');
              remount();
            } catch (e) {
              submit.disabled = false;
              msg.hidden = false;
              setText(msg, errText(e.code) + (e.message ? ' (' + e.message + ')' : ''));
              if (e.code === 'already_answered') {
                page.data.answered = true;
                remount();
              }
            }
          },
        },
        h('fieldset', null, h('legend', null, lang() === 'en' && q.text_en ? q.text_en : q.text), radios('valued', q.options.map((o) => [o.id, lang() === 'en' && o.label_en ? o.label_en : o.label]))),
        h('fieldset', null, h('legend', null, t('survey_rating')), radios('rating', [5, 4, 3, 2, 1].map((n) => [String(n), n + ' · ' + t('rating_' + n)]))),
        h('fieldset', null, h('legend', null, t('survey_outcome')), radios('outcome', d.outcomes.map((o) => [o.code, lang() === 'en' ? o.label_en : o.label]))),
        h('label', { class: 'field' }, h('span', null, t('survey_comment')), h('textarea', { name: 'comment', rows: '3', maxlength: '1000' })),
        msg,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('survey_submit')), h('button', { type: 'button', class: 'btn', onclick: () => go('') }, t('back'))),
      );
      section.append(h('p', null, t('survey_intro', { name: other.name })), form);
    },
    async load() {
      try {
        page.data = await api('/api/survey/' + encodeURIComponent(meetingId));
        page.error = null;
      } catch (e) {
        page.error = { code: e.code || 'unknown', message: e.message || '' };
      }
      if (S.page === page) remount();
    },
  };
  page.load();
  return page;
}
