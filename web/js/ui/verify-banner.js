// The banner every signed-in page shows while the account's address is not verified (or an
// address change waits for its link), with a button that mails a new link and one that
// changes the address (a typo at sign-up, or an address another account proved).

import { post, patch } from '../api.js';
import { h, icon, field, busy, toast, confirmDialog } from '../dom.js';

/** An account whose address another account proved: `<id>@released` (docs/spec/API.md). */
export function isReleased(account) {
  return /@released$/.test((account && account.email) || '');
}

function message(account) {
  if (account.pending_email) {
    return [h('strong', {}, `Confirm ${account.pending_email}. `),
      `Follow the link mailed to it to make it your address; until then you sign in with ${account.email}.`];
  }
  if (isReleased(account)) {
    return [h('strong', {}, 'Your account has no address any more. '),
      'Someone proved the address it had is theirs. Your keys and organizations are still here: set a new address with “Change address”.'];
  }
  return [h('strong', {}, `Verify ${account.email}. `),
    'Follow the link mailed to it. Until then you cannot accept invitations to organizations.'];
}

/** PATCH /api/account from a dialog; calls `onChanged()` once the change is requested. */
async function changeAddress(account, onChanged) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', inputmode: 'email', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const res = await confirmDialog({
    title: 'Change your address',
    content: [h('p', {}, 'The new address becomes your account’s once you follow the link mailed to it.')],
    fields: [field({ label: 'New address', control: email }), field({ label: 'Password', control: password })],
    confirmLabel: 'Change address',
    onConfirm: () => patch('/api/account', { email: email.value.trim(), password: password.value }),
  });
  if (!res) return;
  toast(`A link is on its way to ${res.account.pending_email}.`);
  await onChanged();
}

/**
 * The banner for `account`, or null when there is nothing to verify. `onChanged()` runs after
 * the address was changed from it (to read the session again).
 */
export function verifyBanner(account, { onChanged = async () => {} } = {}) {
  if (!account || (account.email_verified && !account.pending_email)) return null;
  const resend = isReleased(account) && !account.pending_email
    ? null
    : h('button', { type: 'button', class: 'btn btn-sm' }, 'Resend');
  const change = h('button', {
    type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => changeAddress(account, onChanged),
  }, 'Change address');
  const banner = h('div', { class: 'callout callout-warn verify-banner', role: 'status' },
    icon('warn'), h('p', {}, message(account)), resend, change);
  if (resend) {
    resend.addEventListener('click', async () => {
      try {
        await busy(resend, () => post('/api/email/verify/resend'));
        toast(`A new link is on its way to ${account.pending_email || account.email}.`);
      } catch (err) {
        toast(err.message, { error: true });
      }
    });
  }
  return banner;
}
