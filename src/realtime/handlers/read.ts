import type { ReadFrame } from '../../shared/protocol.js';
import { cutOffIfIgnoring } from './rate.js';
import { setBounded } from '../../util/bounded-map.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

const READ_WINDOW_MS = 10_000;
/** Users remembered: a bound on memory, far above the users reading at once. */
const MAX_TRACKED = 50_000;

/**
 * Counts a user's `read` frames in fixed 10 s windows over all their sockets on this instance,
 * in its memory (a read is cheap and frequent: no round trip to the shared counters for it).
 * `take` answers the end of the window when the user is over `max` (READ_RATE_PER_10S).
 */
export function createReadGate(now: () => number, max: number) {
  const windows = new Map<number, { start: number; count: number }>();
  return {
    take(userId: number): number | undefined {
      const t = now();
      let w = windows.get(userId);
      if (!w || t - w.start >= READ_WINDOW_MS) {
        windows.delete(userId); // re-inserted last: the oldest windows are the ones evicted
        setBounded(windows, userId, (w = { start: t, count: 0 }), MAX_TRACKED);
      }
      return ++w.count > max ? w.start + READ_WINDOW_MS : undefined;
    },
  };
}
export type ReadGate = ReturnType<typeof createReadGate>;

/**
 * Moves the reader's marker forward. Only in a room the user is a member of: a socket joined
 * to the room was one at its join (and leaves it with the membership), otherwise membership is
 * read now. An id beyond the room's newest stored id is clamped to it.
 */
export async function handleRead(ctx: RealtimeContext, conn: Connection, frame: ReadFrame): Promise<void> {
  const { room } = frame;
  const until = ctx.reads.take(conn.user.id);
  if (until !== undefined) {
    if (cutOffIfIgnoring(ctx, conn)) return;
    ctx.metrics.sendErrors.inc({ code: 'rate_limited' });
    return conn.send({ type: 'error', code: 'rate_limited', message: conn.t('limit.generic'), room, until });
  }
  const joined = conn.isJoined(room);
  if (!joined && !(await ctx.unread.isMember(room, conn.user.id))) {
    return conn.send({ type: 'error', code: 'not_member', message: conn.t('ws.joinFirst'), room });
  }
  // Clamped to the room's newest id, always: the socket's own cursor is no bound, since a
  // join's `since` (the client's word) sets it.
  const id = Math.min(frame.id, await ctx.unread.newestId(room));
  if (id > 0) await ctx.unread.markRead(conn.user.id, room, id);
}
