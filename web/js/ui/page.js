// Page furniture the views share: the page head (h1, lead, main action) and the cards the
// content sits in.

import { h } from '../dom.js';

/**
 * The top of a page: its h1 (where the focus goes after navigation), an optional lead paragraph
 * (text, nodes or an array of both) and an optional action beside them (e.g. a button).
 */
export function pageHead({ title, lead = null, action = null }) {
  return h('div', { class: 'page-head' },
    h('div', {},
      h('h1', { tabindex: '-1' }, title),
      lead ? h('p', { class: 'lead' }, lead) : null),
    action);
}

/**
 * A card section labelled by its heading (`id` is the heading's id). `sub` goes under the
 * heading: a string (a paragraph) or an element. The children follow the head.
 */
export function card({ id, title, sub = null }, ...children) {
  const heading = h('h2', { id }, title);
  const sublabel = typeof sub === 'string' ? h('p', {}, sub) : sub;
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('div', { class: 'card-head' }, sublabel ? h('div', {}, heading, sublabel) : heading),
    children);
}
