// A short mock interview in the browser: start it, watch the countdown, answer, compare with
// the model answer, correct a tick, finish, read the report; the countdown submitting at
// zero; and the whole flow again with JavaScript turned off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../lib.mjs';

const { skip, server, page } = browserSuite();

const ANSWER =
  'The GIL is a lock inside CPython that lets only one thread at a time execute Python bytecode. ' +
  'It protects the interpreter internals, above all reference counting, which is not atomic. ' +
  'Threads still help for I/O-bound work because blocking calls release the GIL while they wait.';

// Starts a custom interview of one senior core-Python question from the start page's form.
async function startCustom(p, minutes = '2') {
  await p.goto(server.url + '/interviews');
  for (const level of ['junior', 'confirmed']) {
    await p.uncheck(`input[name="level"][value="${level}"]`);
  }
  await p.check('input[name="level"][value="senior"]');
  await p.check('input[name="section"][value="core-python"]');
  await p.fill('#custom-questions', '1');
  await p.fill('#custom-minutes', minutes);
  await Promise.all([p.waitForURL(/\/interviews\/[0-9a-f]{32}$/), p.click('.iv-custom-form button[type=submit]')]);
}

test('a short interview: countdown, answer, model answer, a corrected tick, the report', { skip }, async () => {
  const p = await page();
  await p.goto(server.url + '/');
  await Promise.all([p.waitForURL(/\/interviews$/), p.click('.topbar-nav a[href="/interviews"]')]);
  assert.equal(await p.locator('.iv-preset').count(), 3, 'three presets');
  await startCustom(p);
  assert.match(await p.locator('.iv-position').textContent(), /Question 1 of 1/);

  // The countdown is visible and ticks.
  const clock = p.locator('[data-countdown-clock]');
  const first = await clock.textContent();
  assert.match(first, /^[12]:\d\d$/);
  await p.waitForFunction((before) => document.querySelector('[data-countdown-clock]').textContent !== before, first, { timeout: 3000 });

  // Type, submit with Ctrl+Enter.
  await p.fill('#answer-text', ANSWER);
  await Promise.all([p.waitForNavigation(), p.press('#answer-text', 'Control+Enter')]);
  assert.equal(await p.locator('.iv-model .prose').isVisible(), true, 'the model answer');
  assert.equal(await p.locator('.iv-typed').isVisible(), true, 'beside the typed one');
  assert.match(await p.locator('.iv-typed').textContent(), /only one thread at a time/);
  const points = p.locator('.iv-points .iv-point');
  assert.ok((await points.count()) >= 3, 'a key-point checklist');
  assert.equal(await p.locator('[data-save-ticks]').isVisible(), false, 'ticks save themselves with JavaScript');

  // Toggle the first tick: saved without a reload, the score follows.
  const covered = async () => Number(await p.locator('[data-iv-covered]').textContent());
  const before = await covered();
  const box = p.locator('#kp-0');
  const wasChecked = await box.isChecked();
  await box.click();
  await p.waitForFunction(() => document.querySelector('[data-ticks-status]').textContent === 'Saved');
  assert.equal(await covered(), before + (wasChecked ? -1 : 1));
  assert.equal(await p.locator('.iv-point[data-point="0"] [data-point-badge]').textContent(), 'corrected');
  await p.reload();
  assert.equal(await p.locator('#kp-0').isChecked(), !wasChecked, 'the correction was stored');

  // Finish: the report with a score.
  const finish = p.locator('[data-finish-form] button');
  const next = p.locator('[data-next-button]');
  const finishVisible = await finish.isVisible();
  await Promise.all([p.waitForURL(/\/report$/), (finishVisible ? finish : next).click()]);
  assert.match(await p.locator('.report-score-value').textContent(), /^\d+%$/);
  assert.ok((await p.locator('.report-sections li').count()) >= 1, 'a score per section');
  assert.equal(await p.locator('[data-print]').isVisible(), true, 'a print button with JavaScript');
  assert.deepEqual(p.errors, [], 'no script errors or CSP violations');
  await p.context().close();
});

test('at zero the countdown submits what was typed', { skip }, async () => {
  const p = await page();
  await p.clock.install();
  await startCustom(p, '1');
  await p.fill('#answer-text', 'Only one thread at a time runs Python bytecode in CPython.');
  await Promise.all([p.waitForNavigation(), p.clock.fastForward(61_000)]);
  assert.match(await p.locator('.iv-typed').textContent(), /Only one thread at a time/);
  assert.equal(await p.locator('#answer-text').count(), 0, 'answered');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('without JavaScript an interview runs on forms alone', { skip }, async () => {
  const p = await page({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  await p.goto(server.url + '/interviews');
  await Promise.all([p.waitForNavigation(), p.click('.iv-preset:first-child button[type=submit]')]);
  assert.match(await p.locator('[data-countdown-clock]').textContent(), /^\d+:\d\d$/, 'the time left, rendered by the server');
  await p.fill('#answer-text', 'A <script>alert(1)</script> answer that explains nothing at all, really.');
  await Promise.all([p.waitForNavigation(), p.click('.iv-answer-form button[type=submit]:not([name])')]);
  assert.match(await p.locator('.iv-typed').textContent(), /<script>alert\(1\)<\/script>/, 'shown as text');
  assert.equal(await p.locator('[data-save-ticks]').isVisible(), true);
  await p.check('#kp-1');
  await Promise.all([p.waitForNavigation(), p.click('[data-save-ticks]')]);
  assert.equal(await p.locator('#kp-1').isChecked(), true);
  assert.match(await p.locator('.iv-point[data-point="1"]').textContent(), /ticked by you/);
  await Promise.all([p.waitForNavigation(), p.click('.iv-finish-form button')]);
  assert.match(p.url(), /\/report$/);
  assert.match(await p.locator('.report-score-value').textContent(), /%$/);
  await p.goto(server.url + '/interviews');
  assert.ok((await p.locator('.iv-table tbody tr').count()) >= 1, 'in the history');
  await p.context().close();
});
