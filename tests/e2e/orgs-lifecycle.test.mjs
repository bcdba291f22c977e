// An organization's life in the console, in Chromium, against the real server: created with a
// handle made from its name, a member promoted by the role selector (the last owner cannot be
// demoted), renamed with a new handle (errors shown by the field), the owner stepping down and
// seeing the page as members do, and the new owner deleting it by typing its handle: back on
// the list, and a key scoped to it is refused at once.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, watchConsole, screenshot, curlWithKey, signUpViaApi, eventually, KEY_RE,
  apiSession, verifyByMail,
} from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const suffix = Date.now().toString(36);
const alice = `alice-${suffix}@example.com`;
const bob = `bob-${suffix}@example.com`;

/** A console API call with `page`'s session (cookie and CSRF token), outside the UI. */
async function apiAs(page, baseUrl, method, path, body) {
  const session = await (await page.request.get(`${baseUrl}/api/session`)).json();
  const res = await page.request.fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'X-CSRF-Token': session.csrf_token, 'Content-Type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : null };
}

/** The error shown next to the field labelled `label`. */
function fieldError(scope, label) {
  const control = scope.getByLabel(label, { exact: true });
  return eventually(async () => {
    if ((await control.getAttribute('aria-invalid')) !== 'true') return null;
    const ids = ((await control.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
    for (const id of ids) {
      const el = scope.locator(`[id="${id}"].field-error`);
      if ((await el.count()) && (await el.isVisible())) return (await el.textContent()).trim();
    }
    return null;
  }, { timeoutMs: 5000, message: `an error next to "${label}"` });
}

const toastWith = (page, text) => page.locator('#toasts .toast', { hasText: text }).first().waitFor();

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
}

describe('an organization\'s lifecycle in the console', () => {
  let server;
  let browser;
  let page;
  let bobPage;
  let org;
  let scopedKey;
  const errors = [];
  // Provoked on purpose: the session check, invalid and taken handles, the last owner, the
  // wrong confirmation.
  const allowStatus = new Set([400, 401, 409]);

  before(async () => {
    server = await startServer();
    await signUpViaApi(server.url, alice, PASSWORD);
    await signUpViaApi(server.url, bob, PASSWORD);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
    const bobContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    bobPage = await bobContext.newPage();
    bobPage.setDefaultTimeout(10000);
    watchConsole(bobPage, errors, allowStatus);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('creates an organization whose handle is made from its name', async () => {
    await signIn(page, server.url, alice);
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await page.getByLabel('Handle', { exact: true }).fill('Not A Handle');
    await page.getByLabel('Name', { exact: true }).fill('Acme Robotics');
    await page.getByRole('button', { name: 'Create organization' }).click();
    assert.match(await fieldError(page, 'Handle'), /^handle: /);
    await page.getByLabel('Handle', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Create organization' }).click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'Acme Robotics' }) });
    await row.waitFor();
    assert.equal((await row.locator('td[data-label="Handle"]').textContent()).trim(), 'acme-robotics');
    org = (await apiAs(page, server.url, 'GET', '/api/orgs')).body.orgs[0];
    assert.equal(org.handle, 'acme-robotics');

    // Setup outside the UI: Bob joins (invited to his verified address, he accepts), Alice has
    // a key scoped to the organization.
    await verifyByMail(server.url, server.outbox, alice);
    await verifyByMail(server.url, server.outbox, bob);
    const invited = await apiAs(page, server.url, 'POST', `/api/orgs/${org.id}/invitations`, { email: bob, role: 'member' });
    assert.equal(invited.status, 202);
    const bobApi = await apiSession(server.url, bob, PASSWORD, { signUp: false });
    const accepted = await bobApi.call('POST', `/api/invitations/${invited.body.invitation.id}/accept`);
    assert.equal(accepted.status, 200);
    const key = await apiAs(page, server.url, 'POST', '/api/keys', { name: 'scoped', org_id: org.id });
    assert.equal(key.status, 201);
    scopedKey = key.body.secret;
    assert.match(scopedKey, KEY_RE);
  });

  it('changes roles with the selector, never demoting the last owner', async () => {
    await page.getByRole('link', { name: 'Acme Robotics' }).click();
    await page.getByRole('heading', { name: 'Acme Robotics', level: 1 }).waitFor();
    assert.match(await page.locator('[data-org-handle]').textContent(), /^acme-robotics$/);
    const mine = page.getByLabel(`Role of ${alice}`);
    const bobs = page.getByLabel(`Role of ${bob}`);
    assert.equal(await mine.inputValue(), 'owner');
    assert.equal(await bobs.inputValue(), 'member');

    await mine.selectOption('member');
    await toastWith(page, 'make another member an owner first');
    await eventually(async () => (await mine.inputValue()) === 'owner' && !(await mine.isDisabled()),
      { message: 'the selector back on Owner' });

    await bobs.selectOption('owner');
    await toastWith(page, `${bob} is now an owner`);
    const members = await apiAs(page, server.url, 'GET', `/api/orgs/${org.id}/members`);
    assert.equal(members.body.members.find((m) => m.email === bob).role, 'owner');
  });

  it('renames the organization and changes its handle, with errors by the field', async () => {
    const settings = page.getByRole('region', { name: 'Organization settings' });
    await settings.scrollIntoViewIfNeeded();
    const taken = await apiAs(page, server.url, 'POST', '/api/orgs', { name: 'Other', handle: `taken-${suffix}` });
    assert.equal(taken.status, 201);

    await settings.getByLabel('Handle', { exact: true }).fill(`taken-${suffix}`);
    await settings.getByRole('button', { name: 'Save changes' }).click();
    assert.match(await fieldError(settings, 'Handle'), /taken/);
    await settings.getByLabel('Handle', { exact: true }).fill('acme--labs');
    await settings.getByRole('button', { name: 'Save changes' }).click();
    assert.match(await fieldError(settings, 'Handle'), /^handle: /);
    await screenshot(page, '20-org-settings-error');

    await settings.getByLabel('Display name', { exact: true }).fill('Acme Labs');
    await settings.getByLabel('Handle', { exact: true }).fill('acme-labs');
    await settings.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Acme Labs', level: 1 }).waitFor();
    await eventually(async () => (await page.locator('[data-org-handle]').textContent()) === 'acme-labs',
      { message: 'the new handle on the page' });
    const res = await curlWithKey(`${server.url}/api/v1/me`, scopedKey);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.orgs.map((o) => [o.name, o.handle]), [['Acme Labs', 'acme-labs']]);
  });

  it('shows the members\' view once the owner steps down', async () => {
    await page.getByLabel(`Role of ${alice}`).selectOption('member');
    await page.getByText('You are a member of this organization.', { exact: false }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Organization settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete organization' }).count(), 0);
    assert.equal(await page.locator('table.members-table select').count(), 0, 'no role selectors for members');
    assert.match(await page.locator('table.members-table').textContent(), /Owner/);
  });

  it('deletes the organization after the handle is typed, revoking its keys at once', async () => {
    await signIn(bobPage, server.url, bob);
    await bobPage.getByRole('link', { name: 'Organizations' }).click();
    await bobPage.getByRole('link', { name: 'Acme Labs' }).click();
    await bobPage.getByRole('heading', { name: 'Acme Labs', level: 1 }).waitFor();
    await bobPage.getByRole('button', { name: 'Delete organization' }).click();
    const dialog = bobPage.getByRole('dialog', { name: 'Delete Acme Labs?' });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /revoked at once/);
    await dialog.getByLabel('Type acme-labs to confirm').fill('Acme Labs');
    await dialog.getByRole('button', { name: 'Delete organization' }).click();
    assert.match(await fieldError(dialog, 'Type acme-labs to confirm'), /^confirm: /);
    await screenshot(bobPage, '21-org-delete');
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, scopedKey)).status, 200, 'nothing deleted yet');

    await dialog.getByLabel('Type acme-labs to confirm').fill('acme-labs');
    await dialog.getByRole('button', { name: 'Delete organization' }).click();
    await dialog.waitFor({ state: 'detached' });
    await bobPage.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await bobPage.getByText('No organizations yet').waitFor();
    assert.equal(new URL(bobPage.url()).hash, '#/orgs');

    const res = await curlWithKey(`${server.url}/api/v1/me`, scopedKey);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'key_revoked');
    // Alice's list no longer has it; her key list still names it, revoked.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('link', { name: 'Other' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Acme Labs' }).count(), 0);
  });

  it('had no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
