import { type Kysely, MysqlAdapter } from 'kysely';

/**
 * Frozen: room invite links. `invites.room_id` is the private room an invite adds its user to
 * (created by that room's owner, a moderator or an admin); NULL for the site's invites
 * (/admin/invites). Indexed to list a room's invites.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invites').addColumn('room_id', 'integer').execute();
  await db.schema.createIndex('invites_room_idx').on('invites').columns(['room_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // MySQL names the table of an index to drop; SQLite's DROP INDEX takes none.
  const drop = db.schema.dropIndex('invites_room_idx');
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('invites') : drop).execute();
  await db.schema.alterTable('invites').dropColumn('room_id').execute();
}
