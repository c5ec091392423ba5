// The error page: what went wrong in people's words, the code, and a way out (retry, or
// use another invite link when the token is the problem).
import { h } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { S } from '../state.js';
import { route } from '../nav.js';
import { signOut } from '../session.js';

export function errorPage(e) {
  const code = (e && e.code) || 'unknown';
  const message = (e && e.message) || '';
  S.lastError = { code, message, fatal: true };
  return {
    name: 'error',
    mount(root) {
      document.body.dataset.error = code;
      const tokenProblem = ['token_invalid', 'token_expired', 'token_revoked', 'unknown_participant', 'token_wrong_meeting'].includes(code);
      root.append(
        h(
          'section',
          { class: 'card error-card', role: 'alert', 'aria-labelledby': 'err-title' },
          h('h1', { id: 'err-title' }, t('error_title')),
          h('p', { class: 'error-main' }, errText(code)),
          h('p', { class: 'error-code' }, t('error_code') + ': ', h('code', null, code)),
          message ? h('p', { class: 'error-detail muted' }, t('error_detail') + ': ' + message) : null,
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'btn primary', onclick: () => route() }, t('retry')),
            tokenProblem ? h('button', { type: 'button', class: 'btn', onclick: signOut }, t('use_other_link')) : null,
          ),
        ),
      );
    },
  };
}
