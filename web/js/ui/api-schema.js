// How the API reference page (views/api-reference.js) shows a JSON Schema of the API
// description: a one-line type ("Key", "array of Org", "string or null") and, for objects, a
// table of their fields. A $ref is shown by name and links to the schema's own entry under
// "Schemas", so nested and recursive schemas never expand forever.

import { h } from '../dom.js';
import { dataTable, td, muted } from './table.js';

/** The name a "#/components/schemas/Name" reference points at. */
export function refName(ref) {
  return String(ref).split('/').pop();
}

/** The id of a schema's entry on the page. */
export function schemaAnchor(name) {
  return `schema-${name}`;
}

/** Opens a schema's entry under "Schemas" and moves there (no navigation: the page stays). */
function showSchema(ev, name) {
  const entry = document.getElementById(schemaAnchor(name));
  if (!entry) return;
  ev.preventDefault();
  entry.open = true;
  entry.scrollIntoView({ block: 'start' });
  entry.querySelector('summary').focus();
}

function refLink(ref) {
  const name = refName(ref);
  return h('a', { href: '#/api', 'data-schema-link': name, onclick: (ev) => showSchema(ev, name) }, name);
}

function join(parts, word) {
  const out = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(` ${word} `);
    out.push(p);
  });
  return out;
}

/** A schema's type on one line, as nodes and text. */
export function typeLabel(schema) {
  if (!schema || typeof schema !== 'object') return ['any'];
  if (schema.$ref) return [refLink(schema.$ref)];
  if ('const' in schema) return [h('code', {}, JSON.stringify(schema.const))];
  if (schema.oneOf || schema.anyOf) {
    return join((schema.oneOf || schema.anyOf).map((s) => h('span', {}, typeLabel(s))), 'or');
  }
  if (schema.allOf) {
    return join(schema.allOf.map((s) => h('span', {}, typeLabel(s))), 'and');
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type || 'any'];
  return join(types.map((t) => {
    if (t === 'array') return h('span', {}, 'array of ', typeLabel(schema.items));
    if (t === 'string' && schema.format) return `string (${schema.format})`;
    return t;
  }), 'or');
}

/** Limits and allowed values of a schema, as one short line (or null). */
export function constraints(schema) {
  if (!schema || typeof schema !== 'object') return null;
  const out = [];
  if (schema.enum) out.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.pattern) out.push(`pattern ${schema.pattern}`);
  for (const [key, word] of [['minLength', 'at least'], ['minimum', 'at least'], ['minItems', 'at least']]) {
    if (key in schema) out.push(`${word} ${schema[key]}${key === 'minimum' ? '' : key === 'minItems' ? ' items' : ' characters'}`);
  }
  for (const [key, word] of [['maxLength', 'at most'], ['maximum', 'at most'], ['maxItems', 'at most']]) {
    if (key in schema) out.push(`${word} ${schema[key]}${key === 'maximum' ? '' : key === 'maxItems' ? ' items' : ' characters'}`);
  }
  if ('default' in schema) out.push(`default ${JSON.stringify(schema.default)}`);
  return out.length ? out.join('; ') : null;
}

/** The object's fields as a table, or null when the schema has none of its own. */
export function fieldsTable(schema, caption) {
  const props = schema && schema.properties;
  if (!props || Object.keys(props).length === 0) return null;
  const required = new Set(schema.required || []);
  const rows = Object.entries(props).map(([name, s]) => {
    const about = [s.description, constraints(s)].filter(Boolean).join(' · ');
    return h('tr', { 'data-field': name },
      td('Field', h('code', {}, name), 'cell-primary'),
      td('Type', h('span', {}, typeLabel(s))),
      td('Required', required.has(name) ? 'yes' : muted('no')),
      td('About', about || muted()));
  });
  return dataTable({
    className: 'api-fields',
    caption,
    columns: ['Field', 'Type', 'Required', 'About'],
    body: rows,
  });
}

/** A schema shown in full: its type line, its limits, and its fields. */
export function schemaBlock(schema, caption) {
  const limits = constraints(schema);
  return h('div', { class: 'api-schema' },
    h('p', { class: 'api-type' }, 'Type: ', typeLabel(schema)),
    limits ? h('p', { class: 'api-limits' }, limits) : null,
    fieldsTable(schema, caption));
}
