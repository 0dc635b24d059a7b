import type { Db } from '../../db/connect.js';
import { retryOnConflict } from '../../db/errors.js';
import type { ModerationState, Restriction, RestrictionKind } from '../ports.js';

const toRow = (until: number | null) => until ?? 0;
const fromRow = (until: number) => (Number(until) === 0 ? null : Number(until));

/** Active restrictions in a SQL table; `until = 0` means no end. */
export function createSqlModerationState(db: Db): ModerationState {
  const live = (now: number) => (eb: any) => eb.or([eb('until', '=', 0), eb('until', '>', now)]);
  const toRestriction = (r: { room_id: number; user_id: number; kind: string; until: number }): Restriction => ({
    room: Number(r.room_id),
    userId: Number(r.user_id),
    kind: r.kind as RestrictionKind,
    until: fromRow(r.until),
  });

  return {
    async set(r) {
      await retryOnConflict(async () => {
        const u = await db
          .updateTable('live_restrictions')
          .set({ until: toRow(r.until) })
          .where('room_id', '=', r.room)
          .where('user_id', '=', r.userId)
          .where('kind', '=', r.kind)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) === 0) {
          await db.insertInto('live_restrictions').values({ room_id: r.room, user_id: r.userId, kind: r.kind, until: toRow(r.until) }).execute();
        }
      });
    },
    async clear(room, userId, kind) {
      const r = await db
        .deleteFrom('live_restrictions')
        .where('room_id', '=', room)
        .where('user_id', '=', userId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async active(room, userId, now) {
      const rows = await db
        .selectFrom('live_restrictions')
        .select(['kind', 'until'])
        .where('room_id', '=', room)
        .where('user_id', '=', userId)
        .where(live(now))
        .execute();
      return Object.fromEntries(rows.map((r) => [r.kind, fromRow(r.until)]));
    },
    async inRoom(room, now) {
      const rows = await db.selectFrom('live_restrictions').selectAll().where('room_id', '=', room).where(live(now)).execute();
      return rows.map(toRestriction);
    },
    async takeExpired(now, limit) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('live_restrictions')
          .selectAll()
          .where('until', '>', 0)
          .where('until', '<=', now)
          .orderBy('until')
          .limit(limit)
          .execute();
        const taken: Restriction[] = [];
        for (const r of rows) {
          const d = await trx
            .deleteFrom('live_restrictions')
            .where('room_id', '=', r.room_id)
            .where('user_id', '=', r.user_id)
            .where('kind', '=', r.kind)
            .where('until', '=', r.until)
            .executeTakeFirst();
          if (Number(d.numDeletedRows) > 0) taken.push(toRestriction(r));
        }
        return taken;
      });
    },
  };
}
