// A key's state as the tables show it (the API keys page and an organization's page): active,
// expired or revoked, expiring soon, its flags, and the cells and row classes that say so.

import { h } from '../dom.js';
import { timeEl, parseTime, daysUntil, relative } from '../format.js';
import { muted } from './table.js';

/** An active key expiring within this many days is flagged. */
export const SOON_DAYS = 7;

/** "active" | "expired" | "revoked", trusting the server but catching an expiry since. */
export function keyStatus(key, now = new Date()) {
  if (key.status === 'revoked' || key.revoked_at) return 'revoked';
  const exp = parseTime(key.expires_at);
  if (key.status === 'expired' || (exp && exp <= now)) return 'expired';
  return 'active';
}

/** Days left when an active key expires within SOON_DAYS days, else null. */
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

/**
 * The server's flags (what needs attention about an active key), in its order: the badge's
 * text and what to do, shown as its tooltip (docs/spec/API.md "Key flags").
 */
export const FLAGS = {
  unused_90_days: { label: 'Unused 90+ days', tip: 'Not used for 90 days or more: revoke it if nothing needs it.' },
  rotation_due: { label: 'Rotation due', tip: 'Created or last rotated 90 days ago or more: rotate it.' },
  expiring_soon: { label: 'Expiring soon', tip: 'Expires within 7 days: change its expiration or rotate it.' },
  owner_left_org: { label: 'Owner left org', tip: 'Its owner is no longer a member of the organization: revoke it, or replace it with a service account’s key.' },
};

/** One badge per flag of the key (none on a revoked or expired key: the server sends none). */
export function flagBadges(key) {
  const flags = Array.isArray(key.flags) ? key.flags : [];
  if (!flags.length) return null;
  return h('span', { class: 'flag-badges', 'data-cell': 'flags' }, flags.map((f) => {
    const known = FLAGS[f] || { label: f, tip: '' };
    return h('span', { class: 'badge badge-flag', 'data-flag': f, title: known.tip || null }, known.label);
  }));
}

export function expiresCell(key, now = new Date()) {
  if (!key.expires_at) return muted('Never');
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
  if (!key.org_id) return muted('All organizations');
  return h('a', { href: `#/orgs/${encodeURIComponent(key.org_id)}` }, key.org_name || key.org_id);
}

/**
 * The key's name (id `nameId`, which the row's buttons point to) and its hint under it. On the
 * API keys page (`editable`) the name sits in a line with the Edit button (null on a revoked
 * key) and the cell is found again by data-cell="name" for the edit in place.
 */
export function keyNameCell(key, nameId, { editable = false, editButton = null } = {}) {
  const name = h('span', { class: 'cell-name-text', id: nameId }, key.name);
  const hint = h('span', { class: 'cell-sub mono' }, key.hint || '');
  if (!editable) return h('div', { class: 'cell-name' }, name, hint);
  return h('div', { class: 'cell-name', 'data-cell': 'name' },
    h('span', { class: 'name-line' }, name, editButton), hint);
}

/** A row's classes: is-inactive, is-revoked, is-expired, is-expiring; null when none. */
export function rowClass(key, now = new Date()) {
  const s = keyStatus(key, now);
  const classes = [];
  if (s !== 'active') classes.push('is-inactive');
  if (s === 'revoked') classes.push('is-revoked');
  if (s === 'expired') classes.push('is-expired');
  if (expiringSoon(key, now) !== null) classes.push('is-expiring');
  return classes.join(' ') || null;
}

/** A row's Revoke button, disabled on a revoked key. */
export function revokeButton({ revoked, describedBy, onClick, dataAction = null }) {
  return h('button', {
    type: 'button', class: 'btn btn-sm btn-ghost-danger', 'aria-describedby': describedBy,
    'data-action': dataAction, disabled: revoked, title: revoked ? 'Already revoked' : null,
    onclick: onClick,
  }, 'Revoke');
}
