// The API keys page: the table, "New API Key", the show-once dialog, rotate, revoke, and
// editing a key's name and description in place.

import { get, post, patch, seg, ApiError } from '../api.js';
import {
  h, icon, field, formError, clearErrors, showError, busy, toast, openDialog, confirmDialog,
  nextId, clear,
} from '../dom.js';
import {
  timeEl, parseTime, daysUntil, dateInputValue, daysFromNow, endOfLocalDay, toRfc3339,
  localDate, localDateTime, DAY_MS, relative,
} from '../format.js';

const SOON_DAYS = 7;

// ---------- shared cells (also used by the organization page) ----------

/** "active" | "expired" | "revoked", trusting the server but catching an expiry since. */
export function keyStatus(key, now = new Date()) {
  if (key.status === 'revoked' || key.revoked_at) return 'revoked';
  const exp = parseTime(key.expires_at);
  if (key.status === 'expired' || (exp && exp <= now)) return 'expired';
  return 'active';
}

/** Days left when an active key expires within 7 days, else null. */
export function expiringSoon(key, now = new Date()) {
  if (keyStatus(key, now) !== 'active') return null;
  const exp = parseTime(key.expires_at);
  if (!exp) return null;
  const days = daysUntil(exp, now);
  return days <= SOON_DAYS ? Math.max(days, 0) : null;
}

export function statusBadge(key, now = new Date()) {
  const s = keyStatus(key, now);
  if (s === 'revoked') {
    return h('span', { class: 'stack' },
      h('span', { class: 'badge badge-revoked' }, 'Revoked'),
      key.revoked_at ? h('span', { class: 'cell-sub' }, timeEl(key.revoked_at, { stacked: true })) : null);
  }
  if (s === 'expired') return h('span', { class: 'badge badge-expired' }, 'Expired');
  return h('span', { class: 'badge badge-active' }, 'Active');
}

export function expiresCell(key, now = new Date()) {
  if (!key.expires_at) return h('span', { class: 'none' }, 'Never');
  const soon = expiringSoon(key, now);
  const exp = parseTime(key.expires_at);
  let flag = null;
  if (soon !== null) {
    const text = soon === 0 ? 'Expires today' : soon === 1 ? '1 day left' : `${soon} days left`;
    flag = h('span', { class: 'badge badge-soon' }, text);
  } else if (keyStatus(key, now) === 'expired' && exp) {
    flag = h('span', { class: 'cell-sub' }, `Expired ${relative(exp, now)}`);
  }
  return h('span', { class: 'stack' }, timeEl(key.expires_at, { stacked: true }), flag);
}

export function orgCell(key) {
  if (!key.org_id) return h('span', { class: 'none' }, 'All organizations');
  return h('a', { href: `#/orgs/${encodeURIComponent(key.org_id)}` }, key.org_name || key.org_id);
}

export function rowClass(key, now = new Date()) {
  const s = keyStatus(key, now);
  const classes = [];
  if (s !== 'active') classes.push('is-inactive');
  if (s === 'revoked') classes.push('is-revoked');
  if (s === 'expired') classes.push('is-expired');
  if (expiringSoon(key, now) !== null) classes.push('is-expiring');
  return classes.join(' ');
}

function td(label, content, cls = null) {
  return h('td', { 'data-label': label, class: cls }, content);
}

// ---------- expiration field (new key, rotation of an expired key) ----------

const PRESETS = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
];

/**
 * "Expiration date" with presets and, unless the server forbids it, "No expiration".
 * Returns {element, value()} where value() is an RFC 3339 string, null (never), or throws an
 * ApiError-like error naming expires_at.
 */
