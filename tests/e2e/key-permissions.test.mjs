// A key's permissions, allowed addresses, rotation overlap and expiration in the console, in
// Chromium, against the real server: a read-only key created with the preset (write ticks
// read in the picker) and an allowed address, listed with its permissions; its access edited;
// a bad address refused with the API's message; a rotation with a 1-hour overlap during which
// both values work and the row says until when; the expiration of the active key changed.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, watchConsole, screenshot, signUpViaApi, curlWithKey, eventually,
  KEY_RE,
} from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const email = `perms-${Date.now().toString(36)}@example.com`;
const NAME = 'fleet-reader';
const HOUR_MS = 60 * 60 * 1000;

describe('a key’s permissions, addresses, overlap and expiration in the console', () => {
  let server;
  let browser;
  let page;
  let firstValue = null;
  let secondValue = null;
  const errors = [];
  // Provoked on purpose: the session check while signed out, and the bad address (400).
  const allowStatus = new Set([400, 401]);

  const row = () => page.locator('table.keys-table tbody tr').filter({
    has: page.locator('.cell-name-text', { hasText: new RegExp(`^${NAME}$`) }),
  });
  const access = async (what) => (await row().locator(`[data-access="${what}"]`).textContent()).trim();
  /** The key as GET /api/keys lists it, with the page's session. */
  const apiKey = async () => {
    const res = await page.request.get(`${server.url}/api/keys`);
    assert.equal(res.status(), 200);
    return (await res.json()).keys.find((k) => k.name === NAME);
  };
  /** Reads the value shown once, then closes the dialog with Done. */
  const takeSecret = async () => {
    const code = page.locator('dialog .secret-value');
    await code.waitFor();
    const value = (await code.textContent()).trim();
    assert.match(value, KEY_RE);
    return value;
  };

  before(async () => {
    server = await startServer();
    await signUpViaApi(server.url, email, PASSWORD);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
    await page.goto(server.url);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('creates a read-only key from the preset, with an allowed address, and lists its permissions', async () => {
    await page.getByRole('button', { name: 'New API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API Key' });
    await dialog.getByLabel('Name', { exact: true }).fill(NAME);
    // Full access is the default: every box ticked, its preset pressed.
    const full = dialog.getByRole('button', { name: 'Full access' });
    const readOnly = dialog.getByRole('button', { name: 'Read only' });
    assert.equal(await full.getAttribute('aria-pressed'), 'true');
    for (const p of ['orgs:read', 'agents:read', 'agents:write', 'hosts:read', 'hosts:write']) {
      assert.equal(await dialog.locator(`input[data-permission="${p}"]`).isChecked(), true, p);
    }
    await readOnly.click();
    assert.equal(await readOnly.getAttribute('aria-pressed'), 'true');
    assert.equal(await full.getAttribute('aria-pressed'), 'false');
    assert.equal(await dialog.locator('input[data-permission="agents:write"]').isChecked(), false);
    // Write implies read: with agents:read cleared, ticking agents:write ticks it again.
    await dialog.locator('input[data-permission="agents:read"]').uncheck();
    await dialog.locator('input[data-permission="agents:write"]').check();
    assert.equal(await dialog.locator('input[data-permission="agents:read"]').isChecked(), true);
    assert.equal(await dialog.locator('input[data-permission="agents:read"]').isDisabled(), true);
    await dialog.locator('input[data-permission="agents:write"]').uncheck();
    assert.equal(await readOnly.getAttribute('aria-pressed'), 'true');

    await dialog.getByLabel('Allowed addresses', { exact: true }).fill('127.0.0.1, 10.0.0.0/8');
    await screenshot(page, 'key-permissions-new');
    await dialog.getByRole('button', { name: 'Create' }).click();
    firstValue = await takeSecret();
    await page.getByRole('button', { name: 'Done' }).click();

    await row().waitFor();
    assert.equal(await access('label'), 'Read only');
    assert.equal(await access('permissions'), 'orgs:read, agents:read, hosts:read');
    assert.equal(await access('addresses'), 'From 127.0.0.1/32, 10.0.0.0/8');
    const key = await apiKey();
    assert.deepEqual(key.permissions, ['orgs:read', 'agents:read', 'hosts:read']);
    assert.deepEqual(key.allowed_ips, ['127.0.0.1/32', '10.0.0.0/8']);
    // From here (127.0.0.1) the key works, and /api/v1/me lists its permissions.
    const me = await curlWithKey(`${server.url}/api/v1/me`, firstValue);
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.key.permissions, ['orgs:read', 'agents:read', 'hosts:read']);
  });

  it('edits the key’s access; a bad address is refused with the API’s message', async () => {
    await row().getByRole('button', { name: 'Edit access' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit access of “${NAME}”` });
    assert.equal(await dialog.getByRole('button', { name: 'Read only' }).getAttribute('aria-pressed'), 'true');
    const addresses = dialog.getByLabel('Allowed addresses', { exact: true });
    assert.equal(await addresses.inputValue(), '127.0.0.1/32\n10.0.0.0/8');

    await addresses.fill('not-an-address');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const shown = await eventually(async () => {
      const el = dialog.locator('.field-error:visible, .form-error:visible');
      return (await el.count()) ? (await el.first().textContent()).trim() : null;
    }, { message: 'the error of the bad address' });
    // The API's own message, as PATCH answers it.
    const direct = await page.request.patch(`${server.url}/api/keys/${(await apiKey()).id}`, {
      data: { allowed_ips: ['not-an-address'] },
      headers: { 'X-CSRF-Token': await page.evaluate(() => fetch('/api/session').then((r) => r.json()).then((s) => s.csrf_token)) },
    });
    assert.equal(direct.status(), 400);
    assert.equal(shown, (await direct.json()).error.message);

    await dialog.locator('input[data-permission="hosts:write"]').check();
    assert.equal(await dialog.locator('input[data-permission="hosts:read"]').isDisabled(), true);
    await addresses.fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => (await access('label')) === 'Custom', { message: 'the row to say Custom' });
    assert.equal(await access('permissions'), 'orgs:read, agents:read, hosts:read, hosts:write');
    assert.equal(await access('addresses'), 'From any address');
    const key = await apiKey();
    assert.deepEqual(key.permissions, ['orgs:read', 'agents:read', 'hosts:read', 'hosts:write']);
    assert.deepEqual(key.allowed_ips, []);
  });

  it('rotates with a 1-hour overlap: both values work, the row says until when', async () => {
    await row().getByRole('button', { name: 'Rotate' }).click();
    const dialog = page.getByRole('dialog', { name: `Rotate “${NAME}”?` });
    // "Now" is the default, and says the value stops at once.
    assert.equal(await dialog.getByLabel('Now', { exact: true }).isChecked(), true);
    assert.match(await dialog.locator('[data-overlap-callout]').textContent(), /stops working at once/);
    await dialog.getByLabel('In 1 hour', { exact: true }).check();
    assert.match(await dialog.locator('[data-overlap-callout]').textContent(), /Both values work until/);
    await screenshot(page, 'key-permissions-rotate');
    const before = Date.now();
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    secondValue = await takeSecret();
    assert.notEqual(secondValue, firstValue);
    assert.match(await page.locator('dialog [data-overlap]').textContent(), /previous value keeps working until/);
    await page.getByRole('button', { name: 'Done' }).click();

    const note = row().locator('[data-cell="overlap"]');
    await note.waitFor();
    assert.match(await note.textContent(), /^Previous value valid until /);
    const key = await apiKey();
    const until = Date.parse(key.previous_valid_until);
    assert.ok(Math.abs(until - (before + HOUR_MS)) < 2 * 60 * 1000, key.previous_valid_until);
    // Both values work during the overlap.
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, firstValue)).status, 200);
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, secondValue)).status, 200);
  });

  it('changes the expiration of the active key', async () => {
    const was = (await apiKey()).expires_at;
    await row().getByRole('button', { name: 'Change expiration' }).click();
    const dialog = page.getByRole('dialog', { name: `Change expiration of “${NAME}”` });
    await dialog.getByRole('button', { name: '7 days' }).click();
    await dialog.getByRole('button', { name: 'Change expiration' }).click();
    await dialog.waitFor({ state: 'detached' });
    const key = await eventually(async () => {
      const k = await apiKey();
      return k.expires_at !== was ? k : null;
    }, { message: 'the new expiration' });
    const left = Date.parse(key.expires_at) - Date.now();
    assert.ok(left > 6.9 * 24 * HOUR_MS && left <= 7 * 24 * HOUR_MS, key.expires_at);
    // Seven days or less: the row flags it, and the value still works.
    await row().locator('.badge-soon').waitFor();
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, secondValue)).status, 200);
    await screenshot(page, 'key-permissions-table');
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
