// The API keys page: the table, "New API Key", rotate, revoke, and editing a key's name and
// description in place. The show-once dialog, the expiration field, the permission picker and
// the dialogs that rotate a key or edit its access and expiration live in ../ui/; the filter,
// search, "Load more" and revoking several keys at once in ../ui/key-list.js.

import { get, post, patch, seg } from '../api.js';
import {
  h, icon, field, formError, busy, toast, openDialog, confirmDialog, nextId, clear,
} from '../dom.js';
import { timeEl } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { tableHost, dataTable, td, actionsCell, emptyState } from '../ui/table.js';
import { onSubmit } from '../ui/form.js';
import {
  SOON_DAYS, keyStatus, expiringSoon, statusBadge, expiresCell, orgCell, keyNameCell, rowClass,
  revokeButton, flagBadges,
} from '../ui/key-cells.js';
import { expirationField } from '../ui/expiration.js';
import { showSecretOnce } from '../ui/secret.js';
import {
  STATUS_CHOICES, fetchKeys, listToolbar, selectCell, selectionBar, revokeSelected, loadMoreButton,
} from '../ui/key-list.js';

import { permissionPicker, allowedAddressesField, accessCell } from '../ui/key-access.js';
import {
  editAccessDialog, changeExpirationDialog, rotateDialog, overlapNote,
} from '../ui/key-dialogs.js';

const COLUMNS = ['Select', 'Name', 'Description', 'Created', 'Expires', 'Organization', 'Access', 'Last used', 'Status'];

// Every function below takes `page`: the session, the loaded keys and organizations, and the
// page's fixed elements (New API Key button, table host, summary line).

const rowFor = (page, id) => page.tableHost.querySelector(`tr[data-key-id="${CSS.escape(id)}"]`);

/** A returnFocus for dialogs: the element `selector` in the key's row, else New API Key. */
const focusInRow = (page, id, selector) => () => {
  const row = rowFor(page, id);
  return (row && row.querySelector(selector)) || page.newBtn;
};

async function load(page) {
  // Loads overlap when the filter changes while one is under way, and may be answered in any
  // order: only the latest one is shown.
  const seq = ++page.loads;
  const [k, o] = await Promise.all([fetchKeys(page.filter), get('/api/orgs')]);
  if (!page.isCurrent() || seq !== page.loads) return;
  page.keys = k.keys;
  page.next = k.next;
  page.orgs = (o && o.orgs) || [];
  page.selected.clear();
  renderTable(page);
}

async function reload(page) {
  try {
    await load(page);
  } catch (err) {
    toast(err.message, { error: true });
  }
}

/** The next page, after the keys shown. */
async function loadMore(page) {
  const seq = page.loads;
  const k = await fetchKeys(page.filter, page.next);
  if (!page.isCurrent() || seq !== page.loads) return;  // the filter changed meanwhile
  const shown = new Set(page.keys.map((key) => key.id));
  page.keys = page.keys.concat(k.keys.filter((key) => !shown.has(key.id)));
  page.next = k.next;
  renderTable(page);
}

/** Shows the server's answer for a key in its row, without reloading the list: a key rotated
 * or revoked stays in view (with its new status) until the list is loaded again. */
function replaceKey(page, key) {
  page.keys = page.keys.map((k) => (k.id === key.id ? key : k));
  if (key.revoked_at) page.selected.delete(key.id);
  renderTable(page);
}

function filterLabel(status) {
  const choice = STATUS_CHOICES.find((c) => c.value === status);
  return choice && status !== 'all' ? choice.label.toLowerCase() : '';
}

function renderSelection(page) {
  const bar = selectionBar(page.selected, {
    onRevoke: async () => {
      if (await revokeSelected(page.selected, () => page.newBtn)) await reload(page);
    },
    onClear: () => {
      page.selected.clear();
      renderTable(page);
    },
  });
  page.selectionHost.replaceChildren(bar);
}