function expirationField({ maxDays, allowNever, defaultDays = 30 }) {
  const now = new Date();
  const input = h('input', { type: 'date', name: 'expires_at', min: dateInputValue(now) });
  if (maxDays) input.max = dateInputValue(daysFromNow(maxDays, now));
  let presetDays = Math.min(defaultDays, maxDays || defaultDays);
  input.value = dateInputValue(daysFromNow(presetDays, now));

  const chips = PRESETS.map((p) => {
    const b = h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(p.days === presetDays),
      disabled: !!(maxDays && p.days > maxDays),
    }, p.label);
    b.addEventListener('click', () => {
      presetDays = p.days;
      input.value = dateInputValue(daysFromNow(p.days));
      if (never) {
        never.checked = false;
        syncNever();
      }
      syncChips();
    });
    b.dataset.days = String(p.days);
    return b;
  });
  const syncChips = () => {
    for (const c of chips) c.setAttribute('aria-pressed', String(Number(c.dataset.days) === presetDays && !(never && never.checked)));
  };
  input.addEventListener('input', () => {
    presetDays = null;
    for (const p of PRESETS) {
      if (input.value === dateInputValue(daysFromNow(p.days))) presetDays = p.days;
    }
    syncChips();
  });

  let never = null;
  let neverWarning = null;
  if (allowNever && !maxDays) {
    never = h('input', { type: 'checkbox', name: 'no_expiration', id: nextId('no-expiration') });
    neverWarning = h('div', { class: 'callout callout-warn', hidden: true, id: nextId('never-warning') },
      icon('warn'),
      h('p', {}, h('strong', {}, 'Not recommended. '),
        'A key without an expiration works until someone revokes it: if it leaks, it keeps working. Prefer an expiration and rotate the key before it ends.'));
    never.setAttribute('aria-describedby', neverWarning.id);
    never.addEventListener('change', syncNever);
  }
  function syncNever() {
    if (!never) return;
    input.disabled = never.checked;
    neverWarning.hidden = !never.checked;
    syncChips();
  }

  const limitText = maxDays ? `This server allows keys of at most ${maxDays} days. ` : '';
  const f = field({ label: 'Expiration date', control: input, hint: limitText || ' ' });
  // Presets and "No expiration" sit between the input and its hint.
  const hintEl = f.querySelector('.hint');
  f.insertBefore(h('div', { class: 'presets', role: 'group', 'aria-label': 'Expiration presets' }, chips), hintEl);
  if (never) {
    f.insertBefore(h('label', { class: 'check', for: never.id }, never, 'No expiration'), hintEl);
    f.insertBefore(neverWarning, hintEl);
  }
  // Errors about expires_at land under this field, also when the checkbox is in use.
  if (never) never.dataset.errorId = input.dataset.errorId;

  // The hint says exactly when the key will stop working.
  function updateHint() {
    let text;
    if (never && never.checked) {
      text = 'The key works until you revoke it.';
    } else {
      let when = null;
      try {
        when = parseTime(self.value());
      } catch {
        when = null;
      }
      text = when
        ? `The key stops working ${localDateTime(when)} (${relative(when)}, your local time).`
        : 'Choose the day the key stops working.';
    }
    hintEl.textContent = limitText + text;
  }
  input.addEventListener('input', updateHint);
  input.addEventListener('change', updateHint);
  for (const c of chips) c.addEventListener('click', updateHint);
  if (never) never.addEventListener('change', updateHint);

  const self = {
    element: f,
    value() {
      if (never && never.checked) return null;
      const nowTs = Date.now();
      let when;
      if (presetDays !== null && input.value === dateInputValue(daysFromNow(presetDays))) {
        // A preset: that many days from now, at the current time of day.
        when = daysFromNow(presetDays, new Date(nowTs));
      } else {
        when = endOfLocalDay(input.value);
      }
      if (!when) {
        throw new ApiError(400, 'invalid_request',
          allowNever && !maxDays
            ? 'expires_at: choose an expiration date, or No expiration.'
            : 'expires_at: choose an expiration date.',
          'expires_at');
      }
      if (when.getTime() <= nowTs) {
        throw new ApiError(400, 'invalid_request', 'expires_at: the expiration date must be in the future.', 'expires_at');
      }
      if (maxDays) {
        const limit = nowTs + maxDays * DAY_MS - 60 * 1000;
        if (when.getTime() > limit) when = new Date(limit);
      }
      return toRfc3339(when);
    },
  };
  updateHint();
  return self;
}

// ---------- the show-once dialog ----------

/**
 * Shows a key's value once. On Done the value leaves the page (the node is emptied and
 * removed) and this function drops its reference; the caller must not keep one either.
 */
