import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { base32Decode, hotp, timeStep } from '../../src/modules/auth/two-factor/totp.js';
import { ROOT } from '../../src/paths.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import type { SiteAction } from '../../src/modules/audit/log.js';

const ADDRESS = '203.0.113.9';
const DAY = 86_400_000;

/** The site audit log: one entry per action with actor, target and address; the admin page's filters and paging; retention. */
describe(`site audit log (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { TRUST_PROXY: 'true', LOGIN_RATE_PER_MINUTE: '1000', AUDIT_RETENTION_DAYS: '30' });
    admin = new WebClient(hihi.url, { 'x-forwarded-for': ADDRESS });
    assert.equal((await admin.login(ADMIN.username, ADMIN.password)).status, 303);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const deps = () => hihi.app.deps;
  const idOf = async (name: string) => (await deps().users.findByUsername(name))!.id;
  const lastId = async () => Number((await deps().db.selectFrom('audit_log').select('id').orderBy('id', 'desc').executeTakeFirst())?.id ?? 0);
  const userAction = (id: number, fields: Record<string, string>) => admin.submit('/admin/users', `/admin/users/${id}`, fields);
  const newInviteToken = async () => {
    const html = await (await admin.submit('/admin/invites', '/admin/invites', { uses: '1', expiresHours: '1' })).text();
    return html.match(/\/invite\/([A-Za-z0-9_-]{43})"/)![1]!;
  };
  const signUp = (fields: Record<string, string>, page: string) =>
    new WebClient(hihi.url, { 'x-forwarded-for': ADDRESS }).submit(page, '/register', { password: 'long-enough-pass-1', password2: 'long-enough-pass-1', ...fields });
  let room = 0;
  let den = 0;
  const member = (action: 'add' | 'remove') => admin.submit(`/rooms/${den}/moderation`, `/rooms/${den}/members`, { username: 'selfmade', action });

  /** Each action, done through its page, and the target its entry names (the admin unless said). */
  const CASES: Array<{ action: SiteAction; run: () => Promise<Response>; target?: () => Promise<number | null> }> = [
    { action: 'user_create', run: () => admin.submit('/admin/users', '/admin/users', { username: 'audited', password: 'audited-pass-1' }), target: () => idOf('audited') },
    { action: 'user_disable', run: async () => userAction(await idOf('audited'), { action: 'disable' }), target: () => idOf('audited') },
    { action: 'user_enable', run: async () => userAction(await idOf('audited'), { action: 'enable' }), target: () => idOf('audited') },
    { action: 'password_reset', run: async () => userAction(await idOf('audited'), { action: 'reset_password', password: 'another-pass-1' }), target: () => idOf('audited') },
    { action: 'permission_grant', run: () => admin.submit('/admin/permissions', '/admin/permissions', { username: 'audited', permission: 'moderate', grant: '1' }), target: () => idOf('audited') },
    { action: 'permission_revoke', run: () => admin.submit('/admin/permissions', '/admin/permissions', { username: 'audited', permission: 'moderate', grant: '0' }), target: () => idOf('audited') },
    { action: 'room_create', run: async () => { room = await admin.createRoom('Audited room'); return new Response(null, { status: 303 }); }, target: async () => null },
    { action: 'room_archive', run: () => admin.submit(`/rooms/${room}/moderation`, `/rooms/${room}/archive`, { archived: '1' }), target: async () => null },
    { action: 'room_unarchive', run: () => admin.submit(`/rooms/${room}/moderation`, `/rooms/${room}/archive`, { archived: '0' }), target: async () => null },
    { action: 'room_delete', run: () => admin.submit(`/rooms/${room}/moderation`, `/rooms/${room}/delete`, { confirm: 'yes' }), target: async () => null },
    { action: 'settings_change', run: () => admin.submit('/admin/settings', '/admin/settings', { registration: 'open' }), target: async () => null },
    { action: 'user_register', run: () => signUp({ username: 'selfmade' }, '/register'), target: () => idOf('selfmade') },
    { action: 'invite_create', run: async () => { await newInviteToken(); return new Response(null, { status: 200 }); }, target: async () => null },
    {
      action: 'invite_revoke',
      run: async () => {
        const row = await deps().db.selectFrom('invites').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
        return admin.submit('/admin/invites', `/admin/invites/${row.id}/revoke`, {});
      },
      target: async () => null,
    },
    {
      action: 'invite_use',
      run: async () => {
        const token = await newInviteToken();
        const from = await lastId();
        const res = await signUp({ username: 'invited', invite: token }, `/invite/${token}`);
        // The invite's creation is its own entry, written before: only what the sign-up wrote counts.
        await deps().db.deleteFrom('audit_log').where('id', '<=', from).where('action', '=', 'invite_create').execute();
        return res;
      },
      target: () => idOf('invited'),
    },
    {
      action: 'invite_join',
      run: async () => {
        const setUpFrom = await lastId();
        const made = await admin.submit('/rooms', '/rooms', { name: 'Audited den', description: '', visibility: 'private' });
        den = Number(made.headers.get('location')!.split('/').pop());
        const html = await (await admin.submit(`/rooms/${den}/moderation`, `/rooms/${den}/invites`, { uses: '1', expiresHours: '1' })).text();
        const token = html.match(/\/invite\/([A-Za-z0-9_-]{43})"/)![1]!;
        const invited = new WebClient(hihi.url, { 'x-forwarded-for': ADDRESS });
        assert.equal((await invited.login('invited', 'long-enough-pass-1')).status, 303);
        const from = await lastId();
        const res = await invited.submit(`/invite/${token}`, `/invite/${token}/join`, {});
        // The room and the invite are their own entries, written before: only the join counts.
        await deps().db.deleteFrom('audit_log').where('id', '>', setUpFrom).where('id', '<=', from).where('action', 'in', ['room_create', 'invite_create']).execute();
        return res;
      },
      target: () => idOf('invited'),
    },
    { action: 'member_add', run: () => member('add'), target: () => idOf('selfmade') },
    { action: 'member_remove', run: () => member('remove'), target: () => idOf('selfmade') },
    { action: 'user_delete', run: async () => userAction(await idOf('audited'), { action: 'delete', confirm: 'yes' }), target: async () => (await deps().db.selectFrom('users').select('id').where('username', 'like', 'deleted-%').executeTakeFirstOrThrow()).id },
    // Two-factor sign-in: the admin turns it on and off for themself; the shell resets it.
    {
      action: '2fa_enable',
      run: async () => {
        const page = await (await admin.get('/account/2fa')).text();
        const secret = page.match(/id="twofa-secret">([A-Z2-7]+)</)![1]!;
        const res = await admin.request('POST', '/account/2fa', { _csrf: extractCsrf(page), code: hotp(base32Decode(secret), timeStep(Date.now())) });
        recovery = (await res.clone().text()).match(/<li><code>([a-z2-7-]+)<\/code>/)![1]!;
        return res;
      },
      target: () => idOf(ADMIN.username),
    },
    { action: '2fa_disable', run: () => admin.submit('/account', '/account/2fa/disable', { current: ADMIN.password, code: recovery }), target: () => idOf(ADMIN.username) },
    {
      action: '2fa_reset',
      run: async () => {
        const invited = await idOf('invited');
        await deps().twoFactor.beginEnrolment({ id: invited, username: 'invited' });
        await deps().db.updateTable('user_totp').set({ enabled: 1 }).where('user_id', '=', invited).execute();
        const env = { ...process.env, ...storage.env, LOG_LEVEL: 'silent' };
        const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/user.ts', 'reset-2fa', 'invited'], { cwd: ROOT, env, encoding: 'utf8' });
        assert.equal(cli.status, 0, cli.stderr);
        return new Response(null, { status: 200 });
      },
      target: () => idOf('invited'),
    },
  ];
  let recovery = '';

  test('every action writes exactly one entry, with actor, target, address and time', async () => {
    const adminId = await idOf(ADMIN.username);
    const seen = new Set<SiteAction>();
    for (const c of CASES) {
      const from = await lastId();
      const started = Date.now();
      const res = await c.run();
      assert.ok(res.status < 400, `${c.action}: ${res.status}`);
      const rows = await deps().db.selectFrom('audit_log').selectAll().where('id', '>', from).execute();
      assert.equal(rows.length, 1, `${c.action}: ${JSON.stringify(rows)}`);
      const [row] = rows;
      assert.equal(row!.action, c.action);
      const target = await c.target?.();
      assert.equal(row!.target_id === null ? null : Number(row!.target_id), target === null || target === undefined ? null : Number(target), c.action);
      const selfService = c.action === 'user_register' || c.action === 'invite_use' || c.action === 'invite_join';
      // From the server's shell: no actor, no address.
      const fromShell = c.action === '2fa_reset';
      assert.equal(fromShell ? row!.actor_id : Number(row!.actor_id), fromShell ? null : selfService ? Number(target) : adminId, c.action);
      assert.equal(row!.ip, fromShell ? null : ADDRESS, c.action);
      assert.ok(Number(row!.created_at) >= started - 1000, c.action);
      seen.add(c.action);
    }
    // The table covers every action the log knows.
    const { SITE_ACTIONS } = await import('../../src/modules/audit/log.js');
    assert.deepEqual([...seen].sort(), [...SITE_ACTIONS].sort());
  });

  /** The page's rows as [action label, details sentences]. */
  const rowsOf = (html: string) =>
    [...html.matchAll(/<tr>\s*<td>([^<]+)<\/td>[\s\S]*?<td class="audit-details">([\s\S]*?)<\/td>/g)].map((m) => [
      m[1]!,
      [...m[2]!.matchAll(/<span class="audit-line" dir="auto">([^<]*)<\/span>/g)].map((l) => l[1]!.replaceAll('&amp;', '&').replaceAll('&#39;', "'")),
    ] as const);

  test("the page tells each entry's details as sentences in the reader's language", async () => {
    // (The invite_use case above removed the invite_create entries: one written here.)
    await deps().siteAudit.record({ actorId: await idOf(ADMIN.username), targetId: null, action: 'invite_create', ip: null, at: Date.now(), details: { invite: 9, uses: 1, hours: 24, permissions: 'moderate' } });
    const en = new Map(rowsOf(await (await admin.get('/admin/audit')).text()).map(([a, d]) => [a, d]));
    const room = ['Room “Audited room”.'];
    const expected: Record<string, string[]> = {
      'User created': ['Created in the admin area.'],
      'User disabled': [],
      'User enabled': [],
      'Password reset': [],
      'Permission granted': ['Permission: Moderate.'],
      'Permission revoked': ['Permission: Moderate.'],
      'Room created': room,
      'Room archived': room,
      'Room reopened': room,
      'Room deleted': room,
      'Settings changed': ['Who may create an account: changed from nobody to anyone.'],
      'Signed up': ['Signed up on the open sign-up page.'],
      'Invite revoked': ['Invite #1.'],
      'Joined a room with an invite': [`Used invite #3, created by ${ADMIN.username}.`, 'A link to the private room “Audited den”.'],
      'Signed up with an invite': [`Used invite #2, created by ${ADMIN.username}.`],
      'User deleted': ['The account’s username was audited.'],
      'Added to a private room': ['Room “Audited den”.'],
      'Removed from a private room': ['Room “Audited den”.'],
      'Two-factor sign-in turned on': [],
      'Two-factor sign-in turned off': [],
      'Two-factor sign-in reset': ['Done on the server’s command line.'],
    };
    assert.deepEqual(en.get('Invite created'), ['Invite #9: one use, valid for 24 hours.', 'Permissions given: Moderate.']);
    en.delete('Invite created');
    assert.deepEqual(Object.fromEntries(en), expected);

    const zhAdmin = new WebClient(hihi.url, { 'x-forwarded-for': ADDRESS, 'accept-language': 'zh-CN' });
    await zhAdmin.login(ADMIN.username, ADMIN.password);
    const zh = new Map(rowsOf(await (await zhAdmin.get('/admin/audit')).text()));
    assert.deepEqual(zh.get('更改设置'), ['可以创建账户的人：从“没有人”改为“任何人”。']);
    assert.deepEqual(zh.get('创建邀请'), ['邀请 #9：可使用 1 次，有效期 24 小时。', '授予的权限：管理聊天室。']);
    assert.deepEqual(zh.get('重置两步验证'), ['在服务器命令行上执行。']);
    for (const [, lines] of [...en, ...zh]) for (const line of lines) assert.doesNotMatch(line, /=/);

    // A detail no sentence covers: one generic line, the raw text nowhere on the page.
    await deps().siteAudit.record({ actorId: null, targetId: null, action: 'settings_change', ip: null, at: Date.now(), details: { setting: 'future_thing', from: 'a1', to: 'b2' } });
    const html = await (await admin.get('/admin/audit?action=settings_change')).text();
    assert.deepEqual(rowsOf(html)[0], ['Settings changed', ['3 more recorded details are not described here.']]);
    assert.doesNotMatch(html, /future_thing|setting=/);
  });

  test('each row names its people one way: display name and @username, the same for actor and target', async () => {
    const selfmade = await idOf('selfmade');
    const user = (await deps().users.findById(selfmade))!;
    assert.equal(await deps().users.updateSettings(user, { displayName: 'Selma Made', locale: user.locale, theme: user.theme }), 'ok');
    await deps().siteAudit.record({ actorId: selfmade, targetId: selfmade, action: 'password_reset', ip: null, at: Date.now(), details: {} });
    const html = await (await admin.get('/admin/audit')).text();
    const cells = [...html.matchAll(/<td><span class="card-label">(?:By|User)<\/span> ([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    assert.ok(cells.length > 10);
    const person = /^<bdi>[^<]+<\/bdi> <span class="muted">@<bdi>[^<]+<\/bdi><\/span>$/;
    for (const cell of cells.filter((c) => c !== '<span class="muted">automatic</span>')) assert.match(cell, person);
    assert.ok(cells.filter((c) => c === '<bdi>Selma Made</bdi> <span class="muted">@<bdi>selfmade</bdi></span>').length >= 2, 'actor and target alike');
  });

  test('a refused action writes nothing', async () => {
    const from = await lastId();
    await admin.submit('/admin/users', '/admin/users', { username: 'ADMIN', password: 'whatever-pass-1' });
    const self = await idOf(ADMIN.username);
    await userAction(self, { action: 'disable' });
    assert.equal(await lastId(), from);
  });

  test('the page: only admins; filters by action, actor, target and time; paged', async () => {
    await hihi.createUser('mgr', 'mgr-password-1', ['manage_users']);
    const manager = new WebClient(hihi.url);
    await manager.login('mgr', 'mgr-password-1');
    assert.equal((await manager.get('/admin/audit')).status, 403);
    const all = await (await admin.get('/admin/audit')).text();
    assert.match(all, /Room created/);
    assert.match(all, new RegExp(ADDRESS.replaceAll('.', '\\.')));
    const rooms = await (await admin.get('/admin/audit?action=room_create')).text();
    assert.match(rooms, /Room created/);
    assert.doesNotMatch(rooms, /<td>Room deleted<\/td>/);
    const bySelf = await (await admin.get('/admin/audit?actor=selfmade')).text();
    assert.match(bySelf, /<td>Signed up<\/td>/);
    assert.doesNotMatch(bySelf, /<td>Room created<\/td>/);
    assert.match(await (await admin.get('/admin/audit?target=invited')).text(), /Signed up with an invite/);
    assert.match(await (await admin.get('/admin/audit?actor=nobody-at-all')).text(), /No entries match/);
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    assert.match(await (await admin.get(`/admin/audit?from=${tomorrow}`)).text(), /No entries match/);
    assert.match(await (await admin.get(`/admin/audit?from=${today}&to=${today}`)).text(), /Room created/);
    assert.equal((await admin.get('/admin/audit?action=nonsense')).status, 400);
    assert.equal((await admin.get('/admin/audit?from=2026-13-40')).status, 400);

    const adminId = await idOf(ADMIN.username);
    for (let i = 0; i < 60; i++) {
      await deps().siteAudit.record({ actorId: adminId, targetId: null, action: 'invite_revoke', ip: null, at: Date.now(), details: { invite: 10_000 + i } });
    }
    const first = await (await admin.get('/admin/audit?action=invite_revoke')).text();
    assert.equal(first.match(/<td>Invite revoked<\/td>/g)?.length, 50);
    const older = first.match(/href="(\/admin\/audit\?[^"]+)"/)![1]!.replaceAll('&amp;', '&');
    assert.match(older, /action=invite_revoke/);
    const second = await (await admin.get(older)).text();
    // 60 written here and the one of the table above.
    assert.equal(second.match(/<td>Invite revoked<\/td>/g)?.length, 11);
    assert.doesNotMatch(second, /Older entries/);
  });

  test('entries older than AUDIT_RETENTION_DAYS are pruned by the prune job', async () => {
    const old = Date.now() - 31 * DAY;
    await deps().siteAudit.record({ actorId: null, targetId: null, action: 'settings_change', ip: null, at: old, details: { marker: 'old' } });
    await deps().siteAudit.record({ actorId: null, targetId: null, action: 'settings_change', ip: null, at: Date.now() - 29 * DAY, details: { marker: 'kept' } });
    const result = await deps().jobs.prune();
    assert.ok(result && result.auditDeleted >= 1);
    const left = await deps().db.selectFrom('audit_log').select('details').where('action', '=', 'settings_change').execute();
    assert.ok(left.some((r) => r.details.includes('kept')));
    assert.ok(!left.some((r) => r.details.includes('"old"')));
  });
});