function renderTable(page) {
  const { keys, tableHost: host, summary } = page;
  clear(host);
  renderSelection(page);
  const now = new Date();
  const soon = keys.filter((k) => expiringSoon(k, now) !== null).length;
  const kind = page.filter.attention ? '' : filterLabel(page.filter.status);
  const attention = page.filter.attention ? ' needing attention' : '';
  summary.textContent = keys.length
    ? `${keys.length}${page.next ? '+' : ''} ${kind ? `${kind} ` : ''}${keys.length === 1 && !page.next ? 'key' : 'keys'}${attention}${page.filter.q ? ` matching “${page.filter.q}”` : ''}${soon ? ` · ${soon} expiring within ${SOON_DAYS} days` : ''}`
    : '';
  if (!keys.length) {
    if (page.filter.attention && !page.filter.q) {
      host.append(emptyState('key', 'Nothing needs attention', 'No active key is unused or unrotated for 90 days, expiring within 7 days, or left behind by its owner.'));
      return;
    }
    host.append(page.filter.q || page.filter.status !== 'active'
      ? emptyState('key', 'No keys match', 'Change the filter or the search to see other keys.')
      : emptyState('key', 'No API keys yet', 'Create one with New API Key to use the 2501 CLI or your automation.'));
    return;
  }
  host.append(dataTable({
    className: 'cards-wide keys-table', caption: 'Your API keys', columns: COLUMNS, actions: true,
    body: keys.map((k) => keyRow(page, k, now)),
  }), loadMoreButton(page.next, () => loadMore(page)));
}

function toggleSelected(page, key, on) {
  if (on) page.selected.set(key.id, key);
  else page.selected.delete(key.id);
  renderSelection(page);
}

/** A small pencil button in a cell (Edit access, Change expiration); null when `hidden`. */
function cellButton(label, action, describedBy, onClick, hidden) {
  if (hidden) return null;
  return h('button', {
    type: 'button', class: 'icon-btn', 'aria-label': label, title: label,
    'aria-describedby': describedBy, 'data-action': action, onclick: onClick,
  }, icon('pencil'));
}

function keyRow(page, key, now) {
  const status = keyStatus(key, now);
  const revoked = status === 'revoked';
  const nameId = nextId('key-name');
  const edit = revoked ? null : h('button', {
    type: 'button', class: 'icon-btn', 'aria-label': 'Edit', title: 'Edit name and description',
    'aria-describedby': nameId, 'data-action': 'edit', onclick: () => startEdit(page, key),
  }, icon('pencil'));
  const rotate = revoked ? null : h('button', {
    type: 'button', class: 'btn btn-sm', 'aria-describedby': nameId, 'data-action': 'rotate',
    onclick: () => rotateKey(page, key),
  }, 'Rotate');
  const revoke = revokeButton({
    revoked, describedBy: nameId, dataAction: 'revoke', onClick: () => revokeKey(page, key),
  });

  return h('tr', { 'data-key-id': key.id, class: rowClass(key, now) },
    td('Select', selectCell(key, nameId, page.selected, (k, on) => toggleSelected(page, k, on)), 'col-select'),
    td('Name', keyNameCell(key, nameId, { editable: true, editButton: edit }), 'cell-primary'),
    td('Description', key.description
      ? h('div', { class: 'cell-desc', 'data-cell': 'description' }, key.description)
      : h('div', { class: 'cell-desc none', 'data-cell': 'description' }, '—')),
    td('Created', timeEl(key.created_at, { stacked: true })),
    td('Expires', h('div', { class: 'cell-with-action' }, expiresCell(key, now),
      cellButton('Change expiration', 'expiration', nameId, () => changeExpiration(page, key), status !== 'active'))),
    td('Organization', orgCell(key)),
    td('Access', h('div', { class: 'cell-with-action' }, accessCell(key),
      cellButton('Edit access', 'access', nameId, () => editAccess(page, key), revoked))),
    td('Last used', timeEl(key.last_used_at, { never: 'Never', stacked: true })),
    td('Status', h('span', { class: 'stack' }, statusBadge(key, now), flagBadges(key), overlapNote(key, now))),
    actionsCell(rotate, revoke));
}

// ---------- edit in place ----------

