/** The password-change migration: users already there are asked nothing; down and up again work. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUserRepository } from '../../src/modules/users/repository.js';
import { backend } from '../support/backends.js';
import { migrationSuite } from '../support/migrations.js';

const BEFORE = '2026-12-04T10-00_room-invites';

describe(`password-change migration (${backend})`, () => {
  const ctx = migrationSuite();

  test('existing users are not asked to change their password; down removes the column', async () => {
    const { db, migrator } = ctx;
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    await db.insertInto('users').values({ id: 1, username: 'old', username_key: 'old', display_name: 'old', password_hash: 'x', disabled: 0, created_at: 0 }).execute();
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const users = createUserRepository(db);
    assert.equal((await users.findById(1))!.mustChangePassword, false);
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'users')!.columns.map((c) => c.name);
    assert.ok(!columns.includes('must_change_password'), columns.join());
    assert.equal((await migrator.migrateToLatest()).error, undefined);
  });
});
