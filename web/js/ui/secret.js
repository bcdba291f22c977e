// The dialog that shows a key's value once, after it is created or rotated, with a Copy button
// and the command that configures the 2501 CLI.

import { h, icon, nextId, openDialog } from '../dom.js';
import { timeEl } from '../format.js';
import { accessCell } from './key-access.js';

/** Copies the text of `code` (the value, while `getValue()` still has it); says how it went. */
async function copyValue(code, status, getValue) {
  status.classList.remove('is-error');
  const value = getValue();
  if (!value) return;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(value);
    } else {
      // Plain HTTP on a non-local address: no Clipboard API. Select and copy.
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      const ok = document.execCommand('copy');
      sel.removeAllRanges();
      if (!ok) throw new Error('copy refused');
    }
    status.textContent = 'Copied to the clipboard.';
  } catch {
    status.classList.add('is-error');
    status.textContent = 'The browser refused to copy. Select the key and copy it with Ctrl+C (⌘C on a Mac).';
  }
}

/** After a rotation: whether the previous value still works (an overlap) or has stopped. */
function rotatedNote(key) {
  if (key.previous_valid_until && new Date(key.previous_valid_until) > new Date()) {
    return h('div', { class: 'callout callout-warn', 'data-overlap': '' }, icon('info'),
      h('p', {}, 'The previous value keeps working until ', timeEl(key.previous_valid_until),
        ': give the new one to every system using the key before then. After that the previous value gets ',
        h('code', {}, 'key_revoked'), '.'));
  }
  return h('div', { class: 'callout callout-danger' }, icon('info'),
    h('p', {}, 'The previous value has stopped working: systems still using it get ', h('code', {}, 'key_revoked'), '.'));
}

// Where the 2501 CLI sends its requests when nothing else is set.
const CLI_DEFAULT_HOST = 'http://127.0.0.1:8080';

/** This console's address, as the CLI's api_host: origin and path, no trailing slash. */
export function consoleUrl() {
  return location.origin + location.pathname.replace(/\/(index\.html)?$/, '');
}

function commandLine(text) {
  return h('pre', { class: 'command', 'aria-label': 'Command' },
    h('span', { class: 'prompt', 'aria-hidden': 'true' }, '$ '), text);
}

/** The CLI's configuration: its host first when this console is not where the CLI looks by default. */
function cliCommands() {
  const url = consoleUrl();
  const custom = url !== CLI_DEFAULT_HOST;
  return h('div', { 'data-cli-setup': '' },
    h('h3', {}, 'Configure the 2501 CLI'),
    h('p', { class: 'hint' }, custom
      ? 'Run these commands: the first points the CLI at this server; the second reads the key from standard input (paste it and press Enter), which keeps it out of your shell history.'
      : 'Run this command, paste the key and press Enter. Reading the key from standard input keeps it out of your shell history.'),
    custom ? commandLine(`2501 set api_host ${url}`) : null,
    commandLine('2501 set api_key -'),
    h('p', { class: 'hint' }, 'Next time, ', h('code', {}, custom ? `2501 login --host ${url}` : '2501 login'),
      ' gets a key for a terminal without copying anything.'));
}

/** Everything in the dialog but the value: warnings, the CLI command, the key's settings. */
function secretDetails(key, rotated, valueBox) {
  return [
    h('div', { class: 'callout callout-warn' }, icon('warn'),
      h('p', {}, h('strong', {}, 'This key will not be shown again. '),
        'Copy it now and keep it in a password manager or your CI system’s secret store. If you lose it, rotate the key to get a new value.')),
    valueBox,
    rotated ? rotatedNote(key) : null,
    cliCommands(),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Name'), h('dd', {}, key.name),
      h('dt', {}, 'Organization'), h('dd', {}, key.org_id ? (key.org_name || key.org_id) : 'All organizations (unscoped)'),
      h('dt', {}, 'Expires'), h('dd', {}, timeEl(key.expires_at)),
      h('dt', {}, 'Access'), h('dd', {}, accessCell(key)),
      h('dt', {}, 'Hint'), h('dd', { class: 'mono' }, key.hint || '')),
  ].filter(Boolean);
}

/**
 * Shows a key's value once. On Done the value leaves the page (the node is emptied and
 * removed) and this function drops its reference; the caller must not keep one either.
 */
export function showSecretOnce({ key, secret, rotated, returnFocus }) {
  return new Promise((resolve) => {
    let value = secret;
    const { dialog, body, foot, close } = openDialog({
      title: rotated ? `New value for “${key.name}”` : 'Your new API key',
      description: rotated
        ? 'The key was rotated. Copy the new value now and put it where the old one was.'
        : `“${key.name}” is ready. Copy the key now and store it somewhere safe.`,
      wide: true,
      closeOnEscape: false,
      returnFocus,
    });
    const valueId = nextId('secret-value');
    const code = h('code', { class: 'secret-value', id: valueId, 'data-secret': '' }, value);
    const status = h('p', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
    const copyBtn = h('button', { type: 'button', class: 'btn btn-primary', 'aria-describedby': valueId }, icon('copy'), 'Copy');
    copyBtn.addEventListener('click', () => copyValue(code, status, () => value));

    const done = h('button', { type: 'button', class: 'btn btn-primary' }, 'Done');
    done.addEventListener('click', () => {
      code.textContent = '';
      code.remove();
      status.textContent = '';
      value = null;
      close();
      resolve();
    });
    dialog.addEventListener('close', () => {
      // Closed some other way (navigation): the value still has to go.
      code.textContent = '';
      value = null;
      resolve();
    });

    body.append(...secretDetails(key, rotated, h('div', {},
      h('p', { class: 'field-label', id: `${valueId}-label` }, 'API key'),
      h('div', { class: 'secret-box' }, code, copyBtn),
      status)));
    code.setAttribute('aria-labelledby', `${valueId}-label`);
    foot.append(done);
    copyBtn.focus();
  });
}
