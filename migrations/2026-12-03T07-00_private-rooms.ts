import { type Kysely, MysqlAdapter, sql } from 'kysely';

/**
 * Frozen: private rooms and direct messages.
 * - `rooms.visibility`: 'public' (listed to everyone, the default) or 'private' (visible and
 *   readable only to its members and admins).
 * - `rooms.kind`: 'room', or 'dm' (a private room of exactly two people).
 * - `rooms.dm_key`: a DM's ordered user pair "lowId:highId", unique, so two instances creating
 *   the same conversation at once make one; NULL for rooms.
 * - `blocks`: who blocked whom (no DMs between them; the blocked one's messages collapsed for
 *   the blocker).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('visibility', 'varchar(16)', (c) => c.notNull().defaultTo('public')).execute();
  await db.schema.alterTable('rooms').addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('room')).execute();
  await db.schema.alterTable('rooms').addColumn('dm_key', 'varchar(32)').execute();
  await db.schema.createIndex('rooms_dm_key').unique().on('rooms').column('dm_key').execute();
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema
    .createTable('blocks')
    .addColumn('blocker_id', 'integer', (c) => c.notNull())
    .addColumn('blocked_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
    .modifyEnd(mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('blocks').execute();
  // MySQL names the table of an index to drop; SQLite's DROP INDEX takes none.
  const drop = db.schema.dropIndex('rooms_dm_key');
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('rooms') : drop).execute();
  await db.schema.alterTable('rooms').dropColumn('dm_key').execute();
  await db.schema.alterTable('rooms').dropColumn('kind').execute();
  await db.schema.alterTable('rooms').dropColumn('visibility').execute();
}
