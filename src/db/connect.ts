import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { Config } from '../../fastify.config.js';
import type { Database } from './schema.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

export type Db = Kysely<Database>;

const consoleLog = { warn: (obj: object, msg: string) => console.warn(msg, obj) };

/** Opens the configured database: a SQLite file under DATA_DIR, or a MySQL pool. */
export function connectDatabase(database: Config['database'], log: { warn(obj: object, msg: string): void } = consoleLog): Db {
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
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Checkpoints off the event loop (db/sqlite-checkpointer.ts). Kysely's destroy() closes the
  // connection: the worker's goes first.
  const checkpointer = startCheckpointer(sqlite, database.file, log);
  const close = sqlite.close.bind(sqlite);
  sqlite.close = () => {
    checkpointer.stop();
    return close();
  };
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}
