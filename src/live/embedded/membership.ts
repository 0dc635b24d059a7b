import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Membership } from '../ports.js';

export function createSqlMembership(db: Db, now: () => number): Membership {
  return {
    async join(room, userId) {
      try {
        await db.insertInto('live_members').values({ room_id: room, user_id: userId, joined_at: now() }).execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async leave(room, userId) {
      const r = await db
        .deleteFrom('live_members')
        .where('room_id', '=', room)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async isMember(room, userId) {
      const r = await db
        .selectFrom('live_members')
        .select('user_id')
        .where('room_id', '=', room)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r !== undefined;
    },
    async roomsOf(userId) {
      const rows = await db.selectFrom('live_members').select('room_id').where('user_id', '=', userId).execute();
      return rows.map((r) => Number(r.room_id));
    },
    async members(room) {
      const rows = await db
        .selectFrom('live_members')
        .select('user_id')
        .where('room_id', '=', room)
        .orderBy('joined_at')
        .orderBy('user_id')
        .execute();
      return rows.map((r) => Number(r.user_id));
    },
  };
}
