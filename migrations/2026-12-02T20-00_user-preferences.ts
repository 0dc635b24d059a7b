import type { Kysely } from 'kysely';

/**
 * Frozen: each user's own settings (the account page). `locale` is 'en' or 'zh-CN', or NULL to
 * follow the browser's Accept-Language; `theme` is 'system', 'light' or 'dark'.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('locale', 'varchar(8)').execute();
  await db.schema.alterTable('users').addColumn('theme', 'varchar(8)', (c) => c.notNull().defaultTo('system')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('theme').execute();
  await db.schema.alterTable('users').dropColumn('locale').execute();
}
