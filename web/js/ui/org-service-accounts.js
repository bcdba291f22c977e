// An organization's service accounts, on its page, for its owners: accounts for shared
// automation whose keys survive any member's departure. The list, a form that creates one,
// deletion after a confirmation (which revokes its keys), and each one's keys: create (the
// value shown once), rotate, revoke. A key's permissions, allowed addresses and rotation overlap
// use the same picker, field and dialog as a person's keys (key-access.js, key-dialogs.js).

import { get, post, del, seg } from '../api.js';
import { h, icon, field, formError, busy, toast, confirmDialog, clear, nextId } from '../dom.js';
import { timeEl } from '../format.js';
import { card } from './page.js';
import { dataTable, td, actionsCell, emptyState, muted } from './table.js';
import { onSubmit } from './form.js';
import { keyStatus, statusBadge, expiresCell, revokeButton } from './key-cells.js';
import { expirationField } from './expiration.js';
import { showSecretOnce } from './secret.js';
import { permissionPicker, allowedAddressesField, accessCell } from './key-access.js';
import { rotateDialog, overlapNote } from './key-dialogs.js';

const base = (state, sa) => `/api/orgs/${seg(state.org.id)}/service-accounts${sa ? `/${seg(sa.id)}` : ''}`;

/** The New key dialog's body: what the API takes for a person's key, less the organization. */
function newKeyBody(name, exp, perms, ips) {
  const body = { name: name.value.trim(), expires_at: exp.value(), permissions: perms.value() };
  const allowed = ips.value();
  if (allowed.length) body.allowed_ips = allowed;
  return body;
}

async function newKey(state, sa, button) {
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'off', placeholder: 'deploy' });
  const exp = expirationField({ maxDays: state.maxDays, allowNever: true });
  const perms = permissionPicker();
  const ips = allowedAddressesField();
  const fields = h('div', { class: 'dialog-fields' },
    field({ label: 'Key name', control: name, required: true }), exp.element, perms.element, ips.element);
  for (const f of fields.querySelectorAll('.field')) f.classList.add('dialog-field');
  const res = await confirmDialog({
    title: `New key for ${sa.name}`,
    content: [h('p', { class: 'hint' }, `The key works on ${state.org.name} only, whoever joins or leaves it.`)],
    fields: [fields],
    confirmLabel: 'Create key',
    returnFocus: () => button,
    onConfirm: () => post(`${base(state, sa)}/keys`, newKeyBody(name, exp, perms, ips)),
  });
  if (!res || res === true) return;
  const secret = res.secret;
  res.secret = null;
  await load(state);
  await showSecretOnce({ key: res.key, secret, rotated: false, returnFocus: () => state.form.querySelector('input') });
}

async function rotateKey(state, sa, key) {
  const returnFocus = () => state.form.querySelector('input');
  const res = await rotateDialog(key, {
    url: `${base(state, sa)}/keys/${seg(key.id)}/rotate`,
    maxDays: state.maxDays,
    returnFocus,
    title: `Rotate “${key.name}” of ${sa.name}?`,
  });
  if (!res || res === true) return;
  const secret = res.secret;
  res.secret = null;
  await load(state);
  await showSecretOnce({ key: res.key, secret, rotated: true, returnFocus });
}

async function revokeKey(state, sa, key) {
  const res = await confirmDialog({
    title: `Revoke “${key.name}” of ${sa.name}?`,
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, h('strong', {}, 'Revoking is permanent. '), 'The key stops working at once.'))],
    confirmLabel: 'Revoke',
    danger: true,
    returnFocus: () => state.form.querySelector('input'),
    onConfirm: () => post(`${base(state, sa)}/keys/${seg(key.id)}/revoke`),
  });
  if (!res) return;
  toast(`“${key.name}” is revoked.`);
  await load(state);
}

async function deleteAccount(state, sa) {
  const res = await confirmDialog({
    title: `Delete ${sa.name}?`,
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, h('strong', {}, 'This cannot be undone. '),
        'Every key of this service account is revoked at once, and every system using one loses access.'))],
    confirmLabel: 'Delete service account',
    danger: true,
    returnFocus: () => state.form.querySelector('input'),
    onConfirm: () => del(base(state, sa)),
  });
  if (!res) return;
  toast(`${sa.name} is deleted; its keys are revoked.`);
  await load(state);
}

