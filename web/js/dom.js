// Small DOM helpers: element creation (text only, never innerHTML with data), icons, form
// fields with their error slots, toasts and dialogs with focus management.

let uid = 0;
/** A unique element id with a readable prefix. */
export function nextId(prefix = 'el') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * h('button', {class: 'btn', onclick: fn, dataset: {id}}, 'text', child...)
 * Props: class, text, dataset, on<event>, boolean attributes (true/false), anything else is
 * set as an attribute. Children: strings, nodes, arrays, null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// ---------- icons (inline SVG built with DOM calls: allowed by the CSP) ----------

const ICONS = {
  key: 'M15.5 7.5a3 3 0 1 1-6 0 3 3 0 0 1 6 0ZM12.5 10.5 5 18m2-2 2 2m-1-4 2 2',
  plus: 'M12 5v14M5 12h14',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  warn: 'M12 9v4m0 3.5v.01M10.3 3.9 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z',
  info: 'M12 11v5m0-8.5v.01M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18Z',
  org: 'M4 21V5a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v16M15 9h4a1 1 0 0 1 1 1v11M8 8h3m-3 4h3m-3 4h3M3 21h18',
  log: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
  check: 'M5 12.5 10 17l9-10',
  terminal: 'M4 17l5-5-5-5m7 12h9',
  pencil: 'M4 20h4L18.5 9.5a2.1 2.1 0 0 0-3-3L5 17v3ZM13.5 8.5l3 3',
  search: 'M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14Zm9 2-4.35-4.35',
};

export function icon(name) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', ICONS[name] || '');
  svg.appendChild(path);
  return svg;
}

// ---------- form fields and errors ----------

/**
 * A labelled field: <div.field><label>…</label>control<p.hint/><p.field-error/></div>.
 * `control` is an element with a `name`; it gets an id, aria-describedby for hint and error.
 */
export function field({ label, control, hint = null, required = false, optional = false, labelClass = null }) {
  if (!control.id) control.id = nextId(control.name || 'field');
  const errId = `${control.id}-error`;
  const hintId = `${control.id}-hint`;
  const describedBy = [];
  const hintEl = hint ? h('p', { class: 'hint', id: hintId }, hint) : null;
  if (hintEl) describedBy.push(hintId);
  if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
  if (required) control.setAttribute('aria-required', 'true');
  control.dataset.errorId = errId;
  // The label holds the field's name only (so it is the control's exact accessible name);
  // "required"/"optional" sit beside it, and aria-required says it to assistive tech.
  const labelEl = h('label', { for: control.id, class: labelClass }, label);
  const marker = required ? h('span', { class: 'req', 'aria-hidden': 'true' }, 'Required')
    : optional ? h('span', { class: 'req', 'aria-hidden': 'true' }, 'Optional') : null;
  return h('div', { class: 'field' },
    marker ? h('div', { class: 'field-head' }, labelEl, marker) : labelEl,
    control,
    hintEl,
    h('p', { class: 'field-error', id: errId, hidden: true }));
}

/** A form-level error box, placed at the top of a form. */
export function formError() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true, 'data-form-error': '' });
}

/** Removes every error shown in `root`. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const errId = el.dataset.errorId;
    if (errId) {
      const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== errId);
      if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
      else el.removeAttribute('aria-describedby');
    }
  }
  for (const el of root.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of root.querySelectorAll('[data-form-error]')) {
    el.textContent = '';
    el.hidden = true;
  }
}

/**
 * Shows an API error in `root`: next to the field the API names (a control whose name is
 * err.field, or whose data-api-field lists it), else in the form-level error box, else as a
 * toast. Focuses the field. Returns true if it was placed in the form.
 */
