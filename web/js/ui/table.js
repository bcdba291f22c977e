// Tables the views share: the box a table loads into, the table with its header row, cells
// labelled for the narrow-screen card layout, and the empty state.

import { h, icon } from '../dom.js';

/** The box a table (or its empty state) is drawn into, saying `loadingText` until then. */
export function tableHost(loadingText) {
  return h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, loadingText));
}

/**
 * A responsive table: a caption for screen readers, one header cell per column, a last
 * "Actions" column when `actions` is set. `body` is a <tbody> or the rows to put in one.
 */
export function dataTable({ className = null, caption, columns, actions = false, body }) {
  return h('table', { class: className ? `responsive-table ${className}` : 'responsive-table' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {},
      columns.map((c) => h('th', { scope: 'col' }, c)),
      actions ? h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
    body instanceof Node ? body : h('tbody', {}, body));
}

/** A body cell; `label` names its column where the table is shown as cards (data-label). */
export function td(label, content, cls = null) {
  return h('td', { 'data-label': label, class: cls }, content);
}

/** The "Actions" cell of a row. */
export function actionsCell(...buttons) {
  return td('Actions', h('div', { class: 'actions' }, buttons), 'col-actions');
}

/** A muted value, or a dash when there is none. */
export function muted(text = '—') {
  return h('span', { class: 'none' }, text);
}

/** What a table shows when it has no rows: an icon, a title and an optional sentence. */
export function emptyState(iconName, title, text = null) {
  return h('div', { class: 'empty' },
    icon(iconName),
    h('h2', {}, title),
    text ? h('p', {}, text) : null);
}
