import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import type { ChangeFrame, JoinFrame } from '../../shared/protocol.js';
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
      return conn.send({ type: 'error', code: 'invalid', message: conn.t('ws.noRoom'), room: frame.room });
    }
    if (err instanceof RestrictedError) return conn.send({ type: 'error', ...restrictionError(err, conn.t), room: frame.room });
    if (err instanceof RateLimitedError) {
      return conn.send({ type: 'error', code: 'rate_limited', message: conn.t('limit.generic'), room: frame.room, until: err.until });
    }
    throw err;
  }
  const since = frame.since;
  const [missed, roster, lastRead] = await Promise.all([
    since === undefined ? { messages: [], hasMore: false } : ctx.messages.history(frame.room, { after: since, limit: MISSED_LIMIT }),
    ctx.rooms.roster(frame.room),
    ctx.unread.lastRead(conn.user.id, frame.room),
  ]);
  // Read after `missed`: every change made before that read is here, so none falls in between.
  const { changes, seqs } = since === undefined ? { changes: [], seqs: [] } : await allChanges(ctx, frame.room, since);
  conn.send({ type: 'joined', room: frame.room, ...roster, missed: missed.messages, hasMore: missed.hasMore, changes, lastRead });
  ctx.unreadWatch.entered(conn, frame.room).catch((err) => ctx.log.warn({ err, room: frame.room }, 'unread: counting a new room failed'));
  // The client has everything up to `since` and now `missed`: live messages it has are not sent
  // again. Changes `joined` carried beyond that (seq above the last missed id) are skipped live.
  const lastId = missed.messages.at(-1)?.id ?? since ?? 0;
  // Every seq read counts, the superseded ones too: their live frames must not arrive after the newer change.
  conn.markJoined(frame.room, lastId, seqs.filter((s) => s > lastId));
}

/**
 * The room's changes after `since`: each changed message's latest change only (a later edit
 * or the deletion replaces what came before; applying that one is the same as applying them
 * all), oldest first, and the seq of every change read. One message edited again and again
 * is one frame, not one per edit (an edit body may be 4,000 characters).
 */
async function allChanges(ctx: RealtimeContext, room: number, since: number): Promise<{ changes: ChangeFrame[]; seqs: number[] }> {
  const latest = new Map<number, ChangeFrame>();
  const seqs: number[] = [];
  for (let after = since; ; ) {
    const { changes, hasMore } = await ctx.messages.changes(room, after, MISSED_LIMIT);
    for (const c of changes) {
      latest.delete(c.id); // re-inserted last: the map stays in seq order
      latest.set(c.id, c);
      if (c.seq !== undefined) seqs.push(c.seq);
    }
    after = changes.at(-1)?.seq ?? after;
    if (!hasMore || changes.length === 0) return { changes: [...latest.values()], seqs };
  }
}
