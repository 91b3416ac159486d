// Browser-test harness: starts the machine's Chromium (/usr/bin/chromium, never a
// downloaded build) through playwright-core, hands out fresh browser contexts, and records
// what went wrong on a page (console errors, CSP violations, uncaught exceptions, failed or
// error-status requests) so tests can assert there was nothing.
//
// The stack under test is PORTAL_TEST_URL (e.g. http://127.0.0.1:18080).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { codeIn, sinkMark } from '../api/lib/fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** PORTAL_TEST_URL without a trailing slash; throws a clear error when it is not set. */
export function baseUrl() {
  const url = process.env.PORTAL_TEST_URL;
  if (!url) {
    throw new Error('PORTAL_TEST_URL is not set: point it at a running stack, e.g. ' +
      'PORTAL_TEST_URL=http://127.0.0.1:8080 node --test tests/web/');
  }
  return url.replace(/\/+$/, '');
}

// One Chromium per test file (per node process), started at the first launch() and closed
// after the file's last test; each launch() is a new browser context in it, which has its
// own cookies, storage, cache and permissions as a new profile would. A context costs about
// a third of the CPU of a browser process started for it (the API and browser phase of
// scripts/test is bound by the CPU).
let shared = null;

function sharedBrowser() {
  if (!shared) {
    const started = chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    shared = started;
    started.then((browser) => browser.on('disconnected', () => { if (shared === started) shared = null; }),
      () => { if (shared === started) shared = null; });
  }
  return shared;
}

after(async () => {
  const browser = await shared?.catch(() => null);
  shared = null;
  await browser?.close();
});

/**
 * A fresh headless browser: a new context of the file's Chromium (see above).
 * Resolves to {context, baseUrl, newPage(), close()}: pages resolve relative URLs against
 * PORTAL_TEST_URL; close() closes the context. `locale` sets navigator.language and
 * Accept-Language (default tr-TR, the product's main audience).
 */
export async function launch({ locale = 'tr-TR', viewport = { width: 1280, height: 800 } } = {}) {
  const url = baseUrl();
  const context = await (await sharedBrowser()).newContext({ baseURL: url, locale, viewport });
  return {
    context,
    baseUrl: url,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

/**
 * Starts recording problems on page; call before navigating. `allow` lists the HTTP error
 * answers a test expects, as [{url: RegExp, status}]: those, and Chromium's matching
 * "Failed to load resource" console line, are not problems.
 * Returns {problems: string[], assertNone()}.
 */
export async function watchPage(page, { allow = [] } = {}) {
  const problems = [];
  const allowed = (url, status) => allow.some((rule) => rule.url.test(url) && (rule.status ?? status) === status);

  // Chromium also logs CSP violations to the console; this catches every one by name,
  // including report-only ones. Init scripts are injected by the browser, not blocked by CSP.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });

  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const { url } = message.location();
    const status = Number(/status of (\d{3})/.exec(text)?.[1]);
    if (text.startsWith('Failed to load resource') && url && allowed(url, status)) return;
    problems.push(`console error: ${text}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    // An aborted fetch is the app's own doing (e.g. an effect cleaned up), not a failure.
    const reason = request.failure()?.errorText ?? 'unknown';
    if (reason === 'net::ERR_ABORTED' && request.resourceType() === 'fetch') return;
    problems.push(`request failed: ${request.method()} ${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    const status = response.status();
    if (status >= 400 && !allowed(response.url(), status)) {
      problems.push(`HTTP ${status}: ${response.request().method()} ${response.url()}`);
    }
  });

  return {
    problems,
    assertNone() {
      if (problems.length) throw new Error(`problems on the page:\n  ${problems.join('\n  ')}`);
    },
  };
}

// axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA
// rules and best practices), as lines "rule: what (where)". The script is evaluated through
// the debugging protocol, so the page's Content-Security-Policy does not stand in its way.
const AXE_SOURCE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

export async function axeViolations(page, { include } = {}) {
  // Once per document: a visit that only changes the hash keeps the one already there.
  if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async (context) => window.axe.run(context ?? document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }), include ?? null);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} (${n.target.join(' ')})`));
}

// A browser on the console, signed in as login ({email, password}): GET me's 401 before
// sign-in is expected. Waits for the console's first screen. {browser, page, watch}; the
// caller closes the browser.
export async function openConsole(login, { locale = 'tr-TR', viewport, allow = [] } = {}) {
  const browser = await launch({ locale, ...(viewport ? { viewport } : {}) });
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: /\/api\/v1\/clinic\/me$/, status: 401 }, ...allow] });
  await page.goto('/console/');
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(login.email);
  await page.locator('#signin-password').fill(login.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId('portal-settings').waitFor();
  return { browser, page, watch };
}

// For a test file that opens several browsers: keep(browser) has a browser closed after the
// test that opened it, however that test ends; openConsole() here is the one above, kept.
export function closedAfterEach() {
  let kept = [];
  afterEach(async () => {
    await Promise.all(kept.map((b) => b.close()));
    kept = [];
  });
  const keep = (browser) => {
    kept.push(browser);
    return browser;
  };
  return {
    keep,
    async openConsole(login, opts) {
      const opened = await openConsole(login, opts);
      keep(opened.browser);
      return opened;
    },
  };
}

// A patient signed in to the portal at /<code> through its screens, in browser (the caller's,
// who closes it): the phone typed, the code read from the SMS sink, then the home page.
// GET me's 401 before sign-in is expected, and whatever allow adds. {page, watch}.
export async function portalSignedIn(browser, code, phone, { allow = [] } = {}) {
  const page = await browser.newPage();
  const watch = await watchPage(page, {
    allow: [{ url: /\/api\/v1\/portal\/[a-z0-9-]+\/me$/, status: 401 }, ...allow],
  });
  await page.goto(`/${code}`);
  await page.getByTestId('signin-contact-step').waitFor();
  const mark = sinkMark();
  await page.getByTestId('signin-contact').fill(phone);
  const started = page.waitForResponse((r) => /\/api\/v1\/portal\/[a-z0-9-]+\/login\/start$/.test(r.url()));
  await page.getByTestId('signin-start').click();
  assert.equal((await started).status(), 202);
  const msg = await waitForSms((m) => !mark.sms.has(m.file) && m.to === phone && codeIn(m.text));
  await page.getByTestId('signin-code').fill(codeIn(msg.text));
  await page.getByTestId('signin-verify').click();
  await page.getByTestId('portal-home').waitFor();
  return { page, watch };
}
