// An organization's invitations, on its page, for its owners: the form that invites an
// address (replacing the old direct add) and the invitations still pending or expired, each
// with Cancel.

import { get, post, del, seg } from '../api.js';
import { h, field, formError, busy, toast, confirmDialog, clear, nextId } from '../dom.js';
import { timeEl } from '../format.js';
import { card } from './page.js';
import { tableHost, dataTable, td, actionsCell, emptyState } from './table.js';
import { onSubmit } from './form.js';

function statusBadge(status) {
  return h('span', { class: status === 'pending' ? 'badge badge-active' : 'badge badge-expired' },
    status === 'pending' ? 'Pending' : 'Expired');
}

async function cancel(state, inv) {
  const res = await confirmDialog({
    title: `Cancel the invitation to ${inv.email}?`,
    content: [h('p', {}, 'The link in their mail stops working. You can invite them again later.')],
    confirmLabel: 'Cancel invitation',
    danger: true,
    returnFocus: () => state.form.querySelector('input'),
    onConfirm: () => del(`/api/orgs/${seg(state.org.id)}/invitations/${seg(inv.id)}`),
  });
  if (!res) return;
  toast(`Invitation to ${inv.email} canceled.`);
  await loadInvitations(state);
}

function invitationRow(state, inv) {
  const emailId = nextId('inv-email');
  return h('tr', { 'data-invitation-id': inv.id },
    td('Email', h('span', { class: 'cell-name', id: emailId }, inv.email), 'cell-primary'),
    td('Role', inv.role === 'owner' ? 'Owner' : 'Member'),
    td('Invited by', inv.invited_by),
    td('Expires', timeEl(inv.expires_at, { stacked: true })),
    td('Status', statusBadge(inv.status)),
    actionsCell(h('button', {
      type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': emailId,
      onclick: () => cancel(state, inv),
    }, 'Cancel')));
}

async function loadInvitations(state) {
  const data = await get(`/api/orgs/${seg(state.org.id)}/invitations`);
  if (!state.isCurrent()) return;
  const invitations = (data && data.invitations) || [];
  clear(state.host);
  state.host.append(invitations.length
    ? dataTable({
      className: 'org-invitations-table',
      caption: `Invitations to ${state.org.name}`,
      columns: ['Email', 'Role', 'Invited by', 'Expires', 'Status'],
      actions: true,
      body: invitations.map((inv) => invitationRow(state, inv)),
    })
    : emptyState('org', 'No pending invitations', 'Invite someone with the form below.'));
}

function inviteForm(state) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', inputmode: 'email', placeholder: 'teammate@example.com' });
  const role = h('select', { name: 'role' },
    h('option', { value: 'member' }, 'Member'),
    h('option', { value: 'owner' }, 'Owner'));
  const inviteBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Invite');
  const roleField = field({ label: 'Role', control: role });
  roleField.classList.add('narrow');
  const form = h('form', { novalidate: true, class: 'invite-form' },
    formError(),
    h('div', { class: 'form-row' },
      field({ label: 'Email', control: email }),
      roleField,
      h('div', {}, inviteBtn)),
    h('p', { class: 'hint' }, 'They get a mail, and join when they accept it from an account with this address, verified. Invitations expire after 7 days.'));
  onSubmit(form, async () => {
    const res = await busy(inviteBtn, () => post(`/api/orgs/${seg(state.org.id)}/invitations`, { email: email.value.trim(), role: role.value }));
    toast(`Invitation sent to ${res.invitation.email}.`);
    email.value = '';
    await loadInvitations(state);
    email.focus();
  });
  return form;
}

/**
 * The "Invitations" card of an organization's page, for an owner. `org` is the organization,
 * `isCurrent()` tells whether the page is still shown. Returns {section, load}.
 */
export function invitationsCard({ org, isCurrent }) {
  const state = { org, isCurrent, host: tableHost('Loading invitations…'), form: null };
  state.form = inviteForm(state);
  const section = card({
    id: 'invitations-title',
    title: 'Invitations',
    sub: 'People join when they accept. Pending invitations can be canceled.',
  }, state.host, h('div', { class: 'card-body' }, h('h3', { class: 'sr-only' }, 'Invite someone'), state.form));
  section.classList.add('has-form');
  return { section, load: () => loadInvitations(state) };
}
