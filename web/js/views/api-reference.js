// The API reference (#/api): the server's own description of its HTTP API
// (GET /api/openapi.json, docs/openapi.yaml), drawn here without any outside script: the
// operations grouped by tag, each with its credential, parameters, request body and answers,
// then the shared schemas.

import { get } from '../api.js';
import { h } from '../dom.js';
import { pageHead, card } from '../ui/page.js';
import { dataTable, td, muted } from '../ui/table.js';
import { refName, schemaAnchor, schemaBlock, typeLabel, constraints } from '../ui/api-schema.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const CREDENTIALS = {
  session: 'Session cookie',
  csrf: 'X-CSRF-Token header',
  bearer: 'Bearer key',
};

/** "#/components/parameters/org" and the like, followed in the document. */
function deref(doc, node) {
  if (!node || !node.$ref || !node.$ref.startsWith('#/components/')) return node;
  const [, , kind, name] = node.$ref.split('/');
  return (doc.components[kind] || {})[name] || node;
}

function credentialLine(doc, op) {
  const security = op.security || doc.security || [];
  if (security.length === 0) return 'None';
  return security.map((req) => Object.keys(req).map((k) => CREDENTIALS[k] || k).join(' + ')).join(', or ');
}

function parametersTable(doc, op) {
  const params = (op.parameters || []).map((p) => deref(doc, p));
  if (params.length === 0) return null;
  return h('div', { class: 'table-wrap' }, dataTable({
    className: 'api-params',
    caption: 'Parameters',
    columns: ['Name', 'In', 'Type', 'About'],
    body: params.map((p) => h('tr', {},
      td('Name', h('code', {}, p.name), 'cell-primary'),
      td('In', p.required ? `${p.in}, required` : p.in),
      td('Type', h('span', {}, typeLabel(p.schema))),
      td('About', [p.description, constraints(p.schema)].filter(Boolean).join(' · ') || muted()))),
  }));
}

function requestBody(op) {
  const body = op.requestBody;
  if (!body) return null;
  const media = Object.keys(body.content || {})[0];
  return h('div', { class: 'api-section' },
    h('h4', {}, `Request body (${media}${body.required ? '' : ', optional'})`),
    schemaBlock(body.content[media].schema, 'Request body fields'));
}

function responseItem(doc, status, response) {
  const r = deref(doc, response);
  const name = response.$ref ? refName(response.$ref) : null;
  const media = Object.keys(r.content || {})[0];
  const headers = Object.keys(r.headers || {});
  return h('li', { class: 'api-response', 'data-status': status },
    h('span', { class: `api-status api-status-${String(status)[0]}xx` }, status),
    h('span', {}, r.description || ''),
    name ? h('span', { class: 'cell-sub' }, ` (${name})`) : null,
    headers.length ? h('p', { class: 'cell-sub' }, `Headers: ${headers.join(', ')}`) : null,
    media ? h('div', { class: 'api-type' }, `${media}: `, typeLabel(r.content[media].schema)) : null);
}

function operationEntry(doc, method, path, op) {
  const responses = Object.entries(op.responses || {});
  return h('details', { class: 'api-op', id: `op-${op.operationId}`, 'data-operation': `${method.toUpperCase()} ${path}` },
    h('summary', {},
      h('span', { class: `api-method api-method-${method}` }, method.toUpperCase()),
      h('code', { class: 'api-path' }, path),
      h('span', { class: 'api-summary' }, op.summary || '')),
    h('div', { class: 'api-op-body' },
      op.description ? h('p', {}, op.description) : null,
      h('p', {}, h('strong', {}, 'Credential: '), credentialLine(doc, op)),
      parametersTable(doc, op),
      requestBody(op),
      h('div', { class: 'api-section' },
        h('h4', {}, 'Responses'),
        h('ul', { class: 'api-responses' }, responses.map(([s, r]) => responseItem(doc, s, r))))));
}

/** The operations, in the document's order, by their first tag. */
function byTag(doc) {
  const groups = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ method, path, op });
    }
  }
  return groups;
}

function schemasCard(doc) {
  const schemas = Object.entries((doc.components && doc.components.schemas) || {});
  return card({ id: 'api-schemas', title: 'Schemas', sub: 'The objects the operations take and answer.' },
    schemas.map(([name, schema]) => h('details', { class: 'api-op', id: schemaAnchor(name) },
      h('summary', {}, h('code', { class: 'api-path' }, name),
        schema.description ? h('span', { class: 'api-summary' }, schema.description) : null),
      h('div', { class: 'api-op-body' }, schemaBlock(schema, `${name} fields`)))));
}

export async function renderApiReference(root, { isCurrent }) {
  const doc = await get('/api/openapi.json');
  if (!isCurrent()) return;
  const info = doc.info || {};
  root.append(pageHead({
    title: 'API reference',
    lead: [`${info.title || 'HTTP API'}, from the server's own OpenAPI ${doc.openapi} description (`,
      h('a', { href: '/api/openapi.json' }, 'openapi.json'), ').'],
  }));
  let n = 0;
  for (const [tag, ops] of byTag(doc)) {
    if (ops.length === 0) continue;
    n += 1;
    root.append(card({ id: `api-tag-${n}`, title: tag },
      ops.map(({ method, path, op }) => operationEntry(doc, method, path, op))));
  }
  root.append(schemasCard(doc));
}