export function showError(root, err) {
  const message = err && err.message ? err.message : String(err);
  const fieldName = err && err.field;
  let control = null;
  if (fieldName) {
    control = root.querySelector(`[name="${CSS.escape(fieldName)}"]`) ||
      [...root.querySelectorAll('[data-api-field]')].find((el) => el.dataset.apiField.split(' ').includes(fieldName));
  }
  if (control && control.dataset.errorId) {
    const errEl = root.querySelector(`#${CSS.escape(control.dataset.errorId)}`);
    if (errEl) {
      errEl.textContent = message;
      errEl.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      const ids = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      if (!ids.includes(errEl.id)) ids.push(errEl.id);
      control.setAttribute('aria-describedby', ids.join(' '));
      if (!control.disabled) control.focus();
      return true;
    }
  }
  const box = root.querySelector('[data-form-error]');
  if (box) {
    box.textContent = message;
    box.hidden = false;
    return true;
  }
  toast(message, { error: true });
  return false;
}

/** Marks a button busy while `fn` runs; returns fn's result. */
export async function busy(button, fn) {
  const wasDisabled = button ? button.disabled : false;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    return await fn();
  } finally {
    if (button && button.isConnected) {
      button.disabled = wasDisabled;
      button.removeAttribute('aria-busy');
    }
  }
}

// ---------- toasts ----------

export function toast(message, { error = false, timeout = 4500 } = {}) {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = h('div', { class: error ? 'toast is-error' : 'toast' }, message);
  host.appendChild(el);
  setTimeout(() => el.remove(), timeout);
}

// ---------- dialogs ----------

/**
 * Opens a modal <dialog> built from parts; removes it from the page when closed and gives the
 * focus back to the element that had it (or to `returnFocus()` if given).
 * Returns {dialog, body, foot, close}.
 */
export function openDialog({ title, description = null, wide = false, returnFocus = null, closeOnEscape = true }) {
  const titleId = nextId('dlg-title');
  const descId = description ? nextId('dlg-desc') : null;
  const opener = document.activeElement;
  const body = h('div', { class: 'dialog-body' });
  const foot = h('div', { class: 'dialog-foot' });
  const dialog = h('dialog', {
    class: wide ? 'dialog-wide' : null,
    'aria-labelledby': titleId,
    'aria-describedby': descId,
  },
  h('div', { class: 'dialog-head' },
    h('h2', { id: titleId }, title),
    description ? h('p', { id: descId }, description) : null),
  body,
  foot);

  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    const target = (returnFocus && returnFocus()) || opener;
    if (target && target.isConnected && typeof target.focus === 'function') target.focus();
  };
  dialog.addEventListener('cancel', (ev) => {
    ev.preventDefault();
    if (closeOnEscape) close();
  });
  dialog.addEventListener('close', () => close());
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, body, foot, close };
}

/**
 * A confirmation dialog. `onConfirm(form)` runs the action; its errors are shown in the dialog
 * (next to a field when the API names one) and the dialog stays open. Resolves with the
 * action's result, or null when cancelled.
 */
export function confirmDialog({
  title, description = null, content = [], confirmLabel, danger = false, fields = [],
  onConfirm, returnFocus = null,
}) {
  return new Promise((resolve) => {
    let result = null;
    const { dialog, body, foot, close } = openDialog({ title, description, returnFocus });
    const formId = nextId('confirm-form');
    const form = h('form', { id: formId, novalidate: true }, formError(), fields);
    body.append(...[].concat(content), form);
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', {
      type: 'submit', form: formId, class: danger ? 'btn btn-danger' : 'btn btn-primary',
    }, confirmLabel);
    foot.append(cancel, ok);
    cancel.addEventListener('click', () => close());
    dialog.addEventListener('close', () => resolve(result));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try {
        result = await busy(ok, () => onConfirm(form));
        if (result === undefined || result === null) result = true;
        close();
        resolve(result);
      } catch (err) {
        showError(form, err);
        if (!form.contains(document.activeElement)) ok.focus();
      }
    });
    // Safe default: the focus starts on Cancel for destructive actions.
    const firstInput = form.querySelector('input, select, textarea');
    (firstInput || (danger ? cancel : ok)).focus();
  });
}
