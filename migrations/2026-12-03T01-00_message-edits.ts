import { type Kysely, MysqlAdapter, sql } from 'kysely';

/**
 * Frozen: edits, own deletions and replies (embedded live state). A message keeps its current
 * body with `edited_at`, and `reply_to` names the message it answers. Each edit or deletion is
 * also a row of `live_message_changes`, numbered from the room's message counter (`seq`), so a
 * client resuming with `since` is told of the changes it missed, each once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema.alterTable('live_messages').addColumn('edited_at', 'bigint').execute();
  await db.schema.alterTable('live_messages').addColumn('reply_to', 'bigint').execute();
  await db.schema
    .createTable('live_message_changes')
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_message_changes_pk', ['room_id', 'seq'])
    .modifyEnd(mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('live_message_changes').ifExists().execute();
  await db.schema.alterTable('live_messages').dropColumn('reply_to').execute();
  await db.schema.alterTable('live_messages').dropColumn('edited_at').execute();
}