/** Swaps the row's name, description and actions cells for a form; returns restore(). */
function editCells(row, key) {
  const formId = nextId('edit-form');
  const form = h('form', { id: formId, novalidate: true });
  const nameInput = h('input', { type: 'text', name: 'name', form: formId, value: key.name, maxlength: '100', autocomplete: 'off' });
  const descInput = h('input', { type: 'text', name: 'description', form: formId, value: key.description || '', maxlength: '500', autocomplete: 'off' });

  const cells = [
    row.querySelector('[data-cell="name"]').parentElement,
    row.querySelector('[data-cell="description"]').parentElement,
    row.querySelector('.col-actions'),
  ];
  const saved = cells.map((c) => [...c.childNodes]);
  const save = h('button', { type: 'submit', form: formId, class: 'btn btn-sm btn-primary' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'btn btn-sm' }, 'Cancel');
  clear(cells[0]).append(field({ label: 'Name', control: nameInput, labelClass: 'sr-only' }), formError());
  clear(cells[1]).append(field({ label: 'Description', control: descInput, labelClass: 'sr-only' }));
  clear(cells[2]).append(form, h('div', { class: 'actions' }, save, cancel));

  const restore = () => {
    row.classList.remove('is-editing');
    cells.forEach((c, i) => clear(c).append(...saved[i]));
    const editBtn = row.querySelector('[data-action="edit"]');
    if (editBtn) editBtn.focus();
  };
  return { form, nameInput, descInput, save, cancel, restore };
}

function startEdit(page, key) {
  const row = rowFor(page, key.id);
  if (!row || row.classList.contains('is-editing')) return;
  row.classList.add('is-editing');
  const { form, nameInput, descInput, save, cancel, restore } = editCells(row, key);

  cancel.addEventListener('click', restore);
  row.addEventListener('keydown', function onKey(ev) {
    if (ev.key === 'Escape' && row.classList.contains('is-editing')) {
      ev.preventDefault();
      row.removeEventListener('keydown', onKey);
      restore();
    }
  });
  onSubmit(form, async () => {
    const body = {};
    if (nameInput.value !== key.name) body.name = nameInput.value.trim();
    if (descInput.value !== (key.description || '')) body.description = descInput.value;
    if (!Object.keys(body).length) {
      restore();
      return;
    }
    const res = await busy(save, () => patch(`/api/keys/${seg(key.id)}`, body));
    toast(`Saved “${body.name || key.name}”.`);
    replaceKey(page, res.key);
    const btn = focusInRow(page, key.id, '[data-action="edit"]')();
    if (btn) btn.focus();
  }, { errorRoot: row });
  nameInput.focus();
  nameInput.select();
}

// ---------- new key ----------

function newKeyForm(page, formId) {
  const name = h('input', {
    type: 'text', name: 'name', maxlength: '100', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. dev-laptop-cli, ci-pipeline, production-automation',
  });
  const description = h('textarea', {
    name: 'description', rows: '2', maxlength: '500',
    placeholder: 'What uses this key and who looks after it',
  });
  const exp = expirationField({ maxDays: page.session.maxKeyLifetimeDays, allowNever: true });
  const perms = permissionPicker();
  const ips = allowedAddressesField();
  const org = h('select', { name: 'org_id' },
    h('option', { value: '' }, 'All organizations (unscoped)'),
    page.orgs.map((o) => h('option', { value: o.id }, o.name)));
  const form = h('form', { id: formId, novalidate: true },
    formError(),
    h('div', { class: 'dialog-fields' },
      field({ label: 'Name', control: name, required: true, hint: 'Where the key is used, so you can tell your keys apart.' }),
      field({ label: 'Description', control: description, optional: true }),
      exp.element,
      field({
        label: 'Organization', control: org,
        hint: 'An unscoped key reaches every organization you belong to. Scope it to one to limit what a leak exposes.',
      }),
      perms.element,
      ips.element));
  for (const f of form.querySelectorAll('.field')) f.classList.add('dialog-field');
  const payload = () => {
    const p = { name: name.value.trim() };
    if (description.value.trim()) p.description = description.value.trim();
    const expiresAt = exp.value();
    if (expiresAt) p.expires_at = expiresAt;
    if (org.value) p.org_id = org.value;
    p.permissions = perms.value();
    const allowed = ips.value();
    if (allowed.length) p.allowed_ips = allowed;
    return p;
  };
  return { form, name, payload };
}

