import { MysqlAdapter } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { MentionIndex, UnreadIndex } from '../ports.js';

/** Counts on the messages table's (room_id, id) primary key: an index range, not a scan of the room. */
export function createSqlUnreadIndex(db: Db): UnreadIndex {
  return {
    async countAfter(room, afterId, upTo) {
      let q = db
        .selectFrom('live_messages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('room_id', '=', room)
        .where('id', '>', afterId)
        .where('deleted', '=', 0);
      if (upTo !== undefined) q = q.where('id', '<=', upTo);
      const r = await q.executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}

/** One row per (room, user, message), keyed so a user's count is an index range. */
export function createSqlMentionIndex(db: Db): MentionIndex {
  return {
    async record(room, messageId, userIds) {
      const ids = [...new Set(userIds)];
      if (ids.length === 0) return;
      const rows = ids.map((user_id) => ({ room_id: room, user_id, message_id: messageId }));
      // A repeat (a retried record) is kept once.
      const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
      const q = db.insertInto('live_mentions').values(rows);
      await (mysql ? q.ignore() : q.onConflict((oc) => oc.doNothing())).execute();
    },
    async count(room, userId, afterId, upTo) {
      let q = db
        .selectFrom('live_mentions')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('room_id', '=', room)
        .where('user_id', '=', userId)
        .where('message_id', '>', afterId);
      if (upTo !== undefined) q = q.where('message_id', '<=', upTo);
      const r = await q.executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async prune(room, beforeId) {
      await db.deleteFrom('live_mentions').where('room_id', '=', room).where('message_id', '<', beforeId).execute();
    },
    async forget(room, messageId) {
      await db.deleteFrom('live_mentions').where('room_id', '=', room).where('message_id', '=', messageId).execute();
    },
    async clear(room) {
      await db.deleteFrom('live_mentions').where('room_id', '=', room).execute();
    },
  };
}
