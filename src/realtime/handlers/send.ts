import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import type { SendFrame } from '../../shared/protocol.js';
import { cutOffIfIgnoring } from './rate.js';
import { restrictionError } from './restriction.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

export async function handleSend(ctx: RealtimeContext, conn: Connection, frame: SendFrame): Promise<void> {
  const { room, clientId } = frame;
  if (!conn.isJoined(room)) {
    ctx.metrics.sendErrors.inc({ code: 'not_member' });
    return conn.send({ type: 'error', code: 'not_member', message: conn.t('ws.joinFirst'), clientId, room });
  }
  let message;
  try {
    message = await ctx.messages.post(await ctx.rooms.getRecent(room), conn.user, clientId, frame.body, frame.replyTo);
  } catch (err) {
    if (err instanceof RateLimitedError) {
      // The user's limit (all their sockets, every instance); a client that ignores it is cut off.
      if (cutOffIfIgnoring(ctx, conn)) return;
      ctx.log.info({ event: 'rate_limited', userId: conn.user.id, room }, 'send rate limited');
      ctx.metrics.sendErrors.inc({ code: 'rate_limited' });
      return conn.send({ type: 'error', code: 'rate_limited', message: conn.t('limit.send'), clientId, room, until: err.until });
    }
    if (err instanceof RestrictedError) {
      const frame = restrictionError(err, conn.t);
      ctx.metrics.sendErrors.inc({ code: frame.code });
      return conn.send({ type: 'error', ...frame, clientId, room });
    }
    if (err instanceof AppError && err.code === 'bad_request') {
      // replyTo names no message of the room: nothing was stored.
      ctx.metrics.sendErrors.inc({ code: 'invalid' });
      return conn.send({ type: 'error', code: 'invalid', message: err.shown(conn.t), clientId, room });
    }
    // Not stored, so not acked: the client keeps it and sends it again with the same clientId.
    ctx.log.error({ err, room }, 'storing a message failed');
    ctx.metrics.sendErrors.inc({ code: 'unavailable' });
    return conn.send({ type: 'error', code: 'unavailable', message: conn.t('ws.storeFailed'), clientId, room });
  }
  conn.send({ type: 'ack', clientId, id: message.id, ts: message.ts });
  // The sender has read their own message (in memory; written with the next batch of markers).
  ctx.unread.sent(conn.user.id, room, message.id);
}
