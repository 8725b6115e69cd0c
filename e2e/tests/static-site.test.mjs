// The static site of `mastery build`, opened from the disk (file://) as a reader would:
// search works offline (the index is a script), results lead to question pages with
// highlighted code, the theme toggle is remembered, and the print page holds every answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { binary, launchBrowser, skipReason } from '../lib.mjs';

const reason = skipReason();
if (reason && process.env.CI === 'true') {
  throw new Error(`browser tests cannot run in CI: ${reason}`);
}
const skip = reason ? `skipped: ${reason}` : false;

let dir;
let site;
let browser;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'mastery-site-'));
  site = join(dir, 'site');
  const built = spawnSync(binary(), ['build', 'python-django', '-o', site], { encoding: 'utf8' });
  assert.equal(built.status, 0, `mastery build failed:\n${built.stdout}\n${built.stderr}`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (path) => pathToFileURL(join(site, path)).href;

async function page(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options });
  const p = await context.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error') p.errors.push(m.text());
  });
  // Nothing may leave the disk: no request to a server.
  p.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) p.errors.push(`request to ${r.url()}`);
  });
  return p;
}

test('search from the home page finds a question offline and opens it', { skip }, async () => {
  const p = await page();
  await p.goto(url('index.html'));
  assert.match(await p.title(), /Python & Django Interview Guide/);
  await p.fill('#site-search', 'GIL');
  await p.press('#site-search', 'Enter');
  await p.waitForURL(/search\.html\?q=GIL/);
  await p.waitForSelector('.results .result a', { timeout: 5000 });
  assert.match(await p.locator('.result-count').textContent(), /^\d+ results?$/);
  assert.ok((await p.locator('.results mark').count()) > 0, 'the matched words are marked');
  const first = p.locator('.results .result a').first();
  assert.match(await first.textContent(), /GIL/i);
  await first.click();
  await p.waitForURL(/\/q\/[a-z0-9-]+\.html$/);
  assert.match(await p.locator('h1').textContent(), /GIL|lock/i);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('typing on the search page updates the results as you type', { skip }, async () => {
  const p = await page();
  await p.goto(url('search.html'));
  // A word that only appears in the N+1 answer's code, not in any title.
  await p.fill('[data-search-input]', 'CaptureQueriesCont');
  await p.waitForSelector('.results a[href$="n-plus-one.html"]', { timeout: 5000 });
  await p.fill('[data-search-input]', 'zzzz-no-such-word');
  await p.waitForSelector('text=Nothing matches');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('question pages have highlighted code and working links', { skip }, async () => {
  const p = await page();
  await p.goto(url('q/gil.html'));
  assert.ok((await p.locator('.code-block').count()) > 0, 'the GIL answer has code');
  assert.ok(await p.locator('.code-block').first().evaluate((el) => el.innerHTML.includes('<hl-')), 'it is highlighted');
  await p.click('.breadcrumbs a >> nth=1');
  await p.waitForURL(/guide\.html#/);
  const next = url('q/gil.html');
  await p.goto(next);
  const nextLink = p.locator('.prev-next a.next');
  if ((await nextLink.count()) > 0) {
    await nextLink.click();
    await p.waitForURL(/\/q\/[a-z0-9-]+\.html$/);
  }
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('light and dark: the toggle switches and is remembered across pages', { skip }, async () => {
  const p = await page({ colorScheme: 'light' });
  await p.goto(url('guide.html'));
  const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  await p.click('[data-theme-toggle]');
  await p.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.notEqual(await bg(), light, 'the page really changed colour');
  await p.goto(url('index.html'));
  assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const dark = await page({ colorScheme: 'dark' });
  await dark.goto(url('index.html'));
  assert.notEqual(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor), light,
    'a dark system gets the dark theme with no click');
  assert.deepEqual([...p.errors, ...dark.errors], []);
  await p.context().close();
  await dark.context().close();
});

test('the print page holds every question, expanded', { skip }, async () => {
  const p = await page();
  await p.goto(url('print.html'));
  const entries = await p.locator('.print-entry').count();
  assert.equal(entries, readdirSync(join(site, 'q')).length);
  await p.emulateMedia({ media: 'print' });
  assert.equal(await p.locator('.topbar').isVisible(), false, 'no navigation on paper');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('without JavaScript every page still reads, and search says why it cannot run', { skip }, async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(url('search.html'));
  assert.match(await p.locator('.search-page').textContent(), /needs JavaScript/);
  assert.ok((await p.locator('.search-all a').count()) > 100, 'every question is listed');
  await p.goto(url('guide.html'));
  await p.locator('details.card-body summary').first().click();
  assert.ok(await p.locator('details.card-body').first().evaluate((d) => d.open));
  await p.context().close();
});
