// The key policy form on an organization's page, in Chromium, against the real server: an
// owner sets a maximum lifetime, the unused-key revocation, a required expiration and a
// read-only permission set (GET /api/orgs/{org}/policy answers what was saved, and the page
// shows it again after a reload); a day count out of range is refused next to its field; and
// emptying the fields and allowing any permission removes the rules.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchConsole, screenshot, apiSession } from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const alice = `alice-${Date.now().toString(36)}@example.com`;
const READ_ONLY = ['orgs:read', 'agents:read', 'hosts:read'];

const toastWith = (page, text) => page.locator('#toasts .toast', { hasText: text }).first().waitFor();

describe('the organization key policy form', () => {
  let server;
  let browser;
  let page;
  let org;
  let owner;
  const errors = [];
  const allowStatus = new Set([401, 400]);  // the session check before signing in; the bad value

  const card = () => page.getByRole('region', { name: 'Key policy' });
  const days = (label) => card().getByLabel(label, { exact: true });
  const policy = async () => {
    const res = await owner.call('GET', `/api/orgs/${org.id}/policy`);
    assert.equal(res.status, 200);
    return res.body.policy;
  };
  const openOrg = async () => {
    await page.goto(`${server.url}/#/orgs/${org.id}`);
    await page.getByRole('heading', { name: 'Acme Robotics', level: 1 }).waitFor();
    await card().getByRole('button', { name: 'Save policy' }).waitFor();
  };

  before(async () => {
    server = await startServer();
    owner = await apiSession(server.url, alice, PASSWORD);
    const res = await owner.call('POST', '/api/orgs', { name: 'Acme Robotics' });
    assert.equal(res.status, 201);
    org = res.body.org;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
    await page.goto(server.url);
    await page.getByLabel('Email', { exact: true }).fill(alice);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('saves the rules an owner sets', async () => {
    await openOrg();
    await card().getByText('No rule set yet').waitFor();
    await days('Maximum key lifetime (days)').fill('90');
    await days('Revoke keys unused for (days)').fill('30');
    await card().getByLabel('Keys must have an expiration').check();
    await card().getByLabel('Keys may have any permission').uncheck();
    await card().getByRole('button', { name: 'Read only' }).click();
    await card().getByRole('button', { name: 'Save policy' }).click();
    await toastWith(page, 'Key policy saved.');
    const saved = await policy();
    assert.deepEqual({ ...saved, updated_at: null }, {
      max_lifetime_days: 90, require_expiration: true, rotate_every_days: null,
      revoke_unused_after_days: 30, allowed_permissions: READ_ONLY, updated_at: null,
    });
    assert.ok(saved.updated_at);
    await screenshot(page, 'org-policy-01-saved');
  });

  it('shows the saved rules again after a reload', async () => {
    await page.reload();
    await openOrg();
    assert.equal(await days('Maximum key lifetime (days)').inputValue(), '90');
    assert.equal(await days('Revoke keys unused for (days)').inputValue(), '30');
    assert.equal(await days('Rotate every (days)').inputValue(), '');
    assert.equal(await card().getByLabel('Keys must have an expiration').isChecked(), true);
    assert.equal(await card().getByLabel('Keys may have any permission').isChecked(), false);
    assert.equal(await card().locator('input[value="agents:write"]').isChecked(), false);
    assert.equal(await card().locator('input[value="agents:read"]').isChecked(), true);
    await card().getByText('Last changed').waitFor();
  });

  it('refuses a day count out of range next to its field', async () => {
    await days('Rotate every (days)').fill('5000');
    await card().getByRole('button', { name: 'Save policy' }).click();
    await card().locator('#' + (await days('Rotate every (days)').getAttribute('id')) + '-error').waitFor();
    assert.equal(await days('Rotate every (days)').getAttribute('aria-invalid'), 'true');
    assert.equal((await policy()).rotate_every_days, null);
  });

  it('removes the rules when the fields are emptied', async () => {
    for (const label of ['Maximum key lifetime (days)', 'Rotate every (days)', 'Revoke keys unused for (days)']) {
      await days(label).fill('');
    }
    await card().getByLabel('Keys must have an expiration').uncheck();
    await card().getByLabel('Keys may have any permission').check();
    await card().getByRole('button', { name: 'Save policy' }).click();
    await toastWith(page, 'Key policy saved.');
    const saved = await policy();
    assert.deepEqual([saved.max_lifetime_days, saved.require_expiration, saved.rotate_every_days,
      saved.revoke_unused_after_days, saved.allowed_permissions], [null, false, null, null, null]);
    assert.deepEqual(errors, []);
  });
});
