// Sign in and sign up: one form, two buttons ("Sign in" submits on Enter).

import { post } from '../api.js';
import { h, field, formError, busy } from '../dom.js';
import { onSubmit } from '../ui/form.js';

export function renderAuth(root, { signedIn }) {
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
    const mode = ev.submitter && ev.submitter.value === 'signup' ? 'signup' : 'signin';
    const button = mode === 'signup' ? signUpBtn : signInBtn;
    const data = await busy(button, () => post(mode === 'signup' ? '/api/signup' : '/api/login', {
      email: email.value.trim(),
      password: password.value,
    }));
    password.value = '';
    await signedIn(data);
  });

  root.append(h('section', { class: 'auth' },
    h('div', { class: 'card auth-card' },
      h('div', { class: 'auth-brand' },
        h('img', { src: 'favicon.svg', alt: '', width: '40', height: '40' }),
        h('div', {},
          h('h1', { id: 'auth-title', tabindex: '-1' }, '2501 Accounts'),
          h('p', {}, 'Sign in to manage your organizations and API keys.'))),
      form,
      h('p', { class: 'auth-foot' }, 'Sign up creates an account with this email and password.'))));
  email.focus();
}
