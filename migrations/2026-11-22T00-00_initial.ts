import { type Kysely, MysqlAdapter, sql } from 'kysely';

/** Frozen: never import app code here. Timestamps are epoch milliseconds in BIGINT. */
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  // Binary collation: uniqueness is decided by our own *_key columns, not by MySQL's collation.
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'varchar(32)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('permissions')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('permission', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('permissions_pk', ['user_id', 'permission'])
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('name_key', 'varchar(256)', (c) => c.notNull().unique())
    .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();

  // Tables of the embedded live-state adapter (Redis holds the same in production).
  await db.schema
    .createTable('live_messages')
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('user_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_messages_pk', ['room_id', 'id'])
    .addUniqueConstraint('live_messages_client_uq', ['room_id', 'user_id', 'client_id'])
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('live_messages_ts_idx').on('live_messages').column('ts').execute();

  await db.schema
    .createTable('live_message_seqs')
    .addColumn('room_id', 'integer', (c) => c.primaryKey())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('live_members')
    .addColumn('room_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_members_pk', ['room_id', 'user_id'])
    .modifyEnd(tableOptions)
    .execute();

  await db.schema
    .createTable('live_sessions')
    .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('user_id', 'integer')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('live_sessions_user_idx').on('live_sessions').column('user_id').execute();
  await db.schema.createIndex('live_sessions_expires_idx').on('live_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['live_sessions', 'live_members', 'live_message_seqs', 'live_messages', 'rooms', 'permissions', 'users']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
