import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN, pairSuite, type RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import type { User } from '../../src/modules/users/repository.js';
import { extractCsrf, WebClient } from '../support/http.js';

// Who may act on whom on the users page (docs/moderation.md "Who may manage whom"), and the
// last-admin rule under concurrent requests (on the shared backends, through two instances).
describe(`user management ranks and the last admin (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  let admin: WebClient;
  let manager: WebClient;
  const pair = pairSuite({ LOGIN_RATE_PER_MINUTE: '1000' });

  before(async () => {
    ({ one, two } = pair);
    await one.createUser('boss', 'boss-password-1', ['manage_users']);
    admin = await signedIn(ADMIN.username, ADMIN.password);
    manager = await signedIn('boss', 'boss-password-1');
  });

  async function signedIn(username: string, password: string, url = one.url): Promise<WebClient> {
    const web = new WebClient(url);
    assert.equal((await web.login(username, password)).status, 303, `${username} signs in`);
    return web;
  }
  const idOf = async (username: string) => (await one.app.deps.users.findByUsername(username))!.id;
  const act = (web: WebClient, id: number, fields: Record<string, string>) => web.submit('/admin/users', `/admin/users/${id}`, fields);
  const actions: Array<Record<string, string>> = [
    { action: 'reset_password', password: 'taken-over-pass-1' },
    { action: 'end_sessions' },
    { action: 'disable' },
    { action: 'delete', confirm: 'yes' },
  ];

  test('a user manager acts only on users holding no permission', async () => {
    for (const permission of ['moderate', 'create_room', 'manage_users'] as const) {
      const name = `holder_${permission}`;
      await one.createUser(name, `${name}-pass-1`, [permission]);
      const id = await idOf(name);
      for (const fields of actions) {
        const res = await act(manager, id, fields);
        assert.equal(res.status, 403, `manager ${fields.action} on a ${permission} holder`);
      }
      // The holder's password still works: nothing was taken over.
      await signedIn(name, `${name}-pass-1`);
    }
    await one.createUser('nobody', 'nobody-pass-1');
    const plain = await idOf('nobody');
    for (const fields of actions) assert.equal((await act(manager, plain, fields)).status, 200, `manager ${fields.action} on a plain user`);
  });

  test('an admin acts on permission holders', async () => {
    await one.createUser('mod_x', 'mod_x-pass-1', ['moderate']);
    const res = await act(admin, await idOf('mod_x'), { action: 'reset_password', password: 'reset-by-admin-1' });
    assert.equal(res.status, 200);
    await signedIn('mod_x', 'reset-by-admin-1');
  });

  test('nobody resets their own password on the users page: the account page asks for the current one', async () => {
    assert.equal((await act(manager, await idOf('boss'), { action: 'reset_password', password: 'no-current-needed-1' })).status, 403);
    assert.equal((await act(admin, await idOf(ADMIN.username), { action: 'reset_password', password: 'no-current-needed-1' })).status, 403);
    await signedIn(ADMIN.username, ADMIN.password);
    await signedIn('boss', 'boss-password-1');
  });

  /** A form post ready to go: its page (and CSRF token) read now, so that posts can leave together. */
  async function ready(web: WebClient, page: string, action: string, fields: Record<string, string>) {
    const csrf = extractCsrf(await (await web.get(page)).text());
    return () => web.request('POST', action, { _csrf: csrf, ...fields });
  }

  /** Two admins, each acting on the other at the same moment, through different instances. */
  async function raceTwoAdmins(tag: string, act: (web: WebClient, otherId: number, otherName: string) => Promise<() => Promise<Response>>) {
    const [a, b] = [`${tag}_a`, `${tag}_b`];
    await one.createUser(a, `${a}-pass-1`, ['admin']);
    await one.createUser(b, `${b}-pass-1`, ['admin']);
    // Only these two are active admins: the first admin steps down for the race.
    await one.app.deps.users.setDisabled(await idOf(ADMIN.username), true);
    try {
      const webA = await signedIn(a, `${a}-pass-1`, one.url);
      const webB = await signedIn(b, `${b}-pass-1`, two.url);
      const [postA, postB] = [await act(webA, await idOf(b), b), await act(webB, await idOf(a), a)];
      const [ra, rb] = await Promise.all([postA(), postB()]);
      const statuses = [ra.status, rb.status];
      assert.equal(await one.app.deps.users.countActiveWith('admin'), 1, `one active admin is left (statuses ${statuses})`);
      // The loser is refused: 409 (last admin) if it was checked first, else 401/403 (no longer an admin).
      assert.equal(statuses.filter((s) => s === 200).length, 1, `exactly one succeeds (statuses ${statuses})`);
    } finally {
      await one.app.deps.users.setDisabled(await idOf(ADMIN.username), false);
      // The loser of the race is left as it is (disabled, deleted or without admin); the winner steps down.
      for (const n of [a, b]) {
        const u = await one.app.deps.users.findByUsername(n);
        if (u) await one.app.deps.users.setPermission(u.id, 'admin', false);
      }
    }
  }

  test('two admins disabling each other at once: one wins, one admin is left', async () => {
    await raceTwoAdmins('dis', (web, id) => ready(web, '/admin/users', `/admin/users/${id}`, { action: 'disable' }));
  });

  test('two admins deleting each other at once: one wins, one admin is left', async () => {
    await raceTwoAdmins('del', (web, id) => ready(web, '/admin/users', `/admin/users/${id}`, { action: 'delete', confirm: 'yes' }));
  });

  test('two admins revoking each other’s admin at once: one wins, one admin is left', async () => {
    await raceTwoAdmins('rev', (web, _id, name) => ready(web, '/admin/permissions', '/admin/permissions', { username: name, permission: 'admin', grant: '0' }));
  });

  test('the same race inside the services (no HTTP in between): one admin is left', async () => {
    for (const [tag, act] of [
      ['sdis', (actor: User, id: number, instance: RunningApp) => instance.app.deps.admin.setDisabled(actor, id, true)],
      ['sdel', (actor: User, id: number, instance: RunningApp) => instance.app.deps.admin.delete(actor, id)],
      ['srev', (actor: User, _id: number, instance: RunningApp, name: string) => instance.app.deps.admin.setPermission(actor, name, 'admin', false)],
    ] as const) {
      await raceTwoAdmins(tag, async (_web, otherId, otherName) => {
        // The actor is the other one's opponent: read both now, act when the race starts.
        const me = (await one.app.deps.users.findByUsername(otherName === `${tag}_a` ? `${tag}_b` : `${tag}_a`))!;
        const instance = otherName === `${tag}_a` ? two : one;
        return () =>
          act(me, otherId, instance, otherName).then(
            () => new Response(null, { status: 200 }),
            (err: { statusCode?: number }) => new Response(null, { status: err.statusCode ?? 500 }),
          );
      });
    }
  });

  test('a permission granted while a manager’s reset is hashing the new password stops the reset', async () => {
    await one.createUser('rising', 'rising-pass-1');
    const id = await idOf('rising');
    const boss = (await one.app.deps.users.findByUsername('boss'))!;
    const reset = one.app.deps.admin.resetPassword(boss, id, 'taken-over-pass-1');
    // The rank check has read "no permission"; the grant lands while argon2 works.
    await new Promise((r) => setTimeout(r, 5));
    await two.app.deps.users.setPermission(id, 'moderate', true);
    await assert.rejects(reset, { statusCode: 403 });
    await signedIn('rising', 'rising-pass-1');
  });

  test('a manager’s disable or delete is refused at the moment of writing when the user holds a permission by then', async () => {
    await one.createUser('climber', 'climber-pass-1', ['create_room']);
    const id = await idOf('climber');
    const users = one.app.deps.users;
    // What the service's check could not see: the permission arrived after it read the user.
    await assert.rejects(users.setDisabled(id, true, { onlyWithoutPermissions: true }), { name: 'HoldsPermissionsError' });
    await assert.rejects(users.markDeleted(id, Date.now(), '!x', { onlyWithoutPermissions: true }), { name: 'HoldsPermissionsError' });
    const stored = (await users.findById(id))!;
    assert.equal(stored.disabled, false);
    assert.equal(stored.deleted, false);
    await signedIn('climber', 'climber-pass-1');
  });
});
