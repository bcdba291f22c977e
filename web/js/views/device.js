// #/device?code=XXXX-XXXX: a CLI asks for a key (`2501 login`, docs/spec/API.md "Device
// authorization"). The page asks for the code the CLI shows (or takes it from the address the
// CLI printed), shows who asks, and lets the person choose the key's name, expiration,
// organization and permissions before Approve, which mints the key; Deny refuses. The key's
// value goes to the CLI only: this page never receives it. `2501 login --org ORG` adds
// `&org=ORG` (an id, handle or name): that organization is preselected as the key's scope.

import { get, post, seg, ApiError } from '../api.js';
import { h, icon, field, formError, busy, showError } from '../dom.js';
import { timeEl } from '../format.js';
import { pageHead, card } from '../ui/page.js';
import { onSubmit } from '../ui/form.js';
import { expirationField } from '../ui/expiration.js';
import { permissionPicker } from '../ui/key-access.js';

const DEFAULT_DAYS = 90;

function codeForm(root, initial, onCode) {
  const input = h('input', {
    type: 'text', name: 'user_code', autocomplete: 'off', spellcheck: 'false', maxlength: '9',
    placeholder: 'XXXX-XXXX', value: initial, autocapitalize: 'characters',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Continue');
  const form = h('form', { class: 'device-code-form', novalidate: true },
    formError(),
    field({ label: 'Code', control: input, required: true, hint: 'The code your terminal shows.' }),
    h('div', { class: 'actions device-actions' }, submit));
  onSubmit(form, async () => {
    const code = input.value.trim().toUpperCase();
    if (!code) throw new ApiError(400, 'invalid_request', 'user_code: enter the code your terminal shows.');
    await busy(submit, () => onCode(code));
  });
  root.append(form);
  input.focus();
}

function requestFacts(request) {
  return h('dl', { class: 'kv device-facts' },
    h('dt', {}, 'Application'), h('dd', { 'data-fact': 'client' }, request.client_name || 'Unnamed client'),
    h('dt', {}, 'Host name'), h('dd', { 'data-fact': 'hostname' }, request.hostname || 'Not given'),
    h('dt', {}, 'Address'), h('dd', { 'data-fact': 'ip' }, request.ip),
    h('dt', {}, 'Asked'), h('dd', {}, timeEl(request.created_at)),
    h('dt', {}, 'Code expires'), h('dd', {}, timeEl(request.expires_at)));
}

// The organization the CLI asked for, matched by id, then handle, then an unambiguous name.
function requestedOrg(orgs, wanted) {
  if (!wanted) return null;
  const byName = orgs.filter((o) => o.name === wanted);
  return orgs.find((o) => o.id === wanted) || orgs.find((o) => o.handle === wanted)
    || (byName.length === 1 ? byName[0] : null);
}

function orgField(orgs, wanted) {
  const chosen = requestedOrg(orgs, wanted);
  const org = h('select', { name: 'org_id' },
    h('option', { value: '' }, 'All organizations (unscoped)'),
    orgs.map((o) => h('option', { value: o.id, selected: chosen === o }, o.name)));
  const hint = wanted && !chosen
    ? `Your terminal asked for “${wanted}”, which is none of your organizations: choose one, or deny.`
    : 'An unscoped key reaches every organization you belong to. Scope it to one to limit what a leak exposes.';
  return { org, element: field({ label: 'Organization', control: org, hint }) };
}

function approvalFields(request, orgs, maxDays, wantedOrg) {
  const name = h('input', {
    type: 'text', name: 'name', maxlength: '100', autocomplete: 'off', spellcheck: 'false',
    value: request.hostname ? `2501 CLI on ${request.hostname}` : '2501 CLI',
  });
  const exp = expirationField({ maxDays, allowNever: false, defaultDays: DEFAULT_DAYS });
  const perms = permissionPicker();
  const { org, element: orgElement } = orgField(orgs, wantedOrg);
  const element = h('div', { class: 'dialog-fields' },
    field({ label: 'Key name', control: name, required: true }),
    exp.element,
    orgElement,
    perms.element);
  const payload = () => {
    const p = { name: name.value.trim(), permissions: perms.value() };
    const expiresAt = exp.value();
    if (expiresAt) p.expires_at = expiresAt;
    if (org.value) p.org_id = org.value;
    return p;
  };
  return { element, payload };
}

function outcome(root, { approved, key = null }) {
  const text = approved
    ? [key ? `Approved: the key “${key.name}” was created for your terminal. ` : 'This code was approved. ',
      'Return to your terminal: it receives the key by itself. ', h('a', { href: '#/keys' }, 'See your API keys'), '.']
    : 'Denied: no key was created, and your terminal says the request was refused.';
  root.append(h('div', { class: `callout ${approved ? '' : 'callout-danger'} device-result`, role: 'status' },
    icon(approved ? 'check' : 'warn'), h('p', {}, text)));
}

function showRequest(root, { code, request, orgs, wantedOrg, session, isCurrent }) {
  const fields = approvalFields(request, orgs, session.maxKeyLifetimeDays, wantedOrg);
  const approve = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'approve' }, 'Approve');
  const deny = h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'deny' }, 'Deny');
  const form = h('form', { class: 'device-approve-form', novalidate: true },
    formError(), fields.element, h('div', { class: 'actions device-actions' }, deny, approve));
  const section = card({ id: 'device-request', title: `Code ${code}`, sub: 'Approve only if you started this sign-in yourself.' },
    h('div', { class: 'card-body' }, requestFacts(request), form));
  const finish = (result) => {
    if (!isCurrent()) return;
    section.remove();
    outcome(root, result);
  };
  onSubmit(form, async () => {
    const res = await busy(approve, () => post(`/api/device/${seg(code)}/approve`, fields.payload()));
    finish({ approved: true, key: res.key });
  });
  deny.addEventListener('click', async () => {
    try {
      await busy(deny, () => post(`/api/device/${seg(code)}/deny`));
      finish({ approved: false });
    } catch (err) {
      showError(form, err);
    }
  });
  root.append(section);
}

export async function renderDevice(root, ctx) {
  root.append(pageHead({
    title: 'Authorize a device',
    lead: 'A terminal asks for an API key in your name. Check the code it shows, then approve or deny.',
  }));
  const host = h('div', {});
  root.append(host);
  const wantedOrg = (ctx.route.params.get('org') || '').trim();
  const load = async (code) => {
    const [r, o] = await Promise.all([get(`/api/device/${seg(code)}`), get('/api/orgs')]);
    if (!ctx.isCurrent()) return;
    // The code stays in the address (a reload shows the same request).
    const orgPart = wantedOrg ? `&org=${encodeURIComponent(wantedOrg)}` : '';
    history.replaceState(null, '', `${location.pathname}${location.search}#/device?code=${encodeURIComponent(code)}${orgPart}`);
    host.replaceChildren();
    if (r.request.status !== 'pending') {
      outcome(host, { approved: r.request.status === 'approved' });
      return;
    }
    showRequest(host, { code, request: r.request, orgs: (o && o.orgs) || [], wantedOrg, session: ctx.session, isCurrent: ctx.isCurrent });
  };
  const code = (ctx.route.params.get('code') || '').trim().toUpperCase();
  codeForm(host, code, load);
  if (code) {
    try {
      await load(code);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      showError(host, err);
    }
  }
}
