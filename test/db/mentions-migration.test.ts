/** The mentions migration: stored messages gain `mentions`/`here`, users a notification setting; existing rows get the defaults. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUserRepository } from '../../src/modules/users/repository.js';
import { backend } from '../support/backends.js';
import { migrationSuite } from '../support/migrations.js';

const BEFORE = '2026-12-02T20-00_user-preferences';

describe(`mentions migration (${backend})`, () => {
  const ctx = migrationSuite();

  test('existing users notify of mentions, existing messages have none; down and up again work', async () => {
    const { db, migrator } = ctx;
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    await db.insertInto('users').values({ id: 1, username: 'alice', username_key: 'alice', display_name: 'alice', password_hash: 'x', disabled: 0, created_at: 0 }).execute();
    await db.insertInto('live_messages').values({ room_id: 1, id: 1, ts: 1, user_id: 1, user_name: 'alice', body: 'old', client_id: 'c', deleted: 0 }).execute();

    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const users = createUserRepository(db);
    assert.equal((await users.findById(1))!.notify, 'mentions');
    await users.setNotify(1, 'all');
    assert.equal((await users.findById(1))!.notify, 'all');
    const row = await db.selectFrom('live_messages').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.mentions, Number(row.here)], [null, 0]);

    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    const columns = (await db.introspection.getTables()).flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`));
    for (const c of ['users.notify', 'live_messages.mentions', 'live_messages.here']) assert.ok(!columns.includes(c), c);
    assert.equal((await migrator.migrateToLatest()).error, undefined);
  });
});
