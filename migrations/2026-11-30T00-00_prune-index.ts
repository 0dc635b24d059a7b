import { type Kysely, MysqlAdapter } from 'kysely';

/**
 * Frozen: pruning looks up a room's oldest messages by (room_id, ts). The old index on ts alone
 * interleaved every room's messages, so deleting one room's batch touched pages all over it, and
 * the lookup, going by id, read all of a room's unexpired messages to find nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema.createIndex('live_messages_room_ts_idx').on('live_messages').columns(['room_id', 'ts']).execute();
  const drop = db.schema.dropIndex('live_messages_ts_idx');
  await (mysql ? drop.on('live_messages') : drop).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema.createIndex('live_messages_ts_idx').on('live_messages').column('ts').execute();
  const drop = db.schema.dropIndex('live_messages_room_ts_idx');
  await (mysql ? drop.on('live_messages') : drop).execute();
}
