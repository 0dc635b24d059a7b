import { type Kysely, MysqlAdapter, sql } from 'kysely';

/**
 * Frozen: two-factor sign-in. One TOTP row per user (its secret AES-256-GCM encrypted; enabled
 * once confirmed with a code; the last accepted time step, so a code is never accepted twice)
 * and its recovery codes (SHA-256 of high-entropy codes; a used one is deleted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;

  await db.schema
    .createTable('user_totp')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    .addColumn('secret_enc', 'varchar(255)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('user_recovery_codes')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_recovery_codes_pk', ['user_id', 'code_hash'])
    .modifyEnd(tableOptions)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_recovery_codes').ifExists().execute();
  await db.schema.dropTable('user_totp').ifExists().execute();
}
