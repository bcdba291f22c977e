// #/verify?token=...: the page a verification link opens. The token is the proof, so it works
// signed in or not; it is sent once, then dropped from the address bar and the history.

import { post, ApiError } from '../api.js';
import { h, icon } from '../dom.js';
import { pageHead } from '../ui/page.js';

function done(root, account, signedIn) {
  root.append(
    pageHead({ title: 'Address verified', lead: `${account.email} is your verified address.` }),
    h('div', { class: 'callout verify-result' }, icon('check'),
      h('p', {}, signedIn
        ? ['You can now accept invitations. ', h('a', { href: '#/invitations' }, 'See your invitations'), '.']
        : ['Sign in to see the invitations sent to it. ', h('a', { href: '#/keys' }, 'Sign in'), '.'])));
}

function failed(root, err, signedIn) {
  const expired = err instanceof ApiError && err.code === 'invalid_token';
  root.append(
    pageHead({ title: 'This link does not work', lead: err.message }),
    h('div', { class: 'callout callout-danger verify-result' }, icon('warn'),
      h('p', {}, expired && signedIn
        ? 'Links work once, for 24 hours. Ask for a new one with “Resend” above.'
        : expired ? 'Links work once, for 24 hours. Sign in and ask for a new one.' : 'Try again in a moment.')));
}

export async function renderVerify(root, { route, session, isCurrent, refreshSession }) {
  const token = route.params.get('token') || '';
  // The token has done its work once read: keep it out of the history and of later pages.
  history.replaceState(null, '', `${location.pathname}${location.search}#/verify`);
  if (!token) {
    root.append(pageHead({ title: 'Verify your address', lead: 'Open the link from the mail we sent you.' }));
    return;
  }
  const status = h('p', { class: 'loading' }, 'Verifying your address…');
  root.append(status);
  let result = null;
  let error = null;
  try {
    result = await post('/api/email/verify', { token });
    if (session.account) await refreshSession();
  } catch (err) {
    error = err;
  }
  if (!isCurrent()) return;
  status.remove();
  if (error) failed(root, error, !!session.account);
  else done(root, result.account, !!session.account);
}
