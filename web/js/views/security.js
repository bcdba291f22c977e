// #/security: the account's own credentials. Change the password (every other session ends),
// the signed-in sessions (this one marked; Revoke; "Sign out everywhere else"), and deleting
// the account (its address typed, and the password).

import { get, post, del, seg } from '../api.js';
import { h, clear, field, formError, busy, toast, icon, confirmDialog } from '../dom.js';
import { timeEl } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { onSubmit } from '../ui/form.js';
import { tableHost, dataTable, td, actionsCell, muted, emptyState } from '../ui/table.js';

function passwordInput(name, autocomplete) {
  return h('input', { type: 'password', name, autocomplete, required: true });
}

function passwordCard(onChanged) {
  const current = passwordInput('current_password', 'current-password');
  const next = passwordInput('new_password', 'new-password');
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  const form = h('form', { novalidate: true, class: 'settings-form', 'data-form': 'password' },
    formError(),
    field({ label: 'Current password', control: current, required: true }),
    field({ label: 'New password', control: next, required: true, hint: 'At least 8 characters.' }),
    h('div', { class: 'actions actions-start' }, save));
  onSubmit(form, async () => {
    await busy(save, () => post('/api/account/password', {
      current_password: current.value, new_password: next.value,
    }));
    current.value = '';
    next.value = '';
    toast('Your password is changed. Every other session is signed out.');
    await onChanged();
  });
  return card({
    id: 'password-title',
    title: 'Password',
    sub: 'Changing it signs out every other session, and we mail you a notice.',
  }, h('div', { class: 'card-body' }, form));
}

function sessionRow(s, onChanged) {
  const revoke = s.current ? null : h('button', { type: 'button', class: 'btn btn-sm btn-ghost-danger' }, 'Revoke');
  if (revoke) {
    revoke.addEventListener('click', async () => {
      try {
        await busy(revoke, () => del(`/api/sessions/${seg(s.id)}`));
        toast('The session is signed out.');
        await onChanged();
      } catch (err) {
        toast(err.message, { error: true });
      }
    });
  }
  return h('tr', { 'data-session-id': s.id, class: s.current ? 'is-current' : null },
    td('Browser', h('div', { class: 'cell-name' },
      s.user_agent ? h('span', {}, s.user_agent) : muted('Unknown browser'),
      s.current ? h('span', { class: 'badge badge-active' }, 'This session') : null), 'cell-primary'),
    td('IP address', s.ip ? h('span', { class: 'mono' }, s.ip) : muted()),
    td('Signed in', timeEl(s.created_at, { stacked: true })),
    td('Last active', timeEl(s.last_seen_at, { stacked: true })),
    revoke ? actionsCell(revoke) : td('Actions', muted(''), 'col-actions'));
}

function sessionsCard() {
  const host = tableHost('Loading sessions…');
  const others = h('button', { type: 'button', class: 'btn', 'data-action': 'revoke-others' }, 'Sign out everywhere else');
  async function load() {
    const data = await get('/api/sessions');
    const sessions = (data && data.sessions) || [];
    clear(host);
    others.disabled = sessions.length < 2;
    if (!sessions.length) {
      host.append(emptyState('log', 'No sessions'));
      return;
    }
    host.append(dataTable({
      caption: 'Your signed-in sessions, most recently active first',
      columns: ['Browser', 'IP address', 'Signed in', 'Last active'],
      actions: true,
      body: sessions.map((s) => sessionRow(s, load)),
    }));
  }
  others.addEventListener('click', async () => {
    try {
      await busy(others, () => post('/api/sessions/revoke-others'));
      toast('Every other session is signed out.');
      await load();
    } catch (err) {
      toast(err.message, { error: true });
    }
  });
  const section = card({
    id: 'sessions-title',
    title: 'Sessions',
    sub: 'Where your account is signed in. Revoke any you do not recognize, then change your password.',
  }, host, h('div', { class: 'table-foot' }, others));
  return { section, load };
}

async function deleteAccount(session, button, signedOut) {
  const email = session.account.email;
  const confirmInput = h('input', {
    type: 'text', name: 'confirm', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none',
  });
  const password = passwordInput('password', 'current-password');
  const res = await confirmDialog({
    title: 'Delete your account?',
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, h('strong', {}, 'This cannot be undone. '),
        'Every API key of yours is revoked at once, every session ends, and the organizations where you are the only member are deleted. The audit log keeps the record.'))],
    fields: [
      field({ label: `Type ${email} to confirm`, control: confirmInput }),
      field({ label: 'Password', control: password }),
    ],
    confirmLabel: 'Delete account',
    danger: true,
    returnFocus: () => button,
    onConfirm: async () => {
      if (confirmInput.value.trim().toLowerCase() !== email.toLowerCase()) {
        const err = new Error(`Type ${email} to confirm.`);
        err.field = 'confirm';
        throw err;
      }
      return del('/api/account', { password: password.value });
    },
  });
  if (!res) return;
  toast('Your account is deleted.');
  signedOut();
}

function deleteCard(session, signedOut) {
  const button = h('button', { type: 'button', class: 'btn btn-ghost-danger', 'data-action': 'delete-account' },
    'Delete account');
  button.addEventListener('click', () => deleteAccount(session, button, signedOut));
  return card({ id: 'delete-title', title: 'Delete account' },
    h('div', { class: 'card-body danger-zone' },
      h('p', { class: 'hint' }, 'Revokes every key and ends every session. If you are the last owner of an organization that has other members, make one of them an owner first. Your address can then be used to sign up again.'),
      button));
}

export async function renderSecurity(root, { session, signedOut }) {
  const sessions = sessionsCard();
  root.append(
    pageHead({ title: 'Security', lead: 'Your password, where you are signed in, and your account.' }),
    passwordCard(sessions.load),
    sessions.section,
    deleteCard(session, signedOut));
  await sessions.load();
}
