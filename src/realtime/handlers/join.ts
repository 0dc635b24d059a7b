import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import type { JoinFrame } from '../../shared/protocol.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';
import { restrictionError } from './restriction.js';

/** Missed messages sent in `joined`; beyond this the client pages the rest over HTTP. */
export const MISSED_LIMIT = 500;

export async function handleJoin(ctx: RealtimeContext, conn: Connection, frame: JoinFrame): Promise<void> {
  try {
    const { room } = await ctx.rooms.join(frame.room, conn.user);
    // Listen first, then read: a message stored meanwhile is in `missed`, or arrives live after
    // `joined` (queued until then); what `missed` carried is not sent again (markJoined).
    await ctx.hub.enterRoom(conn, frame.room);
    // A kick that landed between the check above and the subscription found no socket here to
    // detach: check once more now that the socket is listening.
    await ctx.rooms.assertCanEnter(room, conn.user).catch(async (err) => {
      await ctx.hub.exitRoom(conn, frame.room);
      throw err;
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') {
      return conn.send({ type: 'error', code: 'invalid', message: 'No such room', room: frame.room });
    }
    if (err instanceof RestrictedError) return conn.send({ type: 'error', ...restrictionError(err), room: frame.room });
    if (err instanceof RateLimitedError) {
      return conn.send({ type: 'error', code: 'rate_limited', message: 'Too many joins', room: frame.room, until: err.until });
    }
    throw err;
  }
  const [missed, roster, lastRead] = await Promise.all([
    frame.since === undefined
      ? { messages: [], hasMore: false }
      : ctx.messages.history(frame.room, { after: frame.since, limit: MISSED_LIMIT }),
    ctx.rooms.roster(frame.room),
    ctx.unread.lastRead(conn.user.id, frame.room),
  ]);
  conn.send({ type: 'joined', room: frame.room, ...roster, missed: missed.messages, hasMore: missed.hasMore, lastRead });
  ctx.unreadWatch.entered(conn, frame.room).catch((err) => ctx.log.warn({ err, room: frame.room }, 'unread: counting a new room failed'));
  // The client has everything up to `since` and now `missed`: live messages it has are not sent again.
  conn.markJoined(frame.room, missed.messages.at(-1)?.id ?? frame.since ?? 0);
}
