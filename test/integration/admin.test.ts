import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../../src/paths.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`administration (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let manager: WebClient;

  before(async () => {
    storage = await createStorage();
    // Many sign-ins from one address in a few seconds: lift the per-IP limit for this file.
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000' });
    await hihi.createUser('manager', 'manager-password-1', ['manage_users']);
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    manager = new WebClient(hihi.url);
    await manager.login('manager', 'manager-password-1');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const signIn = async (username: string, password: string) => {
    const web = new WebClient(hihi.url);
    const res = await web.login(username, password);
    return { web, ok: res.status === 303 };
  };
  const userId = async (username: string) => (await hihi.app.deps.users.findByUsername(username))!.id;
  const userAction = (web: WebClient, id: number, fields: Record<string, string>) => web.submit('/admin/users', `/admin/users/${id}`, fields);

  test('only admins and user managers see the users page; only admins the permissions page', async () => {
    await hihi.createUser('plain', 'plain-password-1');
    const { web: plain } = await signIn('plain', 'plain-password-1');
    assert.equal((await admin.get('/admin/users')).status, 200);
    assert.equal((await manager.get('/admin/users')).status, 200);
    assert.equal((await plain.get('/admin/users')).status, 403);
    assert.equal((await admin.get('/admin/permissions')).status, 200);
    assert.equal((await manager.get('/admin/permissions')).status, 403);
    const forged = await plain.submit('/rooms', '/admin/users', { username: 'sneaky', password: 'sneaky-password' });
    assert.equal(forged.status, 403);
    assert.match(await (await admin.get('/rooms')).text(), /href="\/admin\/permissions"/);
    assert.doesNotMatch(await (await plain.get('/rooms')).text(), /href="\/admin\/users"/);
  });

  test('creating users: unicode names, case-insensitive uniqueness, validated fields', async () => {
    const res = await manager.submit('/admin/users', '/admin/users', { username: '小明', password: 'xiaoming-pass', display_name: '小明同学' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Created 小明/);
    assert.ok((await signIn('小明', 'xiaoming-pass')).ok);
    const dup = await admin.submit('/admin/users', '/admin/users', { username: 'PLAIN', password: 'another-pass' });
    assert.equal(dup.status, 409);
    const invalid: Array<Record<string, string>> = [
      { username: 'ok-name', password: 'short' },
      { username: 'a', password: 'long-enough-1' },
      { username: 'has space', password: 'long-enough-1' },
      { username: 'ok-name', password: 'long-enough-1', is_admin: '1' },
    ];
    for (const fields of invalid) {
      assert.equal((await admin.submit('/admin/users', '/admin/users', fields)).status, 400, JSON.stringify(fields));
    }
  });

  test('search and paging', async () => {
    for (let i = 0; i < 27; i++) await hihi.createUser(`pager${String(i).padStart(2, '0')}`, 'pager-password');
    const first = await (await admin.get('/admin/users?q=pager')).text();
    assert.match(first, /Page 1 of 2 \(27 users\)/);
    assert.match(first, /pager00/);
    assert.doesNotMatch(first, /pager26/);
    const second = await (await admin.get('/admin/users?q=pager&page=2')).text();
    assert.match(second, /pager26/);
    assert.doesNotMatch(second, /pager00/);
    assert.equal((await admin.get('/admin/users?page=0')).status, 400);
  });

  test('disabling ends every session and closes sockets with 4003; enabling lets them back', async () => {
    await hihi.createUser('dora', 'dora-password-1');
    const { web: dora } = await signIn('dora', 'dora-password-1');
    const { web: doraPhone } = await signIn('dora', 'dora-password-1');
    const ws1 = await WsClient.connect(hihi.url, { cookie: dora.cookieHeader, origin: hihi.origin });
    const ws2 = await WsClient.connect(hihi.url, { cookie: doraPhone.cookieHeader, origin: hihi.origin });
    const id = await userId('dora');
    assert.equal((await userAction(manager, id, { action: 'disable' })).status, 200);
    assert.equal((await ws1.waitClosed()).code, 4003);
    assert.equal((await ws2.waitClosed()).code, 4003);
    assert.equal((await dora.get('/rooms')).status, 303, 'the session is gone');
    assert.equal((await signIn('dora', 'dora-password-1')).ok, false);
    await assert.rejects(WsClient.connect(hihi.url, { cookie: dora.cookieHeader, origin: hihi.origin }), { status: 401 });
    assert.equal((await userAction(manager, id, { action: 'enable' })).status, 200);
    assert.ok((await signIn('dora', 'dora-password-1')).ok);
  });

  test('resetting a password ends sessions (4001); the old password stops working', async () => {
    await hihi.createUser('reset-me', 'old-password-1');
    const { web } = await signIn('reset-me', 'old-password-1');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    assert.equal((await userAction(admin, await userId('reset-me'), { action: 'reset_password', password: 'new-password-1' })).status, 200);
    assert.equal((await ws.waitClosed()).code, 4001);
    assert.equal((await signIn('reset-me', 'old-password-1')).ok, false);
    assert.ok((await signIn('reset-me', 'new-password-1')).ok);
  });

  test('ending all sessions signs the user out everywhere', async () => {
    await hihi.createUser('many-tabs', 'many-tabs-pass');
    const { web } = await signIn('many-tabs', 'many-tabs-pass');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    assert.equal((await userAction(admin, await userId('many-tabs'), { action: 'end_sessions' })).status, 200);
    assert.equal((await ws.waitClosed()).code, 4001);
    assert.equal((await web.get('/rooms')).status, 303);
  });

  test('deleting a user keeps their messages, shown as a deleted user, and frees the name', async () => {
    await hihi.createUser('leaver', 'leaver-password');
    const { web } = await signIn('leaver', 'leaver-password');
    const room = await admin.createRoom('Farewells');
    await web.get(`/rooms/${room}`);
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    ws.send({ type: 'send', room, clientId: 'bye', body: 'goodbye all' });
    await ws.next('ack');
    const id = await userId('leaver');
    const adminUser = (await hihi.app.deps.users.findById(1))!;
    const dm = await hihi.app.deps.rooms.openDm(adminUser, (await hihi.app.deps.users.findById(id))!);
    assert.equal((await userAction(admin, id, { action: 'delete' })).status, 400, 'needs the confirmation');
    assert.equal((await userAction(admin, id, { action: 'delete', confirm: 'yes' })).status, 200);
    assert.equal((await ws.waitClosed()).code, 4003);
    const { body } = await admin.json<{ messages: Array<{ body: string; user: { name: string } }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(body.messages.map((m) => [m.body, m.user.name]), [['goodbye all', 'deleted user']]);
    const page = await (await admin.get(`/rooms/${room}`)).text();
    assert.match(page, /<bdi class="author">deleted user<\/bdi>/, 'their message stays');
    assert.doesNotMatch(/<ul id="members"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? assert.fail('no member list'), /deleted user|leaver/, 'no longer a member');
    assert.equal(await hihi.app.deps.live.membership.isMember(dm.id, id), true, 'the direct message keeps them, for the other person');
    assert.equal((await signIn('leaver', 'leaver-password')).ok, false);
    assert.equal((await admin.submit('/admin/users', '/admin/users', { username: 'leaver', password: 'new-leaver-pass' })).status, 200, 'the name is free');
  });

  test('user managers cannot touch admins or permissions; nobody disables or deletes themselves', async () => {
    assert.equal((await userAction(manager, 1, { action: 'disable' })).status, 403);
    assert.equal((await userAction(manager, 1, { action: 'reset_password', password: 'hijacked-pass' })).status, 403);
    const grant = await manager.request('POST', '/admin/permissions', { username: 'manager', permission: 'admin', grant: '1', _csrf: 'x' });
    assert.equal(grant.status, 403);
    // A manager holds a permission, so is outside their own reach (admin-ranks.test.ts).
    assert.equal((await userAction(manager, await userId('manager'), { action: 'disable' })).status, 403);
    assert.equal((await userAction(admin, 1, { action: 'disable' })).status, 409);
    assert.equal((await userAction(admin, 1, { action: 'delete', confirm: 'yes' })).status, 409);
    assert.equal((await userAction(admin, 99999, { action: 'disable' })).status, 404);
  });

  test('permissions: grant and revoke take effect at once; the last admin keeps theirs', async () => {
    await hihi.createUser('creator', 'creator-password');
    const { web } = await signIn('creator', 'creator-password');
    const perm = (username: string, permission: string, grant: '0' | '1', by = admin) =>
      by.submit('/admin/permissions', '/admin/permissions', { username, permission, grant });
    assert.equal((await web.submit('/rooms', '/rooms', { name: 'not yet' })).status, 403);
    assert.equal((await perm('creator', 'create_room', '1')).status, 200);
    assert.match(await (await admin.get('/admin/permissions?q=creator')).text(), /aria-pressed="true" title="Revoke: Create rooms"/);
    assert.equal((await web.submit('/rooms', '/rooms', { name: 'now allowed' })).status, 303);
    assert.equal((await perm('creator', 'create_room', '0')).status, 200);
    assert.equal((await web.submit('/rooms', '/rooms', { name: 'not any more' })).status, 403);
    assert.equal((await perm('creator', 'superuser', '1')).status, 400);
    assert.equal((await perm('nobody', 'moderate', '1')).status, 404);

    assert.equal((await perm(ADMIN.username, 'admin', '0')).status, 409, 'the last admin');
    assert.equal((await perm('creator', 'admin', '1')).status, 200);
    assert.equal((await perm(ADMIN.username, 'admin', '0')).status, 200, 'another admin exists now');
    assert.equal((await admin.get('/admin/permissions')).status, 403, 'no longer an admin');
  });

  test('the command line creates an admin or resets a password when nobody can sign in', async () => {
    const env = { ...process.env, ...storage.env, LOG_LEVEL: 'silent' };
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/user.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const created = run('create', 'rescue', '--admin');
    assert.equal(created.status, 0, created.stderr);
    const password = created.stdout.match(/password: (\S+)/)![1]!;
    const rescue = await signIn('rescue', password);
    assert.ok(rescue.ok);
    assert.equal((await rescue.web.get('/admin/permissions')).status, 200);
    const reset = run('reset', 'rescue', '--password', 'chosen-password-1');
    assert.equal(reset.status, 0, reset.stderr);
    assert.equal((await rescue.web.get('/rooms')).status, 303, 'old sessions ended');
    assert.ok((await signIn('rescue', 'chosen-password-1')).ok);
    assert.equal(run('create', 'rescue').status, 1);
    assert.equal(run('bogus').status, 2);
    // Both are in the site audit log, without actor or address.
    const rescueId = (await hihi.app.deps.users.findByUsername('rescue'))!.id;
    const entries = await hihi.app.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'ip']).where('target_id', '=', rescueId).orderBy('id').execute();
    assert.deepEqual(entries, [
      { action: 'user_create', actor_id: null, ip: null },
      { action: 'password_reset', actor_id: null, ip: null },
    ]);
  });
});
