// The landing page (no invite: what this is, how it works, paste an invite link) and the
// loading page shown while /api/me answers.
import { h, setText } from '../dom.js';
import { t } from '../i18n/index.js';
import { go } from '../nav.js';

export function loadingPage() {
  return {
    name: 'loading',
    mount(root) {
      root.append(h('p', { class: 'loading', role: 'status' }, t('loading')));
    },
  };
}

export function landingPage() {
  return {
    name: 'landing',
    mount(root) {
      const input = h('input', {
        id: 'invite-input',
        type: 'url',
        inputmode: 'url',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: t('landing_paste_ph'),
        'aria-describedby': 'invite-hint',
      });
      const hint = h('p', { id: 'invite-hint', class: 'hint', role: 'status' });
      const form = h(
        'form',
        {
          class: 'paste',
          onsubmit(ev) {
            ev.preventDefault();
            const v = input.value.trim();
            const m = v.match(/token=([A-Za-z0-9._~-]+)/) || v.match(/^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/);
            if (!m) {
              setText(hint, t('landing_paste_bad'));
              return;
            }
            go('token=' + m[1]);
          },
        },
        h('label', { for: 'invite-input' }, t('landing_paste_label')),
        h('div', { class: 'paste-row' }, input, h('button', { type: 'submit', class: 'btn primary' }, t('landing_paste_btn'))),
        hint,
      );
      const step = (n) =>
        h('li', { class: 'step' }, h('span', { class: 'step-n', 'aria-hidden': 'true' }, String(n)), h('div', null, h('h3', null, t(`landing_step${n}_t`)), h('p', null, t(`landing_step${n}`))));
      root.append(
        h(
          'section',
          { class: 'hero', 'aria-labelledby': 'landing-title' },
          h('p', { class: 'eyebrow' }, t('app_sub')),
          h('h1', { id: 'landing-title' }, t('landing_title')),
          h('p', { class: 'lead' }, t('landing_lead')),
        ),
        h(
          'section',
          { class: 'cards two', 'aria-label': t('landing_who') },
          h('article', { class: 'card' }, h('h2', null, t('landing_buyer_t')), h('p', null, t('landing_buyer'))),
          h('article', { class: 'card' }, h('h2', null, t('landing_vendor_t')), h('p', null, t('landing_vendor'))),
        ),
        h('section', { class: 'card', 'aria-labelledby': 'how-title' }, h('h2', { id: 'how-title' }, t('landing_how')), h('ol', { class: 'steps' }, step(1), step(2), step(3)), h('p', { class: 'muted' }, t('landing_need'))),
        h('section', { class: 'card' }, form, h('p', { class: 'muted' }, t('landing_noinvite'))),
      );
    },
  };
}
