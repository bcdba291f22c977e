// The audit log: the account's events and those of the organizations it owns, newest first,
// fifty at a time.

import { get } from '../api.js';
import { h, clear, busy, toast } from '../dom.js';
import { timeEl, actionLabel } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { tableHost, dataTable, td, muted, emptyState } from '../ui/table.js';
import { fetchAllKeys } from '../ui/key-list.js';

const PAGE = 50;

/** Names for the ids the events carry: your keys, your organizations and you. */
async function loadNames(session) {
  const names = new Map();
  const [keys, orgs] = await Promise.all([
    fetchAllKeys('/api/keys').catch(() => []),
    get('/api/orgs').catch(() => ({ orgs: [] })),
  ]);
  for (const k of keys) names.set(k.id, `key “${k.name}”`);
  for (const o of (orgs && orgs.orgs) || []) names.set(o.id, o.name);
  const me = session.account;
  if (me) names.set(me.id, me.email);
  return names;
}

function describe(names, id) {
  if (!id) return muted();
  const name = names.get(id);
  return name
    ? h('span', { title: id }, name)
    : h('span', { class: 'mono' }, id);
}

function eventRow(names, me, ev) {
  const actor = ev.actor_id && me && ev.actor_id === me.id ? 'You' : null;
  return h('tr', { 'data-event-id': ev.id },
    td('When', timeEl(ev.at, { stacked: true })),
    td('Event', h('div', { class: 'cell-name' }, actionLabel(ev.action),
      h('span', { class: 'cell-sub mono' }, ev.action)), 'cell-primary'),
    td('By', actor ? h('span', {}, actor) : describe(names, ev.actor_id)),
    td('Target', describe(names, ev.target_id)),
    td('Organization', describe(names, ev.org_id)),
    td('IP address', ev.ip ? h('span', { class: 'mono' }, ev.ip) : muted()));
}

export async function renderAudit(root, { session, isCurrent }) {
  const host = tableHost('Loading events…');
  const more = h('button', { type: 'button', class: 'btn' }, 'Load older events');
  const foot = h('div', { class: 'table-foot', hidden: true }, more);

  root.append(
    pageHead({
      title: 'Audit log',
      lead: 'Sign-ins, key changes and membership changes on your account and on the organizations you own, newest first.',
    }),
    card({ id: 'audit-title', title: 'Events' }, host, foot));

  const names = await loadNames(session);
  const me = session.account;
  let tbody = null;
  let lastId = null;

  async function loadPage() {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (lastId) q.set('before', lastId);
    const data = await get(`/api/audit?${q}`);
    if (!isCurrent()) return;
    const events = (data && data.events) || [];
    if (!tbody) {
      clear(host);
      if (!events.length) {
        host.append(emptyState('log', 'No events yet'));
        return;
      }
      tbody = h('tbody', {});
      host.append(dataTable({
        className: 'cards-wide audit-table',
        caption: 'Audit events, newest first',
        columns: ['When', 'Event', 'By', 'Target', 'Organization', 'IP address'],
        body: tbody,
      }));
    }
    for (const ev of events) tbody.append(eventRow(names, me, ev));
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
