// What a person does in the browser: read, tick, reload, take a note, search, switch
// theme, use the keyboard, and all of it again with JavaScript turned off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../lib.mjs';

const { skip, server, page } = browserSuite();

const GUIDE = '/guides/python-django';

test('ticking a question persists across a reload and updates progress', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + GUIDE);
  const card = p.locator('#decorators');
  const check = card.locator('button.check');
  assert.equal(await check.getAttribute('aria-pressed'), 'false');
  await check.click();
  await p.waitForFunction(() => document.querySelector('#decorators button.check').getAttribute('aria-pressed') === 'true');
  assert.match(await p.locator('[data-guide-count]').first().textContent(), /^1\//);
  await p.reload();
  assert.equal(await p.locator('#decorators button.check').getAttribute('aria-pressed'), 'true');
  assert.match(await p.locator('#decorators').getAttribute('class'), /mastered/);
  assert.match(await p.locator('[data-guide-count]').first().textContent(), /^1\//);
  assert.deepEqual(p.errors, [], 'no script errors or CSP violations');
  await p.context().close();
});

test('a note is saved and shown after a reload', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + GUIDE + '/gil');
  await p.fill('#note-text', 'The GIL is **released** around blocking I/O.');
  await p.click('form[data-note-form] button[type=submit]');
  await p.waitForFunction(() => (document.querySelector('[data-note-status]')?.textContent || '').length > 0 || location.hash === '#note-title');
  await p.reload();
  assert.equal(await p.inputValue('#note-text'), 'The GIL is **released** around blocking I/O.');
  assert.match(await p.locator('.note-body').innerHTML(), /<strong>released<\/strong>/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('search finds a question by a word that only appears in its answer', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + '/search');
  // "CaptureQueriesContext" appears in the N+1 answer's code, not in any title.
  await p.fill('[data-search-input]', 'CaptureQueriesContext');
  await p.waitForSelector('.results a[href$="/n-plus-one"]', { timeout: 5000 });
  assert.match(p.url(), /q=CaptureQueriesContext/, 'the URL stays shareable');
  assert.ok((await p.locator('.results mark').count()) > 0 || (await p.locator('.results li').count()) > 0);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('search as you type shows the best 20 and links to the page with more', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + '/search');
  // "the" is in nearly every question of the built-in guide.
  await p.fill('[data-search-input]', 'the');
  await p.waitForSelector('.result-count a', { timeout: 5000 });
  assert.equal(await p.locator('.search-results > ol.results > li').count(), 20);
  assert.match(await p.locator('.result-count').innerText(), /the best 20 shown/);
  await p.click('.result-count a');
  await p.waitForLoadState('load');
  assert.ok((await p.locator('.search-results > ol.results > li').count()) > 20, 'the page lists more');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('the theme toggle switches to dark and is remembered', { skip }, async () => {
  const p = await page({ colorScheme: 'light' });
  await p.goto(server.url + '/');
  const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  await p.click('[data-theme-toggle]');
  await p.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.notEqual(await bg(), light, 'the page really changed colour');
  await p.waitForTimeout(300);
  await p.reload();
  assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('keyboard: ? opens the shortcuts, / focuses search, j and x tick', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + GUIDE);
  await p.keyboard.press('?');
  assert.equal(await p.locator('#shortcuts').isVisible(), true);
  await p.keyboard.press('Escape');
  assert.equal(await p.locator('#shortcuts').isVisible(), false);
  await p.keyboard.press('/');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'site-search');
  await p.locator('body').click({ position: { x: 5, y: 300 } });
  await p.keyboard.press('j');
  const first = await p.evaluate(() => document.activeElement?.closest('.card')?.id);
  assert.ok(first, 'j moves to a card');
  await p.keyboard.press('x');
  await p.waitForFunction((id) => document.getElementById(id).querySelector('button.check').getAttribute('aria-pressed') === 'true', first);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('without JavaScript the guide renders and ticking works by form post', { skip }, async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(server.url + GUIDE);
  assert.ok((await p.locator('article.card').count()) >= 48);
  const before = await p.locator('#generators-vs-iterators button.check').getAttribute('aria-pressed');
  assert.equal(before, 'false');
  await p.click('#generators-vs-iterators button.check');
  await p.waitForLoadState('load');
  assert.match(p.url(), /\/guides\/python-django#generators-vs-iterators$/);
  assert.equal(await p.locator('#generators-vs-iterators button.check').getAttribute('aria-pressed'), 'true');
  // Answers open without JavaScript too.
  await p.click('#generators-vs-iterators summary');
  assert.equal(await p.locator('#generators-vs-iterators .answer').isVisible(), true);
  await p.context().close();
});

test('study: Space reveals, 3 rates Good and shows the next card, u undoes', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + '/study?guide=python-django&level=junior');
  const first = await p.getAttribute('[data-study-card]', 'data-question');
  assert.ok(first, 'a card is shown');
  assert.equal(await p.locator('.rate').first().isVisible(), false, 'ratings wait for the answer');
  await p.keyboard.press(' ');
  assert.equal(await p.locator('.rate').first().isVisible(), true);
  assert.match(await p.locator('.rate[data-rating="3"] .rate-interval').textContent(), /\d/);
  await Promise.all([p.waitForNavigation(), p.keyboard.press('3')]);
  const second = await p.getAttribute('[data-study-card]', 'data-question');
  assert.notEqual(second, first, 'the next card');
  assert.match(await p.locator('.study-counts .done').textContent(), /1/);
  await Promise.all([p.waitForNavigation(), p.keyboard.press('u')]);
  assert.equal(await p.getAttribute('[data-study-card]', 'data-question'), first, 'undo brings the card back');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('stats: charts render as SVG with text alternatives and no CSP violations', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + '/stats');
  assert.ok((await p.locator('svg[role="img"]').count()) >= 1 || (await p.locator('text=start studying').count()) >= 1);
  assert.ok((await p.locator('details table, details summary').count()) >= 1, 'each chart has a table');
  assert.deepEqual(p.errors, [], 'no script errors or CSP violations');
  await p.context().close();
});
