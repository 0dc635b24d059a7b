import type { Kysely } from 'kysely';

/**
 * Frozen: private rooms. `rooms.visibility`: 'public' (listed to everyone, the default) or
 * 'private' (visible and readable only to its members, its owner and admins).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('visibility', 'varchar(16)', (c) => c.notNull().defaultTo('public')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').dropColumn('visibility').execute();
}
