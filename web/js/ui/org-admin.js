// What an organization's owners manage on its page: its settings (display name, handle,
// whether members must have two-factor sign-in on, deletion with the handle typed as
// confirmation) and each member's role.

import { patch, del, seg } from '../api.js';
import { h, icon, field, formError, busy, toast, confirmDialog } from '../dom.js';
import { card } from './page.js';
import { onSubmit } from './form.js';

/** The handle rule of docs/spec/API.md, as a hint under the fields that take one. */
export const HANDLE_HINT = 'Lower-case letters, digits and single hyphens, up to 39 characters. '
  + 'The CLI and scripts name the organization by it (2501 agents --org HANDLE).';

function renameForm(org, onChanged) {
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', autocomplete: 'organization', value: org.name });
  const handle = h('input', {
    type: 'text', name: 'handle', maxlength: '39', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'none', class: 'mono', value: org.handle,
  });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save changes');
  const form = h('form', { novalidate: true, class: 'settings-form' },
    formError(),
    field({ label: 'Display name', control: name, required: true, hint: 'Shown to members. Two organizations may share a name.' }),
    field({ label: 'Handle', control: handle, required: true, hint: HANDLE_HINT }),
    h('div', { class: 'actions actions-start' }, save));
  onSubmit(form, async () => {
    const body = {};
    if (name.value.trim() !== org.name) body.name = name.value.trim();
    if (handle.value.trim() !== org.handle) body.handle = handle.value.trim();
    if (!Object.keys(body).length) {
      toast('Nothing to change.');
      return;
    }
    const res = await busy(save, () => patch(`/api/orgs/${seg(org.id)}`, body));
    toast(body.handle ? `Saved. The handle is now ${res.org.handle}.` : 'Saved.');
    await onChanged(res.org);
  });
  return form;
}

async function deleteOrg(org, button) {
  const confirmInput = h('input', {
    type: 'text', name: 'confirm', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', class: 'mono',
  });
  const res = await confirmDialog({
    title: `Delete ${org.name}?`,
    content: [h('div', { class: 'callout callout-danger' }, icon('warn'),
      h('p', {}, h('strong', {}, 'This cannot be undone. '),
        'Every API key scoped to this organization is revoked at once, its agents and hosts are deleted, and every member loses access.'))],
    fields: [field({ label: `Type ${org.handle} to confirm`, control: confirmInput })],
    confirmLabel: 'Delete organization',
    danger: true,
    returnFocus: () => button,
    onConfirm: () => del(`/api/orgs/${seg(org.id)}`, { confirm: confirmInput.value.trim() }),
  });
  if (!res) return;
  toast(`${org.name} is deleted; its scoped keys are revoked.`);
  location.hash = '#/orgs';
}

/**
 * The "Organization settings" card (owners): rename, change the handle, delete. `onChanged(org)`
 * runs after a rename with the organization as the server now describes it.
 */
/**
 * "Require two-factor sign-in" (owners): a switch saved at once. The server refuses to turn it
 * on for an owner without two-factor (the message says so); the switch then goes back.
 */
function twoFactorRule(org, onChanged) {
  const box = h('input', { type: 'checkbox', name: 'require_two_factor', checked: !!org.require_two_factor });
  box.addEventListener('change', async () => {
    const want = box.checked;
    box.disabled = true;
    try {
      const res = await patch(`/api/orgs/${seg(org.id)}`, { require_two_factor: want });
      toast(want ? 'Members without two-factor sign-in are now shut out of this organization.'
        : 'Two-factor sign-in is no longer required.');
      await onChanged(res.org);
    } catch (err) {
      box.checked = !want;
      toast(err.message, { error: true });
    } finally {
      if (box.isConnected) box.disabled = false;
    }
  });
  return h('div', { class: 'card-body' },
    h('h3', {}, 'Two-factor sign-in'),
    h('label', { class: 'check' }, box, ' Require two-factor sign-in'),
    h('p', { class: 'hint' }, 'Members without it cannot open this organization’s pages, and their keys are refused on it (two_factor_required) until they turn it on. You need it on yourself.'));
}

export function orgSettingsCard(org, { onChanged }) {
  const deleteButton = h('button', { type: 'button', class: 'btn btn-ghost-danger', 'data-action': 'delete-org' },
    'Delete organization');
  deleteButton.addEventListener('click', () => deleteOrg(org, deleteButton));
  return card({
    id: 'org-settings-title',
    title: 'Organization settings',
    sub: 'Only owners see this.',
  },
  h('div', { class: 'card-body' }, renameForm(org, onChanged)),
  twoFactorRule(org, onChanged),
  h('div', { class: 'card-body danger-zone' },
    h('h3', {}, 'Delete this organization'),
    h('p', { class: 'hint' }, 'Revokes every key scoped to it and removes its members, agents and hosts. The audit log keeps the record.'),
    deleteButton));
}

/**
 * A member's role as a <select> for owners (labelled by the member's email), changed at once.
 * `onChanged(member)` runs with the member as the server describes it; on a refusal the select
 * goes back and the message is shown as a toast.
 */
export function roleSelect(org, member, { onChanged }) {
  const select = h('select', { name: 'role', 'aria-label': `Role of ${member.email}`, class: 'role-select' },
    h('option', { value: 'member' }, 'Member'),
    h('option', { value: 'owner' }, 'Owner'));
  select.value = member.role;
  select.addEventListener('change', async () => {
    const role = select.value;
    select.disabled = true;
    try {
      const res = await patch(`/api/orgs/${seg(org.id)}/members/${seg(member.account_id)}`, { role });
      toast(`${res.member.email} is now ${res.member.role === 'owner' ? 'an owner' : 'a member'}.`);
      member.role = res.member.role;
      await onChanged(res.member);
    } catch (err) {
      select.value = member.role;
      toast(err.message, { error: true });
    } finally {
      if (select.isConnected) select.disabled = false;
    }
  });
  return select;
}
