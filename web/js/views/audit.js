// The audit log: the account's events and those of the organizations it owns, newest first,
// fifty at a time.

import { get } from '../api.js';
import { h, icon, clear, busy, toast } from '../dom.js';
import { timeEl, actionLabel } from '../format.js';

const PAGE = 50;

function td(label, content, cls = null) {
  return h('td', { 'data-label': label, class: cls }, content);
}

export async function renderAudit(root, { session, isCurrent }) {
  const host = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading events…'));
  const more = h('button', { type: 'button', class: 'btn' }, 'Load older events');
  const foot = h('div', { class: 'table-foot', hidden: true }, more);

  root.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1' }, 'Audit log'),
        h('p', { class: 'lead' }, 'Sign-ins, key changes and membership changes on your account and on the organizations you own, newest first.'))),
    h('section', { class: 'card', 'aria-labelledby': 'audit-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'audit-title' }, 'Events')),
      host, foot));

  // Names for the ids the events carry: your keys and your organizations.
  const names = new Map();
  const [keys, orgs] = await Promise.all([
    get('/api/keys').catch(() => ({ keys: [] })),
    get('/api/orgs').catch(() => ({ orgs: [] })),
  ]);
  for (const k of (keys && keys.keys) || []) names.set(k.id, `key “${k.name}”`);
  for (const o of (orgs && orgs.orgs) || []) names.set(o.id, o.name);
  const me = session.account;
  if (me) names.set(me.id, me.email);

  let tbody = null;
  let lastId = null;

  function describe(id) {
    if (!id) return h('span', { class: 'none' }, '—');
    const name = names.get(id);
    return name
      ? h('span', { title: id }, name)
      : h('span', { class: 'mono' }, id);
  }

  function row(ev) {
    const actor = ev.actor_id && me && ev.actor_id === me.id ? 'You' : null;
    return h('tr', { 'data-event-id': ev.id },
      td('When', timeEl(ev.at, { stacked: true })),
      td('Event', h('div', { class: 'cell-name' }, actionLabel(ev.action),
        h('span', { class: 'cell-sub mono' }, ev.action)), 'cell-primary'),
      td('By', actor ? h('span', {}, actor) : describe(ev.actor_id)),
      td('Target', describe(ev.target_id)),
      td('Organization', describe(ev.org_id)),
      td('IP address', ev.ip ? h('span', { class: 'mono' }, ev.ip) : h('span', { class: 'none' }, '—')));
  }

  async function loadPage() {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (lastId) q.set('before', lastId);
    const data = await get(`/api/audit?${q}`);
    if (!isCurrent()) return;
    const events = (data && data.events) || [];
    if (!tbody) {
      clear(host);
      if (!events.length) {
        host.append(h('div', { class: 'empty' }, icon('log'), h('h2', {}, 'No events yet')));
        return;
      }
      tbody = h('tbody', {});
      host.append(h('table', { class: 'responsive-table cards-wide audit-table' },
        h('caption', { class: 'sr-only' }, 'Audit events, newest first'),
        h('thead', {}, h('tr', {},
          ['When', 'Event', 'By', 'Target', 'Organization', 'IP address'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody));
    }
    for (const ev of events) tbody.append(row(ev));
    if (events.length) lastId = events[events.length - 1].id;
    foot.hidden = events.length < PAGE;
  }

  more.addEventListener('click', async () => {
    try {
      await busy(more, loadPage);
    } catch (err) {
      toast(err.message, { error: true });
    }
  });

  await loadPage();
}
