// Two-factor sign-in (#/two-factor): setting it up (the QR code the server drew, the secret as
// text, a first code to turn it on), the recovery codes shown once, and turning it off with the
// password and a code.

import { post } from '../api.js';
import { h, icon, field, formError, busy, toast, clear } from '../dom.js';
import { pageHead, card } from '../ui/page.js';
import { onSubmit } from '../ui/form.js';

/**
 * The server's SVG as a node of this document. Parsed as XML (never innerHTML) and imported
 * only if it is a lone <svg> with nothing that runs or styles: the CSP forbids inline styles and
 * scripts anyway, and this keeps the page's promise without relying on it.
 */
function qrNode(svgText) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  const unsafe = svg.querySelector('script, style, foreignObject, [style]')
    || [...svg.querySelectorAll('*'), svg].some((el) => [...el.attributes].some((a) => /^on/i.test(a.name)));
  if (svg.nodeName !== 'svg' || doc.querySelector('parsererror') || unsafe) {
    return h('p', { class: 'hint' }, 'The QR code could not be shown: type the key below instead.');
  }
  const node = document.importNode(svg, true);
  node.setAttribute('class', 'qr-code');
  return node;
}

/** The secret in groups of four, as apps show it, to be typed by hand. */
const grouped = (secret) => secret.replace(/(.{4})/g, '$1 ').trim();

function codeInput(name = 'code') {
  return h('input', {
    type: 'text', name, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '11',
    spellcheck: 'false', autocapitalize: 'none', class: 'mono code-input',
  });
}

function recoveryCard(codes, onDone) {
  const list = h('ol', { class: 'recovery-codes mono', 'aria-label': 'Recovery codes', 'data-secret': '' },
    codes.map((c) => h('li', {}, c)));
  const copy = h('button', { type: 'button', class: 'btn' }, icon('copy'), 'Copy codes');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      toast('Recovery codes copied.');
    } catch {
      toast('Copying failed: select the codes and copy them.', { error: true });
    }
  });
  const done = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'codes-saved' },
    'I saved my recovery codes');
  done.addEventListener('click', () => onDone());
  return card({ id: 'recovery-title', title: 'Your recovery codes' },
    h('div', { class: 'card-body' },
      h('div', { class: 'callout callout-warn' }, icon('warn'),
        h('p', {}, h('strong', {}, 'Shown this once. '),
          'Keep them somewhere safe (a password manager). Each one signs you in once, in place of a code, if you lose your phone.')),
      list,
      h('div', { class: 'actions actions-start' }, copy, done)));
}

function setupCard(setup, ctx, root) {
  const code = codeInput();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Turn on two-factor');
  const form = h('form', { novalidate: true, class: 'settings-form' },
    formError(),
    field({ label: 'Code from the app', control: code, required: true, hint: 'The 6 digits it shows now.' }),
    h('div', { class: 'actions actions-start' }, submit));
  onSubmit(form, async () => {
    const res = await busy(submit, () => post('/api/account/totp/enable', { code: code.value.trim() }));
    clear(root);
    root.append(pageHead({ title: 'Two-factor sign-in is on' }),
      recoveryCard(res.recovery_codes, async () => {
        await ctx.refreshSession();
        ctx.refresh();
      }));
  });
  const section = card({
    id: 'setup-title',
    title: 'Set up your authenticator app',
    sub: 'Scan the QR code with an app such as Google Authenticator, 1Password or Aegis, or type the key.',
  },
  h('div', { class: 'card-body totp-setup' },
    h('div', { class: 'qr-frame' }, qrNode(setup.qr_svg)),
    h('div', {},
      h('p', {}, 'Key (time-based, 6 digits, every 30 seconds):'),
      h('p', { class: 'mono secret-value', 'data-secret': '' }, grouped(setup.secret)),
      form)));
  return { section, focus: () => code.focus() };
}

function disableCard(ctx) {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const code = codeInput();
  const submit = h('button', { type: 'submit', class: 'btn btn-danger' }, 'Turn off two-factor');
  const form = h('form', { novalidate: true, class: 'settings-form' },
    formError(),
    field({ label: 'Password', control: password, required: true }),
    field({ label: 'Code', control: code, required: true, hint: 'From your app, or a recovery code.' }),
    h('div', { class: 'actions actions-start' }, submit));
  onSubmit(form, async () => {
    await busy(submit, () => post('/api/account/totp/disable', { password: password.value, code: code.value.trim() }));
    password.value = '';
    toast('Two-factor sign-in is off.');
    await ctx.refreshSession();
    ctx.refresh();
  });
  return card({
    id: 'disable-title',
    title: 'Turn off two-factor sign-in',
    sub: 'Organizations that require it close to you until you turn it on again.',
  }, h('div', { class: 'card-body' }, form));
}

export function renderTwoFactor(root, ctx) {
  const on = !!(ctx.session.account && ctx.session.account.two_factor);
  root.append(pageHead({
    title: 'Two-factor sign-in',
    lead: on
      ? ['Two-factor sign-in is ', h('strong', { 'data-two-factor': 'on' }, 'on'), ': signing in asks for a code from your app after your password.']
      : ['Two-factor sign-in is ', h('strong', { 'data-two-factor': 'off' }, 'off'), '. With it on, signing in also asks for a code from an app on your phone, so a stolen password is not enough.'],
  }));
  if (on) {
    root.append(disableCard(ctx));
    return;
  }
  const start = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'start-setup' }, 'Set up two-factor');
  const host = h('div', {}, card({ id: 'start-title', title: 'Set it up' },
    h('div', { class: 'card-body' },
      h('p', {}, 'You need an authenticator app. Setting it up shows a QR code; the change takes effect once you type its first code.'),
      h('div', { class: 'actions actions-start' }, start))));
  start.addEventListener('click', async () => {
    const setup = await busy(start, () => post('/api/account/totp/setup')).catch((err) => {
      toast(err.message, { error: true });
      return null;
    });
    if (!setup || !ctx.isCurrent()) return;
    const shown = setupCard(setup, ctx, root);
    clear(host).append(shown.section);
    shown.focus();
  });
  root.append(host);
}
