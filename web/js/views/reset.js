// #/reset?token=...: the page a password-reset link opens, signed in or not. The token is read
// once, then dropped from the address bar and the history; setting the password ends every
// session of the account, this browser's included.

import { post } from '../api.js';
import { h, field, formError, busy, icon } from '../dom.js';
import { pageHead } from '../ui/page.js';
import { onSubmit } from '../ui/form.js';

export function renderReset(root, { route, signedOut }) {
  const token = route.params.get('token') || '';
  history.replaceState(null, '', `${location.pathname}${location.search}#/reset`);
  if (!token) {
    root.append(pageHead({
      title: 'Set a new password',
      lead: ['Open the link from the mail we sent you, or ', h('a', { href: '#/' }, 'ask for a new one'), '.'],
    }));
    return;
  }
  const password = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Set password');
  const form = h('form', { novalidate: true, class: 'settings-form' },
    formError(), // a bad token's error goes here: it is no field a person types
    field({ label: 'New password', control: password, required: true, hint: 'At least 8 characters.' }),
    h('div', { class: 'actions actions-start' }, save));
  onSubmit(form, async () => {
    await busy(save, () => post('/api/password/reset', { token, new_password: password.value }));
    password.value = '';
    form.replaceWith(h('div', { class: 'callout verify-result' }, icon('check'),
      h('p', {}, 'Your password is set, and every session of your account is signed out. ',
        h('a', { href: '#/keys', 'data-action': 'sign-in' }, 'Sign in'), ' with it.')));
    if (signedOut) signedOut({ keepPage: true });
  });
  root.append(
    pageHead({ title: 'Set a new password', lead: 'The link works once, for 1 hour.' }),
    h('section', { class: 'card' }, h('div', { class: 'card-body' }, form)));
  password.focus();
}
