import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import { retryOnConflict } from '../../db/errors.js';
import type { SessionStore } from '../ports.js';

export function createSqlSessionStore(db: Db, now: () => number): SessionStore {
  return {
    async get(id) {
      const row = await db
        .selectFrom('live_sessions')
        .selectAll()
        .where('id', '=', id)
        .where('expires_at', '>', now())
        .executeTakeFirst();
      if (!row) return undefined;
      return { userId: row.user_id === null ? null : Number(row.user_id), data: row.data, expiresAt: Number(row.expires_at) };
    },
    async set(id, record) {
      const values = { user_id: record.userId, data: record.data, expires_at: record.expiresAt };
      await retryOnConflict(async () => {
        const r = await db.updateTable('live_sessions').set(values).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) await db.insertInto('live_sessions').values({ id, ...values }).execute();
      });
    },
    async destroy(id) {
      await db.deleteFrom('live_sessions').where('id', '=', id).execute();
    },
    async touch(id, seenAt) {
      // json_set and json_extract are the same in SQLite and MySQL/MariaDB.
      await db
        .updateTable('live_sessions')
        .set({ data: sql<string>`json_set(data, '$.seenAt', ${seenAt})` })
        .where('id', '=', id)
        .where('expires_at', '>', now())
        .where(sql<number>`coalesce(json_extract(data, '$.seenAt'), 0)`, '<', seenAt)
        .execute();
    },
    async destroyAllForUser(userId) {
      const rows = await db.selectFrom('live_sessions').select('id').where('user_id', '=', userId).execute();
      await db.deleteFrom('live_sessions').where('user_id', '=', userId).execute();
      return rows.map((r) => r.id);
    },
  };
}
