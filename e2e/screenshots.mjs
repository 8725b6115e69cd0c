// Takes the screenshots shown in the README: the main pages, light and dark, phone and
// desktop. Usage: (cd e2e && npm run screenshots)  — needs Chromium and a built binary.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, skipReason, startServer, launchBrowser } from './lib.mjs';

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
  ['search', '/search?q=transaction&level=senior'],
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
        await page.goto(server.url + path);
        if (name === 'guide') {
          await page.evaluate(() => document.querySelector('#decorators details')?.setAttribute('open', ''));
        }
        await page.screenshot({ path: join(out, `${name}-${device}-${theme}.png`) });
      }
      await context.close();
    }
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
