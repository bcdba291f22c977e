// Sign in and sign up: one form, two buttons ("Sign in" submits on Enter). Opened from a claim
// link (#/signup?claim=...), it signs up only, with the link's token: the address it was
// mailed to becomes the new account's, verified.

import { post } from '../api.js';
import { h, field, formError, busy } from '../dom.js';
import { onSubmit } from '../ui/form.js';
import { forgotPasswordForm } from '../ui/forgot-password.js';

export function renderAuth(root, { signedIn, claim = null }) {
  const email = h('input', {
    type: 'email', name: 'email', autocomplete: 'username', inputmode: 'email',
    autocapitalize: 'none', spellcheck: 'false', placeholder: 'you@example.com',
  });
  const password = h('input', {
    type: 'password', name: 'password', autocomplete: 'current-password',
  });
  const signInBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block', value: 'signin' }, 'Sign in');
  const signUpBtn = h('button', { type: 'submit', class: 'btn btn-block', value: 'signup' }, 'Sign up');

  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-title' },
    formError(),
    field({ label: 'Email', control: email }),
    field({
      label: 'Password', control: password,
      hint: 'New accounts need at least 8 characters.',
    }),
    h('div', { class: 'auth-buttons' },
      signInBtn,
      h('div', { class: 'auth-divider' }, 'new to 2501?'),
      signUpBtn));

  onSubmit(form, async (ev) => {
    const mode = claim || (ev.submitter && ev.submitter.value === 'signup') ? 'signup' : 'signin';
    const button = mode === 'signup' ? signUpBtn : signInBtn;
    const body = { email: email.value.trim(), password: password.value };
    if (claim) body.claim_token = claim;
    const data = await busy(button, () => post(mode === 'signup' ? '/api/signup' : '/api/login', body));
    password.value = '';
    await signedIn(data);
  });

  const forgot = h('button', { type: 'button', class: 'auth-forgot' }, 'Forgot password?');
  forgot.addEventListener('click', () => {
    const panel = forgotPasswordForm({
      email: email.value.trim(),
      onBack: () => {
        panel.replaceWith(form);
        email.focus();
      },
    });
    form.replaceWith(panel);
  });
  form.querySelector('.auth-buttons').before(forgot);

  if (claim) {
    forgot.remove();
    // Sign-up only, for the address the link was mailed to.
    signInBtn.remove();
    form.querySelector('.auth-divider').remove();
    signUpBtn.classList.add('btn-primary');
    password.setAttribute('autocomplete', 'new-password');
  }
  root.append(h('section', { class: 'auth' },
    h('div', { class: 'card auth-card' },
      h('div', { class: 'auth-brand' },
        h('img', { src: 'favicon.svg', alt: '', width: '40', height: '40' }),
        h('div', {},
          h('h1', { id: 'auth-title', tabindex: '-1' }, claim ? 'Sign up with your address' : '2501 Accounts'),
          h('p', {}, claim
            ? 'Use the address this link was mailed to. It becomes your account’s, verified; the account that used it without verifying it loses it.'
            : 'Sign in to manage your organizations and API keys.'))),
      form,
      h('p', { class: 'auth-foot' }, 'Sign up creates an account with this email and password.'))));
  email.focus();
}