function showSecretOnce({ key, secret, rotated, returnFocus }) {
  return new Promise((resolve) => {
    let value = secret;
    const { dialog, body, foot, close } = openDialog({
      title: rotated ? `New value for “${key.name}”` : 'Your new API key',
      description: rotated
        ? 'The key was rotated. Copy the new value now and put it where the old one was.'
        : `“${key.name}” is ready. Copy the key now and store it somewhere safe.`,
      wide: true,
      closeOnEscape: false,
      returnFocus,
    });
    const valueId = nextId('secret-value');
    const code = h('code', { class: 'secret-value', id: valueId, 'data-secret': '' }, value);
    const status = h('p', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
    const copyBtn = h('button', { type: 'button', class: 'btn btn-primary', 'aria-describedby': valueId }, icon('copy'), 'Copy');

    copyBtn.addEventListener('click', async () => {
      status.classList.remove('is-error');
      if (!value) return;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(value);
        } else {
          // Plain HTTP on a non-local address: no Clipboard API. Select and copy.
          const range = document.createRange();
          range.selectNodeContents(code);
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          const ok = document.execCommand('copy');
          sel.removeAllRanges();
          if (!ok) throw new Error('copy refused');
        }
        status.textContent = 'Copied to the clipboard.';
      } catch {
        status.classList.add('is-error');
        status.textContent = 'The browser refused to copy. Select the key and copy it with Ctrl+C (⌘C on a Mac).';
      }
    });

    const done = h('button', { type: 'button', class: 'btn btn-primary' }, 'Done');
    const finish = () => {
      code.textContent = '';
      code.remove();
      status.textContent = '';
      value = null;
      close();
      resolve();
    };
    done.addEventListener('click', finish);
    dialog.addEventListener('close', () => {
      // Closed some other way (navigation): the value still has to go.
      code.textContent = '';
      value = null;
      resolve();
    });

    body.append(...[
      h('div', { class: 'callout callout-warn' }, icon('warn'),
        h('p', {}, h('strong', {}, 'This key will not be shown again. '),
          'Copy it now and keep it in a password manager or your CI system’s secret store. If you lose it, rotate the key to get a new value.')),
      h('div', {},
        h('p', { class: 'field-label', id: `${valueId}-label` }, 'API key'),
        h('div', { class: 'secret-box' }, code, copyBtn),
        status),
      rotated
        ? h('div', { class: 'callout callout-danger' }, icon('info'),
          h('p', {}, 'The previous value has stopped working: systems still using it get ', h('code', {}, 'key_revoked'), '.'))
        : null,
      h('div', {},
        h('h3', {}, 'Configure the 2501 CLI'),
        h('p', { class: 'hint' },
          'Run this command, paste the key and press Enter. Reading the key from standard input keeps it out of your shell history.'),
        h('pre', { class: 'command', 'aria-label': 'Command' },
          h('span', { class: 'prompt', 'aria-hidden': 'true' }, '$ '), '2501 set api_key -')),
      h('dl', { class: 'kv' },
        h('dt', {}, 'Name'), h('dd', {}, key.name),
        h('dt', {}, 'Organization'), h('dd', {}, key.org_id ? (key.org_name || key.org_id) : 'All organizations (unscoped)'),
        h('dt', {}, 'Expires'), h('dd', {}, timeEl(key.expires_at)),
        h('dt', {}, 'Hint'), h('dd', { class: 'mono' }, key.hint || '')),
    ].filter(Boolean));
    code.setAttribute('aria-labelledby', `${valueId}-label`);
    foot.append(done);
    copyBtn.focus();
  });
}

// ---------- the page ----------

