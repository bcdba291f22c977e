// The banner every signed-in page shows while the account's address is not verified (or an
// address change waits for its link), with a button that mails a new link.

import { post } from '../api.js';
import { h, icon, busy, toast } from '../dom.js';

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
      'Someone proved the address it had is theirs. Your keys and organizations are still here.'];
  }
  return [h('strong', {}, `Verify ${account.email}. `),
    'Follow the link mailed to it. Until then you cannot accept invitations to organizations.'];
}

/** The banner for `account`, or null when there is nothing to verify. */
export function verifyBanner(account) {
  if (!account || (account.email_verified && !account.pending_email)) return null;
  const resend = isReleased(account) && !account.pending_email
    ? null
    : h('button', { type: 'button', class: 'btn btn-sm' }, 'Resend');
  const banner = h('div', { class: 'callout callout-warn verify-banner', role: 'status' },
    icon('warn'), h('p', {}, message(account)), resend);
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
