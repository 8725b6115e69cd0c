// Shared helpers: start a real `mastery serve` on a random port with a fresh data folder,
// and launch Debian's Chromium through playwright-core (no browser download); `browserSuite`
// sets both up for a test file.
import { spawn } from 'node:child_process';
import { before, after } from 'node:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');

export function binary() {
  return process.env.MASTERY_BIN || join(root, 'target', 'debug', 'mastery');
}

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

/** Why the browser tests cannot run here, or null when they can. */
export function skipReason() {
  if (!existsSync(binary())) return `no mastery binary at ${binary()} (build it with cargo build -p mastery)`;
  if (!chromiumPath()) return 'Chromium is not installed (Debian: apt-get install chromium)';
  return null;
}

export async function startServer(extraArgs = []) {
  const data = mkdtempSync(join(tmpdir(), 'mastery-e2e-'));
  const child = spawn(binary(), ['serve', '--bind', '127.0.0.1:0', '--data-dir', data, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  // A multi-user server also prints its setup link (before saying it serves).
  let setup = null;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mastery serve did not start within 20 s')), 20000);
    child.once('exit', (code) => reject(new Error(`mastery serve exited with ${code}`)));
    lines.on('line', (line) => {
      const link = line.match(/http:\/\/\S+\/setup\/[0-9a-f]+/);
      if (link) setup = link[0];
      const match = line.match(/Mastery is serving (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    setup,
    data,
    async stop() {
      child.kill('SIGINT');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The setup of a browser test file: a server and a browser started before its tests and
 * stopped after them. Returns `skip` for every test's options (a reason when the tests cannot
 * run here; in CI that is an error instead), `server` (its `url` is set once it has started)
 * `page(options)`, a fresh page in a new context whose errors are collected in `p.errors`,
 * and `signUp`/`signIn` for that server.
 */
export function browserSuite(serverArgs = []) {
  const reason = skipReason();
  if (reason && process.env.CI === 'true') {
    throw new Error(`browser tests cannot run in CI: ${reason}`);
  }
  const skip = reason ? `skipped: ${reason}` : false;

  const server = {};
  let browser;

  before(async () => {
    if (skip) return;
    Object.assign(server, await startServer(serverArgs));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server.stop?.();
  });

  async function page(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, ...options });
    const p = await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.errors = errors;
    return p;
  }

  // Signs up at `url` (the setup link or an invitation) and lands on the home page.
  async function signUp(p, url, username, password = PASSWORD) {
    await p.goto(url);
    await p.fill('#username', username);
    await p.fill('#password', password);
    await Promise.all([p.waitForURL(server.url + '/'), p.click('form.account-form button[type=submit]')]);
  }

  // Signs in and lands on the home page.
  async function signIn(p, username, password = PASSWORD) {
    await p.goto(server.url + '/sign-in');
    await p.fill('#login', username);
    await p.fill('#password', password);
    await Promise.all([p.waitForURL(server.url + '/'), p.click('form.account-form button[type=submit]')]);
  }

  return { skip, server, page, signUp, signIn };
}

/** The password the browser tests give every account they make. */
export const PASSWORD = 'correct horse battery staple';
