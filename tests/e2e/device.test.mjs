// The console's device page (#/device, `2501 login`): a terminal asks for a code, the person
// opens the address it printed, signs in (the code survives the sign-in), sees who asks, and
// approves (the key is minted; its value reaches the terminal only, never the browser) or
// denies; an unknown code says so. Also the first-run hint of the show-once dialog: this
// console is not the CLI's default host, so the dialog says `2501 set api_host URL`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchConsole, screenshot, apiSession, KEY_RE } from './lib/harness.mjs';

const PASSWORD = 'a long enough password';

describe('the device page', () => {
  let server;
  let browser;
  let page;
  const errors = [];
  const email = `dev-${Date.now().toString(36)}@example.com`;
  // Every answer of the API the page received, to show that no key value reached the browser.
  const bodies = [];

  const deviceCode = async (hostname) => {
    const res = await fetch(`${server.url}/api/v1/device/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: '2501 CLI', hostname }),
    });
    assert.equal(res.status, 200);
    return res.json();
  };
  const token = async (code) => {
    const res = await fetch(`${server.url}/api/v1/device/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ device_code: code.device_code }),
    });
    return { status: res.status, body: await res.json() };
  };

  let api;

  before(async () => {
    server = await startServer();
    api = await apiSession(server.url, email, PASSWORD);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, new Set([401, 404]));
    page.on('response', async (res) => {
      if (!res.url().includes('/api/')) return;
      try {
        bodies.push(await res.text());
      } catch {
        // a redirect or an aborted request has no body
      }
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('keeps the code across the sign-in, shows who asks, and approves', async () => {
    const code = await deviceCode('build-7');
    assert.equal(code.verification_uri_complete, `${server.url}/#/device?code=${code.user_code}`);
    await page.goto(code.verification_uri_complete);
    await page.locator('.device-signin').waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByRole('heading', { name: 'Authorize a device', level: 1 }).waitFor();
    const request = page.locator('section#device-request, section[aria-labelledby="device-request"]');
    await request.waitFor();
    assert.match(await request.locator('h2').textContent(), new RegExp(code.user_code));
    assert.equal(await request.locator('[data-fact="hostname"]').textContent(), 'build-7');
    assert.equal(await request.locator('[data-fact="client"]').textContent(), '2501 CLI');
    assert.equal(await request.locator('[data-fact="ip"]').textContent(), '127.0.0.1');
    assert.equal(await page.getByLabel('Key name').inputValue(), '2501 CLI on build-7');
    await screenshot(page, 'device-approve');

    assert.equal((await token(code)).body.error.code, 'authorization_pending');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.locator('.device-result').getByText(/Approved/).waitFor();

    const got = await token(code);
    assert.equal(got.status, 200);
    assert.match(got.body.secret, KEY_RE);
    assert.equal(got.body.key.name, '2501 CLI on build-7');
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!html.includes(got.body.secret), 'the key value is not in the page');
    assert.ok(!bodies.some((b) => b.includes(got.body.secret)), 'no answer to the browser carried the value');
    assert.ok(!bodies.some((b) => b.includes(code.device_code)), 'nor the device code');
  });

  it('takes a typed code and denies', async () => {
    const code = await deviceCode('lab-box');
    await page.goto(`${server.url}/#/device`);
    await page.getByLabel('Code').fill(code.user_code.toLowerCase());
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.locator('[data-fact="hostname"]').getByText('lab-box').waitFor();
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.locator('.device-result').getByText(/Denied/).waitFor();
    const got = await token(code);
    assert.equal(got.status, 400);
    assert.equal(got.body.error.code, 'access_denied');
  });

  it('preselects the organization `2501 login --org` asked for, by handle', async () => {
    const created = await api.call('POST', '/api/orgs', { name: 'Platform team', handle: 'platform' });
    assert.equal(created.status, 201);
    const org = created.body.org;
    const code = await deviceCode('ci-runner');
    await page.goto(`${code.verification_uri_complete}&org=platform`);
    await page.locator('[data-fact="hostname"]').getByText('ci-runner').waitFor();
    assert.equal(await page.getByLabel('Organization').inputValue(), org.id);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.locator('.device-result').getByText(/Approved/).waitFor();
    const got = await token(code);
    assert.equal(got.status, 200);
    assert.equal(got.body.key.org_id, org.id);

    const other = await deviceCode('ci-runner');
    await page.goto(`${other.verification_uri_complete}&org=nobody-here`);
    await page.getByText(/asked for “nobody-here”, which is none of your organizations/).waitFor();
    assert.equal(await page.getByLabel('Organization').inputValue(), '');
  });

  it('says when a code is unknown', async () => {
    await page.goto(`${server.url}/#/device?code=BCDF-GHJK`);
    await page.getByRole('alert').getByText(/No such code/).waitFor();
    assert.equal(await page.locator('[data-fact]').count(), 0);
  });

  it('shows the CLI its host in the show-once dialog', async () => {
    await page.goto(`${server.url}/#/keys`);
    await page.getByRole('button', { name: 'New API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API Key', exact: true });
    await dialog.getByLabel('Name', { exact: true }).fill('laptop');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    const text = await shown.locator('[data-cli-setup]').textContent();
    assert.ok(text.includes(`2501 set api_host ${server.url}`), text);
    assert.match(text, /2501 set api_key -/);
    await shown.getByRole('button', { name: 'Done', exact: true }).click();
    assert.deepEqual(errors, []);
  });
});
