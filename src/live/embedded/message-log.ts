import type { Selectable } from 'kysely';
import type { Db } from '../../db/connect.js';
import { retryOnConflict } from '../../db/errors.js';
import type { LiveMessagesTable } from '../../db/schema.js';
import type { ChatMessage, UserRef } from '../../shared/protocol.js';
import { messageFrame, roomChannel } from '../channels.js';
import type { AppendInput, AppendResult, EventBus, MessageLog } from '../ports.js';

function toMessage(r: Omit<Selectable<LiveMessagesTable>, 'mentions' | 'here'> & { mentions?: string | null; here?: number }): ChatMessage {
  return {
    room: Number(r.room_id),
    id: Number(r.id),
    ts: Number(r.ts),
    user: { id: Number(r.user_id), name: r.user_name },
    body: r.body,
    clientId: r.client_id,
    ...(r.mentions ? { mentions: JSON.parse(r.mentions) as UserRef[] } : {}),
    ...(r.here ? { here: true as const } : {}),
  };
}

/**
 * Up to `batch` of a room's messages older than the cutoff, oldest first. It reads the
 * (room_id, ts) index, so it stops at the cutoff however many newer messages follow.
 */
export function oldestBefore(db: Db, room: number, cutoffTs: number, batch: number) {
  return db.selectFrom('live_messages').select('id').where('room_id', '=', room).where('ts', '<', cutoffTs).orderBy('ts').limit(batch);
}

class AlreadyStored extends Error {
  constructor(readonly stored: ChatMessage) {
    super('already stored');
  }
}

/** One transaction: the room's next id and the row, or the copy stored under the same clientId. */
async function insert(db: Db, input: AppendInput): Promise<AppendResult> {
  try {
    // A lost race (the room's first counter row, a deadlock) reruns the whole transaction.
    return await retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        // Taking the room's counter row first serializes appends per room, so the duplicate
        // check below cannot race with another append of the same clientId.
        const bumped = await trx
          .updateTable('live_message_seqs')
          .set((eb) => ({ last_id: eb('last_id', '+', 1) }))
          .where('room_id', '=', input.room)
          .executeTakeFirst();
        if (Number(bumped.numUpdatedRows) === 0) {
          await trx.insertInto('live_message_seqs').values({ room_id: input.room, last_id: 1 }).execute();
        }
        const existing = await trx
          .selectFrom('live_messages')
          .selectAll()
          .where('room_id', '=', input.room)
          .where('user_id', '=', input.user.id)
          .where('client_id', '=', input.clientId)
          .executeTakeFirst();
        // Throwing rolls the counter back, so ids stay gap-free.
        if (existing) throw new AlreadyStored(toMessage(existing));
        const { last_id } = await trx
          .selectFrom('live_message_seqs')
          .select('last_id')
          .where('room_id', '=', input.room)
          .executeTakeFirstOrThrow();
        const row = {
          room_id: input.room,
          id: Number(last_id),
          ts: input.ts,
          user_id: input.user.id,
          user_name: input.user.name,
          body: input.body,
          client_id: input.clientId,
          deleted: 0,
          ...(input.mentions?.length ? { mentions: JSON.stringify(input.mentions) } : {}),
          ...(input.here ? { here: 1 } : {}),
        };
        await trx.insertInto('live_messages').values(row).execute();
        return { message: toMessage(row), duplicate: false };
      }),
    );
  } catch (err) {
    if (err instanceof AlreadyStored) return { message: err.stored, duplicate: true };
    throw err;
  }
}

/** Messages in a SQL table; ids come from a per-room counter row updated in the same transaction. */
export function createSqlMessageLog(db: Db, bus: EventBus): MessageLog {
  return {
    async append(input) {
      const result = await insert(db, input);
      // After the commit: appends that commit in one order may resume in another; subscribers
      // put messages back in id order (realtime/room-feed.ts).
      if (!result.duplicate) await bus.publish(roomChannel(input.room), messageFrame(result.message));
      return result;
    },

    async page(room, { before, after, limit }) {
      let q = db.selectFrom('live_messages').selectAll().where('room_id', '=', room).where('deleted', '=', 0);
      if (before !== undefined) q = q.where('id', '<', before);
      if (after !== undefined) q = q.where('id', '>', after);
      // With only `after`, page forwards from it; otherwise take the newest page below `before`.
      const forward = after !== undefined && before === undefined;
      const rows = await q
        .orderBy('id', forward ? 'asc' : 'desc')
        .limit(limit + 1)
        .execute();
      const hasMore = rows.length > limit;
      const taken = rows.slice(0, limit).map(toMessage);
      return { messages: forward ? taken : taken.reverse(), hasMore };
    },

    async remove(room, id) {
      // Kept as a tombstone so the (user, clientId) stays known and a resend cannot revive it.
      const r = await db
        .updateTable('live_messages')
        .set({ deleted: 1, body: '' })
        .where('room_id', '=', room)
        .where('id', '=', id)
        .where('deleted', '=', 0)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async prune(room, cutoffTs, batch) {
      const rows = await oldestBefore(db, room, cutoffTs, batch).execute();
      if (rows.length === 0) return 0;
      await db
        .deleteFrom('live_messages')
        .where('room_id', '=', room)
        .where(
          'id',
          'in',
          rows.map((r) => Number(r.id)),
        )
        .execute();
      return rows.length;
    },

    async clear(room) {
      await db.deleteFrom('live_messages').where('room_id', '=', room).execute();
      await db.deleteFrom('live_message_seqs').where('room_id', '=', room).execute();
    },
  };
}
