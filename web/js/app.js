// Boot and routing. The session lives in the HttpOnly cookie; GET /api/session restores it at
// load and hands over the CSRF token (kept in memory by api.js). Routes are hash routes so the
// server needs no fallback: #/keys, #/orgs, #/orgs/<id>, #/invitations, #/audit, #/security,
// #/two-factor, #/api (the API reference), #/device?code=... (a CLI's sign-in), and the pages mailed links open: #/verify?token=... and #/reset?token=...
// (signed in or not) and #/signup?claim=... (sign-up).

import { get, post, setCsrfToken, onUnauthenticated, ApiError } from './api.js';
import { clear, h, toast } from './dom.js';
import { renderAuth } from './views/auth.js';
import { renderKeys } from './views/keys.js';
import { renderOrgs, renderOrg } from './views/orgs.js';
import { renderAudit } from './views/audit.js';
import { renderInvitations } from './views/invitations.js';
import { renderVerify } from './views/verify.js';
import { renderSecurity } from './views/security.js';
import { renderReset } from './views/reset.js';
import { renderTwoFactor } from './views/two-factor.js';
import { renderDevice } from './views/device.js';
import { renderApiReference } from './views/api-reference.js';
import { pageHead } from './ui/page.js';
import { verifyBanner } from './ui/verify-banner.js';
import { exposedBanner } from './ui/exposed-banner.js';

/** What the views share: the signed-in account and the server's key-lifetime limit. */
export const session = {
  account: null,
  maxKeyLifetimeDays: null,
  exposedKeys: [],
};

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let renderSeq = 0;
let firstRender = true;

function applySession(data) {
  session.account = data.account;
  setCsrfToken(data.csrf_token);
  const max = data.max_key_lifetime_days;
  session.maxKeyLifetimeDays = typeof max === 'number' && max > 0 ? max : null;
  // Sign-in's answer has no exposed_keys: keep the last session's until it is read again.
  if (Array.isArray(data.exposed_keys)) session.exposedKeys = data.exposed_keys;
  const email = (data.account && data.account.email) || '';
  document.getElementById('account-email').textContent = email;
  document.getElementById('account-avatar').textContent = (data.account && (data.account.name || email) || '?').trim().charAt(0);
  showBanner();
}

/** The verification banner at the top of the page, as the session's account calls for. */
function showBanner() {
  const old = main.querySelector(':scope > .verify-banner');
  const banner = session.account ? verifyBanner(session.account, { onChanged: refreshSession }) : null;
  if (old && banner) old.replaceWith(banner);
  else if (old) old.remove();
  else if (banner && !topbar.hidden) main.prepend(banner);
  showExposedBanner();
}

/** The banner of keys reported as exposed, above every other. */
function showExposedBanner() {
  const old = main.querySelector(':scope > .exposed-banner');
  if (old) old.remove();
  const banner = session.account ? exposedBanner(session.exposedKeys, session.account.id) : null;
  if (banner && !topbar.hidden) main.prepend(banner);
}

/** Reads the session again (after the account changed: a verified address). */
async function refreshSession() {
  const data = await loadSession();
  if (data) applySession(data);
}

function dropSession() {
  session.account = null;
  session.maxKeyLifetimeDays = null;
  session.exposedKeys = [];
  setCsrfToken(null);
}

