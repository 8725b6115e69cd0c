// Two-factor sign-in in the browser: the first admin turns it on by scanning (here: reading)
// the key beside the QR code and typing a code, keeps the recovery codes, signs out, and
// signs in again with the password and then a code. Codes are computed here from the key
// (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { browserSuite } from '../lib.mjs';

const { skip, server, page } = browserSuite(['--mode', 'multi-user']);

const PASSWORD = 'correct horse battery staple';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code of `secret` at the step `ahead` steps after now. */
function totp(secret, ahead = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + ahead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

test('the code computed here matches RFC 6238', () => {
  const realNow = Date.now;
  Date.now = () => 59_000;
  try {
    assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), '287082');
  } finally {
    Date.now = realNow;
  }
});

test('an admin turns two-factor sign-in on and signs in with a code', { skip }, async () => {
  assert.ok(server.setup, 'a new multi-user server prints its setup link');
  const p = await page();
  await p.goto(server.setup);
  await p.fill('#username', 'admin');
  await p.fill('#password', PASSWORD);
  await Promise.all([p.waitForURL(server.url + '/'), p.click('form.account-form button[type=submit]')]);

  await p.goto(server.url + '/account');
  await Promise.all([p.waitForURL(/\/account\/two-factor$/), p.click('a[href="/account/two-factor"]')]);
  assert.equal(await p.locator('.qr-code svg').count(), 1, 'the QR code is drawn on the page');
  assert.ok((await p.locator('.qr-code svg').boundingBox()).width >= 150, 'large enough to scan');
  const secret = (await p.locator('#totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);

  await p.fill('#enrol-code', '000000');
  await p.fill('#enrol-current', PASSWORD);
  await p.click('form[action="/account/two-factor"] button[type=submit]');
  await p.waitForSelector('#enrol-code-error');
  assert.equal(await p.locator('#enrol-code').getAttribute('aria-invalid'), 'true');
  p.errors.splice(0, p.errors.length, ...p.errors.filter((e) => !e.includes('status of 422')));

  await p.fill('#enrol-code', totp(secret));
  await p.fill('#enrol-current', PASSWORD);
  await p.click('form[action="/account/two-factor"] button[type=submit]');
  await p.waitForSelector('.recovery-codes');
  const codes = await p.locator('.recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  assert.match(codes[0], /^[a-z2-9]{6}(-[a-z2-9]{6}){3}$/);

  await Promise.all([p.waitForURL(server.url + '/'), p.click('.sign-out-form button')]);
  await p.goto(server.url + '/sign-in');
  await p.fill('#login', 'admin');
  await p.fill('#password', PASSWORD);
  await p.click('form.account-form button[type=submit]');
  await p.waitForSelector('#code');
  assert.match(await p.locator('h1').textContent(), /Two-factor sign-in/);
  // The enrolment used this step's code: the next step's is accepted once.
  await p.fill('#code', totp(secret, 1));
  await Promise.all([p.waitForURL(server.url + '/'), p.click('form[action="/sign-in/two-factor"] button[type=submit]')]);
  assert.match(await p.locator('.account-link').textContent(), /admin/);

  await p.goto(server.url + '/account/security');
  const activity = await p.locator('table.events').textContent();
  assert.match(activity, /Two-factor sign-in turned on/);
  assert.match(activity, /Signed in/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});