function keyRow(state, sa, key) {
  const nameId = nextId('sa-key-name');
  const revoked = keyStatus(key) === 'revoked';
  const rotate = revoked ? null : h('button', {
    type: 'button', class: 'btn btn-sm', 'aria-describedby': nameId, 'data-action': 'rotate',
    onclick: () => rotateKey(state, sa, key),
  }, 'Rotate');
  return h('tr', { 'data-key-id': key.id },
    td('Name', h('span', { class: 'cell-name', id: nameId }, key.name), 'cell-primary'),
    td('Key', h('span', { class: 'mono' }, key.hint)),
    td('Expires', expiresCell(key)),
    td('Access', accessCell(key)),
    td('Last used', key.last_used_at ? timeEl(key.last_used_at, { stacked: true }) : muted('Never')),
    td('Status', h('span', { class: 'stack' }, statusBadge(key), overlapNote(key))),
    actionsCell(rotate, revokeButton({
      revoked, describedBy: nameId, dataAction: 'revoke', onClick: () => revokeKey(state, sa, key),
    })));
}

function accountBlock(state, sa, keys) {
  const titleId = nextId('sa-name');
  const keyBtn = h('button', { type: 'button', class: 'btn btn-sm', 'aria-describedby': titleId, 'data-action': 'new-sa-key' }, 'New key');
  keyBtn.addEventListener('click', () => newKey(state, sa, keyBtn));
  const delBtn = h('button', {
    type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': titleId, 'data-action': 'delete-sa',
    onclick: () => deleteAccount(state, sa),
  }, 'Delete');
  return h('div', { class: 'card-body service-account', 'data-service-account-id': sa.id },
    h('div', { class: 'actions actions-spread' },
      h('h3', { id: titleId }, sa.name),
      h('div', { class: 'actions' }, keyBtn, delBtn)),
    sa.description ? h('p', { class: 'hint' }, sa.description) : null,
    keys.length
      ? dataTable({
        className: 'sa-keys-table',
        caption: `Keys of ${sa.name}`,
        columns: ['Name', 'Key', 'Expires', 'Access', 'Last used', 'Status'],
        actions: true,
        body: keys.map((k) => keyRow(state, sa, k)),
      })
      : h('p', { class: 'hint' }, 'No keys yet.'));
}

async function load(state) {
  const data = await get(base(state));
  const accounts = (data && data.service_accounts) || [];
  const keys = await Promise.all(accounts.map((sa) => get(`${base(state, sa)}/keys`)));
  if (!state.isCurrent()) return;
  clear(state.host);
  state.host.append(...(accounts.length
    ? accounts.map((sa, i) => accountBlock(state, sa, (keys[i] && keys[i].keys) || []))
    : [emptyState('key', 'No service accounts', 'Create one for CI or a deployment: its keys keep working whoever leaves.')]));
}

function createForm(state) {
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'off', placeholder: 'CI' });
  const description = h('input', { type: 'text', name: 'description', maxlength: '500', autocomplete: 'off' });
  const createBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create service account');
  const form = h('form', { novalidate: true, class: 'service-account-form' },
    formError(),
    h('div', { class: 'form-row' },
      field({ label: 'Name', control: name, required: true }),
      field({ label: 'Description', control: description }),
      h('div', {}, createBtn)));
  onSubmit(form, async () => {
    const res = await busy(createBtn, () => post(base(state), { name: name.value.trim(), description: description.value.trim() }));
    toast(`${res.service_account.name} is created. Give it a key with New key.`);
    name.value = '';
    description.value = '';
    await load(state);
    name.focus();
  });
  return form;
}

/**
 * The "Service accounts" card of an organization's page, for an owner. `org` is the
 * organization, `session` the console's session (the server's maximum key lifetime),
 * `isCurrent()` tells whether the page is still shown. Returns {section, load}.
 */
export function serviceAccountsCard({ org, session, isCurrent }) {
  const state = {
    org,
    isCurrent,
    maxDays: session && session.maxKeyLifetimeDays,
    host: h('div', { class: 'service-accounts' }, h('p', { class: 'loading' }, 'Loading service accounts…')),
    form: null,
  };
  state.form = createForm(state);
  const section = card({
    id: 'service-accounts-title',
    title: 'Service accounts',
    sub: 'Accounts for automation. Their keys work on this organization only and survive any member leaving.',
  }, state.host, h('div', { class: 'card-body' }, h('h3', { class: 'sr-only' }, 'Create a service account'), state.form));
  section.classList.add('has-form');
  return { section, load: () => load(state) };
}
