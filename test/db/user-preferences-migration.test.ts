/** The user-preferences migration adds each user's language and theme; existing users follow their browser and system. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUserRepository } from '../../src/modules/users/repository.js';
import { backend } from '../support/backends.js';
import { migrationSuite } from '../support/migrations.js';

const BEFORE = '2026-12-02T00-00_confusable-names';

describe(`user-preferences migration (${backend})`, () => {
  const ctx = migrationSuite();

  test('existing users get the defaults; a legacy lookalike can still rename; down and up again work', async () => {
    const { db, migrator } = ctx;
    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    const user = (id: number, username: string) => ({ id, username, username_key: username, display_name: username, password_hash: 'x', disabled: 0, created_at: 0 });
    await db.insertInto('users').values([user(1, 'alice'), user(2, 'bob')]).execute();
    // As the confusable-names migration leaves two old lookalikes: the oldest holds the skeleton.
    await db.insertInto('name_skeletons').values([{ kind: 'user', skeleton: 'alice', owner_id: 1 }]).execute();
    await db.insertInto('users').values(user(3, 'aIice')).execute();

    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const users = createUserRepository(db);
    const alice = (await users.findById(1))!;
    assert.deepEqual({ locale: alice.locale, theme: alice.theme }, { locale: null, theme: 'system' });
    // The later lookalike renames: the new name is claimed, the username's held skeleton left to its holder.
    const legacy = (await users.findById(3))!;
    assert.equal(await users.updateSettings(legacy, { displayName: 'Ivy', locale: 'zh-CN', theme: 'dark' }), 'ok');
    const owners = await db.selectFrom('name_skeletons').select(['skeleton', 'owner_id']).orderBy('skeleton').execute();
    const owner = Object.fromEntries(owners.map((r) => [r.skeleton, Number(r.owner_id)]));
    assert.equal(owner.alice, 1, 'still the oldest lookalike’s');
    assert.equal(owner.ivy, 3);
    assert.deepEqual((await users.findById(3))!.theme, 'dark');

    assert.equal((await migrator.migrateTo(BEFORE)).error, undefined);
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'users')!.columns.map((c) => c.name);
    assert.ok(!columns.includes('theme') && !columns.includes('locale'), columns.join());
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.equal((await users.findById(3))!.theme, 'system');
  });
});