function openNewKey(page) {
  const { body, foot, close } = openDialog({
    title: 'New API Key',
    description: 'The key is shown once, right after you create it.',
    wide: true,
  });
  const formId = nextId('new-key-form');
  const { form, name, payload } = newKeyForm(page, formId);
  body.append(form);
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const create = h('button', { type: 'submit', form: formId, class: 'btn btn-primary' }, 'Create');
  cancel.addEventListener('click', close);
  foot.append(cancel, create);
  name.focus();

  onSubmit(form, async () => {
    const p = payload();
    const res = await busy(create, () => post('/api/keys', p));
    const created = res.key;
    const secret = res.secret;
    res.secret = null;
    close();
    reload(page);
    await showSecretOnce({ key: created, secret, rotated: false, returnFocus: () => page.newBtn });
  });
}

// ---------- rotate, revoke ----------

async function rotateKey(page, key) {
  const returnFocus = focusInRow(page, key.id, '[data-action="rotate"]');
  const res = await rotateDialog(key, {
    url: `/api/keys/${seg(key.id)}/rotate`, maxDays: page.session.maxKeyLifetimeDays, returnFocus,
  });
  if (!res || res === true) return;
  const secret = res.secret;
  res.secret = null;
  replaceKey(page, res.key);
  await showSecretOnce({ key: res.key, secret, rotated: true, returnFocus });
}

// ---------- access and expiration ----------

async function editAccess(page, key) {
  const res = await editAccessDialog(key, {
    returnFocus: focusInRow(page, key.id, '[data-action="access"]'),
  });
  if (!res) return;
  const refocus = focusInRow(page, key.id, '[data-action="access"]');
  if (res !== true) toast(`Saved the access of “${key.name}”.`);
  await reload(page);
  refocus().focus();
}

async function changeExpiration(page, key) {
  const res = await changeExpirationDialog(key, {
    maxDays: page.session.maxKeyLifetimeDays,
    returnFocus: focusInRow(page, key.id, '[data-action="expiration"]'),
  });
  if (!res) return;
  const refocus = focusInRow(page, key.id, '[data-action="expiration"]');
  toast(`Changed the expiration of “${key.name}”.`);
  await reload(page);
  refocus().focus();
}

async function revokeKey(page, key) {
  const res = await confirmDialog({
    title: `Revoke “${key.name}”?`,
    content: [
      h('div', { class: 'callout callout-danger' }, icon('warn'),
        h('p', {}, h('strong', {}, 'Revoking is permanent. '),
          'The key stops working at once and every system using it loses access. This cannot be undone.')),
      h('dl', { class: 'kv' },
        h('dt', {}, 'Key'), h('dd', { class: 'mono' }, key.hint || key.id),
        h('dt', {}, 'Organization'), h('dd', {}, key.org_id ? (key.org_name || key.org_id) : 'All organizations'),
        h('dt', {}, 'Last used'), h('dd', {}, timeEl(key.last_used_at))),
    ],
    confirmLabel: 'Revoke',
    danger: true,
    returnFocus: () => page.newBtn,
    onConfirm: () => post(`/api/keys/${seg(key.id)}/revoke`),
  });
  if (!res) return;
  toast(`“${key.name}” is revoked.`);
  if (res.key) replaceKey(page, res.key);
  else await reload(page);
}

// ---------- the page ----------

export async function renderKeys(root, { session, isCurrent }) {
  const page = {
    session,
    isCurrent,
    keys: [],
    next: null,
    loads: 0, // load()s begun: the answer of an earlier one is dropped
    orgs: [],
    filter: { status: STATUS_CHOICES[0].value, q: '', attention: false },
    selected: new Map(),
    selectionHost: h('div', { class: 'selection-host' }),
    newBtn: h('button', { type: 'button', class: 'btn btn-primary', id: 'new-key' }, icon('plus'), 'New API Key'),
    tableHost: tableHost('Loading keys…'),
    summary: h('p', { class: 'hint', id: 'keys-summary' }),
  };
  root.append(
    pageHead({
      title: 'API keys',
      lead: 'Keys let the 2501 CLI and your automation act as you. A key is shown once, when it is created or rotated; scope it to one organization and give it an expiration to limit what a leak can do.',
      action: page.newBtn,
    }),
    card({ id: 'keys-table-title', title: 'Your keys', sub: page.summary },
      listToolbar(page.filter, (filter) => {
        page.filter = filter;
        reload(page);
      }),
      page.selectionHost, page.tableHost));
  page.newBtn.addEventListener('click', () => openNewKey(page));
  await load(page);
}
