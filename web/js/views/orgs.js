// Organizations: the list with a create form, and one organization's page (members; for
// owners, removing members, their roles, invitations (ui/org-invitations.js), the keys scoped
// to the organization and its settings).

import { get, post, del, seg } from '../api.js';
import { h, icon, field, formError, busy, toast, confirmDialog, clear, nextId } from '../dom.js';
import { invitationsCard } from '../ui/org-invitations.js';
import { serviceAccountsCard } from '../ui/org-service-accounts.js';
import { policyCard } from '../ui/org-policy.js';
import { fetchAllKeys } from '../ui/key-list.js';
import { timeEl } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { tableHost, dataTable, td, actionsCell, emptyState } from '../ui/table.js';
import { onSubmit } from '../ui/form.js';
import {
  keyStatus, statusBadge, expiresCell, keyNameCell, rowClass, revokeButton, flagBadges,
} from '../ui/key-cells.js';
import { orgSettingsCard, roleSelect, HANDLE_HINT } from '../ui/org-admin.js';

function roleBadge(role) {
  return h('span', { class: role === 'owner' ? 'badge badge-plain badge-owner' : 'badge badge-plain' },
    role === 'owner' ? 'Owner' : 'Member');
}

// ---------- #/orgs ----------

function orgsTable(orgs) {
  return dataTable({
    caption: 'Your organizations',
    columns: ['Name', 'Handle', 'Your role', 'ID'],
    body: orgs.map((o) => h('tr', { 'data-org-id': o.id },
      td('Name', h('a', { class: 'org-link', href: `#/orgs/${encodeURIComponent(o.id)}` }, o.name), 'cell-primary'),
      td('Handle', h('span', { class: 'mono' }, o.handle)),
      td('Your role', roleBadge(o.role)),
      td('ID', h('span', { class: 'mono none' }, o.id)))),
  });
}

export async function renderOrgs(root, { isCurrent }) {
  const listHost = tableHost('Loading organizations…');
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'organization', placeholder: 'e.g. Acme Robotics' });
  const handle = h('input', { type: 'text', name: 'handle', maxlength: '39', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', class: 'mono', placeholder: 'e.g. acme-robotics' });
  const create = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus'), 'Create organization');
  const form = h('form', { novalidate: true },
    formError(),
    field({ label: 'Name', control: name, required: true, hint: 'You become its owner. You can invite members afterwards.' }),
    field({ label: 'Handle', control: handle, optional: true, hint: `Made from the name when left empty. ${HANDLE_HINT}` }),
    h('div', { class: 'actions' }, create));

  root.append(
    pageHead({
      title: 'Organizations',
      lead: 'Organizations group people, agents and hosts. Keys can be scoped to one organization.',
    }),
    h('div', { class: 'grid-2' },
      card({ id: 'orgs-title', title: 'Your organizations' }, listHost),
      card({ id: 'new-org-title', title: 'New organization' }, h('div', { class: 'card-body' }, form))));

  async function load() {
    const data = await get('/api/orgs');
    if (!isCurrent()) return;
    const orgs = (data && data.orgs) || [];
    clear(listHost);
    listHost.append(orgs.length
      ? orgsTable(orgs)
      : emptyState('org', 'No organizations yet', 'Create one, or ask an owner to invite you to theirs.'));
  }

  onSubmit(form, async () => {
    const body = { name: name.value.trim() };
    if (handle.value.trim()) body.handle = handle.value.trim();
    const res = await busy(create, () => post('/api/orgs', body));
    toast(`Organization “${res.org.name}” created, handle ${res.org.handle}.`);
    name.value = '';
    handle.value = '';
    await load();
    const link = listHost.querySelector(`tr[data-org-id="${CSS.escape(res.org.id)}"] a`);
    if (link) link.focus();
  });

  await load();
}

// ---------- #/orgs/<id> ----------
// Every function below takes `page`: the organization, whether you own it, your session, and
// the hosts its tables load into.

function membersCard(page) {
  const section = card({
    id: 'members-title',
    title: 'Members',
    sub: page.isOwner ? 'Removing a member ends their access at once, through every key.' : 'Only owners can invite or remove members.',
  }, page.membersHost);
  return section;
}

const isMe = (page, m) => !!(page.session.account && m.account_id === page.session.account.id);

function memberRow(page, m) {
  const emailId = nextId('member-email');
  const remove = page.isOwner
    ? h('button', {
      type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': emailId,
      onclick: () => removeMember(page, m),
    }, 'Remove')
    : null;
  return h('tr', { 'data-account-id': m.account_id },
    td('Email', h('span', { class: 'cell-name' }, h('span', { id: emailId }, m.email),
      isMe(page, m) ? h('span', { class: 'cell-sub' }, 'You') : null), 'cell-primary'),
    td('Role', page.isOwner ? roleSelect(page.org, m, { onChanged: (changed) => roleChanged(page, changed) }) : roleBadge(m.role)),
    page.isOwner ? td('Two-factor', m.two_factor ? 'On' : h('span', { class: 'two-factor-off' }, 'Off')) : null,
    remove ? actionsCell(remove) : null);
}

// An owner who made themself a member sees the page as members do.
async function roleChanged(page, member) {
  if (isMe(page, member) && member.role !== 'owner') {
    page.refresh();
    return;
  }
  await loadMembers(page);
}

async function loadMembers(page) {
  const data = await get(`/api/orgs/${seg(page.org.id)}/members`);
  if (!page.isCurrent()) return;
  const members = (data && data.members) || [];
  clear(page.membersHost);
  page.membersHost.append(dataTable({
    className: 'members-table',
    caption: `Members of ${page.org.name}`,
    columns: page.isOwner ? ['Email', 'Role', 'Two-factor'] : ['Email', 'Role'],
    actions: page.isOwner,
    body: members.map((m) => memberRow(page, m)),
  }));
}

async function removeMember(page, m) {
  const { org } = page;
  const me = isMe(page, m);
  const res = await confirmDialog({
    title: me ? `Leave ${org.name}?` : `Remove ${m.email}?`,
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, me
        ? 'You lose access to this organization at once, through every key.'
        : `${m.email} loses access to ${org.name} at once, through every key, scoped or not.`))],
    confirmLabel: 'Remove',
    danger: true,
    returnFocus: () => page.membersHost.querySelector('button') || page.membersHost,
    onConfirm: () => del(`/api/orgs/${seg(org.id)}/members/${seg(m.account_id)}`),
  });
  if (!res) return;
  toast(`${m.email} removed from ${org.name}.`);
  if (me) {
    location.hash = '#/orgs';
    return;
  }
  await loadMembers(page);
  if (page.isOwner) await loadKeys(page).catch((err) => toast(err.message, { error: true }));
}

