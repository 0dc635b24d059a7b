import { MysqlAdapter, sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { RoomId } from '../../shared/protocol.js';

/** How often moved markers are written; also written when the instance stops. */
export const MARKER_FLUSH_MS = 2000;
/** Rows per upsert statement. */
const FLUSH_CHUNK = 500;

const key = (userId: number, room: RoomId) => `${userId}:${room}`;

/**
 * Read markers: each user's last read message id per room, durable in SQL and shared by the
 * user's tabs and devices. A read moves the marker in memory; moved markers are written
 * together every MARKER_FLUSH_MS (one multi-row upsert, not one write per read per message)
 * and at shutdown. Markers only move forward: in memory and in the upsert itself, so an older
 * write from another instance cannot lower one.
 */
export function createReadMarkers(deps: { db: Db; now: () => number; log: { warn(o: object, m: string): void }; flushMs?: number }) {
  const { db } = deps;
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  /** Moved since the last flush. */
  let pending = new Map<string, { user_id: number; room_id: number; last_read: number }>();
  /** Taken from `pending` by the flush under way: not in SQL for sure until it ends. */
  let inflight: typeof pending = new Map();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  /** SQL statements written: tests check the writes stay bounded. */
  let writes = 0;

  async function write(rows: Array<{ user_id: number; room_id: number; last_read: number }>): Promise<void> {
    const at = deps.now();
    for (let i = 0; i < rows.length; i += FLUSH_CHUNK) {
      const values = rows.slice(i, i + FLUSH_CHUNK).map((r) => ({ ...r, updated_at: at }));
      const q = db.insertInto('read_markers').values(values);
      writes++;
      await (mysql
        ? q.onDuplicateKeyUpdate({ last_read: sql`greatest(last_read, values(last_read))`, updated_at: sql`values(updated_at)` })
        : q.onConflict((oc) =>
            oc.columns(['user_id', 'room_id']).doUpdateSet({
              last_read: sql`max(read_markers.last_read, excluded.last_read)`,
              updated_at: sql`excluded.updated_at`,
            }),
          )
      ).execute();
    }
  }

  function flush(): Promise<void> {
    // One flush at a time; markers moved meanwhile wait for the next.
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      inflight = pending;
      pending = new Map();
      try {
        await write(rows);
      } catch (err) {
        deps.log.warn({ err, markers: rows.length }, 'writing read markers failed; retrying at the next flush');
        for (const r of rows) {
          const k = key(r.user_id, r.room_id);
          const now = pending.get(k);
          if (!now || now.last_read < r.last_read) pending.set(k, r);
        }
      } finally {
        inflight = new Map();
      }
    });
    return flushing;
  }

  /** The marker as moved here, waiting for a flush or being flushed (0: none). */
  function inMemory(userId: number, room: RoomId): number {
    const k = key(userId, room);
    return Math.max(pending.get(k)?.last_read ?? 0, inflight.get(k)?.last_read ?? 0);
  }

  async function stored(userId: number, rooms: RoomId[]): Promise<Map<RoomId, number>> {
    const out = new Map<RoomId, number>();
    if (rooms.length === 0) return out;
    const rows = await db.selectFrom('read_markers').select(['room_id', 'last_read']).where('user_id', '=', userId).where('room_id', 'in', rooms).execute();
    for (const r of rows) out.set(Number(r.room_id), Number(r.last_read));
    return out;
  }

  return {
    /** The user's markers in these rooms (0: nothing read), counting moves not yet written. */
    async getMany(userId: number, rooms: RoomId[]): Promise<Map<RoomId, number>> {
      // A flush can take a marker out of memory while the SELECT runs, and commit it after the
      // SELECT's snapshot: what memory held before the read counts as well as what it holds after.
      const before = rooms.map((room) => inMemory(userId, room));
      const out = await stored(userId, rooms);
      rooms.forEach((room, i) => out.set(room, Math.max(out.get(room) ?? 0, before[i]!, inMemory(userId, room))));
      return out;
    },
    async get(userId: number, room: RoomId): Promise<number> {
      return (await this.getMany(userId, [room])).get(room) ?? 0;
    },
    /** Moves the marker forward (in memory until the next flush); a lower id changes nothing. */
    advance(userId: number, room: RoomId, id: number): void {
      const k = key(userId, room);
      const now = pending.get(k);
      if (!now || now.last_read < id) pending.set(k, { user_id: userId, room_id: room, last_read: id });
    },
    /** The marker as moved here and not yet surely written (0: not moved). */
    moved: (userId: number, room: RoomId): number => inMemory(userId, room),
    flush,
    get writes(): number {
      return writes;
    },
    start(): void {
      timer = setInterval(() => void flush(), deps.flushMs ?? MARKER_FLUSH_MS);
      timer.unref();
    },
    /** Writes what is left (shutdown). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await flush();
    },
  };
}

export type ReadMarkers = ReturnType<typeof createReadMarkers>;
