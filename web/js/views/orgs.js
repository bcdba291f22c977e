// Organizations: the list with a create form, and one organization's page (members; for
// owners, adding and removing members and the keys scoped to the organization).

import { get, post, del, seg } from '../api.js';
import {
  h, icon, field, formError, clearErrors, showError, busy, toast, confirmDialog, clear, nextId,
} from '../dom.js';
import { timeEl } from '../format.js';
import { keyStatus, statusBadge, expiresCell, rowClass } from './keys.js';

function roleBadge(role) {
  return h('span', { class: role === 'owner' ? 'badge badge-plain badge-owner' : 'badge badge-plain' },
    role === 'owner' ? 'Owner' : 'Member');
}

function td(label, content, cls = null) {
  return h('td', { 'data-label': label, class: cls }, content);
}

// ---------- #/orgs ----------

export async function renderOrgs(root, { isCurrent }) {
  const listHost = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading organizations…'));
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'organization', placeholder: 'e.g. Acme Robotics' });
  const create = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus'), 'Create organization');
  const form = h('form', { novalidate: true },
    formError(),
    field({ label: 'Name', control: name, required: true, hint: 'You become its owner. You can add members afterwards.' }),
    h('div', { class: 'actions' }, create));

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1' }, 'Organizations'),
        h('p', { class: 'lead' }, 'Organizations group people, agents and hosts. Keys can be scoped to one organization.'))),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'orgs-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'orgs-title' }, 'Your organizations')),
        listHost),
      h('section', { class: 'card', 'aria-labelledby': 'new-org-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'new-org-title' }, 'New organization')),
        h('div', { class: 'card-body' }, form))));

  async function load() {
    const data = await get('/api/orgs');
    if (!isCurrent()) return;
    const orgs = (data && data.orgs) || [];
    clear(listHost);
    if (!orgs.length) {
      listHost.append(h('div', { class: 'empty' }, icon('org'),
        h('h2', {}, 'No organizations yet'),
        h('p', {}, 'Create one, or ask an owner to add you to theirs.')));
      return;
    }
    listHost.append(h('table', { class: 'responsive-table' },
      h('caption', { class: 'sr-only' }, 'Your organizations'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Your role'),
        h('th', { scope: 'col' }, 'ID'))),
      h('tbody', {}, orgs.map((o) => h('tr', { 'data-org-id': o.id },
        td('Name', h('a', { class: 'org-link', href: `#/orgs/${encodeURIComponent(o.id)}` }, o.name), 'cell-primary'),
        td('Your role', roleBadge(o.role)),
        td('ID', h('span', { class: 'mono none' }, o.id)))))));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const res = await busy(create, () => post('/api/orgs', { name: name.value.trim() }));
      toast(`Organization “${res.org.name}” created.`);
      name.value = '';
      await load();
      const link = listHost.querySelector(`tr[data-org-id="${CSS.escape(res.org.id)}"] a`);
      if (link) link.focus();
    } catch (err) {
      showError(form, err);
    }
  });

  await load();
}

// ---------- #/orgs/<id> ----------

