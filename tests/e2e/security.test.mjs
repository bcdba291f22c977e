// The security page and the forgotten password in Chromium, against the real server (its mail
// written as .eml files into its outbox): change the password (another session ends), revoke a
// session and "Sign out everywhere else", "Forgot password?" on the sign-in page, the page the
// reset link opens, and deleting the account (its keys stop working, the address is free).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  openConsole, closeConsole, signIn, screenshot, eventually, apiSession, mailsTo, mailedLink,
} from './lib/harness.mjs';

const suffix = Date.now().toString(36);
const ada = `ada-sec-${suffix}@example.com`;
const FIRST = 'correct horse battery staple';
const SECOND = 'a second good password';
const THIRD = 'set through the mailed link';

describe('security settings in the console', () => {
  let server;
  let browser;
  let page;
  const errors = [];
  // Provoked on purpose: the session checks of ended sessions (401), a used link (400).
  const allowStatus = new Set([400, 401]);

  const openSecurity = async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
  };
  const sessionRows = () => page.locator('tr[data-session-id]');

  before(async () => {
    ({ server, browser, page } = await openConsole(errors, allowStatus));
    await apiSession(server.url, ada, FIRST);
  });

  after(() => closeConsole({ server, browser }));

  it('changes the password, and the other session ends', async () => {
    const other = await apiSession(server.url, ada, FIRST, { signUp: false });
    await page.goto(server.url);
    await signIn(page, ada, FIRST);
    await openSecurity();
    await eventually(async () => (await sessionRows().count()) === 3, { message: 'three sessions' });
    assert.equal(await page.locator('tr.is-current').count(), 1);
    assert.match(await page.locator('tr.is-current').textContent(), /This session/);

    const form = page.locator('form[data-form="password"]');
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password').fill(SECOND);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('this is not your password').waitFor();
    await form.getByLabel('Current password').fill(FIRST);
    await form.getByLabel('New password').fill(SECOND);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    assert.equal((await other.call('GET', '/api/session')).status, 401);
    await eventually(async () => (await sessionRows().count()) === 1, { message: 'one session left' });
    await eventually(() => mailsTo(server.outbox, ada).some((m) => /password was changed/.test(m.subject)),
      { message: 'the notice' });
    await screenshot(page, 'security-01-page');
  });

  it('revokes one session, then every other one', async () => {
    const one = await apiSession(server.url, ada, SECOND, { signUp: false });
    const two = await apiSession(server.url, ada, SECOND, { signUp: false });
    await page.reload();
    await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
    await eventually(async () => (await sessionRows().count()) === 3, { message: 'three sessions' });
    await page.locator('tr[data-session-id]:not(.is-current)').first().getByRole('button', { name: 'Revoke' }).click();
    await eventually(async () => (await sessionRows().count()) === 2, { message: 'a session revoked' });
    const alive = [(await one.call('GET', '/api/session')).status, (await two.call('GET', '/api/session')).status];
    assert.deepEqual(alive.sort(), [200, 401]);
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await eventually(async () => (await sessionRows().count()) === 1, { message: 'only this session' });
    assert.equal((await one.call('GET', '/api/session')).status, 401);
    assert.equal((await two.call('GET', '/api/session')).status, 401);
  });

  it('resets a forgotten password from a mailed link', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(ada);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await page.getByText('Check your mail.').waitFor();
    await screenshot(page, 'security-02-forgot');

    const link = await mailedLink(server.outbox, ada, '#/reset?token=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Set a new password', level: 1 }).waitFor();
    assert.ok(!page.url().includes('token='), 'the token left the address bar');
    await page.getByLabel('New password').fill(THIRD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set').waitFor();

    // The link works once.
    await page.goto(link);
    await page.getByLabel('New password').fill('yet another password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText(/unknown, was already used or has expired/).waitFor();

    await page.goto(`${server.url}/#/keys`);
    await signIn(page, ada, THIRD);
  });

  it('deletes the account: its key stops working and the address is free', async () => {
    const created = await page.evaluate(async () => {
      const s = await (await fetch('/api/session')).json();
      const r = await fetch('/api/keys', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
        body: JSON.stringify({ name: 'laptop' }),
      });
      return r.json();
    });
    const me = () => fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${created.secret}` } });
    assert.equal((await me()).status, 200);
    await openSecurity();
    await page.getByRole('button', { name: 'Delete account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(`Type ${ada} to confirm`).fill('someone else');
    await dialog.getByLabel('Password').fill(THIRD);
    await dialog.getByRole('button', { name: 'Delete account' }).click();
    await dialog.getByText(`Type ${ada} to confirm.`).last().waitFor();
    await dialog.getByLabel(`Type ${ada} to confirm`).fill(ada);
    await screenshot(page, 'security-03-delete');
    await dialog.getByRole('button', { name: 'Delete account' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const refused = await me();
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).error.code, /^key_(revoked|invalid)$/);
    await apiSession(server.url, ada, FIRST);  // the address signs up again
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
