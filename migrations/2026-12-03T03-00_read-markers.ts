import { type Kysely, MysqlAdapter, sql } from 'kysely';

/**
 * Frozen. Read markers (each user's last read message per room; both backends keep them here,
 * durable and shared by a user's devices), the embedded adapter's mention index, and the
 * reverse index of memberships (a user's rooms, for the room list and unread counts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await db.schema
    .createTable('read_markers')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('last_read', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('read_markers_pk', ['user_id', 'room_id'])
    .modifyEnd(tableOptions)
    .execute();
  await db.schema
    .createTable('live_mentions')
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_mentions_pk', ['room_id', 'user_id', 'message_id'])
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('live_members_user_idx').on('live_members').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // MySQL names the table of an index to drop; SQLite's DROP INDEX takes none.
  const drop = db.schema.dropIndex('live_members_user_idx');
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('live_members') : drop).execute();
  await db.schema.dropTable('live_mentions').execute();
  await db.schema.dropTable('read_markers').execute();
}
