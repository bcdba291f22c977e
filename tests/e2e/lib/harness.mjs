// Shared by the e2e tests: start the real server on port 0 with a fresh SQLite file, launch
// Debian's Chromium through playwright-core, collect console errors, save screenshots.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const e2eDir = path.resolve(here, '..');
export const repoDir = path.resolve(e2eDir, '..', '..');
export const screenshotDir = path.join(e2eDir, 'screenshots');
export const docsDir = path.join(repoDir, 'docs');

export const KEY_RE = /^tfzo_[0-9A-Za-z]{36}$/;

/**
 * Starts `2501-accounts serve` on 127.0.0.1:0 with a database in a new temporary directory,
 * and its mail (no SMTP server) written as .eml files into `outbox` there (see mailsTo).
 * TFZO_BIN_DIR picks the binary's directory (default ../../build/bin); TFZO_WEB_DIR, when set,
 * serves the console from that directory instead of the copy embedded in the binary.
 */
export async function startServer({ extraArgs = [] } = {}) {
  const binDir = process.env.TFZO_BIN_DIR || path.join(repoDir, 'build', 'bin');
  const bin = path.join(binDir, '2501-accounts');
  const dir = mkdtempSync(path.join(tmpdir(), 'tfzo-e2e-'));
  // Mail (no SMTP server here) goes to .eml files in that directory too, not into the tree.
  const outbox = path.join(dir, 'outbox');
  const args = ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${path.join(dir, 'a.db')}`,
    '--outbox', outbox, ...extraArgs];
  if (process.env.TFZO_WEB_DIR) args.push('--web-dir', process.env.TFZO_WEB_DIR);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-20000);
  });

  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not print its address within 20 s\nstdout: ${out}\nstderr: ${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\nstdout: ${out}\nstderr: ${stderr}`));
    });
  });
  child.stdout.resume();
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // A crash in the middle of a scenario: say so, with the server's last words.
    console.error(`2501-accounts exited unexpectedly (code ${code}, signal ${signal}); its stderr:\n${stderr}`);
  });

  async function stop() {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { url, stop, outbox, stderr: () => stderr };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

/**
 * The usual start of a console scenario: the server (startServer), Chromium, and a page of
 * 1280x800 in en-US with a 10 s default timeout whose console errors go to `errors`
 * (watchConsole, with `allowStatus`). Resolves { server, browser, page }, to be stopped with
 * closeConsole; a step that fails stops what was already started.
 */
export async function openConsole(errors, allowStatus = new Set()) {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    watchConsole(page, errors, allowStatus);
    return { server, browser, page };
  } catch (e) {
    if (browser) await browser.close();
    await server.stop();
    throw e;
  }
}

/** Stops what openConsole started (either may be unset, when it failed). */
export async function closeConsole({ server, browser }) {
  if (browser) await browser.close();
  if (server) await server.stop();
}

/** Signs in on the console's sign-in page and waits for the page it opens (API keys). */
export async function signIn(page, email, password) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
}

/**
 * Records console errors, uncaught page errors and failed responses of a page. Chromium logs
 * "Failed to load resource: ... 4xx" for every HTTP error answer, including those the test
 * provokes on purpose (401 at the session check, 409 duplicate email, 400 empty name); those
 * are accepted when `allowStatus` lists the status, everything else is an error.
 */
