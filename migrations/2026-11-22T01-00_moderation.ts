import { type Kysely, MysqlAdapter, sql } from 'kysely';

/** Frozen: moderation audit log, restrictions of the embedded live state, soft deletes. */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;

  await db.schema.alterTable('users').addColumn('deleted_at', 'bigint').execute();
  await db.schema.alterTable('rooms').addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('live_messages').addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('moderation_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('target_id', 'integer')
    .addColumn('action', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('until', 'bigint')
    .addColumn('message_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('moderation_log_room_idx').on('moderation_log').columns(['room_id', 'id']).execute();
  await db.schema.createIndex('moderation_log_target_idx').on('moderation_log').columns(['target_id', 'id']).execute();

  // Embedded live state: one row per active mute or bar (kick/ban); until 0 = no end.
  await db.schema
    .createTable('live_restrictions')
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_restrictions_pk', ['room_id', 'user_id', 'kind'])
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('live_restrictions_until_idx').on('live_restrictions').column('until').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('live_restrictions').ifExists().execute();
  await db.schema.dropTable('moderation_log').ifExists().execute();
  await db.schema.alterTable('live_messages').dropColumn('deleted').execute();
  await db.schema.alterTable('rooms').dropColumn('archived').execute();
  await db.schema.alterTable('users').dropColumn('deleted_at').execute();
}
