// The API keys page's list controls: the status filter (revoked keys hidden by default), the
// "Needs attention" filter, the search box (debounced), "Load more" (following the server's next_cursor), and selecting
// several keys to revoke them together after one confirmation (POST /api/keys/revoke).

import { get, post } from '../api.js';
import { h, icon, busy, toast, confirmDialog } from '../dom.js';

/** How long the search box waits after the last key press before it asks the server. */
export const SEARCH_DELAY_MS = 250;

/** The filter's choices; the first is the default. `status` is the API's (none: every key). */
export const STATUS_CHOICES = [
  { value: 'active', label: 'Active' },
  { value: 'expired', label: 'Expired' },
  { value: 'revoked', label: 'Revoked' },
  { value: 'all', label: 'All keys' },
];

/**
 * The list's path for the filter and search, after `cursor` when given. `attention` (the
 * "Needs attention" filter) asks for the active keys that have flags, whatever `status` says.
 */
export function listPath({ status, q, attention }, cursor = null) {
  const params = new URLSearchParams();
  if (attention) params.set('status', 'needs_attention');
  else if (status && status !== 'all') params.set('status', status);
  if (q) params.set('q', q);
  if (cursor) params.set('cursor', cursor);
  const qs = params.toString();
  return qs ? `/api/keys?${qs}` : '/api/keys';
}

/** One page: `{keys, next_cursor}`. */
export async function fetchKeys(filter, cursor = null) {
  const res = await get(listPath(filter, cursor));
  return { keys: (res && res.keys) || [], next: (res && res.next_cursor) || null };
}

/**
 * Every key a list path answers, following next_cursor page by page: for the views that show
 * or name all of them (an organization's keys, the audit log's names).
 */
export async function fetchAllKeys(path) {
  const keys = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    keys.push(...((res && res.keys) || []));
    cursor = (res && res.next_cursor) || null;
  } while (cursor);
  return keys;
}

/**
 * The toolbar above the table: the status select, the "Needs attention" switch (active keys
 * with flags; the status select rests while it is on) and the search box. `onChange(filter)`
 * runs when the status or the switch changes, and once typing pauses in the search box.
 */
export function listToolbar(filter, onChange) {
  const status = h('select', { id: 'keys-status', name: 'status', 'aria-label': 'Show', disabled: !!filter.attention },
    STATUS_CHOICES.map((c) => h('option', { value: c.value, selected: c.value === filter.status }, c.label)));
  const attention = h('input', { type: 'checkbox', id: 'keys-attention', name: 'attention', checked: !!filter.attention });
  const search = h('input', {
    type: 'search', id: 'keys-search', name: 'q', maxlength: '100', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'Search name, description or key', 'aria-label': 'Search keys',
    value: filter.q || '',
  });
  let timer = null;
  const changed = () => onChange({ status: status.value, q: search.value.trim(), attention: attention.checked });
  status.addEventListener('change', changed);
  attention.addEventListener('change', () => {
    status.disabled = attention.checked;
    changed();
  });
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(changed, SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(timer);
      changed();
    }
  });
  return h('div', { class: 'list-toolbar' },
    h('label', { class: 'list-filter' }, h('span', {}, 'Show'), status),
    h('label', { class: 'list-filter list-attention', title: 'Active keys unused or unrotated for 90 days, expiring within 7 days, or whose owner left the organization' },
      attention, h('span', {}, 'Needs attention')),
    h('span', { class: 'list-search' }, icon('search'), search));
}

/** A row's checkbox (none for a revoked key), labelled by the key's name. */
export function selectCell(key, nameId, selected, onToggle) {
  if (key.status === 'revoked' || key.revoked_at) return h('span', {});
  return h('input', {
    type: 'checkbox', class: 'key-select', 'data-action': 'select', 'aria-labelledby': nameId,
    checked: selected.has(key.id),
    onchange: (ev) => onToggle(key, ev.target.checked),
  });
}

/** The bar under the toolbar while keys are selected: how many, "Revoke selected", "Clear". */
export function selectionBar(selected, { onRevoke, onClear }) {
  if (!selected.size) return h('div', { class: 'selection-bar', hidden: true });
  const n = selected.size;
  return h('div', { class: 'selection-bar', role: 'region', 'aria-label': 'Selected keys' },
    h('span', { id: 'keys-selected' }, `${n} selected`),
    h('button', { type: 'button', class: 'btn btn-sm btn-danger', 'data-action': 'revoke-selected', onclick: onRevoke },
      'Revoke selected'),
    h('button', { type: 'button', class: 'btn btn-sm', 'data-action': 'clear-selection', onclick: onClear },
      'Clear selection'));
}

/**
 * Asks once, then revokes every selected key in one request (all or nothing). True when
 * they were revoked.
 */
export async function revokeSelected(selected, returnFocus) {
  const keys = [...selected.values()];
  const n = keys.length;
  const res = await confirmDialog({
    title: `Revoke ${n} ${n === 1 ? 'key' : 'keys'}?`,
    content: [
      h('div', { class: 'callout callout-danger' }, icon('warn'),
        h('p', {}, h('strong', {}, 'Revoking is permanent. '),
          'These keys stop working at once and every system using them loses access. This cannot be undone.')),
      h('ul', { class: 'selected-keys' },
        keys.map((k) => h('li', {}, h('strong', {}, k.name), ' ', h('span', { class: 'mono' }, k.hint || k.id)))),
    ],
    confirmLabel: `Revoke ${n} ${n === 1 ? 'key' : 'keys'}`,
    danger: true,
    returnFocus,
    onConfirm: () => post('/api/keys/revoke', { ids: keys.map((k) => k.id) }),
  });
  if (!res) return false;
  toast(`${n} ${n === 1 ? 'key is' : 'keys are'} revoked.`);
  return true;
}

/** "Load more" under the table while the server has more keys (`next`). */
export function loadMoreButton(next, onMore) {
  if (!next) return null;
  const button = h('button', { type: 'button', class: 'btn', 'data-action': 'load-more' }, 'Load more');
  button.addEventListener('click', () => busy(button, onMore));
  return h('div', { class: 'load-more' }, button);
}
