// #/invitations: the invitations waiting for the signed-in account's verified address, to
// accept (joining the organization at once) or decline.

import { get, post, seg } from '../api.js';
import { h, icon, busy, toast, confirmDialog, clear, nextId } from '../dom.js';
import { timeEl } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { tableHost, dataTable, td, actionsCell, emptyState } from '../ui/table.js';

function roleText(role) {
  return role === 'owner' ? 'Owner' : 'Member';
}

async function accept(page, inv, button) {
  try {
    const res = await busy(button, () => post(`/api/invitations/${seg(inv.id)}/accept`));
    toast(`You joined ${res.org.name} as ${roleText(res.org.role).toLowerCase()}.`);
    location.hash = `#/orgs/${encodeURIComponent(res.org.id)}`;
  } catch (err) {
    toast(err.message, { error: true });
    await load(page);
  }
}

async function decline(page, inv) {
  const res = await confirmDialog({
    title: `Decline the invitation to ${inv.org_name}?`,
    content: [h('p', {}, `${inv.invited_by} will see that you declined. An owner can invite you again later.`)],
    confirmLabel: 'Decline',
    returnFocus: () => page.host.querySelector('button') || page.host,
    onConfirm: () => post(`/api/invitations/${seg(inv.id)}/decline`),
  });
  if (!res) return;
  toast(`Invitation to ${inv.org_name} declined.`);
  await load(page);
}

function invitationRow(page, inv) {
  const orgId = nextId('inv-org');
  const acceptBtn = h('button', { type: 'button', class: 'btn btn-sm btn-primary', 'aria-describedby': orgId }, 'Accept');
  acceptBtn.addEventListener('click', () => accept(page, inv, acceptBtn));
  const declineBtn = h('button', {
    type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': orgId,
    onclick: () => decline(page, inv),
  }, 'Decline');
  return h('tr', { 'data-invitation-id': inv.id },
    td('Organization', h('span', { class: 'cell-name' }, h('span', { id: orgId }, inv.org_name),
      h('span', { class: 'cell-sub mono' }, inv.org_handle)), 'cell-primary'),
    td('Role', roleText(inv.role)),
    td('Invited by', inv.invited_by),
    td('Expires', timeEl(inv.expires_at, { stacked: true })),
    actionsCell(acceptBtn, declineBtn));
}

async function load(page) {
  const data = await get('/api/invitations');
  if (!page.isCurrent()) return;
  const invitations = (data && data.invitations) || [];
  clear(page.host);
  page.host.append(invitations.length
    ? dataTable({
      className: 'invitations-table',
      caption: 'Invitations waiting for you',
      columns: ['Organization', 'Role', 'Invited by', 'Expires'],
      actions: true,
      body: invitations.map((inv) => invitationRow(page, inv)),
    })
    : emptyState('org', 'No invitations', 'When an owner invites your address to an organization, it appears here.'));
}

export async function renderInvitations(root, { session, isCurrent }) {
  const account = session.account;
  root.append(pageHead({
    title: 'Invitations',
    lead: `Invitations to organizations sent to ${account.email}.`,
  }));
  if (!account.email_verified) {
    root.append(h('div', { class: 'callout' }, icon('info'),
      h('p', {}, 'Invitations are shown to verified addresses only: follow the link mailed to your address first.')));
    return;
  }
  const page = { isCurrent, host: tableHost('Loading invitations…') };
  root.append(card({ id: 'invitations-title', title: 'Waiting for you' }, page.host));
  await load(page);
}
