/** npm run migrate: applies pending migrations to the configured database and exits. */
import { loadConfig } from '../../fastify.config.js';
import { connectDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfig(process.env);
const db = connectDatabase(config.database);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.destroy();
}
