import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { redactUrl } from '../../src/logger.js';

/**
 * Registration modes, invite links and sign-up refusals, on two instances of one storage: the
 * setting changed on one holds on the other, an invite's last use taken on both at once goes
 * to exactly one, and the per-address limit counts both instances' attempts together.
 */
describe(`registration and invites (${backend})`, () => {
  // Each test signs up from its own address (X-Forwarded-For behind a trusted proxy).
  const ctx = pairSuite({ TRUST_PROXY: 'true', REGISTER_RATE_PER_HOUR: '4', LOGIN_RATE_PER_MINUTE: '1000' });
  let address = 0;
  const visitor = (url: string, ip = `198.51.100.${++address}`) => new WebClient(url, { 'x-forwarded-for': ip });
  const adminOn = async (url: string) => {
    const web = new WebClient(url, { 'x-forwarded-for': '192.0.2.1' });
    assert.equal((await web.login(ADMIN.username, ADMIN.password)).status, 303);
    return web;
  };
  const setMode = async (mode: 'closed' | 'invite' | 'open') => {
    const admin = await adminOn(ctx.one.url);
    const res = await admin.submit('/admin/settings', '/admin/settings', { registration: mode });
    assert.equal(res.status, 200);
  };
  const signUp = (web: WebClient, fields: Record<string, string>, page = '/register') =>
    web.submit(page, '/register', { password: 'long-enough-pass-1', password2: 'long-enough-pass-1', ...fields });
  /** Creates an invite on /admin/invites and returns its token (shown once on the page). */
  const createInvite = async (web: WebClient, fields: Record<string, string> = {}) => {
    const res = await web.submit('/admin/invites', '/admin/invites', { uses: '1', expiresHours: '24', ...fields });
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const m = html.match(/\/invite\/([A-Za-z0-9_-]{43})"/);
    assert.ok(m, 'the new link is on the page');
    return m[1]!;
  };
  const signedInAs = async (web: WebClient) => {
    const res = await web.get('/rooms');
    if (res.status !== 200) return undefined;
    return (await res.text()).match(/Signed in as ([^<]+)</)?.[1];
  };

  test('closed (the default): a page that says so, no link on the sign-in page, no account made', async () => {
    const web = visitor(ctx.two.url);
    const page = await web.get('/register');
    assert.equal(page.status, 403);
    assert.match(await page.text(), /Registration is closed/);
    assert.doesNotMatch(await (await web.get('/login')).text(), /href="\/register"/);
    const res = await signUp(web, { username: 'closedcomer' }, '/login');
    assert.equal(res.status, 403);
    assert.equal(await ctx.one.app.deps.users.findByUsername('closedcomer'), undefined);
  });

  test('open: changed on one instance, the other links to the form and signs the new user in', async () => {
    await setMode('open');
    const web = visitor(ctx.two.url);
    assert.match(await (await web.get('/login')).text(), /href="\/register"/);
    const res = await signUp(web, { username: 'newcomer' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/rooms');
    assert.equal(await signedInAs(web), 'newcomer');
    const mismatch = await signUp(visitor(ctx.one.url), { username: 'mismatched', password2: 'something-else-1' });
    assert.equal(mismatch.status, 400);
    assert.match(await mismatch.text(), /The two passwords differ/);
    const weak = await signUp(visitor(ctx.one.url), { username: 'weakling', password: 'password123', password2: 'password123' });
    assert.equal(weak.status, 400);
  });

  test('names of existing or disabled accounts are refused, in any case, and lookalikes too', async () => {
    await setMode('open');
    const disabled = await ctx.one.createUser('Sleeper', 'sleeper-password-1');
    await ctx.one.app.deps.users.setDisabled(disabled.id, true);
    await ctx.one.createUser('paypal', 'paypal-password-1');
    for (const [username, status] of [['admin', 400], ['ADMIN', 400], ['sleeper', 409], ['SLEEPER', 409], ['PayPal', 409], ['paypa1', 409]] as const) {
      const res = await signUp(visitor(ctx.two.url), { username });
      assert.equal(res.status, status, username);
    }
    assert.equal((await ctx.one.app.deps.users.findByUsername('sleeper'))!.id, disabled.id);
  });

  test('invite mode: the form needs an invite; a link opens it and grants rooms and, from an admin, permissions', async () => {
    await setMode('invite');
    const plain = visitor(ctx.one.url);
    const refused = await plain.get('/register');
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /by invitation only/);
    const admin = await adminOn(ctx.one.url);
    const room = await admin.createRoom('Welcome hall');
    const token = await createInvite(admin, { permission: 'create_room', room: String(room) });
    const web = visitor(ctx.two.url);
    const form = await web.get(`/invite/${token}`);
    assert.equal(form.status, 200);
    assert.match(await form.text(), new RegExp(`name="invite" value="${token}"`));
    const res = await signUp(web, { username: 'invitee', invite: token }, `/invite/${token}`);
    assert.equal(res.status, 303);
    const user = (await ctx.one.app.deps.users.findByUsername('invitee'))!;
    assert.deepEqual(user.permissions, ['create_room']);
    assert.ok(await ctx.one.app.deps.live.membership.isMember(room, user.id));
    // Used up now.
    const again = await visitor(ctx.one.url).get(`/invite/${token}`);
    assert.equal(again.status, 403);
    assert.match(await again.text(), /expired, been used up or been revoked/);
    assert.equal((await visitor(ctx.one.url).get('/invite/not-a-token')).status, 403);
    // The request log never holds a token.
    assert.equal(redactUrl(`/invite/${token}`), '/invite/[redacted]');
  });

  test("an invite granting permissions works only while its creator is still an active admin", async () => {
    await setMode('invite');
    const boss = await ctx.one.createUser('boss2', 'boss2-password-1', ['admin']);
    const web = visitor(ctx.one.url, '192.0.2.4');
    await web.login('boss2', 'boss2-password-1');
    const granting = await createInvite(web, { permission: 'moderate' });
    const plain = await createInvite(web);
    await ctx.one.app.deps.users.setPermission(boss.id, 'admin', false);
    await ctx.one.app.deps.events.control({ type: 'user-changed', userId: boss.id });
    assert.equal((await visitor(ctx.two.url).get(`/invite/${granting}`)).status, 403);
    assert.equal((await signUp(visitor(ctx.two.url), { username: 'promoted', invite: granting }, '/login')).status, 409);
    assert.equal(await ctx.one.app.deps.users.findByUsername('promoted'), undefined);
    assert.equal((await signUp(visitor(ctx.two.url), { username: 'plainjoin', invite: plain }, `/invite/${plain}`)).status, 303);
  });

  test('a user manager creates invites without permissions only', async () => {
    await setMode('invite');
    await ctx.one.createUser('inviter', 'inviter-password-1', ['manage_users']);
    const manager = visitor(ctx.one.url, '192.0.2.2');
    await manager.login('inviter', 'inviter-password-1');
    const page = await (await manager.get('/admin/invites')).text();
    assert.doesNotMatch(page, /name="permission"/);
    const forged = await manager.submit('/admin/invites', '/admin/invites', { uses: '1', expiresHours: '1', permission: 'moderate' });
    assert.equal(forged.status, 403);
    assert.ok(await createInvite(manager));
    const plainUser = await ctx.one.createUser('noinvites', 'noinvites-password-1');
    assert.ok(plainUser);
    const plain = visitor(ctx.one.url, '192.0.2.3');
    await plain.login('noinvites', 'noinvites-password-1');
    assert.equal((await plain.get('/admin/invites')).status, 403);
  });

  test('expired and revoked invites are refused, and a revoked link shows the same page', async () => {
    await setMode('invite');
    const admin = await adminOn(ctx.one.url);
    const revoked = await createInvite(admin);
    const row = await ctx.one.app.deps.db.selectFrom('invites').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal((await admin.submit('/admin/invites', `/admin/invites/${row.id}/revoke`, {})).status, 200);
    const res = await signUp(visitor(ctx.two.url), { username: 'toolate', invite: revoked }, `/invite/${revoked}`);
    assert.equal(res.status, 409);
    const expired = await createInvite(admin);
    await ctx.one.app.deps.db.updateTable('invites').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', (await import('../../src/modules/registration/invites.js')).hashToken(expired)).execute();
    assert.equal((await visitor(ctx.two.url).get(`/invite/${expired}`)).status, 403);
    assert.equal(await ctx.one.app.deps.users.findByUsername('toolate'), undefined);
    // Stored hashed: the token itself is nowhere in the table.
    const hashes = await ctx.one.app.deps.db.selectFrom('invites').select('token_hash').execute();
    assert.ok(hashes.every((h) => h.token_hash !== revoked && /^[0-9a-f]{64}$/.test(h.token_hash)));
  });

  test('the last use, taken on two instances at once, goes to exactly one', async () => {
    await setMode('invite');
    const admin = await adminOn(ctx.one.url);
    for (let round = 0; round < 3; round++) {
      const token = await createInvite(admin, { uses: '2' });
      assert.equal((await signUp(visitor(ctx.one.url), { username: `first${round}`, invite: token }, `/invite/${token}`)).status, 303);
      const [a, b] = await Promise.all([
        signUp(visitor(ctx.one.url), { username: `racea${round}`, invite: token }, `/invite/${token}`),
        signUp(visitor(ctx.two.url), { username: `raceb${round}`, invite: token }, `/invite/${token}`),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [303, 409], `round ${round}`);
      const made = [await ctx.one.app.deps.users.findByUsername(`racea${round}`), await ctx.one.app.deps.users.findByUsername(`raceb${round}`)].filter(Boolean);
      assert.equal(made.length, 1);
      const uses = await ctx.one.app.deps.db.selectFrom('invites').select(['uses', 'max_uses']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(Number(uses.uses), 2);
    }
  });

  test('sign-ups are limited per address across instances', async () => {
    await setMode('open');
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? ctx.one.url : ctx.two.url;
      statuses.push((await signUp(visitor(url, ip), { username: `limited${i}` })).status);
    }
    assert.deepEqual(statuses, [303, 303, 303, 303, 429]);
    // Another address is not affected.
    assert.equal((await signUp(visitor(ctx.two.url), { username: 'elsewhere' })).status, 303);
    await setMode('closed');
  });
});
