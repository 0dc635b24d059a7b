/**
 * The confusable-names migration fills `name_skeletons` for existing users and rooms. Names that
 * now collide are all kept: the oldest holds the skeleton, later ones keep working.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, startApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { migrationSuite } from '../support/migrations.js';
import { WebClient } from '../support/http.js';

const BEFORE = '2026-11-30T00-00_prune-index';

describe(`confusable-names migration (${backend})`, () => {
  const ctx = migrationSuite();

  test('existing lookalikes are kept, the oldest holds the name; down and up again work', async () => {
    const { db, migrator } = ctx;
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    const user = (id: number, username: string, display: string) => ({
      id,
      username,
      username_key: username.toLowerCase(),
      display_name: display,
      password_hash: 'x',
      disabled: 0,
      created_at: 0,
    });
    await db
      .insertInto('users')
      .values([user(1, 'alice', 'Alice'), user(2, 'аlice' /* Cyrillic а */, 'аlice'), user(3, 'bob', 'ALICE'), user(4, 'carol', 'Carol')])
      .execute();
    const room = (id: number, name: string) => ({ id, name, name_key: name.toLowerCase(), description: '', owner_id: 1, created_at: 0 });
    await db.insertInto('rooms').values([room(1, 'general'), room(2, 'gеneral' /* Cyrillic е */), room(3, 'random')]).execute();

    const { error } = await migrator.migrateToLatest();
    assert.equal(error, undefined);
    const rows = await db.selectFrom('name_skeletons').selectAll().orderBy('kind').orderBy('skeleton').execute();
    const owners = (kind: string) => Object.fromEntries(rows.filter((r) => r.kind === kind).map((r) => [r.skeleton, Number(r.owner_id)]));
    assert.deepEqual(owners('user'), { alice: 1, allce: 3, bob: 3, carol: 4 }, 'alice held by the oldest; users 2 and 3 keep their names (ALICE as typed: allce)');
    assert.deepEqual(owners('room'), { general: 1, randorn: 3 }, 'm is mapped to rn');
    assert.equal((await db.selectFrom('rooms').select('id').execute()).length, 3, 'no room was dropped');

    // Down past this migration (not only the newest one), and up again.
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.equal((await db.selectFrom('name_skeletons').select('skeleton').execute()).length, rows.length);
  });

  test('after it, the app refuses new lookalikes of names that existed before', async () => {
    const { storage } = ctx;
    const hihi = await startApp(storage);
    try {
      // The first admin is created only into an empty users table: make one to sign in with.
      await hihi.createUser(ADMIN.username, ADMIN.password, ['admin']);
      const admin = new WebClient(hihi.url);
      await admin.login(ADMIN.username, ADMIN.password);
      assert.equal((await admin.submit('/rooms', '/rooms', { name: 'GENERAL' })).status, 409);
      assert.equal((await admin.submit('/rooms', '/rooms', { name: 'rаndom' })).status, 400);
      assert.equal((await admin.submit('/rooms', '/rooms', { name: 'Random' })).status, 409);
      const created = await admin.submit('/admin/users', '/admin/users', { username: 'aIice', password: 'a-long-password-9' });
      assert.equal(created.status, 409);
      assert.equal((await admin.get('/rooms/2')).status, 200, 'the kept lookalike room still works');
    } finally {
      await hihi.close();
    }
  });
});
