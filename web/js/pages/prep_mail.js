// Staff's mail card on the preparation tab: send the invitations (everyone or one role),
// watch them go (sent, to send, failed with the mail server's answer) and send failed ones
// again. Polls GET /api/mail every 2 s while mail is on its way, every 15 s otherwise.
import { h, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { api, apiPost } from '../api.js';
import { KINDS, summarize, doneShare, pollDelay } from '../mail_view.js';

const ROLES = ['', 'buyer', 'vendor', 'moderator', 'staff'];

export function mailSection() {
  const body = h('div', { id: 'mail-body' });
  const status = h('p', { id: 'mail-status', role: 'status', 'aria-live': 'polite' });
  const section = h(
    'section',
    { class: 'card', id: 'mail-card', 'aria-labelledby': 'mail-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'mail-title' }, t('mail_title'))),
    h('p', { class: 'muted' }, t('mail_help')),
    status,
    body,
  );
  let timer = 0;
  let lastLine = '';
  const refresh = async () => {
    clearTimeout(timer);
    if (!section.isConnected && timer) return; // the tab was left
    let p;
    try {
      p = await api('/api/mail');
    } catch (e) {
      status.textContent = errText(e.code);
      timer = setTimeout(refresh, 15000);
      return;
    }
    const s = summarize(p);
    draw(body, p, s, refresh);
    // Announced only when it changes, not every poll.
    const line = KINDS.filter((k) => s.kinds[k].total > 0)
      .map((k) => t('mail_progress', { kind: t('mail_kind_' + k), ...s.kinds[k] }))
      .join(' / ');
    if (line !== lastLine) status.textContent = line;
    lastLine = line;
    timer = setTimeout(refresh, pollDelay(s));
  };
  refresh();
  return section;
}

function draw(body, p, s, refresh) {
  body.replaceChildren();
  if (!p.enabled) {
    body.append(h('p', { class: 'notice' }, t('mail_off')));
  } else {
    const role = h(
      'select',
      { id: 'mail-role' },
      ROLES.map((r) => h('option', { value: r }, r ? t('role_' + r) : t('filter_all'))),
    );
    const send = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        id: 'mail-send',
        async onclick(ev) {
          if (!window.confirm(t('mail_confirm'))) return;
          const b = ev.currentTarget;
          b.disabled = true;
          try {
            const r = await apiPost('/api/mail/invitations', role.value ? { role: role.value } : {});
            toast(t('mail_queued', { queued: r.queued, already: r.already, none: r.no_address.length }));
            refresh();
          } catch (e) {
            toast(errText(e.code), 'error');
          } finally {
            b.disabled = false;
          }
        },
      },
      t('mail_send'),
    );
    body.append(
      h('div', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'mail-role' }, t('inv_role')), role)),
      h('div', { class: 'actions' }, send),
    );
  }
  const rows = KINDS.filter((k) => s.kinds[k].total > 0).map((k) => {
    const c = s.kinds[k];
    return h(
      'tr',
      { 'data-kind': k },
      h('th', { scope: 'row' }, t('mail_kind_' + k)),
      h('td', { class: 'num' }, String(c.sent)),
      h('td', { class: 'num' }, String(c.pending)),
      h('td', { class: 'num' }, String(c.failed)),
      h('td', { class: 'num' }, String(c.dropped)),
      h('td', {}, h('progress', { max: '1', value: String(doneShare(c)), 'aria-label': t('mail_kind_' + k) })),
    );
  });
  if (rows.length) {
    body.append(
      h(
        'table',
        { class: 'table', id: 'mail-counts' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, t('mail_kind')), ...['mail_sent', 'mail_pending', 'mail_failed', 'mail_dropped'].map((k) => h('th', {}, t(k))), h('th', {}, '')),
        ),
        h('tbody', {}, rows),
      ),
    );
  }
  const failed = p.failures || [];
  body.append(h('h3', {}, t('mail_failures')));
  if (!failed.length) {
    body.append(h('p', { class: 'muted' }, t('mail_none_failed')));
    return;
  }
  body.append(
    h(
      'table',
      { class: 'table', id: 'mail-failures' },
      h('thead', {}, h('tr', {}, ...['mail_who', 'mail_kind', 'mail_tries', 'mail_reason'].map((k) => h('th', {}, t(k))))),
      h(
        'tbody',
        {},
        failed.map((f) =>
          h(
            'tr',
            {},
            h('td', {}, f.participant),
            h('td', {}, t('mail_kind_' + f.kind)),
            h('td', { class: 'num' }, String(f.attempts)),
            h('td', { class: 'reason' }, f.error || ''),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn small',
          id: 'mail-retry',
          async onclick(ev) {
            const b = ev.currentTarget;
            b.disabled = true;
            try {
              const r = await apiPost('/api/mail/retry', {});
              toast(t('mail_retried', { n: r.requeued }));
              refresh();
            } catch (e) {
              toast(errText(e.code), 'error');
            } finally {
              b.disabled = false;
            }
          },
        },
        t('mail_retry'),
      ),
    ),
  );
}
