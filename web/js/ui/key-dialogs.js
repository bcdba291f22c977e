// The dialogs that change an existing key without a new value: "Edit access" (permissions and
// allowed addresses) and "Change expiration", both PATCH /api/keys/{key}; and the rotate
// dialog with its overlap choice (how long the previous value keeps working), shared by a
// person's keys and a service account's.

import { post, patch, seg } from '../api.js';
import { h, icon, nextId, confirmDialog } from '../dom.js';
import { timeEl, parseTime, localDate, localDateTime, DAY_MS } from '../format.js';
import { expirationField } from './expiration.js';
import { keyStatus } from './key-cells.js';
import { permissionPicker, allowedAddressesField, keyPermissions } from './key-access.js';

/** The overlap choices of a rotation: overlap_seconds as the API takes them. */
export const OVERLAPS = [
  { label: 'Now', seconds: 0 },
  { label: 'In 1 hour', seconds: 3600 },
  { label: 'In 24 hours', seconds: 86400 },
  { label: 'In 7 days', seconds: 604800 },
];

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * "Edit access" for `key`: the permission picker and the allowed addresses, filled with the
 * key's. Sends only what changed. Resolves with the PATCH's answer, true when nothing changed,
 * or null when cancelled.
 */
export function editAccessDialog(key, { returnFocus }) {
  const picker = permissionPicker({ initial: keyPermissions(key) });
  const before = Array.isArray(key.allowed_ips) ? key.allowed_ips : [];
  const addresses = allowedAddressesField({ initial: before });
  addresses.element.classList.add('dialog-field');
  return confirmDialog({
    title: `Edit access of “${key.name}”`,
    content: [h('p', { class: 'hint' },
      'The change applies to the key’s current value (and to a previous value still in its overlap) at once, on every server.')],
    fields: [h('div', { class: 'dialog-fields' }, picker.element, addresses.element)],
    confirmLabel: 'Save',
    returnFocus,
    onConfirm: async () => {
      const body = {};
      const perms = picker.value();
      if (!sameList(perms, keyPermissions(key))) body.permissions = perms;
      const ips = addresses.value();
      if (!sameList(ips, before)) body.allowed_ips = ips;
      if (!Object.keys(body).length) return true;
      return patch(`/api/keys/${seg(key.id)}`, body);
    },
  });
}

/**
 * "Change expiration" for an active key: the create dialog's choices, within the server's
 * maximum (`maxDays`; "No expiration" only when there is none). Resolves like editAccessDialog.
 */
export function changeExpirationDialog(key, { maxDays, returnFocus }) {
  const exp = expirationField({ maxDays, allowNever: true });
  const current = parseTime(key.expires_at);
  return confirmDialog({
    title: `Change expiration of “${key.name}”`,
    content: [h('p', { class: 'hint' }, 'Now: ',
      current ? timeEl(key.expires_at) : 'never expires',
      '. The key keeps its value; only the day it stops working changes.')],
    fields: [exp.element],
    confirmLabel: 'Change expiration',
    returnFocus,
    onConfirm: () => patch(`/api/keys/${seg(key.id)}`, { expires_at: exp.value() }),
  });
}

/** What the rotate dialog says happens to the previous value after `seconds`. */
function overlapText(seconds) {
  if (!seconds) {
    return [h('strong', {}, 'The current value stops working at once. '),
      'A new value is created and shown once; every system using the old one gets ',
      h('code', {}, 'key_revoked'), ' until you give it the new value.'];
  }
  const until = new Date(Date.now() + seconds * 1000);
  return [h('strong', {}, `Both values work until ${localDateTime(until)}. `),
    'A new value is created and shown once; give it to every system using the key before then. After that the old value gets ',
    h('code', {}, 'key_revoked'), '.'];
}

/**
 * The rotate dialog's "Previous value stops working" choice and the callout that says what it
 * means. Returns {callout, element, seconds()}.
 */
export function overlapChoice() {
  const name = nextId('overlap');
  const text = h('p', {});
  const callout = h('div', { class: 'callout callout-warn', 'data-overlap-callout': '' }, icon('warn'), text);
  const radios = OVERLAPS.map((o) => h('input', {
    type: 'radio', name, value: String(o.seconds), checked: o.seconds === 0,
  }));
  const seconds = () => Number((radios.find((r) => r.checked) || radios[0]).value);
  const sync = () => text.replaceChildren(...overlapText(seconds()));
  for (const r of radios) r.addEventListener('change', sync);
  sync();
  const element = h('fieldset', { class: 'field dialog-field overlap-choice' },
    h('legend', { class: 'field-label' }, 'Previous value stops working'),
    h('div', { class: 'overlap-options' },
      OVERLAPS.map((o, i) => h('label', { class: 'check' }, radios[i], o.label))),
    h('p', { class: 'hint' }, 'An overlap lets a fleet switch to the new value before the old one ends. Revoking the key ends both at once.'));
  return { callout, element, seconds };
}

/** What a rotation keeps; on a server with a maximum lifetime the expiration may shorten. */
function keepsText(key, maxDays) {
  const exp = parseTime(key.expires_at);
  const limit = maxDays ? new Date(Date.now() + maxDays * DAY_MS) : null;
  if (limit && (!exp || exp > limit)) {
    return `Name, description, organization and access stay the same. This server allows keys of at most ${maxDays} days: the rotated key expires ${localDate(limit)}.`;
  }
  return `Name, description, organization, access and expiration (${exp ? localDate(exp) : 'never'}) stay the same.`;
}

/**
 * The rotate dialog of `key`, which POSTs to `url` (the key's rotate endpoint): for an active
 * key the overlap choice, for an expired one a new expiration within `maxDays` (its previous
 * value does not work anyway: no overlap to offer). Resolves with the answer ({key, secret})
 * or null when cancelled.
 */
export function rotateDialog(key, { url, maxDays, returnFocus, title = `Rotate “${key.name}”?` }) {
  const expired = keyStatus(key) === 'expired';
  const exp = expired ? expirationField({ maxDays, allowNever: false }) : null;
  const overlap = expired ? null : overlapChoice();
  return confirmDialog({
    title,
    content: [
      overlap ? overlap.callout : h('div', { class: 'callout callout-warn' }, icon('warn'),
        h('p', {}, 'A new value is created and shown once. The expired value stays refused.')),
      h('p', { class: 'hint' }, expired
        ? 'This key has expired: choose a new expiration date. Name, description, organization and access stay the same.'
        : keepsText(key, maxDays)),
    ],
    fields: exp ? [exp.element] : [overlap.element],
    confirmLabel: 'Rotate',
    returnFocus,
    onConfirm: async () => {
      const body = exp ? { expires_at: exp.value() } : {};
      if (overlap && overlap.seconds()) body.overlap_seconds = overlap.seconds();
      return post(url, body);
    },
  });
}

/** "Previous value valid until …" for a key whose rotation overlap still runs, else null. */
export function overlapNote(key, now = new Date()) {
  const until = parseTime(key.previous_valid_until);
  if (!until || until <= now || key.revoked_at) return null;
  return h('span', { class: 'cell-sub overlap-note', 'data-cell': 'overlap' },
    'Previous value valid until ', timeEl(key.previous_valid_until));
}
