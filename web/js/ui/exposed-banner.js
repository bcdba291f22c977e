// The banner every signed-in page shows while keys of the account (or of the service accounts
// of organizations it owns) were reported as exposed in the last 30 days (GET /api/session's
// exposed_keys): someone found their values in the open and the server revoked them at once.
// "Dismiss" hides it in this browser (localStorage) until another key is reported.

import { h, icon } from '../dom.js';
import { timeEl } from '../format.js';

const STORAGE_PREFIX = 'tfzo.exposedDismissed.';

function dismissedIds(accountId) {
  try {
    const ids = JSON.parse(localStorage.getItem(STORAGE_PREFIX + accountId) || '[]');
    return new Set(Array.isArray(ids) ? ids : []);
  } catch {
    return new Set();
  }
}

function dismiss(accountId, keys) {
  try {
    // Only the ids listed now: the server lists at most 10, so this stays small.
    localStorage.setItem(STORAGE_PREFIX + accountId, JSON.stringify(keys.map((k) => k.id)));
  } catch {
    // storage refused (private mode): hidden for this page only
  }
}

function keyItem(k) {
  return h('li', {}, h('strong', {}, `“${k.name}”`), ' reported ', timeEl(k.exposed_at));
}

/**
 * The banner for `keys` (the session's exposed_keys) of the account `accountId`, or null when
 * there is none the browser has not dismissed.
 */
export function exposedBanner(keys, accountId) {
  const list = Array.isArray(keys) ? keys : [];
  const dismissed = dismissedIds(accountId);
  if (!list.length || list.every((k) => dismissed.has(k.id))) return null;
  const one = list.length === 1;
  const close = h('button', { type: 'button', class: 'btn btn-sm btn-ghost' }, 'Dismiss');
  const banner = h('div', { class: 'callout callout-danger exposed-banner', role: 'alert' },
    icon('warn'),
    h('div', { class: 'exposed-banner-text' },
      h('p', {}, h('strong', {}, one ? 'A key was reported as exposed. ' : `${list.length} keys were reported as exposed. `),
        `Someone found ${one ? 'its value' : 'their values'} where others can read it, so ${one ? 'it was' : 'they were'} revoked at once and no longer work. `,
        'Create a new key, use it wherever the old one was, and remove the old value from where it was published. ',
        h('a', { href: '#/audit' }, 'See the audit log'), '.'),
      h('ul', { class: 'exposed-banner-keys' }, ...list.map(keyItem))),
    close);
  close.addEventListener('click', () => {
    dismiss(accountId, list);
    banner.remove();
  });
  return banner;
}
