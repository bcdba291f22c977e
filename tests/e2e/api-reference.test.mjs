// The console's API reference (#/api) in Chromium, against the real server: it renders the
// server's own description (GET /api/openapi.json) with the page's own code, grouped by tag,
// with an operation's credential, parameters and answers and the shared schemas, and loads
// nothing from another origin (no CDN).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openConsole, closeConsole, signIn, screenshot, apiSession } from './lib/harness.mjs';

const suffix = Date.now().toString(36);
const ada = `ada-api-${suffix}@example.com`;
const PASSWORD = 'correct horse battery staple';

describe('the API reference page', () => {
  let server;
  let browser;
  let page;
  const errors = [];
  const requested = [];

  before(async () => {
    // 401: the session check before signing in.
    ({ server, browser, page } = await openConsole(errors, new Set([401])));
    page.on('request', (req) => requested.push(req.url()));
    await apiSession(server.url, ada, PASSWORD);
  });

  after(() => closeConsole({ server, browser }));

  it('renders the operations of the served description, and loads only from its own origin', async () => {
    await page.goto(server.url);
    await signIn(page, ada, PASSWORD);

    await page.getByRole('link', { name: 'API', exact: true }).click();
    await page.getByRole('heading', { name: 'API reference', level: 1 }).waitFor();
    assert.match(await page.title(), /API reference/);

    // Grouped by tag: the CLI's routes have their card, with GET /api/v1/me in it.
    const cli = page.locator('section.card', { has: page.getByRole('heading', { name: 'CLI', level: 2 }) });
    const me = cli.locator('details[data-operation="GET /api/v1/me"]');
    await me.locator('summary').click();
    const body = me.locator('.api-op-body');
    assert.match(await body.textContent(), /Credential: Bearer key/);
    for (const status of ['200', '401', '403']) {
      assert.equal(await body.locator(`li[data-status="${status}"]`).count(), 1, `status ${status}`);
    }
    // Parameters and a request body, on an operation that has both.
    const create = page.locator('details[data-operation="POST /api/v1/orgs/{org}/agents"]');
    await create.locator('summary').click();
    assert.equal(await create.locator('table.api-params tr', { hasText: 'org' }).count(), 1);
    assert.equal(await create.locator('tr[data-field="host_id"]').count(), 1);
    assert.match(await create.locator('tr[data-field="host_id"]').textContent(), /string or null/);

    // The answer's schema links to its entry under "Schemas", which lists its fields.
    await body.locator('li[data-status="200"] a[data-schema-link="Me"]').click();
    const entry = page.locator('details#schema-Me');
    assert.equal(await entry.getAttribute('open'), '');
    assert.equal(await entry.locator('tr[data-field="account_orgs"]').count(), 1);

    // Every operation of the served document is on the page.
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
    const expected = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    assert.equal(await page.locator('details[data-operation]').count(), expected);

    await screenshot(page, 'api-reference');
    const origin = new URL(server.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'requests to another origin');
    assert.ok(requested.includes(`${origin}/api/openapi.json`), 'the description was fetched');
    assert.deepEqual(errors, []);
  });
});
