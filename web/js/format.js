// Times: the API speaks RFC 3339 UTC ("2026-11-27T06:48:27Z"); people read their local time,
// with the exact UTC instant on hover (title attribute).

import { h } from './dom.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** Date from an RFC 3339 string; null for null/empty/unparsable. */
export function parseTime(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-27 06:48:27 UTC": the exact instant, shown on hover. */
export function utcText(date) {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function localDateTime(date) {
  return dateTimeFmt.format(date);
}

export function localDate(date) {
  return dateFmt.format(date);
}

/** "in 3 days", "2 hours ago", "now". */
export function relative(date, now = new Date()) {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const units = [
    ['year', 365 * DAY_MS, 365 * DAY_MS],
    ['month', 30 * DAY_MS, 60 * DAY_MS],
    ['day', DAY_MS, DAY_MS],
    ['hour', 60 * 60 * 1000, 60 * 60 * 1000],
    ['minute', 60 * 1000, 60 * 1000],
  ];
  // [unit, its length, from which distance it is used]: days up to two months, then months.
  for (const [unit, ms, from] of units) {
    if (abs >= from) return relFmt.format(Math.round(diff / ms), unit);
  }
  return diff >= 0 ? 'in less than a minute' : 'just now';
}

/**
 * A <time> element in local time with the UTC instant in its title, or a muted "Never" (or
 * the given text) for null.
 */
export function timeEl(iso, { never = 'Never', dateOnly = false, stacked = false } = {}) {
  const d = parseTime(iso);
  if (!d) return h('span', { class: 'none' }, never);
  const attrs = { datetime: iso, title: utcText(d) };
  if (stacked) {
    // Tables: the date, and the time of day under it.
    return h('time', { ...attrs, class: 'stacked' },
      h('span', {}, localDate(d)), ' ', h('span', { class: 'time-of-day' }, timeFmt.format(d)));
  }
  return h('time', attrs, dateOnly ? localDate(d) : localDateTime(d));
}

/** RFC 3339 UTC with whole seconds, as the API wants it. */
export function toRfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const pad = (n) => String(n).padStart(2, '0');

/** The local calendar date of `date` as an <input type="date"> value (YYYY-MM-DD). */
export function dateInputValue(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local calendar day `days` days after today (same time of day). */
export function daysFromNow(days, now = new Date()) {
  const d = new Date(now.getTime());
  d.setDate(d.getDate() + days);
  return d;
}

/** End (23:59:59 local) of the day named by an <input type="date"> value; null if invalid. */
export function endOfLocalDay(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 0);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Whole days from now until `date`, rounded up (an expiry later today is "0 days"). */
export function daysUntil(date, now = new Date()) {
  return Math.ceil((date.getTime() - now.getTime()) / DAY_MS);
}

/** Human names for audit actions. */
const ACTIONS = {
  'account.signup': 'Account created',
  'session.login': 'Signed in',
  'session.login_failed': 'Failed sign-in',
  'key.created': 'API key created',
  'key.updated': 'API key edited',
  'key.rotated': 'API key rotated',
  'key.revoked': 'API key revoked',
  'key.revoked_unused': 'Unused API key revoked',
  'key.exposed': 'API key reported as exposed and revoked',
  'device.denied': 'Terminal sign-in denied',
  'org.created': 'Organization created',
  'org.member_added': 'Member added',
  'org.member_removed': 'Member removed',
  'account.email_verification_sent': 'Verification link sent',
  'account.email_verified': 'Address verified',
  'account.email_change_requested': 'Address change requested',
  'org.invitation_created': 'Invitation sent',
  'org.invitation_accepted': 'Invitation accepted',
  'org.invitation_declined': 'Invitation declined',
  'org.invitation_canceled': 'Invitation canceled',
  'account.password_changed': 'Password changed',
  'account.password_reset_requested': 'Password reset link sent',
  'account.password_reset': 'Password reset',
  'session.revoked': 'Session revoked',
  'session.revoked_others': 'Other sessions signed out',
  'account.deleted': 'Account deleted',
};

export function actionLabel(action) {
  return ACTIONS[action] || action;
}
