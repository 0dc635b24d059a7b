import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../fastify.config.js';
import { base32Decode, hotp, timeStep } from '../../src/modules/auth/two-factor/totp.js';
import { ROOT } from '../../src/paths.js';
import { ADMIN, createStorage, pairSuite, startApp, testConfig, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** The code of the step `offset` steps from now (the server accepts one step either side). */
const codeAt = (secret: string, offset = 0, at = Date.now()) => hotp(base32Decode(secret), timeStep(at) + offset);

/** Signs in with the password: the session then holds only the pending second step. */
async function passwordStep(base: string, username: string, password: string, headers: Record<string, string> = {}): Promise<WebClient> {
  const web = new WebClient(base, headers);
  const res = await web.login(username, password);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login/2fa');
  return web;
}

const secondStep = (web: WebClient, code: string) => web.submit('/login/2fa', '/login/2fa', { code });

/** Turns two-factor on from the account page; returns the secret (read from the page) and the recovery codes. */
async function enrol(web: WebClient): Promise<{ secret: string; codes: string[]; used: string }> {
  const page = await (await web.get('/account/2fa')).text();
  const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
  assert.match(page, /<img class="twofa-qr" src="data:image\/svg\+xml;base64,/, 'the QR code is inline, made here');
  const used = codeAt(secret);
  const res = await web.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: used });
  assert.equal(res.status, 200);
  const html = await res.text();
  const codes = [...html.matchAll(/<li><code>([a-z2-7-]+)<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 10);
  return { secret, codes, used };
}

describe(`two-factor sign-in (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  const pair = pairSuite({ LOGIN_RATE_PER_MINUTE: '1000' });

  before(() => {
    ({ one, two } = pair);
  });

  test('enrolment: a wrong code is refused, the right one turns it on; the stored secret is encrypted', async () => {
    const u = await one.createUser('tess', 'tess-password-1');
    const web = new WebClient(one.url);
    assert.equal((await web.login('tess', 'tess-password-1')).status, 303);
    const page = await (await web.get('/account/2fa')).text();
    const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
    assert.equal(secret.length, 32);
    // A reload shows the same secret (an app that scanned the first page still confirms).
    assert.match(await (await web.get('/account/2fa')).text(), new RegExp(secret));
    const wrongCode = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await web.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: wrongCode });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /That code does not match\. Check the current code in your app and try again\./);
    assert.equal(await one.app.deps.twoFactor.enabled(u.id), false);
    const bad = await web.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: 'x'.repeat(65) });
    assert.equal(bad.status, 400);
    const right = await web.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: codeAt(secret) });
    assert.equal(right.status, 200);
    assert.match(await right.text(), /recovery codes/);
    assert.equal(await one.app.deps.twoFactor.enabled(u.id), true);
    // At rest: neither the base32 secret nor its bytes, but AES-GCM output.
    const row = await one.app.deps.db.selectFrom('user_totp').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    assert.ok(!row.secret_enc.includes(secret));
    assert.match(row.secret_enc, /^v1\.[A-Za-z0-9_-]+$/);
    const hashes = await one.app.deps.db.selectFrom('user_recovery_codes').select('code_hash').where('user_id', '=', u.id).execute();
    assert.equal(hashes.length, 10);
    assert.ok(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.code_hash)));
    // The account page says it is on; the enrolment page sends back there.
    assert.match(await (await web.get('/account')).text(), /Recovery codes left: 10/);
    assert.equal((await web.get('/account/2fa')).status, 303);
    const audit = await one.app.deps.db.selectFrom('audit_log').select(['action', 'actor_id']).where('target_id', '=', u.id).execute();
    assert.deepEqual(audit, [{ action: '2fa_enable', actor_id: u.id }]);
  });

  test('sign-in asks for the code; a wrong or replayed code is refused, also on the other instance', async () => {
    await one.createUser('uma', 'uma-password-1');
    const first = new WebClient(one.url);
    await first.login('uma', 'uma-password-1');
    const { secret, used } = await enrol(first);
    // The code that confirmed enrolment, again inside its window: a replay.
    const web = await passwordStep(one.url, 'uma', 'uma-password-1');
    assert.equal((await secondStep(web, used)).status, 400, 'the code used to enrol is spent');
    const wrongCode = '000000' === codeAt(secret, 1) ? '111111' : '000000';
    const wrong = await secondStep(web, wrongCode);
    assert.equal(wrong.status, 400);
    // The message says the way out for someone without the app: a recovery code (en and zh-CN).
    assert.match(await wrong.text(), /That code does not match\. Check the current code in your app and try again, or enter one of your recovery codes instead\./);
    const zh = await passwordStep(one.url, 'uma', 'uma-password-1', { 'accept-language': 'zh-CN' });
    assert.match(await (await secondStep(zh, wrongCode)).text(), /验证码不匹配。请查看验证器应用中当前的验证码后重试，或改为输入一个恢复码。/);
    // The next step's code, sent to both instances at once: exactly one accepts it.
    const other = await passwordStep(two.url, 'uma', 'uma-password-1');
    const code = codeAt(secret, 1);
    const [a, b] = await Promise.all([secondStep(web, code), secondStep(other, code)]);
    assert.deepEqual([a.status, b.status].sort(), [303, 400]);
    const winner = a.status === 303 ? web : other;
    assert.equal((await winner.get('/rooms')).status, 200);
    const loser = winner === web ? other : web;
    assert.equal((await loser.get('/rooms')).headers.get('location'), '/login/2fa');
  });

  test('a recovery code works once, not twice', async () => {
    await one.createUser('vic', 'vic-password-1');
    const first = new WebClient(one.url);
    await first.login('vic', 'vic-password-1');
    const { codes } = await enrol(first);
    const web = await passwordStep(one.url, 'vic', 'vic-password-1');
    // Typed in capitals and without dashes: still the code.
    const ok = await secondStep(web, codes[3]!.toUpperCase().replace(/-/g, ''));
    assert.equal(ok.status, 303);
    assert.equal((await web.get('/rooms')).status, 200);
    const again = await passwordStep(two.url, 'vic', 'vic-password-1');
    assert.equal((await secondStep(again, codes[3]!)).status, 400);
    assert.equal((await secondStep(again, codes[4]!)).status, 303);
    assert.match(await (await again.get('/account')).text(), /Recovery codes left: 8/);
  });

  test('the pending state grants nothing: pages send to the second step, the websocket is refused', async () => {
    await one.createUser('wes', 'wes-password-1');
    const first = new WebClient(one.url);
    await first.login('wes', 'wes-password-1');
    await enrol(first);
    const web = await passwordStep(two.url, 'wes', 'wes-password-1');
    const rooms = await web.get('/rooms');
    assert.equal(rooms.status, 303);
    assert.equal(rooms.headers.get('location'), '/login/2fa');
    assert.equal((await web.get('/account')).headers.get('location'), '/login/2fa');
    assert.equal((await web.json('/rooms/1/messages')).status, 401);
    await assert.rejects(WsClient.connect(two.url, { cookie: web.cookieHeader, origin: two.origin }), { status: 401 });
    // The enrolment-at-sign-in page is not this session's either.
    assert.equal((await web.get('/login/2fa/setup')).headers.get('location'), '/login/2fa');
    // Without a pending state, the second step sends to the password.
    assert.equal((await new WebClient(one.url).get('/login/2fa')).headers.get('location'), '/login');
  });

  test('the second step is rate-limited per account, on every instance together', async () => {
    await one.createUser('xia', 'xia-password-1');
    const first = new WebClient(one.url);
    await first.login('xia', 'xia-password-1');
    const { secret } = await enrol(first);
    const a = await passwordStep(one.url, 'xia', 'xia-password-1');
    const b = await passwordStep(two.url, 'xia', 'xia-password-1');
    const csrfs = await Promise.all([a, b].map(async (w) => extractCsrf(await (await w.get('/login/2fa')).text())));
    const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).request('POST', '/login/2fa', { _csrf: csrfs[i % 2]!, code: `99999${i}` })));
    const statuses = tries.map((r) => r.status).sort();
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429, 429], `statuses ${statuses}`);
    const limited = tries.find((r) => r.status === 429)!;
    assert.ok(Number(limited.headers.get('retry-after')) > 60);
    assert.match(await limited.text(), /Too many wrong codes/);
    assert.equal((await secondStep(a, codeAt(secret, 1))).status, 429, 'even the right code waits');
  });

  test('disable needs the password and a code; the CLI resets a locked-out user', async () => {
    const u = await one.createUser('yan', 'yan-password-1');
    const web = new WebClient(one.url);
    await web.login('yan', 'yan-password-1');
    const { secret, codes } = await enrol(web);
    const noPassword = await web.submit('/account', '/account/2fa/disable', { current: 'wrong', code: codes[0]! });
    assert.equal(noPassword.status, 400);
    assert.match(await noPassword.text(), /not your current password/);
    const noCode = await web.submit('/account', '/account/2fa/disable', { current: 'yan-password-1', code: '12345' });
    assert.equal(noCode.status, 400);
    assert.equal(await one.app.deps.twoFactor.enabled(u.id), true);
    const off = await web.submit('/account', '/account/2fa/disable', { current: 'yan-password-1', code: codes[0]! });
    assert.equal(off.status, 200);
    assert.match(await off.text(), /Two-factor sign-in is now off/);
    assert.equal(await one.app.deps.twoFactor.enabled(u.id), false);
    assert.equal((await new WebClient(one.url).login('yan', 'yan-password-1')).headers.get('location'), '/rooms');
    // On again, then the operator resets it from the shell.
    void secret;
    await enrol(web);
    await passwordStep(one.url, 'yan', 'yan-password-1');
    const env = { ...process.env, ...pair.storage.env, LOG_LEVEL: 'silent' };
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/user.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const reset = run('reset-2fa', 'yan');
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /two-factor sign-in reset for yan/);
    assert.equal(run('reset-2fa', 'nobody-here').status, 1);
    assert.equal((await new WebClient(two.url).login('yan', 'yan-password-1')).headers.get('location'), '/rooms');
    const audit = await one.app.deps.db.selectFrom('audit_log').select(['action', 'actor_id']).where('target_id', '=', u.id).orderBy('id').execute();
    assert.deepEqual(audit, [
      { action: '2fa_enable', actor_id: u.id },
      { action: '2fa_disable', actor_id: u.id },
      { action: '2fa_enable', actor_id: u.id },
      { action: '2fa_reset', actor_id: null },
    ]);
  });

  test('a pending second step ends when the password changes (own page, an admin) or two-factor is turned off', async () => {
    const pia = await one.createUser('pia', 'pia-password-1');
    const first = new WebClient(one.url);
    await first.login('pia', 'pia-password-1');
    const { secret } = await enrol(first);
    const code = codeAt(secret, 1);
    /** The second step's form, opened before the change. */
    const opened = async (pending: WebClient) => extractCsrf(await (await pending.get('/login/2fa')).text());
    /** The second step with a right code: refused, the session back at the password. */
    async function ended(pending: WebClient, csrf: string) {
      const res = await pending.request('POST', '/login/2fa', { _csrf: csrf, code });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/login');
      assert.equal((await pending.get('/login/2fa')).headers.get('location'), '/login', 'nothing pending any more');
      assert.equal((await pending.get('/rooms')).headers.get('location'), '/login?next=%2Frooms');
    }

    // Her own password change on one instance (other sessions not ended): the pending one on the other ends.
    const before = await passwordStep(two.url, 'pia', 'pia-password-1');
    const form = await opened(before);
    const changed = await first.submit('/account', '/account/password', { current: 'pia-password-1', password: 'pia-password-2' });
    assert.equal(changed.status, 200);
    await ended(before, form);
    // The code was not spent on it: with the new password it signs in.
    const fresh = await passwordStep(one.url, 'pia', 'pia-password-2');
    assert.equal((await secondStep(fresh, code)).status, 303);
    assert.equal((await fresh.get('/rooms')).status, 200);

    // An admin sets a new password.
    const pending = await passwordStep(two.url, 'pia', 'pia-password-2');
    const pendingForm = await opened(pending);
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    assert.equal((await admin.submit('/admin/users', `/admin/users/${pia.id}`, { action: 'reset_password', password: 'pia-password-3' })).status, 200);
    await ended(pending, pendingForm);

    // Two-factor turned off (as the account page and the command line do).
    const waiting = await passwordStep(one.url, 'pia', 'pia-password-3');
    assert.equal(await one.app.deps.twoFactor.disable(pia.id, { ip: null }), true);
    assert.equal((await waiting.get('/login/2fa')).headers.get('location'), '/login');
    assert.equal((await waiting.get('/rooms')).headers.get('location'), '/login?next=%2Frooms');
  });

  test("an admin's pending enrolment at sign-in ends when their password changes", async () => {
    const quin = await one.createUser('quin', 'quin-password-1', ['admin']);
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    await admin.submit('/admin/settings', '/admin/settings', { registration: 'closed', require_admin_2fa: '1' });
    try {
      const web = new WebClient(two.url);
      assert.equal((await web.login('quin', 'quin-password-1')).headers.get('location'), '/login/2fa/setup');
      const page = await (await web.get('/login/2fa/setup')).text();
      const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
      assert.equal(await one.app.deps.users.setPasswordHash(quin.id, await one.app.deps.hasher.hash('quin-password-2')), true);
      const done = await web.request('POST', '/login/2fa/setup', { _csrf: extractCsrf(page), code: codeAt(secret) });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), '/login');
      assert.equal(await one.app.deps.twoFactor.enabled(quin.id), false, 'whoever held the old password set up no second factor');
      assert.equal((await web.get('/rooms')).headers.get('location'), '/login?next=%2Frooms');
    } finally {
      await admin.submit('/admin/settings', '/admin/settings', { registration: 'closed' });
    }
  });

  test('the site setting makes admins enrol at their next sign-in, before anything else', async () => {
    await one.createUser('zed', 'zed-password-1', ['admin']);
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const saved = await admin.submit('/admin/settings', '/admin/settings', { registration: 'closed', require_admin_2fa: '1' });
    assert.equal(saved.status, 200);
    assert.equal(await one.app.deps.settings.requireAdmin2fa(), true);
    const web = new WebClient(two.url);
    const res = await web.login('zed', 'zed-password-1');
    assert.equal(res.headers.get('location'), '/login/2fa/setup');
    assert.equal((await web.get('/rooms')).headers.get('location'), '/login/2fa/setup');
    assert.equal((await web.get('/admin/settings')).headers.get('location'), '/login/2fa/setup');
    await assert.rejects(WsClient.connect(two.url, { cookie: web.cookieHeader, origin: two.origin }), { status: 401 });
    const page = await (await web.get('/login/2fa/setup')).text();
    assert.match(page, /requires administrators to use two-factor/);
    const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
    assert.equal((await web.request('POST', '/login/2fa/setup', { _csrf: extractCsrf(page), code: '000000' === codeAt(secret) ? '111111' : '000000' })).status, 400);
    const done = await web.request('POST', '/login/2fa/setup', { _csrf: extractCsrf(page), code: codeAt(secret) });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /recovery codes/);
    assert.equal((await web.get('/rooms')).status, 200, 'signed in once enrolled');
    // Users who are not admins are not asked.
    await one.createUser('plain', 'plain-password-1');
    assert.equal((await new WebClient(one.url).login('plain', 'plain-password-1')).headers.get('location'), '/rooms');
    // Turned off again for the other tests' admin sign-ins.
    await admin.submit('/admin/settings', '/admin/settings', { registration: 'closed' });
    assert.equal(await one.app.deps.settings.requireAdmin2fa(), false);
  });
});

describe(`two-factor: a pending second step expires (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let clock = Date.now();
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, {}, { now: () => clock });
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('after five minutes the code is not asked any more: back to the password', async () => {
    await hihi.createUser('abe', 'abe-password-1');
    const web = new WebClient(hihi.url);
    await web.login('abe', 'abe-password-1');
    const page = await (await web.get('/account/2fa')).text();
    const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
    assert.equal((await web.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: codeAt(secret, 0, clock) })).status, 200);
    const pending = await passwordStep(hihi.url, 'abe', 'abe-password-1');
    const csrf = extractCsrf(await (await pending.get('/login/2fa')).text());
    clock += 5 * 60_000 + 1000;
    const late = await pending.request('POST', '/login/2fa', { _csrf: csrf, code: codeAt(secret, 0, clock) });
    assert.equal(late.status, 303);
    assert.equal(late.headers.get('location'), '/login');
    assert.equal((await pending.get('/rooms')).headers.get('location'), '/login?next=%2Frooms');
  });
});

describe('configuration: ENCRYPTION_KEY', () => {
  test('production refuses to start without it, naming it', () => {
    const env = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://chat.example.org' };
    assert.throws(() => loadConfig(env), /ENCRYPTION_KEY: required when NODE_ENV=production/);
    assert.throws(() => loadConfig({ ...env, ENCRYPTION_KEY: 'short' }), /ENCRYPTION_KEY: must be at least 32 characters/);
    assert.equal(loadConfig({ ...env, ENCRYPTION_KEY: 'k'.repeat(40) }).encryptionKey, 'k'.repeat(40));
    void testConfig;
  });
});
