// A server started with --max-key-lifetime: the console offers no "No expiration", caps the
// date, and keys it creates carry an expiration within the limit. Driven from the keyboard
// only, to check that the console works without a mouse.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchConsole, screenshot, KEY_RE } from './lib/harness.mjs';

const MAX_DAYS = 30;

describe('the console on a server with --max-key-lifetime', () => {
  let server;
  let browser;
  let page;
  const errors = [];

  before(async () => {
    server = await startServer({ extraArgs: ['--max-key-lifetime', String(MAX_DAYS)] });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, new Set([401]));
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('signs up with the keyboard only', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: '2501 Accounts' }).waitFor();
    assert.equal(await page.getByLabel('Email', { exact: true }).evaluate((el) => el === document.activeElement), true,
      'the focus starts on Email');
    await page.keyboard.type(`carol-${Date.now().toString(36)}@example.com`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a long enough password');
    await page.keyboard.press('Tab'); // Forgot password?, beside the password
    await page.keyboard.press('Tab'); // Sign in
    await page.keyboard.press('Tab'); // Sign up
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Sign up');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  });

  it('offers no "No expiration" and caps the expiration date', async () => {
    await page.getByRole('button', { name: 'New API Key' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New API Key', exact: true });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('No expiration').count(), 0, 'no "No expiration" when the server forbids it');
    assert.equal(await dialog.getByRole('button', { name: '90 days', exact: true }).isDisabled(), true);
    assert.equal(await dialog.getByRole('button', { name: '1 year', exact: true }).isDisabled(), true);
    assert.equal(await dialog.getByRole('button', { name: '30 days', exact: true }).isDisabled(), false);
    const date = dialog.getByLabel('Expiration date');
    const max = await date.getAttribute('max');
    assert.match(max, /^\d{4}-\d\d-\d\d$/);
    assert.match(await dialog.textContent(), new RegExp(`at most ${MAX_DAYS} days`));
    await screenshot(page, '10-max-lifetime-new-key');

    // The focus is on Name: type it and submit with Enter.
    await page.keyboard.type('ci-pipeline');
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    assert.match((await shown.locator('[data-secret]').textContent()).trim(), KEY_RE);
    // Done is reachable with the keyboard, and Escape does not throw the key away by accident.
    await page.keyboard.press('Escape');
    assert.ok(await shown.isVisible(), 'Escape does not close the show-once dialog');
    await shown.getByRole('button', { name: 'Done', exact: true }).focus();
    await page.keyboard.press('Enter');
    await shown.waitFor({ state: 'detached' });
  });

  it('accepts the latest allowed date', async () => {
    await page.getByRole('button', { name: 'New API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API Key', exact: true });
    await dialog.getByLabel('Name', { exact: true }).fill('release-bot');
    const date = dialog.getByLabel('Expiration date');
    await date.fill(await date.getAttribute('max'));
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.getByRole('button', { name: 'Done', exact: true }).click();
    await shown.waitFor({ state: 'detached' });

    const res = await page.evaluate(async () => (await fetch('/api/keys')).json());
    assert.equal(res.keys.length, 2);
    for (const k of res.keys) {
      assert.ok(k.expires_at, `${k.name} has an expiration`);
      const days = (Date.parse(k.expires_at) - Date.now()) / 86400000;
      assert.ok(days > MAX_DAYS - 1.01 && days <= MAX_DAYS, `${k.name} expires within ${MAX_DAYS} days (${days.toFixed(2)})`);
    }
    const cells = await page.locator('table.keys-table td[data-label="Expires"]').allTextContents();
    assert.equal(cells.length, 2);
    for (const c of cells) assert.doesNotMatch(c, /Never/);
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