export function watchConsole(page, errors, allowStatus = new Set()) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
    if (m && allowStatus.has(Number(m[1]))) return;
    errors.push(`console: ${text} (${msg.location().url || 'unknown'})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) errors.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
  });
}

// Screenshots never show a usable key (docs/DESIGN.md: a secret never reaches a test snapshot): the
// value is blurred. Toasts are transient and hidden so the pictures are stable. Done through
// element.style (CSSOM), which the console's CSP allows; Playwright's `style`/`animations`
// screenshot options inject a <style> element, which the CSP (rightly) refuses.
function dressForScreenshot(page, on) {
  return page.evaluate((enable) => {
    for (const el of document.querySelectorAll('[data-secret]')) el.style.filter = enable ? 'blur(5px)' : '';
    const toasts = document.getElementById('toasts');
    if (toasts) toasts.style.visibility = enable ? 'hidden' : '';
  }, on);
}

export async function screenshot(page, name, { copyTo = null, fullPage = false } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await dressForScreenshot(page, true);
  await page.screenshot({ path: file, fullPage });
  await dressForScreenshot(page, false);
  // The README's pictures are refreshed only when asked (TFZO_UPDATE_DOCS=1), so a test run
  // leaves the work tree clean.
  if (copyTo && process.env.TFZO_UPDATE_DOCS === '1') {
    mkdirSync(path.dirname(copyTo), { recursive: true });
    copyFileSync(file, copyTo);
  }
  return file;
}

/**
 * GET `url` with curl, the key passed as a header on stdin (never on the command line).
 * Resolves {status, body}.
 */
export function curlWithKey(url, key) {
  return new Promise((resolve, reject) => {
    const child = execFile('curl', ['-sS', '-H', '@-', '-w', '\n%{http_code}', url], { timeout: 15000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`curl failed: ${err.message} ${stderr}`));
        return;
      }
      const i = stdout.lastIndexOf('\n');
      const status = Number(stdout.slice(i + 1));
      let body = null;
      try {
        body = JSON.parse(stdout.slice(0, i));
      } catch {
        body = stdout.slice(0, i);
      }
      resolve({ status, body });
    });
    child.stdin.end(`Authorization: Bearer ${key}\n`);
  });
}

/** Signs up through the API (no browser), for the second account of a scenario. */
export async function signUpViaApi(baseUrl, email, password) {
  const res = await fetch(`${baseUrl}/api/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`sign-up of ${email}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually(fn, { timeoutMs = 10000, intervalMs = 250, message = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The mails the server wrote into `outbox` for `address`, oldest first: {subject, text} with
 * the plain-text part decoded (quoted-printable soft breaks joined).
 */
export function mailsTo(outbox, address) {
  let names = [];
  try {
    names = readdirSync(outbox).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  const order = (n) => {
    const m = /^(.*)-(\d+)\.eml$/.exec(n);
    return m ? [m[1], Number(m[2])] : [n, 0];
  };
  names.sort((x, y) => {
    const [a, b] = [order(x), order(y)];
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
  });
  const out = [];
  for (const name of names) {
    const raw = readFileSync(path.join(outbox, name), 'utf8');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    const to = /^To:\s*(.*)$/mi.exec(head);
    if (!to || !to[1].toLowerCase().includes(address.toLowerCase())) continue;
    const subject = (/^Subject:\s*(.*)$/mi.exec(head) || [])[1] || '';
    // The first part's text, quoted-printable or not: enough to find links in.
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    out.push({ subject, text });
  }
  return out;
}

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Waits for a mail to `address` with a link to `page` ('#/verify?token='); the link. */
export async function mailedLink(outbox, address, page) {
  const re = new RegExp(`https?://\\S*${escapeRe(page)}[A-Za-z0-9_-]+`);
  return eventually(() => {
    const links = mailsTo(outbox, address).map((m) => re.exec(m.text)).filter(Boolean);
    return links.length ? links[links.length - 1][0] : null;
  }, { message: `a mail to ${address} with a link to ${page}` });
}

/**
 * A console session through the API (no browser), for the other people of a scenario: signs
 * up (or in), keeps the cookie and CSRF token. `call(method, path, body)` resolves {status,
 * body}.
 */
export async function apiSession(baseUrl, email, password, { signUp = true } = {}) {
  const res = await fetch(`${baseUrl}/api/${signUp ? 'signup' : 'login'}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== (signUp ? 201 : 200)) throw new Error(`${signUp ? 'sign-up' : 'sign-in'} of ${email}: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const data = await res.json();
  async function call(method, urlPath, body) {
    const headers = { Cookie: cookie, 'X-CSRF-Token': data.csrf_token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${baseUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  return { account: data.account, call };
}

/** Follows the newest verification link mailed to `address`, as its owner would (no browser). */
export async function verifyByMail(baseUrl, outbox, address) {
  const link = await mailedLink(outbox, address, '#/verify?token=');
  const token = new URL(link.replace('#/verify?', 'verify?')).searchParams.get('token');
  const res = await fetch(`${baseUrl}/api/email/verify`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
  });
  if (res.status !== 200) throw new Error(`verifying ${address}: HTTP ${res.status} ${await res.text()}`);
}