export async function renderOrg(root, { route, session, isCurrent, setTitle }) {
  const orgId = route.id;
  const list = await get('/api/orgs');
  if (!isCurrent()) return;
  const org = ((list && list.orgs) || []).find((o) => o.id === orgId);
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/orgs' }, 'Organizations'), ' / ');
  if (!org) {
    root.append(crumbs, h('div', { class: 'page-head' }, h('div', {},
      h('h1', { tabindex: '-1' }, 'Organization not found'),
      h('p', { class: 'lead' }, 'It does not exist, or you are not a member.'))));
    return;
  }
  setTitle(org.name);
  crumbs.append(h('span', { 'aria-current': 'page' }, org.name));
  const isOwner = org.role === 'owner';

  const membersHost = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading members…'));
  const keysHost = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading keys…'));

  root.append(crumbs,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1' }, org.name),
        h('p', { class: 'lead' }, 'You are ', isOwner ? 'an owner' : 'a member', ' of this organization. ',
          h('span', { class: 'mono none' }, org.id)))));

  const membersCard = h('section', { class: 'card', 'aria-labelledby': 'members-title' },
    h('div', { class: 'card-head' },
      h('div', {}, h('h2', { id: 'members-title' }, 'Members'),
        h('p', {}, isOwner ? 'Removing a member ends their access at once, through every key.' : 'Only owners can add or remove members.'))),
    membersHost);

  let addForm = null;
  let addBtn = null;
  if (isOwner) {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', inputmode: 'email', placeholder: 'teammate@example.com' });
    const role = h('select', { name: 'role' },
      h('option', { value: 'member' }, 'Member'),
      h('option', { value: 'owner' }, 'Owner'));
    addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add member');
    const roleField = field({ label: 'Role', control: role });
    roleField.classList.add('narrow');
    addForm = h('form', { novalidate: true },
      formError(),
      h('div', { class: 'form-row' },
        field({ label: 'Email', control: email }),
        roleField,
        h('div', {}, addBtn)),
      h('p', { class: 'hint' }, 'The person needs an account first: they sign up with this email.'));
    addForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(addForm);
      try {
        const res = await busy(addBtn, () => post(`/api/orgs/${seg(orgId)}/members`, { email: email.value.trim(), role: role.value }));
        toast(`${res.member.email} added as ${res.member.role}.`);
        email.value = '';
        await loadMembers();
        email.focus();
      } catch (err) {
        showError(addForm, err);
      }
    });
    membersCard.append(h('div', { class: 'card-body' }, h('h3', { class: 'sr-only' }, 'Add a member'), addForm));
    membersCard.classList.add('has-form');
  }
  root.append(membersCard);

  if (isOwner) {
    root.append(h('section', { class: 'card', 'aria-labelledby': 'org-keys-title' },
      h('div', { class: 'card-head' },
        h('div', {}, h('h2', { id: 'org-keys-title' }, 'API keys scoped to this organization'),
          h('p', {}, 'Every member’s keys that only work on this organization. As an owner you can revoke them.'))),
      keysHost));
  }

  async function loadMembers() {
    const data = await get(`/api/orgs/${seg(orgId)}/members`);
    if (!isCurrent()) return;
    const members = (data && data.members) || [];
    clear(membersHost);
    const cols = ['Email', 'Role'];
    membersHost.append(h('table', { class: 'responsive-table members-table' },
      h('caption', { class: 'sr-only' }, `Members of ${org.name}`),
      h('thead', {}, h('tr', {},
        cols.map((c) => h('th', { scope: 'col' }, c)),
        isOwner ? h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
      h('tbody', {}, members.map((m) => {
        const emailId = nextId('member-email');
        const isMe = session.account && m.account_id === session.account.id;
        let actions = null;
        if (isOwner) {
          const remove = h('button', { type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': emailId }, 'Remove');
          remove.addEventListener('click', () => removeMember(m));
          actions = td('Actions', h('div', { class: 'actions' }, remove), 'col-actions');
        }
        return h('tr', { 'data-account-id': m.account_id },
          td('Email', h('span', { class: 'cell-name' }, h('span', { id: emailId }, m.email),
            isMe ? h('span', { class: 'cell-sub' }, 'You') : null), 'cell-primary'),
          td('Role', roleBadge(m.role)),
          actions);
      }))));
  }

  async function removeMember(m) {
    const isMe = session.account && m.account_id === session.account.id;
    const res = await confirmDialog({
      title: isMe ? `Leave ${org.name}?` : `Remove ${m.email}?`,
      content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
        h('p', {}, isMe
          ? 'You lose access to this organization at once, through every key.'
          : `${m.email} loses access to ${org.name} at once, through every key, scoped or not.`))],
      confirmLabel: 'Remove',
      danger: true,
      returnFocus: () => (addForm && addForm.querySelector('input')) || membersHost,
      onConfirm: () => del(`/api/orgs/${seg(orgId)}/members/${seg(m.account_id)}`),
    });
    if (!res) return;
    toast(`${m.email} removed from ${org.name}.`);
    if (isMe) {
      location.hash = '#/orgs';
      return;
    }
    await loadMembers();
    if (isOwner) await loadKeys().catch((err) => toast(err.message, { error: true }));
  }

  async function loadKeys() {
    const data = await get(`/api/orgs/${seg(orgId)}/keys`);
    if (!isCurrent()) return;
    const keys = (data && data.keys) || [];
    clear(keysHost);
    if (!keys.length) {
      keysHost.append(h('div', { class: 'empty' }, icon('key'),
        h('h2', {}, 'No scoped keys'),
        h('p', {}, 'Keys scoped to this organization appear here.')));
      return;
    }
    const now = new Date();
    keysHost.append(h('table', { class: 'responsive-table cards-wide org-keys-table' },
      h('caption', { class: 'sr-only' }, `API keys scoped to ${org.name}`),
      h('thead', {}, h('tr', {},
        ['Name', 'Member', 'Created', 'Expires', 'Last used', 'Status'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, keys.map((k) => {
        const nameId = nextId('org-key-name');
        const revoked = keyStatus(k, now) === 'revoked';
        const revoke = h('button', {
          type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': nameId,
          disabled: revoked, title: revoked ? 'Already revoked' : null,
        }, 'Revoke');
        revoke.addEventListener('click', () => revokeOrgKey(k));
        return h('tr', { 'data-key-id': k.id, class: rowClass(k, now) || null },
          td('Name', h('div', { class: 'cell-name' },
            h('span', { class: 'cell-name-text', id: nameId }, k.name),
            h('span', { class: 'cell-sub mono' }, k.hint || '')), 'cell-primary'),
          td('Member', k.email || k.account_id),
          td('Created', timeEl(k.created_at, { stacked: true })),
          td('Expires', expiresCell(k, now)),
          td('Last used', timeEl(k.last_used_at, { stacked: true })),
          td('Status', statusBadge(k, now)),
          td('Actions', h('div', { class: 'actions' }, revoke), 'col-actions'));
      }))));
  }

  async function revokeOrgKey(k) {
    const res = await confirmDialog({
      title: `Revoke “${k.name}”?`,
      content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
        h('p', {}, h('strong', {}, 'Revoking is permanent. '),
          `The key of ${k.email || 'this member'} stops working at once and every system using it loses access. This cannot be undone.`))],
      confirmLabel: 'Revoke',
      danger: true,
      returnFocus: () => keysHost.querySelector('button:not(:disabled)') || keysHost.closest('section'),
      onConfirm: () => post(`/api/orgs/${seg(orgId)}/keys/${seg(k.id)}/revoke`),
    });
    if (!res) return;
    toast(`“${k.name}” is revoked.`);
    await loadKeys();
  }

  await Promise.all([loadMembers(), isOwner ? loadKeys() : null]);
}