export async function renderKeys(root, ctx) {
  const { session, isCurrent } = ctx;
  let keys = [];
  let orgs = [];

  const newBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'new-key' }, icon('plus'), 'New API Key');
  const tableHost = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading keys…'));
  const summary = h('p', { class: 'hint', id: 'keys-summary' });

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1' }, 'API keys'),
        h('p', { class: 'lead' },
          'Keys let the 2501 CLI and your automation act as you. A key is shown once, when it is created or rotated; scope it to one organization and give it an expiration to limit what a leak can do.')),
      newBtn),
    h('section', { class: 'card', 'aria-labelledby': 'keys-table-title' },
      h('div', { class: 'card-head' },
        h('div', {}, h('h2', { id: 'keys-table-title' }, 'Your keys'), summary)),
      tableHost));

  const rowFor = (id) => tableHost.querySelector(`tr[data-key-id="${CSS.escape(id)}"]`);
  const focusInRow = (id, selector) => () => {
    const row = rowFor(id);
    return (row && row.querySelector(selector)) || newBtn;
  };

  async function load() {
    const [k, o] = await Promise.all([get('/api/keys'), get('/api/orgs')]);
    if (!isCurrent()) return;
    keys = (k && k.keys) || [];
    orgs = (o && o.orgs) || [];
    renderTable();
  }

  async function reload() {
    try {
      await load();
    } catch (err) {
      toast(err.message, { error: true });
    }
  }

  function renderTable() {
    clear(tableHost);
    const now = new Date();
    const active = keys.filter((k) => keyStatus(k, now) === 'active').length;
    const soon = keys.filter((k) => expiringSoon(k, now) !== null).length;
    summary.textContent = keys.length
      ? `${active} active of ${keys.length}${soon ? ` · ${soon} expiring within ${SOON_DAYS} days` : ''}`
      : '';
    if (!keys.length) {
      tableHost.append(h('div', { class: 'empty' },
        icon('key'),
        h('h2', {}, 'No API keys yet'),
        h('p', {}, 'Create one with New API Key to use the 2501 CLI or your automation.')));
      return;
    }
    const table = h('table', { class: 'responsive-table cards-wide keys-table' },
      h('caption', { class: 'sr-only' }, 'Your API keys'),
      h('thead', {}, h('tr', {},
        ['Name', 'Description', 'Created', 'Expires', 'Organization', 'Last used', 'Status'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, keys.map((k) => keyRow(k, now))));
    tableHost.append(table);
  }

  function keyRow(key, now) {
    const s = keyStatus(key, now);
    const nameId = nextId('key-name');
    const actions = h('div', { class: 'actions' });
    let edit = null;
    if (s !== 'revoked') {
      edit = h('button', {
        type: 'button', class: 'icon-btn', 'aria-label': 'Edit', title: 'Edit name and description',
        'aria-describedby': nameId, 'data-action': 'edit',
      }, icon('pencil'));
      edit.addEventListener('click', () => startEdit(key));
      const rotate = h('button', { type: 'button', class: 'btn btn-sm', 'aria-describedby': nameId, 'data-action': 'rotate' }, 'Rotate');
      rotate.addEventListener('click', () => rotateKey(key));
      actions.append(rotate);
    }
    const revoke = h('button', {
      type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': nameId, 'data-action': 'revoke',
      disabled: s === 'revoked', title: s === 'revoked' ? 'Already revoked' : null,
    }, 'Revoke');
    revoke.addEventListener('click', () => revokeKey(key));
    actions.append(revoke);

    return h('tr', { 'data-key-id': key.id, class: rowClass(key, now) || null },
      td('Name', h('div', { class: 'cell-name', 'data-cell': 'name' },
        h('span', { class: 'name-line' }, h('span', { class: 'cell-name-text', id: nameId }, key.name), edit),
        h('span', { class: 'cell-sub mono' }, key.hint || '')), 'cell-primary'),
      td('Description', key.description
        ? h('div', { class: 'cell-desc', 'data-cell': 'description' }, key.description)
        : h('div', { class: 'cell-desc none', 'data-cell': 'description' }, '—')),
      td('Created', timeEl(key.created_at, { stacked: true })),
      td('Expires', expiresCell(key, now)),
      td('Organization', orgCell(key)),
      td('Last used', timeEl(key.last_used_at, { never: 'Never', stacked: true })),
      td('Status', statusBadge(key, now)),
      td('Actions', actions, 'col-actions'));
  }

  // ----- edit in place -----

  function startEdit(key) {
    const row = rowFor(key.id);
    if (!row || row.classList.contains('is-editing')) return;
    row.classList.add('is-editing');
    const formId = nextId('edit-form');
    const form = h('form', { id: formId, novalidate: true });
    const nameInput = h('input', { type: 'text', name: 'name', form: formId, value: key.name, maxlength: '100', autocomplete: 'off' });
    const descInput = h('input', { type: 'text', name: 'description', form: formId, value: key.description || '', maxlength: '500', autocomplete: 'off' });

    const nameCell = row.querySelector('[data-cell="name"]').parentElement;
    const descCell = row.querySelector('[data-cell="description"]').parentElement;
    const actionsCell = row.querySelector('.col-actions');
    const saved = [nameCell, descCell, actionsCell].map((c) => [...c.childNodes]);

    const nameField = field({ label: 'Name', control: nameInput, labelClass: 'sr-only' });
    const descField = field({ label: 'Description', control: descInput, labelClass: 'sr-only' });
    clear(nameCell).append(nameField, formError());
    clear(descCell).append(descField);
    const save = h('button', { type: 'submit', form: formId, class: 'btn btn-sm btn-primary' }, 'Save');
    const cancel = h('button', { type: 'button', class: 'btn btn-sm' }, 'Cancel');
    clear(actionsCell).append(form, h('div', { class: 'actions' }, save, cancel));

    const restore = () => {
      row.classList.remove('is-editing');
      [nameCell, descCell, actionsCell].forEach((c, i) => clear(c).append(...saved[i]));
      const editBtn = row.querySelector('[data-action="edit"]');
      if (editBtn) editBtn.focus();
    };
    cancel.addEventListener('click', restore);
    row.addEventListener('keydown', function onKey(ev) {
      if (ev.key === 'Escape' && row.classList.contains('is-editing')) {
        ev.preventDefault();
        row.removeEventListener('keydown', onKey);
        restore();
      }
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(row);
      const body = {};
      if (nameInput.value !== key.name) body.name = nameInput.value.trim();
      if (descInput.value !== (key.description || '')) body.description = descInput.value;
      if (!Object.keys(body).length) {
        restore();
        return;
      }
      try {
        await busy(save, () => patch(`/api/keys/${seg(key.id)}`, body));
        toast(`Saved “${body.name || key.name}”.`);
        await reload();
        const btn = focusInRow(key.id, '[data-action="edit"]')();
        if (btn) btn.focus();
      } catch (err) {
        showError(row, err);
      }
    });
    nameInput.focus();
    nameInput.select();
  }

  // ----- new key -----

  newBtn.addEventListener('click', () => {
    const { body, foot, close } = openDialog({
      title: 'New API Key',
      description: 'The key is shown once, right after you create it.',
      wide: true,
    });
    const formId = nextId('new-key-form');
    const name = h('input', {
      type: 'text', name: 'name', maxlength: '100', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'e.g. dev-laptop-cli, ci-pipeline, production-automation',
    });
    const description = h('textarea', {
      name: 'description', rows: '2', maxlength: '500',
      placeholder: 'What uses this key and who looks after it',
    });
    const exp = expirationField({ maxDays: session.maxKeyLifetimeDays, allowNever: true });
    const org = h('select', { name: 'org_id' },
      h('option', { value: '' }, 'All organizations (unscoped)'),
      orgs.map((o) => h('option', { value: o.id }, o.name)));
    const form = h('form', { id: formId, novalidate: true },
      formError(),
      h('div', { class: 'dialog-fields' },
        field({ label: 'Name', control: name, required: true, hint: 'Where the key is used, so you can tell your keys apart.' }),
        field({ label: 'Description', control: description, optional: true }),
        exp.element,
        field({
          label: 'Organization', control: org,
          hint: 'An unscoped key reaches every organization you belong to. Scope it to one to limit what a leak exposes.',
        })));
    for (const f of form.querySelectorAll('.field')) f.classList.add('dialog-field');
    body.append(form);
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const create = h('button', { type: 'submit', form: formId, class: 'btn btn-primary' }, 'Create');
    cancel.addEventListener('click', close);
    foot.append(cancel, create);
    name.focus();

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try {
        const payload = { name: name.value.trim() };
        if (description.value.trim()) payload.description = description.value.trim();
        const expiresAt = exp.value();
        if (expiresAt) payload.expires_at = expiresAt;
        if (org.value) payload.org_id = org.value;
        const res = await busy(create, () => post('/api/keys', payload));
        const created = res.key;
        const secret = res.secret;
        res.secret = null;
        close();
        reload();
        await showSecretOnce({ key: created, secret, rotated: false, returnFocus: () => newBtn });
      } catch (err) {
        showError(form, err);
      }
    });
  });

  // ----- rotate -----

  async function rotateKey(key) {
    const expired = keyStatus(key) === 'expired';
    const exp = expired ? expirationField({ maxDays: session.maxKeyLifetimeDays, allowNever: false }) : null;
    const res = await confirmDialog({
      title: `Rotate “${key.name}”?`,
      content: [
        h('div', { class: 'callout callout-warn' }, icon('warn'),
          h('p', {}, h('strong', {}, 'The current value stops working at once. '),
            'A new value is created and shown once; every system using the old one gets ',
            h('code', {}, 'key_revoked'), ' until you give it the new value.')),
        h('p', { class: 'hint' }, expired
          ? 'This key has expired: choose a new expiration date. Name, description and organization stay the same.'
          : `Name, description, organization and expiration (${key.expires_at ? localDate(parseTime(key.expires_at)) : 'never'}) stay the same.`),
      ],
      fields: exp ? [exp.element] : [],
      confirmLabel: 'Rotate',
      returnFocus: focusInRow(key.id, '[data-action="rotate"]'),
      onConfirm: async () => {
        const body = exp ? { expires_at: exp.value() } : {};
        return post(`/api/keys/${seg(key.id)}/rotate`, body);
      },
    });
    if (!res || res === true) return;
    const secret = res.secret;
    res.secret = null;
    reload();
    await showSecretOnce({
      key: res.key, secret, rotated: true,
      returnFocus: focusInRow(key.id, '[data-action="rotate"]'),
    });
  }

  // ----- revoke -----

  async function revokeKey(key) {
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
      returnFocus: () => newBtn,
      onConfirm: () => post(`/api/keys/${seg(key.id)}/revoke`),
    });
    if (!res) return;
    toast(`“${key.name}” is revoked.`);
    await reload();
  }

  await load();
}
