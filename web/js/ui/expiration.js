// The "Expiration date" field of a new key (and of the rotation of an expired key): a date,
// presets, and, unless the server caps key lifetimes, "No expiration" with its warning. Its
// hint says exactly when the key stops working.

import { ApiError } from '../api.js';
import { h, icon, field, nextId } from '../dom.js';
import {
  parseTime, dateInputValue, daysFromNow, endOfLocalDay, toRfc3339, localDateTime, DAY_MS,
  relative,
} from '../format.js';

const PRESETS = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
];

/** The "No expiration" checkbox and the warning it shows when checked. */
function neverControls() {
  const box = h('input', { type: 'checkbox', name: 'no_expiration', id: nextId('no-expiration') });
  const warning = h('div', { class: 'callout callout-warn', hidden: true, id: nextId('never-warning') },
    icon('warn'),
    h('p', {}, h('strong', {}, 'Not recommended. '),
      'A key without an expiration works until someone revokes it: if it leaks, it keeps working. Prefer an expiration and rotate the key before it ends.'));
  box.setAttribute('aria-describedby', warning.id);
  return { box, warning };
}

function presetChips(maxDays, presetDays) {
  return PRESETS.map((p) => h('button', {
    type: 'button', class: 'chip', 'aria-pressed': String(p.days === presetDays),
    disabled: !!(maxDays && p.days > maxDays), dataset: { days: String(p.days) },
  }, p.label));
}

/** What the field's value() returns: RFC 3339, null (never), or throws naming expires_at. */
function expirationValue(s) {
  if (s.never && s.never.box.checked) return null;
  const nowTs = Date.now();
  let when;
  if (s.presetDays !== null && s.input.value === dateInputValue(daysFromNow(s.presetDays))) {
    // A preset: that many days from now, at the current time of day.
    when = daysFromNow(s.presetDays, new Date(nowTs));
  } else {
    when = endOfLocalDay(s.input.value);
  }
  if (!when) {
    throw new ApiError(400, 'invalid_request',
      s.never
        ? 'expires_at: choose an expiration date, or No expiration.'
        : 'expires_at: choose an expiration date.',
      'expires_at');
  }
  if (when.getTime() <= nowTs) {
    throw new ApiError(400, 'invalid_request', 'expires_at: the expiration date must be in the future.', 'expires_at');
  }
  if (s.maxDays) {
    const limit = nowTs + s.maxDays * DAY_MS - 60 * 1000;
    if (when.getTime() > limit) when = new Date(limit);
  }
  return toRfc3339(when);
}

function hintText(s) {
  if (s.never && s.never.box.checked) return 'The key works until you revoke it.';
  let when;
  try {
    when = parseTime(expirationValue(s));
  } catch {
    when = null;
  }
  return when
    ? `The key stops working ${localDateTime(when)} (${relative(when)}, your local time).`
    : 'Choose the day the key stops working.';
}

/** Keeps the chips, the checkbox, the date input and the hint in step. */
function wire(s) {
  const syncChips = () => {
    const neverOn = !!(s.never && s.never.box.checked);
    for (const c of s.chips) c.setAttribute('aria-pressed', String(Number(c.dataset.days) === s.presetDays && !neverOn));
  };
  const syncNever = () => {
    s.input.disabled = s.never.box.checked;
    s.never.warning.hidden = !s.never.box.checked;
    syncChips();
  };
  const updateHint = () => { s.hintEl.textContent = s.limitText + hintText(s); };
  for (const c of s.chips) {
    c.addEventListener('click', () => {
      s.presetDays = Number(c.dataset.days);
      s.input.value = dateInputValue(daysFromNow(s.presetDays));
      if (s.never) {
        s.never.box.checked = false;
        syncNever();
      }
      syncChips();
      updateHint();
    });
  }
  s.input.addEventListener('input', () => {
    s.presetDays = null;
    for (const p of PRESETS) {
      if (s.input.value === dateInputValue(daysFromNow(p.days))) s.presetDays = p.days;
    }
    syncChips();
    updateHint();
  });
  s.input.addEventListener('change', updateHint);
  if (s.never) {
    s.never.box.addEventListener('change', () => {
      syncNever();
      updateHint();
    });
  }
  updateHint();
}

/**
 * "Expiration date" with presets and, when `allowNever` and the server sets no maximum,
 * "No expiration". Returns {element, value()}: value() is an RFC 3339 string, null (never), or
 * throws an ApiError naming expires_at.
 */
export function expirationField({ maxDays, allowNever, defaultDays = 30 }) {
  const now = new Date();
  const presetDays = Math.min(defaultDays, maxDays || defaultDays);
  const input = h('input', { type: 'date', name: 'expires_at', min: dateInputValue(now) });
  if (maxDays) input.max = dateInputValue(daysFromNow(maxDays, now));
  input.value = dateInputValue(daysFromNow(presetDays, now));
  const s = {
    input, maxDays, presetDays,
    chips: presetChips(maxDays, presetDays),
    never: allowNever && !maxDays ? neverControls() : null,
    limitText: maxDays ? `This server allows keys of at most ${maxDays} days. ` : '',
  };

  const f = field({ label: 'Expiration date', control: input, hint: s.limitText || ' ' });
  // Presets and "No expiration" sit between the input and its hint.
  s.hintEl = f.querySelector('.hint');
  f.insertBefore(h('div', { class: 'presets', role: 'group', 'aria-label': 'Expiration presets' }, s.chips), s.hintEl);
  if (s.never) {
    f.insertBefore(h('label', { class: 'check', for: s.never.box.id }, s.never.box, 'No expiration'), s.hintEl);
    f.insertBefore(s.never.warning, s.hintEl);
    // Errors about expires_at land under this field, also when the checkbox is in use.
    s.never.box.dataset.errorId = input.dataset.errorId;
  }
  wire(s);
  return { element: f, value: () => expirationValue(s) };
}
