import type { Kysely } from 'kysely';

/**
 * Frozen: `users.must_change_password`, 1 for the first admin whose password was generated and
 * printed at first start, until they set one of their own (the room list asks them to). Stored,
 * never inferred from the password.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('must_change_password').execute();
}
