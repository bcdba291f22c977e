// Two-factor sign-in in the console, in Chromium, against the real server: set up from the
// Two-factor page (the server's QR code shown, the key as text), turned on with a code computed
// here from the key shown (RFC 6238 with node:crypto, as an authenticator app computes it), the
// recovery codes shown once; then signed out, and signed in again with a code, and with a
// recovery code.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  startServer, launchBrowser, watchConsole, screenshot, signUpViaApi,
} from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const email = `totp-${Date.now().toString(36)}@example.com`;

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit TOTP code of base32 `secret`, `drift` 30-second steps from now. */
function totp(secret, drift = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + drift;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function signInWithPassword(page, url) {
  await page.goto(url);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

describe('two-factor sign-in in the console', () => {
  let server;
  let browser;
  let page;
  let secret;
  let recoveryCodes;
  const errors = [];
  // Provoked on purpose: the session check while signed out.
  const allowStatus = new Set([401]);

  before(async () => {
    server = await startServer();
    await signUpViaApi(server.url, email, PASSWORD);
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

  it('sets two-factor up with a code computed from the key shown, and shows the recovery codes once', async () => {
    await signInWithPassword(page, server.url);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Two-factor' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const key = page.locator('.secret-value');
    await key.waitFor();
    secret = (await key.textContent()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    // The server's SVG, imported as SVG nodes (not text), with its modules drawn.
    const qr = page.locator('svg.qr-code');
    await qr.waitFor();
    assert.equal(await qr.evaluate((el) => el.namespaceURI), 'http://www.w3.org/2000/svg');
    assert.ok((await qr.locator('path').getAttribute('d')).length > 100);
    await screenshot(page, 'two-factor-setup');

    await page.getByLabel('Code from the app', { exact: true }).fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10);
    for (const c of recoveryCodes) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    await page.getByRole('button', { name: 'I saved my recovery codes' }).click();
    await page.locator('[data-two-factor="on"]').waitFor();
    // Shown once: the page no longer has them.
    assert.equal(await page.getByRole('list', { name: 'Recovery codes' }).count(), 0);
  });

  it('signs out, then signs in with a code from the app', async () => {
    await signOut(page);
    await signInWithPassword(page, server.url);
    const code = page.getByLabel('Authentication code', { exact: true });
    await code.waitFor();
    // No session yet: the password alone opened nothing.
    const session = await page.request.get(`${server.url}/api/session`);
    assert.equal(session.status(), 401);
    // The step the setup used is spent: the next one (one step of drift) signs in.
    await code.fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  });

  it('signs in with a recovery code instead', async () => {
    await signOut(page);
    await signInWithPassword(page, server.url);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    assert.deepEqual(errors, []);
  });
});
