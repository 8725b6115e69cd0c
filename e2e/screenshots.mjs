// Takes the screenshots shown in the README: the main pages, light and dark, phone and
// desktop. Usage: (cd e2e && npm run screenshots)  — needs Chromium and a built binary.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, root, skipReason, startServer, launchBrowser } from './lib.mjs';

// `node screenshots.mjs interview` takes only the screenshots whose name starts with
// "interview" (any prefix works), leaving the others as they are.
const only = process.argv[2] || '';
const wanted = (name) => name.startsWith(only);
const reason = skipReason();
if (reason) {
  console.error(`cannot take screenshots: ${reason}`);
  process.exit(1);
}
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
const pages = [
  ['home', '/'],
  ['guide', '/guides/python-django'],
  ['question', '/guides/python-django/select-vs-prefetch-related'],
  ['search', '/search?q=GIL'],
  ['search-typo', '/search?q=select_relatd+level:senior'],
];
const devices = [
  ['desktop', { width: 1366, height: 900 }],
  ['phone', { width: 390, height: 844 }],
];
try {
  // A learner who has ticked a few questions and opened one answer.
  const setup = await (await browser.newContext()).newPage();
  await setup.goto(server.url + '/guides/python-django');
  for (const id of ['gil', 'decorators', 'generators-vs-iterators', 'asyncio-event-loop']) {
    await setup.click(`#${id} button.check`);
    await setup.waitForLoadState('load');
  }
  const cookies = await setup.context().cookies();
  for (const theme of ['light', 'dark']) {
    for (const [device, viewport] of devices) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(cookies);
      const page = await context.newPage();
      for (const [name, path] of pages) {
        if (!wanted(name)) continue;
        await page.goto(server.url + path);
        if (name === 'guide') {
          await page.evaluate(() => document.querySelector('#decorators details')?.setAttribute('open', ''));
        }
        await page.screenshot({ path: join(out, `${name}-${device}-${theme}.png`) });
      }
      await context.close();
    }
  }
  await interviewShots(browser, server.url, setup);
  await accountShots(browser);
  await communityShots(browser);
  await teamShots(browser);
  await suggestionShots(browser);
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.stop();
}

