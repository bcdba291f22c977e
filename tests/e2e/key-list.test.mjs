// The API keys page's list at scale: revoked keys hidden by default, the status filter, the
// search box, "Load more" following next_cursor, and revoking several selected keys after one
// confirmation (POST /api/keys/revoke).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchConsole, apiSession, eventually, curlWithKey } from './lib/harness.mjs';

const PASSWORD = 'a long enough password';

describe('the keys list', () => {
  let server;
  let browser;
  let page;
  let api;
  const errors = [];
  const secrets = new Map();
  const email = `lister-${Date.now().toString(36)}@example.com`;

  const rows = () => page.locator('table.keys-table tbody tr');
  const names = async () => rows().locator('.cell-name-text').allTextContents();

  before(async () => {
    server = await startServer();
    api = await apiSession(server.url, email, PASSWORD);
    // 105 keys: more than one page of 100. Oldest first, so "key-104" is the newest.
    for (let i = 0; i < 105; i += 1) {
      const res = await api.call('POST', '/api/keys', { name: `key-${String(i).padStart(3, '0')}`, description: i % 10 === 0 ? 'Deploys the FRONT end' : '' });
      assert.equal(res.status, 201);
      secrets.set(res.body.key.name, { id: res.body.key.id, secret: res.body.secret });
    }
    const old = secrets.get('key-000');
    assert.equal((await api.call('POST', `/api/keys/${old.id}/revoke`)).status, 200);

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

  it('shows the first 100 active keys, then the rest with Load more', async () => {
    await rows().first().waitFor();
    assert.equal(await rows().count(), 100);
    assert.equal((await names())[0], 'key-104', 'newest first');
    await page.getByRole('button', { name: 'Load more' }).click();
    await eventually(async () => (await rows().count()) === 104, { message: '104 active keys' });
    const all = await names();
    assert.equal(new Set(all).size, 104, 'each key once');
    assert.ok(!all.includes('key-000'), 'the revoked key is hidden by default');
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no more to load');
  });

  it('filters by status and searches as you type', async () => {
    await page.getByLabel('Show').selectOption('revoked');
    await eventually(async () => (await names()).join() === 'key-000', { message: 'only the revoked key' });
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Search keys').fill('front end');
    await eventually(async () => (await rows().count()) === 11, { message: 'the 11 keys that deploy the front end' });
    await page.getByLabel('Search keys').fill('key-10');
    await eventually(async () => (await names()).join() === 'key-104,key-103,key-102,key-101,key-100',
      { message: 'the keys named key-10x' });
    await page.getByLabel('Search keys').fill('nothing like it');
    await page.getByRole('heading', { name: 'No keys match' }).waitFor();
    await page.getByLabel('Search keys').fill('');
    await page.getByLabel('Show').selectOption('active');
    await eventually(async () => (await rows().count()) === 100, { message: 'the first page again' });
  });

  it('shows the filter chosen last when the one before it is answered last', async () => {
    // The list of all keys is held back until the revoked keys are shown: its late answer must
    // not replace them.
    const isAll = (url) => url.pathname === '/api/keys' && !url.searchParams.has('status');
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let asked;
    const askedForAll = new Promise((resolve) => { asked = resolve; });
    const hold = async (route) => {
      asked();
      await held;
      await route.continue();
    };
    await page.route(isAll, hold);
    try {
      await page.getByLabel('Show').selectOption('all');
      await askedForAll;
      await page.getByLabel('Show').selectOption('revoked');
      await eventually(async () => (await names()).join() === 'key-000', { message: 'only the revoked key' });
      const answered = page.waitForResponse((res) => isAll(new URL(res.url())));
      release();
      await answered;
      // Time for the page to show the late answer, if it would.
      await page.waitForTimeout(1000);
      assert.equal((await names()).join(), 'key-000', 'the late answer for "All" is dropped');
      assert.equal(await page.getByLabel('Show').inputValue(), 'revoked');
    } finally {
      release();
      await page.unroute(isAll, hold);
    }
    await page.getByLabel('Show').selectOption('active');
    await eventually(async () => (await rows().count()) === 100, { message: 'the first page again' });
  });

  it('revokes the selected keys after one confirmation', async () => {
    const pick = ['key-104', 'key-103', 'key-102'];
    for (const name of pick) {
      await rows().filter({ hasText: name }).getByRole('checkbox').check();
    }
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Revoke selected' }).click();
    let confirm = page.getByRole('dialog', { name: 'Revoke 3 keys?' });
    await confirm.waitFor();
    for (const name of pick) assert.match(await confirm.textContent(), new RegExp(name));
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, secrets.get('key-104').secret)).status, 200);

    await page.getByRole('button', { name: 'Revoke selected' }).click();
    confirm = page.getByRole('dialog', { name: 'Revoke 3 keys?' });
    await confirm.getByRole('button', { name: 'Revoke 3 keys' }).click();
    await confirm.waitFor({ state: 'detached' });
    await eventually(async () => !(await names()).some((n) => pick.includes(n)), { message: 'the revoked keys to leave the active list' });
    for (const name of pick) {
      const res = await curlWithKey(`${server.url}/api/v1/me`, secrets.get(name).secret);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'key_revoked');
    }
    assert.equal((await curlWithKey(`${server.url}/api/v1/me`, secrets.get('key-101').secret)).status, 200);
    await page.getByLabel('Show').selectOption('revoked');
    await eventually(async () => (await rows().count()) === 4, { message: 'four revoked keys' });
    assert.equal(await rows().getByRole('checkbox').count(), 0, 'revoked keys cannot be selected');
  });

  it('shows every key scoped to an organization on its page, past the first page', async () => {
    const org = await api.call('POST', '/api/orgs', { name: 'Wide' });
    assert.equal(org.status, 201);
    for (let i = 0; i < 101; i += 1) {
      const res = await api.call('POST', '/api/keys', { name: `scoped-${i}`, org_id: org.body.org.id });
      assert.equal(res.status, 201);
    }
    const listed = await api.call('GET', `/api/orgs/${org.body.org.id}/keys`);
    assert.equal(listed.body.keys.length, 100, 'the API pages the list');
    assert.ok(listed.body.next_cursor);
    await page.goto(`${server.url}/#/orgs/${encodeURIComponent(org.body.org.id)}`);
    const orgRows = page.locator('table.org-keys-table tbody tr');
    await eventually(async () => (await orgRows.count()) === 101, { message: 'all 101 scoped keys' });
  });
});
