// "Forgot password?" on the sign-in page: the address to mail a reset link to, then "check your
// mail". The server answers the same whether or not the address has an account.

import { post } from '../api.js';
import { h, field, formError, busy, icon } from '../dom.js';
import { onSubmit } from './form.js';

/** The form that replaces the sign-in form; `onBack()` shows the sign-in form again. */
export function forgotPasswordForm({ email = '', onBack }) {
  const address = h('input', {
    type: 'email', name: 'email', autocomplete: 'username', inputmode: 'email',
    autocapitalize: 'none', spellcheck: 'false', placeholder: 'you@example.com', value: email,
  });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Mail me a link');
  const back = h('button', { type: 'button', class: 'btn btn-block' }, 'Back to sign in');
  back.addEventListener('click', () => onBack());
  const form = h('form', { class: 'auth-form', novalidate: true, 'data-form': 'forgot' },
    h('p', {}, 'We mail a link to set a new password to this address, if it has an account.'),
    formError(),
    field({ label: 'Email', control: address }),
    h('div', { class: 'auth-buttons' }, send, back));
  onSubmit(form, async () => {
    const sent = address.value.trim();
    await busy(send, () => post('/api/password/forgot', { email: sent }));
    form.replaceChildren(
      h('div', { class: 'callout verify-result', role: 'status' }, icon('check'),
        h('p', {}, h('strong', {}, 'Check your mail. '),
          `If ${sent} has an account, a link to set a new password is on its way. It works once, for 1 hour.`)),
      h('div', { class: 'auth-buttons' }, back));
    back.focus();
  });
  setTimeout(() => address.focus(), 0);
  return form;
}
