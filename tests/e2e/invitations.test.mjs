// Verified addresses and invitations in the console, in Chromium, against the real server (its
// mail written as .eml files into its outbox): the verification banner and its Resend, the
// page a verification link opens (signed in and out, used twice), invitations received (accept,
// decline) and sent (invite, pending, cancel), and signing up through a claim link to take an
// address from an account that never verified it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, watchConsole, screenshot, eventually, apiSession, verifyByMail,
  mailsTo, mailedLink,
} from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const suffix = Date.now().toString(36);
const carol = `carol-${suffix}@example.com`;
const dave = `dave-${suffix}@example.com`;
const erin = `erin-${suffix}@example.com`;
const hire = `new.hire-${suffix}@corp.example`;
const frank = `frank-${suffix}@example.com`;

describe('verified addresses and invitations in the console', () => {
  let server;
  let browser;
  let context;
  let page;
  const errors = [];
  // Provoked on purpose: the session check (401), a used link (400), a taken address (409).
  const allowStatus = new Set([400, 401, 409]);
  let owner = null;
  let orgs = {};

  const banner = () => page.locator('.verify-banner');

  before(async () => {
    server = await startServer();
    // Dave owns two organizations and invites Carol to both.
    owner = await apiSession(server.url, dave, PASSWORD);
    await verifyByMail(server.url, server.outbox, dave);
    for (const name of ['Globex', 'Initech']) {
      const res = await owner.call('POST', '/api/orgs', { name });
      assert.equal(res.status, 201);
      orgs[name] = res.body.org;
    }
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('shows a new account the verification banner, whose Resend mails a new link', async () => {
    await page.goto(server.url);
    await page.getByLabel('Email', { exact: true }).fill(carol);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await banner().waitFor();
    assert.match(await banner().textContent(), new RegExp(`Verify ${carol.replace(/[.]/g, '\\.')}`));
    await eventually(() => mailsTo(server.outbox, carol).length === 1, { message: 'the sign-up mail' });
    await banner().getByRole('button', { name: 'Resend' }).click();
    await page.getByText(`A new link is on its way to ${carol}.`).waitFor();
    await eventually(() => mailsTo(server.outbox, carol).length === 2, { message: 'the resent mail' });
    await screenshot(page, 'invitations-01-banner');

    // Until the address is verified, no invitation is shown.
    for (const name of ['Globex', 'Initech']) {
      const res = await owner.call('POST', `/api/orgs/${orgs[name].id}/invitations`, { email: carol, role: 'member' });
      assert.equal(res.status, 202);
    }
    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await page.getByText('Invitations are shown to verified addresses only').waitFor();
    assert.equal(await page.locator('table.invitations-table').count(), 0);
  });

  it('verifies the address from the mailed link, once', async () => {
    const link = await mailedLink(server.outbox, carol, '#/verify?token=');
    assert.ok(link.startsWith(`${server.url}/#/verify?token=`), link);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Address verified', level: 1 }).waitFor();
    await banner().waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).hash, '#/verify', 'the token is gone from the address bar');
    await screenshot(page, 'invitations-02-verified');

    await page.goto(link);
    await page.getByRole('heading', { name: 'This link does not work', level: 1 }).waitFor();
  });

  it('lists the invitations received, accepts one and declines the other', async () => {
    await page.getByRole('link', { name: 'Invitations' }).click();
    const table = page.locator('table.invitations-table');
    await table.waitFor();
    const globex = table.locator('tbody tr', { hasText: 'Globex' });
    const initech = table.locator('tbody tr', { hasText: 'Initech' });
    await globex.waitFor();
    assert.match(await globex.textContent(), new RegExp(dave.replace(/[.]/g, '\\.')));
    await screenshot(page, 'invitations-03-received');

    await initech.getByRole('button', { name: 'Decline' }).click();
    const confirm = page.getByRole('dialog', { name: 'Decline the invitation to Initech?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Decline', exact: true }).click();
    await initech.waitFor({ state: 'detached' });

    await globex.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('heading', { name: 'Globex', level: 1 }).waitFor();
    await page.locator('table.members-table tbody tr', { hasText: carol }).waitFor();
    const mine = await owner.call('GET', `/api/orgs/${orgs.Initech.id}/invitations`);
    assert.deepEqual(mine.body.invitations, [], 'the declined invitation is no longer pending');
  });

  it('invites from an organization\'s page, lists the pending invitation and cancels it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Carol Co');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('link', { name: 'Carol Co' }).click();
    await page.getByRole('heading', { name: 'Carol Co', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add member' }).count(), 0, 'no direct add');
    await page.getByText('No pending invitations').waitFor();

    await page.getByLabel('Email', { exact: true }).fill(erin);
    await page.getByLabel('Role', { exact: true }).selectOption('owner');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const row = page.locator('table.org-invitations-table tbody tr', { hasText: erin });
    await row.waitFor();
    assert.match(await row.textContent(), /Owner/);
    assert.match(await row.textContent(), /Pending/);
    await page.getByText(`Invitation sent to ${erin}.`).waitFor();
    const mail = await eventually(() => mailsTo(server.outbox, erin).find((m) => /invited you to Carol Co/.test(m.subject)),
      { message: 'the invitation mail' });
    assert.match(mail.text, /#\/invitations/);
    await screenshot(page, 'invitations-04-sent');

    // Inviting the same address again is refused, next to the field.
    await page.getByLabel('Email', { exact: true }).fill(erin);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.locator('.invite-form .field-error:not([hidden])').waitFor();

    await row.getByRole('button', { name: 'Cancel' }).click();
    const confirm = page.getByRole('dialog', { name: `Cancel the invitation to ${erin}?` });
    await confirm.getByRole('button', { name: 'Cancel invitation' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No pending invitations').waitFor();
  });

  it('verifies from a link opened signed out', async () => {
    await apiSession(server.url, erin, PASSWORD);
    const link = await mailedLink(server.outbox, erin, '#/verify?token=');
    const other = await browser.newContext();
    const signedOut = await other.newPage();
    watchConsole(signedOut, errors, allowStatus);
    await signedOut.goto(link);
    await signedOut.getByRole('heading', { name: 'Address verified', level: 1 }).waitFor();
    await signedOut.getByText('Sign in to see the invitations sent to it.').waitFor();
    await other.close();
  });

  it('changes a mistyped address from the banner', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await other.newPage();
    watchConsole(p, errors, allowStatus);
    p.setDefaultTimeout(10000);
    await p.goto(server.url);
    await p.getByLabel('Email', { exact: true }).fill(`frnak-${suffix}@example.com`);
    await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign up', exact: true }).click();
    const frankBanner = p.locator('.verify-banner');
    await frankBanner.getByRole('button', { name: 'Change address' }).click();
    const dialog = p.getByRole('dialog', { name: 'Change your address' });
    await dialog.getByLabel('New address', { exact: true }).fill(frank);
    await dialog.getByLabel('Password', { exact: true }).fill('not the password');
    await dialog.getByRole('button', { name: 'Change address' }).click();
    await dialog.locator('.field-error:not([hidden])', { hasText: /password/i }).waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Change address' }).click();
    await dialog.waitFor({ state: 'detached' });
    await frankBanner.getByText(`Confirm ${frank}.`).waitFor();
    await p.goto(await mailedLink(server.outbox, frank, '#/verify?token='));
    await p.getByRole('heading', { name: 'Address verified', level: 1 }).waitFor();
    await frankBanner.waitFor({ state: 'detached' });
    assert.equal(await p.locator('#account-email').textContent(), frank);
    await other.close();
  });

  it('lets the owner of an address claim it from an account that never verified it', async () => {
    await apiSession(server.url, hire, 'the impostor password');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(hire);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByText(/a link to sign up with it was mailed to it/).waitFor();

    const link = await mailedLink(server.outbox, hire, '#/signup?claim=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Sign up with your address', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0);
    await page.getByLabel('Email', { exact: true }).fill(hire);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'invitations-05-claim');
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    assert.equal(await banner().count(), 0, 'the claimed address is verified');
    assert.ok(await page.getByText(hire).isVisible());
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
