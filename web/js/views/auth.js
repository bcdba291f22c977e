// Sign in and sign up: one form, two buttons ("Sign in" submits on Enter). Opened from a claim
// link (#/signup?claim=...), it signs up only, with the link's token: the address it was
// mailed to becomes the new account's, verified.

import { post } from '../api.js';
import { h, field, formError, busy } from '../dom.js';
import { onSubmit } from '../ui/form.js';
import { forgotPasswordForm } from '../ui/forgot-password.js';

/**
 * The sign-in's second step, once the password was right for an account with two-factor on: a
 * code from the app, or a recovery code (the link switches the field).
 */
function codeStep(challenge, signedIn) {
  const code = h('input', {
    type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '11',
    spellcheck: 'false', autocapitalize: 'none', class: 'mono code-input',
  });
  const hint = 'The 6 digits your authenticator app shows now.';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Verify');
  const toggle = h('button', { type: 'button', class: 'btn btn-ghost btn-block', 'data-action': 'use-recovery' },
    'Use a recovery code instead');
  const codeField = field({ label: 'Authentication code', control: code, hint });
  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-label': 'Two-factor code' },
    formError(),
    h('p', {}, 'Two-factor sign-in is on for this account.'),
    codeField,
    h('div', { class: 'auth-buttons' }, submit, toggle));
  toggle.addEventListener('click', () => {
    const recovery = code.getAttribute('inputmode') === 'numeric';
    code.setAttribute('inputmode', recovery ? 'text' : 'numeric');
    code.setAttribute('autocomplete', recovery ? 'off' : 'one-time-code');
    codeField.querySelector('label').textContent = recovery ? 'Recovery code' : 'Authentication code';
    codeField.querySelector('.hint').textContent = recovery
      ? 'One of the codes you saved when you turned two-factor on (xxxxx-xxxxx). Each works once.'
      : hint;
    toggle.textContent = recovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
    code.value = '';
    code.focus();
  });
  onSubmit(form, async () => {
    const data = await busy(submit, () => post('/api/login/2fa', { challenge, code: code.value.trim() }));
    await signedIn(data);
  });
  setTimeout(() => code.focus());
  return form;
}

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
    if (data && data.two_factor) {
      form.replaceWith(codeStep(data.two_factor.challenge, signedIn));
      return;
    }
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
