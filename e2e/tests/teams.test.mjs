// Teams in the browser: an admin creates a team and coaches it; three members join with its
// link, saying they share; one studies; one of them stops sharing; the coach's view then
// shows two members, the third as "not shared", the readiness chart and the CSV link.
// One server for the whole file; the tests run in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../lib.mjs';

const { skip, server, page, signUp, signIn } = browserSuite(['--mode', 'multi-user']);

let invite = null;
let teamUrl = null;
let link = null;


test('the admin creates a team for a date and makes an invitation link', { skip }, async () => {
  const p = await page();
  await signUp(p, server.setup, 'coach');
  await p.goto(server.url + '/admin/invites');
  await p.fill('#label', 'cohort');
  await p.fill('#uses', '3');
  await p.click('form.account-form button[type=submit]');
  invite = (await p.locator('code.secret').textContent()).trim();

  await p.click('a[href="/teams"]');
  await p.fill('#team-name', 'Spring cohort');
  await p.check('input[name=guides][value=python-django]');
  await p.fill('#team-date', '2099-03-01');
  await Promise.all([p.waitForURL(/\/teams\/\d+$/), p.click('form[action="/teams"] button[type=submit]')]);
  teamUrl = p.url();
  assert.match(await p.locator('h1').textContent(), /Spring cohort/);
  assert.match(await p.locator('#cohort-title').textContent(), /Readiness on 2099-03-01/);
  await p.fill('#link-days', '7');
  await p.click('form[action$="/links"] button[type=submit]');
  link = (await p.locator('#new-team-link').textContent()).trim();
  assert.match(link, /\/teams\/join\/[0-9a-f]{64}$/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('three members join sharing; ann studies; bob stops sharing', { skip }, async () => {
  for (const name of ['ann', 'bob', 'cyd']) {
    const p = await page();
    await signUp(p, invite, name);
    await p.goto(link);
    assert.match(await p.locator('#consent-title').textContent(), /What the coaches will see/);
    assert.match(await p.locator('main').textContent(), /your notes/);
    await Promise.all([p.waitForURL(teamUrl), p.click('button[name=share][value=yes]')]);
    assert.match(await p.locator('#you-title ~ p:not(.hint)').first().textContent(), /You share your progress/);
    if (name === 'ann') {
      // A tick and a review: the coach's view counts both.
      await p.goto(server.url + '/guides/python-django');
      await p.click('#generators-vs-iterators button.check');
      await p.waitForFunction(() => document.querySelector('#generators-vs-iterators button.check').getAttribute('aria-pressed') === 'true');
      await p.goto(server.url + '/study?guide=python-django&level=junior');
      await p.keyboard.press(' ');
      await Promise.all([p.waitForNavigation(), p.keyboard.press('3')]);
    }
    if (name === 'bob') {
      await Promise.all([p.waitForURL(teamUrl), p.click('form[action$="/sharing"] button[value=no]')]);
      assert.match(await p.locator('#you-title ~ p:not(.hint)').first().textContent(), /You do not share/);
    }
    assert.deepEqual(p.errors, []);
    await p.context().close();
  }
});

test("the coach's view shows the two who share and bob as not shared", { skip }, async () => {
  const p = await page();
  await signIn(p, 'coach');
  await p.goto(teamUrl);
  assert.match(await p.locator('#cohort-title + p').textContent(), /2 members share/);
  const members = await p.locator('.cohort-table tbody th summary').allTextContents();
  assert.deepEqual(members, ['ann', 'cyd']);
  assert.match(await p.locator('#cohort-title').locator('..').textContent(), /Not shared:\s*bob/);
  assert.equal(await p.locator('svg.chart-cohort').count(), 1);
  // Sorting by readiness, highest first: ann studied, cyd did not.
  await p.click('th a[href*="sort=readiness"]');
  await p.click('th a[href*="sort=readiness"]');
  assert.equal(await p.locator('th[aria-sort=descending] a').textContent(), 'Readiness');
  const csv = await p.locator('a[href$="/members.csv"]').getAttribute('href');
  const response = await p.request.get(server.url + csv);
  assert.equal(response.status(), 200);
  const text = await response.text();
  assert.match(text, /"ann"/);
  assert.doesNotMatch(text, /"bob"/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});
