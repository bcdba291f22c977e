// An organization's key policy, for its owners (docs/spec/API.md "Organization key policy"):
// the rules every key scoped to it, and its service accounts' keys, must follow. One form, read
// with GET /api/orgs/{org}/policy and saved whole with PUT (an empty field is no rule).

import { api, get, seg } from '../api.js';
import { h, field, formError, busy, toast, clear } from '../dom.js';
import { card } from './page.js';
import { onSubmit } from './form.js';
import { permissionPicker, PRESETS } from './key-access.js';
import { timeEl } from '../format.js';

const DAYS = [
  ['max_lifetime_days', 'Maximum key lifetime (days)',
    'A key must expire within this many days of its creation or last rotation; older ones stop working (key_expired).'],
  ['rotate_every_days', 'Rotate every (days)',
    'A key not rotated for this many days since its creation or last rotation is refused (rotation_overdue) until rotated.'],
  ['revoke_unused_after_days', 'Revoke keys unused for (days)',
    'A key not used for this many days (or never used since its creation or rotation) is revoked automatically; its owner gets a mail.'],
];

function daysInput(name, value) {
  return h('input', {
    type: 'number', name, min: '1', max: '3650', step: '1', inputmode: 'numeric',
    placeholder: 'No rule', value: value === null || value === undefined ? '' : String(value),
  });
}

/** The field's value for the API: null when empty, else the number typed (the server checks it). */
function daysValue(input) {
  const text = input.value.trim();
  return text === '' ? null : Number(text);
}

function allowedPermissions(policy) {
  const any = h('input', { type: 'checkbox', name: 'any_permission', checked: !policy.allowed_permissions });
  const picker = permissionPicker({ initial: policy.allowed_permissions || PRESETS[0].permissions });
  picker.element.hidden = any.checked;
  // API errors about allowed_permissions land under the picker's fieldset.
  const anchor = picker.element.querySelector('[data-error-id]');
  if (anchor) anchor.dataset.apiField = 'allowed_permissions';
  any.addEventListener('change', () => { picker.element.hidden = any.checked; });
  const element = h('div', { class: 'stack' },
    h('label', { class: 'check' }, any, ' Keys may have any permission'),
    picker.element);
  return { element, value: () => (any.checked ? null : picker.value()) };
}

function policyForm(org, policy, onSaved) {
  const inputs = Object.fromEntries(DAYS.map(([name]) => [name, daysInput(name, policy[name])]));
  const requireExpiration = h('input', { type: 'checkbox', name: 'require_expiration', checked: !!policy.require_expiration });
  const permissions = allowedPermissions(policy);
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save policy');
  const form = h('form', { novalidate: true, class: 'settings-form policy-form' },
    formError(),
    ...DAYS.map(([name, label, hint]) => field({ label, control: inputs[name], optional: true, hint })),
    h('div', { class: 'field' },
      h('label', { class: 'check' }, requireExpiration, ' Keys must have an expiration'),
      h('p', { class: 'hint' }, 'Creating, rotating or editing a key without one is refused; existing keys without one are refused on use.')),
    h('div', { class: 'field' },
      h('h3', {}, 'Allowed permissions'),
      permissions.element,
      h('p', { class: 'hint' }, 'Keys get no permission outside this set; a key created without permissions gets exactly this set.')),
    h('div', { class: 'actions actions-start' }, save));
  onSubmit(form, async () => {
    const body = { require_expiration: requireExpiration.checked, allowed_permissions: permissions.value() };
    for (const [name] of DAYS) body[name] = daysValue(inputs[name]);
    const res = await busy(save, () => api('PUT', `/api/orgs/${seg(org.id)}/policy`, body));
    toast('Key policy saved.');
    onSaved(res.policy);
  });
  return form;
}

function updatedNote(policy) {
  return h('p', { class: 'hint', 'data-policy-updated': '' },
    policy.updated_at ? ['Last changed ', timeEl(policy.updated_at), '.'] : 'No rule set yet: keys follow the server’s limits only.');
}

/**
 * The "Key policy" card (owners). Returns {section, load}: load() reads the policy and shows
 * the form; after a save the form shows what the server stored.
 */
export function policyCard({ org, isCurrent }) {
  const host = h('div', { class: 'card-body' }, h('p', { class: 'muted' }, 'Loading the key policy…'));
  const section = card({
    id: 'org-policy-title',
    title: 'Key policy',
    sub: 'Rules for every key scoped to this organization, its service accounts’ keys included.',
  }, host);
  const show = (policy) => {
    if (!isCurrent()) return;
    clear(host).append(updatedNote(policy), policyForm(org, policy, show));
  };
  const load = async () => {
    try {
      const res = await get(`/api/orgs/${seg(org.id)}/policy`);
      show(res.policy);
    } catch (err) {
      if (err.code === 'two_factor_required') throw err;  // the page says it
      if (isCurrent()) clear(host).append(h('p', { class: 'form-error', role: 'alert' }, err.message));
    }
  };
  return { section, load };
}
