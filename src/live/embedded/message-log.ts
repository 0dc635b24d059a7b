import type { Selectable } from 'kysely';
import type { Db } from '../../db/connect.js';
import { retryOnConflict } from '../../db/errors.js';
import type { LiveMessageChangesTable, LiveMessagesTable } from '../../db/schema.js';
import type { ChangeFrame, ChatMessage, RoomId, UserRef } from '../../shared/protocol.js';
import { changeFrame, messageFrame, roomChannel } from '../channels.js';
import { createKeyedQueue } from '../../util/keyed-queue.js';
import type { AppendInput, AppendResult, EventBus, MessageLog } from '../ports.js';

function toMessage(r: Omit<Selectable<LiveMessagesTable>, 'mentions' | 'here'> & { mentions?: string | null; here?: number }): ChatMessage {
  return {
    room: Number(r.room_id),
    id: Number(r.id),
    ts: Number(r.ts),
    user: { id: Number(r.user_id), name: r.user_name },
    body: r.body,
    clientId: r.client_id,
    ...(r.reply_to === null || r.reply_to === undefined ? {} : { replyTo: Number(r.reply_to) }),
    ...(r.edited_at === null || r.edited_at === undefined ? {} : { editedAt: Number(r.edited_at) }),
    ...(r.mentions ? { mentions: JSON.parse(r.mentions) as UserRef[] } : {}),
    ...(r.here ? { here: true as const } : {}),
  };
}

function toChange(r: Selectable<LiveMessageChangesTable>): ChangeFrame {
  const base = { room: Number(r.room_id), seq: Number(r.seq), id: Number(r.message_id) };
  return r.kind === 'edited' ? { type: 'edited', ...base, body: r.body ?? '', editedAt: Number(r.ts) } : { type: 'deleted', ...base, deletedAt: Number(r.ts) };
}

type Trx = Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0];

/**
 * Takes the room's next id. Bumping the room's counter row first serializes appends and changes
 * per room until the transaction ends, so they commit in id order.
 */
async function nextId(trx: Trx, room: RoomId): Promise<number> {
  const bumped = await trx
    .updateTable('live_message_seqs')
    .set((eb) => ({ last_id: eb('last_id', '+', 1) }))
    .where('room_id', '=', room)
    .executeTakeFirst();
  if (Number(bumped.numUpdatedRows) === 0) {
    await trx.insertInto('live_message_seqs').values({ room_id: room, last_id: 1 }).execute();
  }
  const { last_id } = await trx.selectFrom('live_message_seqs').select('last_id').where('room_id', '=', room).executeTakeFirstOrThrow();
  return Number(last_id);
}

/** Records a change in the same transaction as the row it changes, with the room's next id. */
async function recordChange(trx: Trx, room: RoomId, messageId: number, kind: 'edited' | 'deleted', body: string | null, ts: number): Promise<ChangeFrame> {
  const row = { room_id: room, seq: await nextId(trx, room), message_id: messageId, kind, body, ts };
  await trx.insertInto('live_message_changes').values(row).execute();
  return toChange(row);
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
        const id = await nextId(trx, input.room);
        const existing = await trx
          .selectFrom('live_messages')
          .selectAll()
          .where('room_id', '=', input.room)
          .where('user_id', '=', input.user.id)
          .where('client_id', '=', input.clientId)
          .executeTakeFirst();
        // Throwing rolls the counter back, so ids stay gap-free.
        if (existing) throw new AlreadyStored(toMessage(existing));
        const row = {
          room_id: input.room,
          id,
          ts: input.ts,
          user_id: input.user.id,
          user_name: input.user.name,
          body: input.body,
          client_id: input.clientId,
          deleted: 0,
          edited_at: null,
          reply_to: input.replyTo ?? null,
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
  // Appends to a room run in call order (MessageLog.append's promise): one at a time per room,
  // as the room's counter row serializes them anyway.
  const inRoomOrder = createKeyedQueue<RoomId>();
  return {
    async append(input) {
      const result = await inRoomOrder(input.room, () => insert(db, input));
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

    async remove(room, id, at) {
      const change = await retryOnConflict(() =>
        db.transaction().execute(async (trx) => {
          // Kept as a tombstone so the (user, clientId) stays known and a resend cannot revive it.
          const r = await trx
            .updateTable('live_messages')
            .set({ deleted: 1, body: '' })
            .where('room_id', '=', room)
            .where('id', '=', id)
            .where('deleted', '=', 0)
            .executeTakeFirst();
          return Number(r.numUpdatedRows) > 0 ? recordChange(trx, room, id, 'deleted', null, at) : undefined;
        }),
      );
      if (change) await bus.publish(roomChannel(room), changeFrame(change));
      return change !== undefined;
    },

    async get(room, id) {
      const r = await db.selectFrom('live_messages').selectAll().where('room_id', '=', room).where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
      return r && toMessage(r);
    },

    async edit(room, expected, body, editedAt) {
      const change = await retryOnConflict(() =>
        db.transaction().execute(async (trx) => {
          // Compare and set: the row is changed only if it still holds what the caller read.
          let q = trx
            .updateTable('live_messages')
            .set({ body, edited_at: editedAt })
            .where('room_id', '=', room)
            .where('id', '=', expected.id)
            .where('deleted', '=', 0)
            .where('body', '=', expected.body);
          q = expected.editedAt === undefined ? q.where('edited_at', 'is', null) : q.where('edited_at', '=', expected.editedAt);
          const r = await q.executeTakeFirst();
          if (Number(r.numUpdatedRows) > 0) return recordChange(trx, room, expected.id, 'edited', body, editedAt);
          const still = await trx.selectFrom('live_messages').select('id').where('room_id', '=', room).where('id', '=', expected.id).where('deleted', '=', 0).executeTakeFirst();
          return still ? ('conflict' as const) : undefined;
        }),
      );
      if (change === undefined || change === 'conflict') return change;
      await bus.publish(roomChannel(room), changeFrame(change));
      return change.type === 'edited' ? change : undefined;
    },

    async newest(room) {
      const r = await db.selectFrom('live_message_seqs').select('last_id').where('room_id', '=', room).executeTakeFirst();
      return r ? Number(r.last_id) : 0;
    },

    async changes(room, after, limit) {
      const rows = await db
        .selectFrom('live_message_changes')
        .selectAll()
        .where('room_id', '=', room)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(limit + 1)
        .execute();
      return { changes: rows.slice(0, limit).map(toChange), hasMore: rows.length > limit };
    },

    async prune(room, cutoffTs, batch) {
      const rows = await oldestBefore(db, room, cutoffTs, batch).execute();
      // A change is never older than its message: with the messages gone, so can the changes.
      if (rows.length < batch) await db.deleteFrom('live_message_changes').where('room_id', '=', room).where('ts', '<', cutoffTs).execute();
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
      await db.deleteFrom('live_message_changes').where('room_id', '=', room).execute();
    },
  };
}
