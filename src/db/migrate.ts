import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Db } from './connect.js';

/**
 * Brings the schema up to date. Kysely's Migrator takes a database-level lock (GET_LOCK on
 * MySQL), so several instances starting at once apply each migration exactly once.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
