// Service accounts on an organization's page, in Chromium, against the real server: an owner
// creates one, gives it a key (the value shown once) that works on the organization, rotates it
// (the old value gets key_revoked), revokes it; gives it a read-only key with allowed addresses
// from the same permission picker as a person's keys, rotates that one with a 1-hour overlap
// (both values work meanwhile); and deletes the service account after a confirmation, which
// revokes its other keys (and a value still in its overlap) at once. A member does not see the
// card.

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

const HOUR_MS = 60 * 60 * 1000;
const READ_ONLY = ['orgs:read', 'agents:read', 'hosts:read'];

const toastWith = (page, text) => page.locator('#toasts .toast', { hasText: text }).first().waitFor();

async function signIn(page, url, email) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
}

describe('service accounts in the console', () => {
  let server;
  let browser;
  let page;
  let org;
  let owner;
  let firstValue;
  let readerValues = [];  // the read-only key's values: the first, then the rotated one
  const errors = [];
  const allowStatus = new Set([401]);  // the session check before signing in

  const card = () => page.getByRole('region', { name: 'Service accounts' });
  const account = (name) => card().locator('.service-account', { has: page.getByRole('heading', { name, exact: true }) });
  const agents = (value) => curlWithKey(`${server.url}/api/v1/orgs/${org.id}/agents`, value);
  /** POST an agent with the key `value` (a write): {status, body}. */
  const addAgent = async (value) => {
    const res = await fetch(`${server.url}/api/v1/orgs/${org.id}/agents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${value}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'builder' }),
    });
    return { status: res.status, body: await res.json() };
  };
  /** The service account CI's key `name`, as its owner's GET .../keys lists it. */
  const apiKey = async (name) => {
    const sa = (await owner.call('GET', `/api/orgs/${org.id}/service-accounts`)).body.service_accounts[0];
    const res = await owner.call('GET', `/api/orgs/${org.id}/service-accounts/${sa.id}/keys`);
    assert.equal(res.status, 200);
    return res.body.keys.find((k) => k.name === name);
  };
  const readerRow = () => account('CI').locator('tr', { hasText: 'reader' });
  const access = async (what) => (await readerRow().locator(`[data-access="${what}"]`).textContent()).trim();

  before(async () => {
    server = await startServer();
    owner = await apiSession(server.url, alice, PASSWORD);
    await signUpViaApi(server.url, bob, PASSWORD);
    const res = await owner.call('POST', '/api/orgs', { name: 'Acme Robotics' });
    assert.equal(res.status, 201);
    org = res.body.org;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('creates a service account on the organization page', async () => {
    await signIn(page, server.url, alice);
    await page.goto(`${server.url}/#/orgs/${org.id}`);
    await page.getByRole('heading', { name: 'Acme Robotics', level: 1 }).waitFor();
    await card().getByText('No service accounts').waitFor();
    await card().getByLabel('Name', { exact: true }).fill('CI');
    await card().getByLabel('Description', { exact: true }).fill('Deploys from the pipeline');
    await card().getByRole('button', { name: 'Create service account' }).click();
    await toastWith(page, 'CI is created');
    await account('CI').waitFor();
    assert.match(await account('CI').textContent(), /Deploys from the pipeline/);
    const listed = await owner.call('GET', `/api/orgs/${org.id}/service-accounts`);
    assert.deepEqual(listed.body.service_accounts.map((s) => s.name), ['CI']);
  });

  it('gives it a key shown once, which works on the organization', async () => {
    await account('CI').getByRole('button', { name: 'New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New key for CI' });
    await dialog.waitFor();
    await dialog.getByLabel('Key name', { exact: true }).fill('deploy');
    await dialog.getByRole('button', { name: 'Create key', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    firstValue = (await shown.locator('[data-secret]').textContent()).trim();
    assert.match(firstValue, KEY_RE);
    await screenshot(page, 'service-accounts-01-key');
    await shown.getByRole('button', { name: 'Done', exact: true }).click();
    await shown.waitFor({ state: 'detached' });
    await account('CI').locator('tr', { hasText: 'deploy' }).waitFor();
    assert.equal((await agents(firstValue)).status, 200);
  });

  it('rotates the key: the old value gets key_revoked, the new one works', async () => {
    await account('CI').locator('tr', { hasText: 'deploy' }).getByRole('button', { name: 'Rotate' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate “deploy” of CI?' });
    await confirm.getByRole('button', { name: 'Rotate', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'New value for “deploy”' });
    await shown.waitFor();
    const value = (await shown.locator('[data-secret]').textContent()).trim();
    assert.match(value, KEY_RE);
    assert.notEqual(value, firstValue);
    await shown.getByRole('button', { name: 'Done', exact: true }).click();
    const old = await agents(firstValue);
    assert.equal(old.status, 401);
    assert.equal(old.body.error.code, 'key_revoked');
    assert.equal((await agents(value)).status, 200);

    await account('CI').locator('tr', { hasText: 'deploy' }).getByRole('button', { name: 'Revoke' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke “deploy” of CI?' });
    await revoke.getByRole('button', { name: 'Revoke', exact: true }).click();
    await toastWith(page, '“deploy” is revoked');
    assert.equal((await agents(value)).status, 401);
    await eventually(async () => /Revoked/.test(await account('CI').locator('tr', { hasText: 'deploy' }).textContent()),
      { message: 'the key shown as revoked' });
  });

  it('gives it a read-only key with allowed addresses, from the same picker as a person’s keys', async () => {
    await account('CI').getByRole('button', { name: 'New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New key for CI' });
    await dialog.getByLabel('Key name', { exact: true }).fill('reader');
    // Full access is the default, as for a person's key.
    assert.equal(await dialog.getByRole('button', { name: 'Full access' }).getAttribute('aria-pressed'), 'true');
    await dialog.getByRole('button', { name: 'Read only' }).click();
    assert.equal(await dialog.getByRole('button', { name: 'Read only' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await dialog.locator('input[data-permission="agents:write"]').isChecked(), false);
    await dialog.getByLabel('Allowed addresses', { exact: true }).fill('127.0.0.1, 10.0.0.0/8');
    await screenshot(page, 'service-accounts-02-read-only');
    await dialog.getByRole('button', { name: 'Create key', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    readerValues = [(await shown.locator('[data-secret]').textContent()).trim()];
    assert.match(readerValues[0], KEY_RE);
    await shown.getByRole('button', { name: 'Done', exact: true }).click();
    await shown.waitFor({ state: 'detached' });

    await readerRow().waitFor();
    assert.equal(await access('label'), 'Read only');
    assert.equal(await access('permissions'), READ_ONLY.join(', '));
    assert.equal(await access('addresses'), 'From 127.0.0.1/32, 10.0.0.0/8');
    const key = await apiKey('reader');
    assert.deepEqual(key.permissions, READ_ONLY);
    assert.deepEqual(key.allowed_ips, ['127.0.0.1/32', '10.0.0.0/8']);
    assert.equal(key.service_account.name, 'CI');
    // From here (127.0.0.1) it reads the organization's agents and may not add one.
    assert.equal((await agents(readerValues[0])).status, 200);
    const write = await addAgent(readerValues[0]);
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'permission_denied');
    assert.match(write.body.error.message, /agents:write/);
  });

  it('rotates that key with a 1-hour overlap: both values work, the row says until when', async () => {
    await readerRow().getByRole('button', { name: 'Rotate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate “reader” of CI?' });
    assert.equal(await dialog.getByLabel('Now', { exact: true }).isChecked(), true);
    assert.match(await dialog.locator('[data-overlap-callout]').textContent(), /stops working at once/);
    await dialog.getByLabel('In 1 hour', { exact: true }).check();
    assert.match(await dialog.locator('[data-overlap-callout]').textContent(), /Both values work until/);
    await screenshot(page, 'service-accounts-03-rotate');
    const before = Date.now();
    await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'New value for “reader”' });
    await shown.waitFor();
    const value = (await shown.locator('[data-secret]').textContent()).trim();
    assert.match(value, KEY_RE);
    assert.notEqual(value, readerValues[0]);
    readerValues.push(value);
    assert.match(await shown.locator('[data-overlap]').textContent(), /previous value keeps working until/);
    await shown.getByRole('button', { name: 'Done', exact: true }).click();

    const note = readerRow().locator('[data-cell="overlap"]');
    await note.waitFor();
    assert.match(await note.textContent(), /^Previous value valid until /);
    const key = await apiKey('reader');
    const until = Date.parse(key.previous_valid_until);
    assert.ok(Math.abs(until - (before + HOUR_MS)) < 2 * 60 * 1000, key.previous_valid_until);
    assert.deepEqual(key.permissions, READ_ONLY, 'a rotation keeps the access');
    assert.equal(await access('label'), 'Read only');
    for (const v of readerValues) assert.equal((await agents(v)).status, 200);
  });

  it('deletes the service account after a confirmation, revoking its keys at once', async () => {
    const sa = (await owner.call('GET', `/api/orgs/${org.id}/service-accounts`)).body.service_accounts[0];
    const made = await owner.call('POST', `/api/orgs/${org.id}/service-accounts/${sa.id}/keys`, { name: 'backup' });
    assert.equal(made.status, 201);
    assert.equal((await agents(made.body.secret)).status, 200);
    await page.reload();
    await account('CI').locator('tr', { hasText: 'backup' }).waitFor();

    await account('CI').getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete CI?' });
    assert.match(await confirm.textContent(), /revoked at once/);
    await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
    assert.equal((await agents(made.body.secret)).status, 200, 'Cancel deletes nothing');

    await account('CI').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete CI?' }).getByRole('button', { name: 'Delete service account' }).click();
    await toastWith(page, 'CI is deleted');
    await card().getByText('No service accounts').waitFor();
    for (const v of [made.body.secret, ...readerValues]) {
      const refused = await agents(v);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, 'key_revoked');
    }
  });

  it('is not shown to a member', async () => {
    await verifyByMail(server.url, server.outbox, alice);
    await verifyByMail(server.url, server.outbox, bob);
    const invited = await owner.call('POST', `/api/orgs/${org.id}/invitations`, { email: bob, role: 'member' });
    assert.equal(invited.status, 202);
    const bobApi = await apiSession(server.url, bob, PASSWORD, { signUp: false });
    assert.equal((await bobApi.call('POST', `/api/invitations/${invited.body.invitation.id}/accept`)).status, 200);
    const listed = await bobApi.call('GET', `/api/orgs/${org.id}/service-accounts`);
    assert.equal(listed.status, 403);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const bobPage = await context.newPage();
    watchConsole(bobPage, errors, allowStatus);
    await signIn(bobPage, server.url, bob);
    await bobPage.goto(`${server.url}/#/orgs/${org.id}`);
    await bobPage.getByRole('heading', { name: 'Acme Robotics', level: 1 }).waitFor();
    assert.equal(await bobPage.getByRole('region', { name: 'Service accounts' }).count(), 0);
    await context.close();
    assert.deepEqual(errors, []);
  });
});
