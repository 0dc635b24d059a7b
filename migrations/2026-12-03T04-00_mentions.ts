import type { Kysely } from 'kysely';

/**
 * Frozen: mentions and desktop notifications.
 * - `live_messages.mentions`: the users a message mentions, as stored JSON `[{"id":…,"name":…}]`
 *   (NULL: none); `live_messages.here`: 1 when its `@here` was accepted. (Redis keeps both in the
 *   message's JSON.)
 * - `users.notify`: which messages may raise a desktop notification: 'mentions' (default),
 *   'all' or 'off'.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('live_messages').addColumn('mentions', 'text').execute();
  await db.schema.alterTable('live_messages').addColumn('here', 'smallint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('notify', 'varchar(8)', (c) => c.notNull().defaultTo('mentions')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('notify').execute();
  await db.schema.alterTable('live_messages').dropColumn('here').execute();
  await db.schema.alterTable('live_messages').dropColumn('mentions').execute();
}
