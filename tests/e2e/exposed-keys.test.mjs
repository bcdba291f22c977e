// A key reported as exposed (POST /api/v1/credentials/revoke): every console page shows a banner
// naming it until it is dismissed, and a dismissed banner stays away in that browser until
// another key is reported.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openConsole, closeConsole, signIn, screenshot, apiSession } from './lib/harness.mjs';

const PASSWORD = 'a long enough password';

describe('the banner of keys reported as exposed', () => {
  let server;
  let browser;
  let page;
  let ada;
  const errors = [];
  const email = `ada-${Date.now().toString(36)}@example.com`;

  const newKey = async (name) => {
    const r = await ada.call('POST', '/api/keys', { name });
    assert.equal(r.status, 201);
    return r.body;
  };
  const report = async (secret) => {
    const res = await fetch(`${server.url}/api/v1/credentials/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ credentials: [secret] }),
    });
    assert.equal(res.status, 202);
  };
  const banner = () => page.locator('.exposed-banner');

  before(async () => {
    ({ server, browser, page } = await openConsole(errors, new Set([401])));
    ada = await apiSession(server.url, email, PASSWORD);
  });

  after(() => closeConsole({ server, browser }));

  it('shows no banner while no key was reported', async () => {
    await newKey('quiet');
    await page.goto(server.url);
    await signIn(page, email, PASSWORD);
    assert.equal(await banner().count(), 0);
  });

  it('names a reported key on every page', async () => {
    const { secret } = await newKey('ci-deploy');
    await report(secret);
    await page.reload();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'reported as exposed' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /A key was reported as exposed/);
    assert.match(await alert.textContent(), /“ci-deploy”/);
    assert.equal(await alert.getByRole('link', { name: 'See the audit log' }).getAttribute('href'), '#/audit');
    await screenshot(page, '60-exposed-key-banner');

    // Another page, and the audit log it links to, which names the event.
    await alert.getByRole('link', { name: 'See the audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    assert.equal(await banner().count(), 1);
    await page.getByText('API key reported as exposed and revoked').first().waitFor();
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    assert.equal(await banner().count(), 1);
  });

  it('stays dismissed in this browser until another key is reported', async () => {
    await banner().getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await banner().count(), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    assert.equal(await banner().count(), 0, 'dismissed: not shown again');

    const { secret } = await newKey('laptop');
    await report(secret);
    await page.reload();
    await banner().waitFor();
    const text = await banner().textContent();
    assert.match(text, /2 keys were reported as exposed/);
    assert.match(text, /“laptop”/);
    assert.match(text, /“ci-deploy”/);
    assert.deepEqual(errors, []);
  });
});