function orgKeyRow(page, k, now) {
  const nameId = nextId('org-key-name');
  const revoke = revokeButton({
    revoked: keyStatus(k, now) === 'revoked', describedBy: nameId, onClick: () => revokeOrgKey(page, k),
  });
  return h('tr', { 'data-key-id': k.id, class: rowClass(k, now) },
    td('Name', keyNameCell(k, nameId), 'cell-primary'),
    td('Member', k.service_account ? `${k.service_account.name} (service account)` : (k.email || k.account_id)),
    td('Created', timeEl(k.created_at, { stacked: true })),
    td('Expires', expiresCell(k, now)),
    td('Last used', timeEl(k.last_used_at, { stacked: true })),
    td('Status', h('span', { class: 'stack' }, statusBadge(k, now), flagBadges(k))),
    actionsCell(revoke));
}

async function loadKeys(page) {
  const keys = await fetchAllKeys(`/api/orgs/${seg(page.org.id)}/keys`);
  if (!page.isCurrent()) return;
  clear(page.keysHost);
  if (!keys.length) {
    page.keysHost.append(emptyState('key', 'No scoped keys', 'Keys scoped to this organization appear here.'));
    return;
  }
  const now = new Date();
  page.keysHost.append(dataTable({
    className: 'cards-wide org-keys-table',
    caption: `API keys scoped to ${page.org.name}`,
    columns: ['Name', 'Member', 'Created', 'Expires', 'Last used', 'Status'],
    actions: true,
    body: keys.map((k) => orgKeyRow(page, k, now)),
  }));
}

async function revokeOrgKey(page, k) {
  const { keysHost } = page;
  const res = await confirmDialog({
    title: `Revoke “${k.name}”?`,
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, h('strong', {}, 'Revoking is permanent. '),
        `The key of ${k.service_account ? k.service_account.name : (k.email || 'this member')} stops working at once and every system using it loses access. This cannot be undone.`))],
    confirmLabel: 'Revoke',
    danger: true,
    returnFocus: () => keysHost.querySelector('button:not(:disabled)') || keysHost.closest('section'),
    onConfirm: () => post(`/api/orgs/${seg(page.org.id)}/keys/${seg(k.id)}/revoke`),
  });
  if (!res) return;
  toast(`“${k.name}” is revoked.`);
  await loadKeys(page);
}

export async function renderOrg(root, { route, session, isCurrent, setTitle, refresh }) {
  const list = await get('/api/orgs');
  if (!isCurrent()) return;
  const org = ((list && list.orgs) || []).find((o) => o.id === route.id);
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/orgs' }, 'Organizations'), ' / ');
  if (!org) {
    root.append(crumbs, pageHead({ title: 'Organization not found', lead: 'It does not exist, or you are not a member.' }));
    return;
  }
  setTitle(org.name);
  crumbs.append(h('span', { 'aria-current': 'page' }, org.name));
  const page = {
    org, session, isCurrent, refresh,
    isOwner: org.role === 'owner',
    membersHost: tableHost('Loading members…'),
    keysHost: tableHost('Loading keys…'),
  };

  root.append(crumbs, pageHead({
    title: org.name,
    lead: ['You are ', page.isOwner ? 'an owner' : 'a member', ' of this organization. Handle ',
      h('span', { class: 'mono', 'data-org-handle': '' }, org.handle), ' · ', h('span', { class: 'mono none' }, org.id)],
  }));
  root.append(membersCard(page));
  const invitations = page.isOwner ? invitationsCard({ org, isCurrent }) : null;
  if (invitations) root.append(invitations.section);
  const serviceAccounts = page.isOwner ? serviceAccountsCard({ org, session, isCurrent }) : null;
  const policy = page.isOwner ? policyCard({ org, isCurrent }) : null;
  if (page.isOwner) {
    root.append(card({
      id: 'org-keys-title',
      title: 'API keys scoped to this organization',
      sub: 'Every member’s keys that only work on this organization. As an owner you can revoke them.',
    }, page.keysHost));
    root.append(serviceAccounts.section);
    root.append(policy.section);
    root.append(orgSettingsCard(org, { onChanged: () => refresh() }));
  }
  try {
    await Promise.all([loadMembers(page), page.isOwner ? loadKeys(page) : null,
      invitations ? invitations.load() : null, serviceAccounts ? serviceAccounts.load() : null,
      policy ? policy.load() : null]);
  } catch (err) {
    if (err.code !== 'two_factor_required' || !isCurrent()) throw err;
    clear(root).append(crumbs, pageHead({
      title: org.name,
      lead: [err.message, ' ', h('a', { href: '#/two-factor' }, 'Turn on two-factor sign-in'), '.'],
    }));
  }
}
