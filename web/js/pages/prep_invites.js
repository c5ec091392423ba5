// Staff's invitation links in bulk (a card on the preparation tab): every participant's
// personal link as a CSV or Excel sheet for mail merge, all roles or one, one link per
// person or one per meeting. Fetched with the staff token and saved as a file. Below, one
// participant's link revoked (on every server) and replaced by a fresh one to send.
import { h, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { download, apiPost } from '../api.js';
import { revokeRequest } from '../prep_view.js';

const ROLES = ['', 'buyer', 'vendor', 'moderator', 'staff'];

export function invitesSection() {
  const role = h(
    'select',
    { id: 'inv-role' },
    ROLES.map((r) => h('option', { value: r }, r ? t('role_' + r) : t('filter_all'))),
  );
  const scoped = h('input', { id: 'inv-scoped', type: 'checkbox' });
  const query = () => {
    const q = new URLSearchParams();
    if (role.value) q.set('role', role.value);
    if (scoped.checked) q.set('scoped', 'true');
    return q.toString();
  };
  const dl = (ext) =>
    h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        id: 'inv-dl-' + ext,
        async onclick(ev) {
          const b = ev.currentTarget;
          b.disabled = true;
          try {
            await download('/api/invites.' + ext + '?' + query(), 'sangdam-invites.' + ext);
          } catch (e) {
            toast(t('dl_failed', { msg: errText(e.code) }), 'error');
          } finally {
            b.disabled = false;
          }
        },
      },
      t('dl_' + ext),
    );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'inv-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'inv-title' }, t('inv_title'))),
    h('p', { class: 'muted' }, t('inv_help')),
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'inv-role' }, t('inv_role')), role),
      h('div', { class: 'field' }, h('label', { for: 'inv-scoped' }, scoped, ' ', t('inv_scoped'))),
    ),
    h('div', { class: 'actions' }, dl('csv'), dl('xlsx')),
    revokeForm(),
  );
}

/** Participant id → confirm → POST /api/participants/{id}/revoke → the new link (with a
 * copy button) and the participant's link generation. */
function revokeForm() {
  const input = h('input', { id: 'inv-revoke-id', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'p-v-e001' });
  const mail = h('input', { id: 'inv-revoke-mail', type: 'checkbox' });
  const result = h('div', { id: 'inv-revoke-result', role: 'status', 'aria-live': 'polite' });
  const show = (...kids) => result.replaceChildren(...kids);
  const done = (body) => {
    const link = h('input', { id: 'inv-revoke-link', type: 'text', readonly: true, class: 'mono', value: body.link });
    const copy = h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        id: 'inv-revoke-copy',
        async onclick() {
          try {
            await navigator.clipboard.writeText(body.link);
            toast(t('inv_copied'), 'info');
          } catch (_) {
            // Without clipboard access (an insecure origin), the link is left selected.
            link.select();
            toast(t('inv_copy_failed'), 'error');
          }
        },
      },
      t('inv_copy'),
    );
    show(
      h('p', { id: 'inv-revoke-done', dataset: { generation: String(body.generation) } }, t('inv_revoke_done', { id: body.participant, n: body.generation })),
      ...(body.mailed ? [h('p', { id: 'inv-revoke-mailed' }, t('inv_revoke_mailed'))] : []),
      h('div', { class: 'filters' }, h('div', { class: 'field grow' }, link), copy),
    );
  };
  const button = h(
    'button',
    {
      type: 'button',
      class: 'btn small danger',
      id: 'inv-revoke',
      async onclick(ev) {
        const req = revokeRequest(input.value);
        if (req.error) {
          show(h('p', { class: 'act-result error' }, t('inv_revoke_' + req.error)));
          return;
        }
        if (!window.confirm(t('inv_revoke_confirm', { id: req.id }))) return;
        const b = ev.currentTarget;
        b.disabled = true;
        try {
          done(await apiPost(req.path + (mail.checked ? '?mail=true' : '')));
        } catch (e) {
          show(h('p', { class: 'act-result error' }, t('inv_revoke_failed', { msg: errText(e.code) })));
        } finally {
          b.disabled = false;
        }
      },
    },
    t('inv_revoke_btn'),
  );
  return h(
    'div',
    { class: 'inv-revoke' },
    h('h3', { id: 'inv-revoke-title' }, t('inv_revoke_title')),
    h('p', { class: 'muted' }, t('inv_revoke_help')),
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'inv-revoke-id' }, t('inv_revoke_id')), input),
      h('div', { class: 'field' }, h('label', { for: 'inv-revoke-mail' }, mail, ' ', t('inv_revoke_mail'))),
      button,
    ),
    result,
  );
}
