/** A migration test's setup: fresh storage and a Kysely Migrator over the app's migrations, not run yet. */
import { after, before } from 'node:test';
import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { createStorage, testConfig, type Storage } from './app.js';

/** Registers the hooks; read the fields inside tests, once they have run. */
export function migrationSuite(): { storage: Storage; db: Db; migrator: Migrator } {
  const ctx = {} as { storage: Storage; db: Db; migrator: Migrator };
  before(async () => {
    ctx.storage = await createStorage();
    ctx.db = connectDatabase(testConfig(ctx.storage).database);
    ctx.migrator = new Migrator({ db: ctx.db, provider: { getMigrations: async () => migrations } });
  });
  after(async () => {
    await ctx.db?.destroy();
    await ctx.storage?.cleanup();
  });
  return ctx;
}
