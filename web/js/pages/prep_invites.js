// Staff's invitation links in bulk (a card on the preparation tab): every participant's
// personal link as a CSV or Excel sheet for mail merge, all roles or one, one link per
// person or one per meeting. Fetched with the staff token and saved as a file.
import { h, toast } from '../dom.js';
import { t, errText } from '../i18n/index.js';
import { download } from '../api.js';

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
  );
}