// Multi-user mode: the sign-in page with a wrong password, the account page with two
// sessions, and the admin's accounts page; desktop light and phone dark.
async function accountShots(browser) {
  if (!wanted('account') && !wanted('sign-in') && !wanted('admin') && !wanted('forgot')) return;
  // E-mail on (to a port where nothing listens: no shot sends a message), so the pages
  // show what a site with SMTP shows.
  const multi = await startServer([
    '--mode', 'multi-user',
    '--smtp-url', 'smtp://127.0.0.1:9?tls=none',
    '--mail-from', 'Mastery <noreply@example.org>',
    '--public-url', 'https://mastery.example.org',
  ]);
  try {
    const admin = await (await browser.newContext({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' })).newPage();
    await admin.goto(multi.setup);
    await admin.fill('#username', 'ada');
    await admin.fill('#email', 'ada@example.org');
    await admin.fill('#password', 'correct horse battery staple');
    await Promise.all([admin.waitForURL(multi.url + '/'), admin.click('form.account-form button[type=submit]')]);
    const other = await (await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' })).newPage();
    await other.goto(multi.url + '/sign-in');
    await other.fill('#login', 'ada');
    await other.fill('#password', 'correct horse battery staple');
    await Promise.all([other.waitForURL(multi.url + '/'), other.click('form.account-form button[type=submit]')]);
    await admin.goto(multi.url + '/admin/invites');
    await admin.fill('#label', 'cohort 12');
    await admin.fill('#uses', '30');
    await admin.click('form.account-form button[type=submit]');
    const link = (await admin.locator('code.secret').textContent()).trim();
    for (const name of ['grace', 'linus']) {
      const p = await (await browser.newContext()).newPage();
      await p.goto(link);
      await p.fill('#username', name);
      await p.fill('#password', 'another long passphrase');
      await Promise.all([p.waitForURL(multi.url + '/'), p.click('form.account-form button[type=submit]')]);
      await p.context().close();
    }
    const cookies = await admin.context().cookies();
    const shots = [
      ['desktop', 'light', { width: 1366, height: 900 }],
      ['phone', 'dark', { width: 390, height: 844 }],
    ];
    for (const [device, theme, viewport] of shots) {
      const anonymous = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      const p = await anonymous.newPage();
      await p.goto(multi.url + '/sign-in');
      await p.fill('#login', 'ada');
      await p.fill('#password', 'not the password');
      await p.click('form.account-form button[type=submit]');
      await p.waitForSelector('#sign-in-error');
      await p.screenshot({ path: join(out, `sign-in-${device}-${theme}.png`) });
      await p.goto(multi.url + '/forgot-password');
      await p.screenshot({ path: join(out, `forgot-password-${device}-${theme}.png`) });
      await anonymous.close();
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(cookies);
      const page = await context.newPage();
      await page.goto(multi.url + '/account');
      await page.screenshot({ path: join(out, `account-${device}-${theme}.png`) });
      await page.goto(multi.url + '/admin/users');
      await page.screenshot({ path: join(out, `admin-users-${device}-${theme}.png`) });
      await context.close();
    }
  } finally {
    await multi.stop();
  }
}

// A mock interview: the question after the answer (typed answer beside the model answer,
// the checklist), then the report; desktop light and phone dark.
async function interviewShots(browser, base, setup) {
  if (!wanted('interview')) return;
  const shots = [
    ['desktop', 'light', { width: 1366, height: 900 }],
    ['phone', 'dark', { width: 390, height: 844 }],
  ];
  const take = async (name, url) => {
    const cookies = await setup.context().cookies();
    for (const [device, theme, viewport] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(cookies);
      const page = await context.newPage();
      await page.goto(url);
      await page.screenshot({ path: join(out, `${name}-${device}-${theme}.png`) });
      await context.close();
    }
  };
  // Every senior core-Python question is chosen, so the first asked is the GIL's.
  await setup.goto(base + '/interviews');
  for (const level of ['junior', 'confirmed']) await setup.uncheck(`input[name="level"][value="${level}"]`);
  await setup.check('input[name="section"][value="core-python"]');
  await setup.fill('#custom-questions', '11');
  await setup.fill('#custom-minutes', '4');
  await Promise.all([setup.waitForURL(/\/interviews\/[0-9a-f]{32}$/), setup.click('.iv-custom-form button[type=submit]')]);
  const interview = setup.url();
  await setup.fill(
    '#answer-text',
    'The GIL is a lock inside CPython: only one thread at a time can execute Python bytecode in an interpreter.\n\n' +
      'It exists to protect the interpreter internals, above all reference counting, which is not atomic and would ' +
      'otherwise be corrupted by threads running at once.\n\n' +
      'So threads still help for I/O-bound work, because blocking calls release the GIL while they wait, but CPU-bound ' +
      'pure Python code does not get faster with more threads.\n\n' +
      'Since Python 3.13 there is also a free-threaded build without it.',
  );
  await Promise.all([setup.waitForNavigation(), setup.click('.iv-answer-form button[type=submit]:not([name])')]);
  await take('interview', interview);
  // The follow-up, answered briefly, then finish.
  await Promise.all([setup.waitForNavigation(), setup.click('[data-next-button]')]);
  await setup.fill(
    '#answer-text',
    'Blocking I/O calls such as socket reads or sleep release the GIL, so other threads run while one waits. ' +
      'A waiting thread also forces a switch after the switch interval, 5 ms by default.',
  );
  await Promise.all([setup.waitForNavigation(), setup.click('.iv-answer-form button[type=submit]:not([name])')]);
  await Promise.all([setup.waitForURL(/\/report$/), setup.click('[data-finish-form] button')]);
  await take('interview-report', setup.url());
}

// The community: a question's discussion, a thread with code, votes and a hidden reply, the
// moderation queue with a flag, and the public log; desktop light and phone dark.
async function communityShots(browser) {
  if (!wanted('community')) return;
  const multi = await startServer(['--mode', 'multi-user']);
  const signUp = (url, name) => signUpIn(browser, multi, url, name);
  try {
    const ada = await signUp(multi.setup, 'ada');
    await ada.goto(multi.url + '/admin/community');
    await ada.fill('#approve_first', '0');
    await ada.fill('#new_member_days', '0');
    await ada.click('form.account-form button[type=submit]');
    await ada.goto(multi.url + '/admin/invites');
    await ada.fill('#uses', '5');
    await ada.click('form.account-form button[type=submit]');
    const link = (await ada.locator('code.secret').textContent()).trim();
    const grace = await signUp(link, 'grace');
    const linus = await signUp(link, 'linus');
    const question = multi.url + '/guides/python-django/select-vs-prefetch-related';
    await grace.goto(question);
    await grace.click('details.new-thread summary');
    await grace.fill('#thread-title', 'prefetch_related with a filtered Prefetch: one query or two?');
    await grace.fill('#thread-body', 'With `Prefetch("books", queryset=Book.objects.filter(published=True))` I still see **two** queries:\n\n```python\nauthors = Author.objects.prefetch_related(\n    Prefetch("books", queryset=Book.objects.filter(published=True))\n)\nfor a in authors:\n    print(a.name, [b.title for b in a.books.all()])\n```\n\nIs that expected?');
    await Promise.all([grace.waitForURL(/\/threads\//), grace.click('details.new-thread button[type=submit]')]);
    const thread = new URL(grace.url()).pathname;
    await linus.goto(multi.url + thread);
    await linus.fill('#reply-body', 'Yes: one query for the authors, one for all their books together. `prefetch_related` joins them in Python, so it is two queries whatever the number of authors, never N+1.');
    await Promise.all([linus.waitForURL(/#post-/), linus.click('form.reply-form button[type=submit]')]);
    await linus.goto(multi.url + thread);
    await linus.fill('#reply-body', 'Buy cheap watches at <a href="https://spam.example">our shop</a>!');
    await Promise.all([linus.waitForURL(/#post-/), linus.click('form.reply-form button[type=submit]')]);
    await grace.goto(multi.url + thread);
    await grace.locator('.post').nth(1).locator('form[action$="/vote"] button').first().click();
    await grace.waitForLoadState('load');
    await Promise.all([grace.waitForURL(/\/flag$/), grace.locator('.post').nth(2).locator('a[href$="/flag"]').click()]);
    await grace.locator('input[name=reason][value="No spam"]').check();
    await Promise.all([grace.waitForURL(/\/threads\//), grace.click('.flag-form button[type=submit]')]);
    await grace.goto(question);
    await grace.click('details.new-thread summary');
    await grace.fill('#thread-title', 'When is select_related the wrong choice?');
    await grace.fill('#thread-body', 'For a reverse foreign key it cannot work at all, but what about a wide one-to-one?');
    await Promise.all([grace.waitForURL(/\/threads\//), grace.click('details.new-thread button[type=submit]')]);
    const shots = [
      ['desktop', 'light', { width: 1366, height: 900 }],
      ['phone', 'dark', { width: 390, height: 844 }],
    ];
    const adaCookies = await ada.context().cookies();
    const graceCookies = await grace.context().cookies();
    for (const [device, theme, viewport] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(adaCookies);
      const p = await context.newPage();
      await p.goto(multi.url + '/moderation');
      await p.screenshot({ path: join(out, `community-queue-${device}-${theme}.png`) });
      if (device === 'desktop') {
        const item = p.locator('.queue-item').first();
        await item.locator('input[name=reason]').fill('advertising');
        await Promise.all([p.waitForURL(/\/threads\//), item.locator('button[value=hide]').click()]);
      }
      await context.close();
      const member = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await member.addCookies(graceCookies);
      const m = await member.newPage();
      await m.goto(multi.url + thread);
      await m.screenshot({ path: join(out, `community-thread-${device}-${theme}.png`), fullPage: device === 'desktop' });
      await m.goto(question + '#discussion');
      await m.locator('#discussion').scrollIntoViewIfNeeded();
      await m.screenshot({ path: join(out, `community-question-${device}-${theme}.png`) });
      await m.goto(multi.url + '/moderation/log');
      await m.screenshot({ path: join(out, `community-log-${device}-${theme}.png`) });
      // The search page finds the threads too, below the guide's results.
      await m.goto(multi.url + '/search?q=prefetch_related+queries');
      await m.locator('.discussion-results').scrollIntoViewIfNeeded();
      await m.screenshot({ path: join(out, `community-search-${device}-${theme}.png`) });
      await member.close();
    }
  } finally {
    await multi.stop();
  }
}

// Teams: a coach's view of a cohort of three, one of whom does not share, with a tick, a
// few reviews and an assigned interview; and a member's own page. Desktop light and phone
// dark.
async function teamShots(browser) {
  if (!wanted('team')) return;
  const multi = await startServer(['--mode', 'multi-user']);
  const signUp = (url, name) => signUpIn(browser, multi, url, name);
  try {
    const coach = await signUp(multi.setup, 'coach');
    await coach.goto(multi.url + '/admin/invites');
    await coach.fill('#uses', '5');
    await coach.click('form.account-form button[type=submit]');
    const invite = (await coach.locator('code.secret').textContent()).trim();
    await coach.goto(multi.url + '/teams');
    await coach.fill('#team-name', 'Spring cohort');
    await coach.check('input[name=guides][value=python-django]');
    await coach.fill('#team-date', '2099-03-01');
    await Promise.all([coach.waitForURL(/\/teams\/\d+$/), coach.click('form[action="/teams"] button[type=submit]')]);
    const team = coach.url();
    await coach.fill('#assign-title', 'Week 1: the recruiter screen');
    await Promise.all([coach.waitForURL(/#assignments$/), coach.click('form[action$="/assignments"] button[type=submit]')]);
    await coach.goto(team);
    await coach.click('form[action$="/links"] button[type=submit]');
    const link = (await coach.locator('#new-team-link').textContent()).trim();
    let member = null;
    for (const [name, ticks, share] of [['ada', 6, true], ['grace', 2, true], ['linus', 0, false]]) {
      const p = await signUp(invite, name);
      await p.goto(link);
      await Promise.all([p.waitForURL(team), p.click(`button[name=share][value=${share ? 'yes' : 'no'}]`)]);
      await p.goto(multi.url + '/study?guide=python-django&level=junior');
      for (let i = 0; i < ticks; i++) {
        await p.keyboard.press(' ');
        await Promise.all([p.waitForNavigation(), p.keyboard.press('3')]);
      }
      if (name === 'ada') member = p;
    }
    const shots = [
      ['desktop', 'light', { width: 1366, height: 900 }],
      ['phone', 'dark', { width: 390, height: 844 }],
    ];
    const coachCookies = await coach.context().cookies();
    const memberCookies = await member.context().cookies();
    for (const [device, theme, viewport] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(coachCookies);
      const p = await context.newPage();
      await p.goto(team);
      await p.screenshot({ path: join(out, `team-coach-${device}-${theme}.png`), fullPage: device === 'desktop' });
      await context.close();
      const own = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await own.addCookies(memberCookies);
      const m = await own.newPage();
      await m.goto(team);
      await m.screenshot({ path: join(out, `team-member-${device}-${theme}.png`) });
      await m.goto(link);
      await m.screenshot({ path: join(out, `team-join-${device}-${theme}.png`) });
      await own.close();
    }
  } finally {
    await multi.stop();
  }
}

// Suggested improvements: the form with a change previewed, the accepted suggestion, and
// the member's notifications; desktop light and phone dark.
async function suggestionShots(browser) {
  if (!wanted('suggest') && !wanted('notifications') && !wanted('member')) return;
  const multi = await startServer(['--mode', 'multi-user']);
  const signUp = (url, name) => signUpIn(browser, multi, url, name);
  const change = async (p) => {
    const text = await p.locator('#suggest-text').inputValue();
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => i > 1 && l.length > 40 && !l.includes(':') && !/^[#\-`| ]/.test(l));
    lines[at] = `${lines[at]} It is one lock for the whole interpreter, not one per object.`;
    await p.fill('#suggest-text', lines.join('\n'));
    await p.fill('#suggest-summary', 'Say that the GIL is one lock for the interpreter');
  };
  try {
    const admin = await signUp(multi.setup, 'maya');
    await admin.goto(multi.url + '/admin/invites');
    await admin.fill('#uses', '5');
    await admin.click('form.account-form button[type=submit]');
    const invite = (await admin.locator('code.secret').textContent()).trim();
    const ann = await signUp(invite, 'ann');
    await ann.goto(multi.url + '/guides/python-django/gil/suggest');
    await change(ann);
    await Promise.all([ann.waitForURL(/\/suggestions\/\d+$/), ann.click('button[name=step][value=send]')]);
    const suggestion = ann.url();
    // A reply to ann's thread, for a second notification.
    await ann.goto(multi.url + '/guides/python-django/gil');
    await ann.click('details.new-thread summary');
    await ann.fill('#thread-title', 'Does free threading remove the GIL for good?');
    await ann.fill('#thread-body', 'In 3.13 it is a separate build; is it the default yet?');
    await Promise.all([ann.waitForNavigation(), ann.click('details.new-thread button[type=submit]')]);
    const thread = ann.url().split('#')[0];
    await admin.goto(thread);
    await admin.fill('#reply-body', 'Not yet: it is opt-in (PEP 703, PEP 779).');
    await Promise.all([admin.waitForNavigation(), admin.click('#reply button[type=submit]')]);
    await admin.goto(suggestion);
    await admin.fill('#decide-comment', 'Thanks: clearer.');
    await Promise.all([admin.waitForURL(suggestion), admin.click('button[name=verdict][value=accept]')]);
    const shots = [
      ['desktop', 'light', { width: 1366, height: 900 }],
      ['phone', 'dark', { width: 390, height: 844 }],
    ];
    // Ann shows her profile and joins the leaderboard.
    await ann.goto(multi.url + '/account');
    await ann.check('input[name=public]');
    await ann.fill('#display-name', 'Ann Lovelace');
    await ann.check('input[name=leaderboard]');
    await Promise.all([ann.waitForNavigation(), ann.click('form[action="/account/profile"] button[type=submit]')]);
    await ann.goto(multi.url + '/study?guide=python-django&level=junior');
    await ann.keyboard.press(' ');
    await Promise.all([ann.waitForNavigation(), ann.keyboard.press('3')]);
    const annCookies = await ann.context().cookies();
    for (const [device, theme, viewport] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1 });
      await context.addCookies(annCookies);
      const p = await context.newPage();
      if (wanted('suggest')) {
        await p.goto(multi.url + '/guides/python-django/gil/suggest');
        await change(p);
        await Promise.all([p.waitForNavigation(), p.click('button[name=step][value=preview]')]);
        await p.evaluate(() => document.querySelector('#suggest-diff')?.scrollIntoView());
        await p.screenshot({ path: join(out, `suggest-form-${device}-${theme}.png`) });
        await p.goto(suggestion);
        await p.screenshot({ path: join(out, `suggestion-${device}-${theme}.png`), fullPage: device === 'desktop' });
      }
      if (wanted('suggest') || wanted('member')) {
        await p.goto(multi.url + '/members/ann');
        await p.screenshot({ path: join(out, `member-${device}-${theme}.png`) });
        await p.goto(multi.url + '/leaderboard');
        await p.screenshot({ path: join(out, `leaderboard-${device}-${theme}.png`) });
      }
      if (wanted('notifications') || wanted('suggest')) {
        await p.goto(multi.url + '/notifications');
        await p.screenshot({ path: join(out, `notifications-${device}-${theme}.png`) });
      }
      await context.close();
    }
  } finally {
    await multi.stop();
  }
}

// A new browser context signed up at `url` (a setup link or an invitation) on `server`.
async function signUpIn(browser, server, url, name) {
  const p = await (await browser.newContext()).newPage();
  await p.goto(url);
  await p.fill('#username', name);
  await p.fill('#password', PASSWORD);
  await Promise.all([p.waitForURL(server.url + '/'), p.click('form.account-form button[type=submit]')]);
  return p;
}