/** Fetches the current session; null when signed out. */
async function loadSession() {
  try {
    return await get('/api/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Called by the sign-in view after a successful sign-in or sign-up. */
export async function signedIn(data) {
  applySession(data);
  // The session answer also carries the server's key-lifetime limit.
  try {
    const full = await loadSession();
    if (full) applySession(full);
  } catch {
    // keep what sign-in returned
  }
  // A claim link's token is spent: the new account starts on its keys.
  if (!location.hash || location.hash === '#/' || /^#\/(signin|signup)/.test(location.hash)) {
    location.hash = '#/keys';
  } else {
    route();
  }
}

/**
 * The session ended on the server (the account deleted, the password reset): forget it here.
 * With `keepPage`, the page stays as it is (it says what happened) without the top bar.
 */
function signedOut({ keepPage = false } = {}) {
  dropSession();
  if (keepPage) {
    topbar.hidden = true;
    return;
  }
  history.replaceState(null, '', location.pathname + location.search);
  route();
}

async function signOut() {
  try {
    await post('/api/logout');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      toast(err.message, { error: true });
      return;
    }
  }
  dropSession();
  // The next person to sign in starts on their keys, not on this person's last page.
  history.replaceState(null, '', location.pathname + location.search);
  toast('You are signed out.');
  route();
}

function parseRoute() {
  const [hash, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = hash.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { name: 'keys' };
  if (parts[0] === 'keys' && parts.length === 1) return { name: 'keys' };
  if (parts[0] === 'orgs' && parts.length === 1) return { name: 'orgs' };
  if (parts[0] === 'orgs' && parts.length === 2) return { name: 'org', id: parts[1] };
  if (parts[0] === 'audit' && parts.length === 1) return { name: 'audit' };
  if (parts[0] === 'two-factor' && parts.length === 1) return { name: 'two-factor' };
  if (parts[0] === 'invitations' && parts.length === 1) return { name: 'invitations' };
  if (parts[0] === 'verify' && parts.length === 1) return { name: 'verify', params };
  if (parts[0] === 'reset' && parts.length === 1) return { name: 'reset', params };
  if (parts[0] === 'security' && parts.length === 1) return { name: 'security' };
  if (parts[0] === 'device' && parts.length === 1) return { name: 'device', params };
  if (parts[0] === 'signup' && parts.length === 1) return { name: 'signup', params };
  if (parts[0] === 'api' && parts.length === 1) return { name: 'api' };
  return { name: 'notfound' };
}

const VIEWS = {
  keys: { title: 'API keys', nav: 'keys', render: renderKeys },
  orgs: { title: 'Organizations', nav: 'orgs', render: renderOrgs },
  org: { title: 'Organization', nav: 'orgs', render: renderOrg },
  invitations: { title: 'Invitations', nav: 'invitations', render: renderInvitations },
  audit: { title: 'Audit log', nav: 'audit', render: renderAudit },
  'two-factor': { title: 'Two-factor sign-in', nav: 'two-factor', render: renderTwoFactor },
  verify: { title: 'Verify your address', nav: null, render: renderVerify },
  security: { title: 'Security', nav: 'security', render: renderSecurity },
  reset: { title: 'Set a new password', nav: null, render: renderReset },
  device: { title: 'Authorize a device', nav: null, render: renderDevice },
  api: { title: 'API reference', nav: 'api', render: renderApiReference },
  signup: {
    title: 'Sign up',
    nav: null,
    render: (root) => {
      root.append(pageHead({
        title: 'You are signed in',
        lead: 'This link signs up a new account with the address it was mailed to. Sign out first to use it.',
      }));
    },
  },
  notfound: {
    title: 'Not found',
    nav: null,
    render: (root) => {
      root.append(pageHead({
        title: 'Page not found',
        lead: ['This page does not exist. ', h('a', { href: '#/keys' }, 'Go to your API keys'), '.'],
      }));
    },
  },
};

export async function route() {
  const seq = ++renderSeq;
  const moveFocus = !firstRender;
  firstRender = false;

  // Close any dialog left open by the previous page (its close handlers clear what it held,
  // e.g. a key value shown once).
  for (const d of document.querySelectorAll('dialog')) {
    if (d.open) d.close();
    d.remove();
  }

  const r = parseRoute();
  if (!session.account) {
    topbar.hidden = true;
    clear(main);
    if (r.name === 'verify') {
      document.title = `${VIEWS.verify.title} · 2501 Accounts`;
      await renderVerify(main, { route: r, session, isCurrent: () => seq === renderSeq, refreshSession });
      return;
    }
    if (r.name === 'reset') {
      document.title = `${VIEWS.reset.title} · 2501 Accounts`;
      renderReset(main, { route: r, signedOut: null });
      return;
    }
    document.title = r.name === 'signup' ? 'Sign up · 2501 Accounts' : 'Sign in · 2501 Accounts';
    renderAuth(main, { signedIn, claim: r.name === 'signup' ? r.params.get('claim') : null });
    // A terminal's `2501 login` sent the person here: the code waits in the address.
    if (r.name === 'device') {
      main.prepend(h('p', { class: 'callout device-signin', role: 'status' },
        'Sign in to approve the sign-in of your terminal. The code it shows is kept for after.'));
    }
    return;
  }

  topbar.hidden = false;
  const view = VIEWS[r.name];
  for (const a of topbar.querySelectorAll('[data-route]')) {
    if (a.dataset.route === view.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${view.title} · 2501 Accounts`;
  clear(main);
  showBanner();
  const isCurrent = () => seq === renderSeq;
  try {
    await view.render(main, {
      route: r, session, isCurrent, refresh: route, refreshSession, signedOut,
      setTitle: (t) => { document.title = `${t} · 2501 Accounts`; },
    });
  } catch (err) {
    if (!isCurrent()) return;
    if (err instanceof ApiError && err.status === 401) return; // handled by onUnauthenticated
    main.append(h('div', { class: 'form-error', role: 'alert' }, err.message || String(err)));
  }
  if (moveFocus && isCurrent()) {
    const heading = main.querySelector('h1');
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
}

onUnauthenticated(() => {
  if (!session.account) return;
  dropSession();
  toast('Your session has ended. Sign in again.', { error: true });
  route();
});

document.getElementById('sign-out').addEventListener('click', signOut);
document.getElementById('skip-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  const heading = main.querySelector('h1');
  (heading || main).setAttribute('tabindex', '-1');
  (heading || main).focus();
});
window.addEventListener('hashchange', () => route());

async function boot() {
  try {
    const data = await loadSession();
    if (data) applySession(data);
  } catch (err) {
    clear(main);
    main.append(h('div', { class: 'form-error', role: 'alert' }, err.message));
    return;
  }
  route();
}

boot();
