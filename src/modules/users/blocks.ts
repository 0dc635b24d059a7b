import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/errors.js';

/**
 * Blocking: a user blocks another. Between them no direct messages (neither opening nor
 * sending, whoever blocked whom); the blocked user's messages are collapsed for the blocker.
 * Read from SQL at each action, so a block applies at once on every instance.
 */
export function createBlocks(deps: { db: Db; now: () => number }) {
  const { db } = deps;
  return {
    async block(blockerId: number, blockedId: number): Promise<void> {
      try {
        await db.insertInto('blocks').values({ blocker_id: blockerId, blocked_id: blockedId, created_at: deps.now() }).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // blocked already
      }
    },
    async unblock(blockerId: number, blockedId: number): Promise<void> {
      await db.deleteFrom('blocks').where('blocker_id', '=', blockerId).where('blocked_id', '=', blockedId).execute();
    },
    /** Whom the user blocked, newest first. */
    async blockedBy(blockerId: number): Promise<number[]> {
      const rows = await db.selectFrom('blocks').select('blocked_id').where('blocker_id', '=', blockerId).orderBy('created_at', 'desc').execute();
      return rows.map((r) => Number(r.blocked_id));
    },
    /** Who of the two blocked the other: 'a' (a blocked b), 'b', or null. Both: 'a'. */
    async between(a: number, b: number): Promise<'a' | 'b' | null> {
      const rows = await db
        .selectFrom('blocks')
        .select('blocker_id')
        .where((eb) => eb.or([eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]), eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)])]))
        .execute();
      if (rows.some((r) => Number(r.blocker_id) === a)) return 'a';
      return rows.length ? 'b' : null;
    },
  };
}

export type Blocks = ReturnType<typeof createBlocks>;
