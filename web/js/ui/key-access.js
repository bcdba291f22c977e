// What a key may do and from where: the permission picker (two presets and one checkbox per
// permission, write implying read), the "Allowed addresses" field, and the cell that shows both
// in the keys table. The API's names and order are canonical (docs/spec/API.md).

import { h, field, nextId } from '../dom.js';

/** Every permission, in the API's canonical order; `implies` is what a write includes. */
export const PERMISSIONS = [
  { name: 'orgs:read', label: 'Read organizations' },
  { name: 'agents:read', label: 'Read agents' },
  { name: 'agents:write', label: 'Create and remove agents', implies: 'agents:read' },
  { name: 'hosts:read', label: 'Read hosts' },
  { name: 'hosts:write', label: 'Create and remove hosts', implies: 'hosts:read' },
];

export const PRESETS = [
  { id: 'full', label: 'Full access', permissions: PERMISSIONS.map((p) => p.name) },
  { id: 'read', label: 'Read only', permissions: ['orgs:read', 'agents:read', 'hosts:read'] },
];

/** The permissions in canonical order, each write with its read; unknown names dropped. */
export function canonicalPermissions(names) {
  const set = new Set(names);
  for (const p of PERMISSIONS) if (p.implies && set.has(p.name)) set.add(p.implies);
  return PERMISSIONS.map((p) => p.name).filter((n) => set.has(n));
}

/** The preset a set of permissions is exactly, else null. */
export function presetOf(names) {
  const key = canonicalPermissions(names).join(' ');
  return PRESETS.find((p) => p.permissions.join(' ') === key) || null;
}

/** A key's permissions; a key from a server without them (absent field) has every one. */
export function keyPermissions(key) {
  return Array.isArray(key.permissions) ? key.permissions : PRESETS[0].permissions;
}

function syncBoxes(boxes) {
  for (const p of PERMISSIONS) {
    if (!p.implies) continue;
    const read = boxes.get(p.implies);
    if (boxes.get(p.name).checked) read.checked = true;
    read.disabled = boxes.get(p.name).checked;
  }
}

/**
 * The "Permissions" fieldset: preset chips and one checkbox per permission. Ticking a write
 * ticks (and holds) its read. Returns {element, value()}: value() is the canonical list.
 */
export function permissionPicker({ initial = PRESETS[0].permissions } = {}) {
  const start = new Set(canonicalPermissions(initial));
  const boxes = new Map();
  const errId = nextId('permissions-error');
  const rows = PERMISSIONS.map((p, i) => {
    const box = h('input', {
      type: 'checkbox', name: i === 0 ? 'permissions' : `permission-${i}`, value: p.name,
      checked: start.has(p.name), dataset: { permission: p.name },
    });
    boxes.set(p.name, box);
    // Reads in the first column, writes beside the read they include. The box's name is the
    // permission's own ("agents:write"); what it allows describes it.
    const desc = h('span', { class: 'perm-desc', id: nextId('perm-desc') }, p.label);
    box.setAttribute('aria-describedby', desc.id);
    return h('div', { class: `stack perm-check ${p.implies ? 'perm-write' : 'perm-read'}` },
      h('label', { class: 'check' }, box, h('code', { class: 'perm-name' }, p.name)), desc);
  });
  // API errors about "permissions" land under the fieldset (see dom.js showError).
  boxes.get('orgs:read').dataset.errorId = errId;
  const chips = PRESETS.map((p) => h('button', {
    type: 'button', class: 'chip', dataset: { preset: p.id }, 'aria-pressed': 'false',
  }, p.label));
  const value = () => canonicalPermissions([...boxes].filter(([, b]) => b.checked).map(([n]) => n));
  const hint = h('p', { class: 'hint', id: nextId('permissions-hint') });
  const sync = () => {
    syncBoxes(boxes);
    const preset = presetOf(value());
    for (const c of chips) c.setAttribute('aria-pressed', String(!!preset && c.dataset.preset === preset.id));
    hint.textContent = preset ? `${preset.label}.` : value().length
      ? 'Custom: only the permissions ticked.'
      : 'No permissions: the key can only identify itself (2501 auth status).';
  };
  chips.forEach((c, i) => c.addEventListener('click', () => {
    const want = new Set(PRESETS[i].permissions);
    for (const [n, b] of boxes) b.checked = want.has(n);
    sync();
  }));
  for (const b of boxes.values()) b.addEventListener('change', sync);
  sync();
  const element = h('fieldset', { class: 'field dialog-field perm-picker', 'aria-describedby': hint.id },
    h('legend', { class: 'field-label' }, 'Permissions'),
    h('div', { class: 'presets', role: 'group', 'aria-label': 'Permission presets' }, chips),
    h('div', { class: 'perm-checks' }, rows),
    hint,
    h('p', { class: 'field-error', id: errId, hidden: true }));
  return { element, value };
}

/** "10.0.0.0/8, 203.0.113.7" or one per line → the list; blanks dropped, order kept. */
export function parseAddresses(text) {
  const seen = new Set();
  return text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && !seen.has(s) && seen.add(s));
}

/** The "Allowed addresses" field; value() is the list to send as allowed_ips ([] = anywhere). */
export function allowedAddressesField({ initial = [] } = {}) {
  const control = h('textarea', {
    name: 'allowed_ips', rows: '3', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'e.g. 203.0.113.7\n10.0.0.0/8\n2001:db8::/32',
    value: initial.join('\n'),
  });
  const element = field({
    label: 'Allowed addresses', control, optional: true,
    hint: 'Addresses or CIDR ranges the key may be used from, one per line or separated by commas. Empty: from anywhere.',
  });
  return { element, value: () => parseAddresses(control.value) };
}

/** The "Access" cell: the preset or the permissions, and where the key may be used from. */
export function accessCell(key) {
  const perms = keyPermissions(key);
  const preset = presetOf(perms);
  const label = preset ? preset.label : perms.length ? 'Custom' : 'No permissions';
  const ips = Array.isArray(key.allowed_ips) ? key.allowed_ips : [];
  return h('div', { class: 'stack access', 'data-cell': 'access' },
    h('span', { class: 'access-label', 'data-access': 'label' }, label),
    preset && preset.id === 'full' ? null
      : h('span', { class: 'cell-sub mono perm-list', 'data-access': 'permissions' },
        perms.length ? perms.flatMap((p, i) => [i ? ', ' : null, h('span', {}, p)]) : 'identify only'),
    h('span', { class: 'cell-sub', 'data-access': 'addresses' },
      ips.length ? `From ${ips.join(', ')}` : 'From any address'));
}
