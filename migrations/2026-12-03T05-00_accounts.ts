import { type Kysely, MysqlAdapter, sql } from 'kysely';

/**
 * Frozen: site settings (registration mode), invite links (hashed tokens, use counts) and the
 * site audit log (account, room, settings and invite actions; room moderation keeps moderation_log).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;

  await db.schema
    .createTable('site_settings')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(255)', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    // SHA-256 of the token, hex: the token itself is shown once, to its creator.
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('created_by', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('max_uses', 'integer', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'bigint')
    // Granted on sign-up, comma-separated: permission names, room ids.
    .addColumn('permissions', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('rooms', 'varchar(1000)', (c) => c.notNull().defaultTo(''))
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('actor_id', 'integer')
    .addColumn('target_id', 'integer')
    .addColumn('action', 'varchar(32)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('details', 'varchar(2000)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'id']).execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').ifExists().execute();
  await db.schema.dropTable('invites').ifExists().execute();
  await db.schema.dropTable('site_settings').ifExists().execute();
}
