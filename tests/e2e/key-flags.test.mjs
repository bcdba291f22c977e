// A key's flags on the API keys page: one badge per flag in the Status column (none on a key
// that needs nothing), and the "Needs attention" filter beside the status filter, which asks
// the server for status=needs_attention and rests the status select while it is on. Keys are
// made 90 days old by moving their times back in the server's SQLite file.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startServer, launchBrowser, watchConsole, apiSession, eventually } from './lib/harness.mjs';

const PASSWORD = 'a long enough password';
const DAY_S = 86400;

/** Runs one statement in the server's database (startServer keeps it beside the outbox). */
function writeStore(server, sql) {
  const db = path.join(path.dirname(server.outbox), 'a.db');
  return new Promise((resolve, reject) => {
    execFile('sqlite3', ['-cmd', '.timeout 5000', db, sql], { timeout: 15000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`sqlite3: ${stderr || err.message}`));
      else resolve();
    });
  });
}

describe('key flags in the console', () => {
  let server;
  let browser;
  let page;
  let api;
  const errors = [];
  const email = `flags-${Date.now().toString(36)}@example.com`;

  const rows = () => page.locator('table.keys-table tbody tr');
  const names = async () => rows().locator('.cell-name-text').allTextContents();
  const row = (name) => rows().filter({ has: page.locator('.cell-name-text', { hasText: name }) });
  const badges = async (name) => row(name).locator('.badge-flag').allTextContents();

  before(async () => {
    server = await startServer();
    api = await apiSession(server.url, email, PASSWORD);
    const create = async (body) => {
      const res = await api.call('POST', '/api/keys', body);
      assert.equal(res.status, 201);
      return res.body.key;
    };
    const stale = await create({ name: 'stale' });
    await create({ name: 'fresh' });
    await create({ name: 'soon', expires_at: new Date(Date.now() + 3 * DAY_S * 1000).toISOString() });
    const gone = await create({ name: 'gone' });
    await writeStore(server, `UPDATE api_keys SET created_at = created_at - ${100 * DAY_S} WHERE id IN ('${stale.id}', '${gone.id}')`);
    assert.equal((await api.call('POST', `/api/keys/${gone.id}/revoke`)).status, 200);

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, new Set([401]));
    await page.goto(server.url);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
    assert.deepEqual(errors, []);
  });

  it('shows a badge per flag, with what to do as its tooltip', async () => {
    await eventually(async () => (await rows().count()) === 3, { message: 'three active keys' });
    assert.deepEqual(await badges('stale'), ['Unused 90+ days', 'Rotation due']);
    assert.deepEqual(await badges('soon'), ['Expiring soon']);
    assert.deepEqual(await badges('fresh'), []);
    const tip = await row('stale').locator('[data-flag="rotation_due"]').getAttribute('title');
    assert.match(tip, /rotate it/);
    // A revoked key has no flags, however old.
    await page.getByLabel('Show').selectOption('revoked');
    await eventually(async () => (await names()).join() === 'gone', { message: 'the revoked key' });
    assert.deepEqual(await badges('gone'), []);
    await page.getByLabel('Show').selectOption('active');
    await eventually(async () => (await rows().count()) === 3, { message: 'the active keys again' });
  });

  it('filters to the keys that need attention, beside the status filter', async () => {
    const requests = [];
    page.on('request', (r) => { if (r.url().includes('/api/keys?')) requests.push(r.url()); });
    const filter = page.getByLabel('Needs attention');
    await filter.check();
    await eventually(async () => (await names()).join() === 'soon,stale', { message: 'the two flagged keys, newest first' });
    assert.ok(requests.some((u) => u.includes('status=needs_attention')), requests.join(' '));
    assert.ok(await page.getByLabel('Show').isDisabled(), 'the status select rests');
    assert.match(await page.locator('#keys-summary').textContent(), /2 keys needing attention/);
    // The search still applies within the filter.
    await page.getByLabel('Search keys').fill('fresh');
    await page.getByRole('heading', { name: 'No keys match' }).waitFor();
    await page.getByLabel('Search keys').fill('');
    await eventually(async () => (await rows().count()) === 2, { message: 'the flagged keys again' });
    await filter.uncheck();
    await eventually(async () => (await rows().count()) === 3, { message: 'every active key' });
    assert.ok(!(await page.getByLabel('Show').isDisabled()));
  });

  it('says so when nothing needs attention', async () => {
    const listed = (await api.call('GET', '/api/keys?status=needs_attention')).body.keys;
    const ids = listed.map((k) => k.id);
    assert.equal((await api.call('POST', '/api/keys/revoke', { ids })).status, 200);
    await page.getByLabel('Needs attention').check();
    await page.getByRole('heading', { name: 'Nothing needs attention' }).waitFor();
    await page.getByLabel('Needs attention').uncheck();
    await eventually(async () => (await names()).join() === 'fresh', { message: 'the fresh key' });
  });
});
