import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { Config } from '../../fastify.config.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** Pages of write-ahead log (4 KiB each) after which a commit checkpoints. */
const WAL_CHECKPOINT_PAGES = 250;

/** Opens the configured database: a SQLite file under DATA_DIR, or a MySQL pool. */
export function connectDatabase(database: Config['database']): Db {
  if (database.kind === 'mysql') {
    const pool = createPool({
      uri: database.url,
      connectionLimit: database.poolSize,
      charset: 'utf8mb4_unicode_ci',
      // Fail fast instead of queueing forever when MySQL is down.
      connectTimeout: 5000,
      enableKeepAlive: true,
    });
    return new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  const sqlite = new SQLite(database.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // A checkpoint (the log copied back into the database file, with its fsyncs) runs in the
  // commit that takes the log past this many pages, on the event loop: at SQLite's default of
  // 1,000 (4 MB) pruning stalled for up to 28 ms on a slow disk, at 250 for up to 19 ms
  // (docs/performance.md, Pruning).
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}
