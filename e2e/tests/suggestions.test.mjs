// Suggested improvements in the browser, to the guide's repository: a member edits a
// question's Markdown and sees the change drawn as she types, previews it (the guide's
// checks pass), sends it; a moderator accepts it with a comment; the member is told (the
// header's count, the notifications page); the maintainer exports the accepted suggestion
// with `mastery suggestions export` and `git apply` applies the patch to a copy of guides/.
// One server for the whole file; the tests run in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, browserSuite, root } from '../lib.mjs';

const { skip, server, page, signUp, signIn } = browserSuite(['--mode', 'multi-user']);

const ADDED = 'It is one lock for the whole interpreter, not one per object.';
let invite = null;
let suggestionUrl = null;


test('the admin opens the site and invites a member', { skip }, async () => {
  const p = await page();
  await signUp(p, server.setup, 'maya');
  await p.goto(server.url + '/admin/invites');
  await p.fill('#uses', '2');
  await p.click('form.account-form button[type=submit]');
  invite = (await p.locator('code.secret').textContent()).trim();
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('a member edits the Markdown, sees the change as she types, previews and sends it', { skip }, async () => {
  const p = await page();
  await signUp(p, invite, 'ann');
  await p.goto(server.url + '/guides/python-django/gil');
  await Promise.all([p.waitForURL(/\/suggest$/), p.click('#improve a[href$="/suggest"]')]);
  const text = await p.locator('#suggest-text').inputValue();
  assert.match(text, /^## /);
  assert.match(text, /id: gil/);
  // After the first paragraph of the answer, a sentence of her own.
  const lines = text.split('\n');
  const at = lines.findIndex((l, i) => i > 1 && l.length > 40 && !l.includes(':') && !/^[#\-`| ]/.test(l));
  assert.ok(at > 0);
  lines[at] = `${lines[at]} ${ADDED}`;
  await p.fill('#suggest-text', lines.join('\n'));
  // The live diff: the old line removed, the new one added, drawn in the page.
  await p.waitForFunction((added) => [...document.querySelectorAll('#suggest-diff .diff-added')].some((s) => s.textContent.includes(added)), ADDED);
  assert.equal(await p.locator('#suggest-diff .diff-removed').count(), 1);
  // The preview step: the guide's checks pass.
  await p.fill('#suggest-summary', 'Say that the GIL is one lock for the interpreter');
  await Promise.all([p.waitForNavigation(), p.click('button[name=step][value=preview]')]);
  assert.match(await p.locator('.suggest-form .notice').textContent(), /checks pass/);
  assert.match(await p.locator('#suggest-diff .diff-added').first().textContent(), /one lock for the whole interpreter/);
  await Promise.all([p.waitForURL(/\/suggestions\/\d+$/), p.click('button[name=step][value=send]')]);
  suggestionUrl = p.url();
  assert.match(await p.locator('h1').textContent(), /Say that the GIL is one lock/);
  assert.match(await p.locator('.badge-open').textContent(), /open/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test('a moderator accepts it with a comment, and the member is told', { skip }, async () => {
  const admin = await page();
  await signIn(admin, 'maya');
  await admin.goto(server.url + '/moderation');
  assert.match(await admin.locator('.suggestions-waiting').textContent(), /1 suggested improvement waits/);
  await admin.goto(suggestionUrl);
  await admin.fill('#decide-comment', 'Thanks: clearer.');
  await Promise.all([admin.waitForURL(suggestionUrl), admin.click('button[name=verdict][value=accept]')]);
  assert.match(await admin.locator('.badge-accepted').textContent(), /accepted/);
  assert.deepEqual(admin.errors, []);
  await admin.context().close();

  const ann = await page();
  await signIn(ann, 'ann');
  assert.match(await ann.locator('.notifications-link .count').textContent(), /1/);
  await ann.click('.notifications-link');
  const first = await ann.locator('.notifications li').first().textContent();
  assert.match(first, /maya accepted your suggestion/);
  assert.match(first, /Thanks: clearer\./);
  // Seen once shown: the page's script marks them read.
  await ann.waitForSelector('form[data-auto-read]', { state: 'hidden' });
  await ann.goto(server.url + '/');
  assert.equal(await ann.locator('.notifications-link .count').count(), 0);
  assert.deepEqual(ann.errors, []);
  await ann.context().close();
});

test('the maintainer exports it and git applies the patch to the guide', { skip }, async () => {
  const repo = mkdtempSync(join(tmpdir(), 'mastery-e2e-repo-'));
  try {
    cpSync(join(root, 'guides', 'python-django'), join(repo, 'guides', 'python-django'), { recursive: true });
    const git = (...args) => spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(git('init', '-q').status, 0);
    assert.equal(git('add', '.').status, 0);
    assert.equal(git('commit', '-q', '-m', 'guide').status, 0);
    const exported = spawnSync(binary(), ['suggestions', 'export', '--guide', 'guides/python-django', '-o', 'suggestions.patch', '--data-dir', server.data], { cwd: repo, encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /Wrote 1 suggestion/);
    const applied = git('apply', 'suggestions.patch');
    assert.equal(applied.status, 0, applied.stderr);
    const changed = git('diff', '--name-only').stdout.trim();
    assert.match(changed, /^guides\/python-django\/\d\d-[a-z-]+\.md$/);
    assert.ok(readFileSync(join(repo, changed), 'utf8').includes(ADDED));
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
  // The suggestion's page says it was exported.
  const p = await page();
  await p.goto(suggestionUrl);
  assert.match(await p.locator('.suggestion-meta').textContent(), /exported/);
  await p.context().close();
});
