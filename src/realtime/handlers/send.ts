import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import type { ChatMessage, ErrorFrame, SendFrame } from '../../shared/protocol.js';
import { cutOffIfIgnoring } from './rate.js';
import { restrictionError } from './restriction.js';
import type { Connection, Reply, Store } from '../connection.js';
import type { RealtimeContext } from '../context.js';

type SendError = Omit<ErrorFrame, 'type' | 'clientId' | 'room'>;

/**
 * A `send`, pipelined (Connection.pipelined): the checks run now, overlapping the socket's
 * earlier sends; the store starts in frame order; the ack or error goes out in frame order.
 * Never throws: every failure becomes the error frame that answers it.
 */
export async function prepareSend(ctx: RealtimeContext, conn: Connection, frame: SendFrame): Promise<Store> {
  const { room, clientId } = frame;
  const refusal = (error: SendError): Reply => {
    ctx.metrics.sendErrors.inc({ code: error.code });
    return () => conn.send({ type: 'error', ...error, clientId, room });
  };
  // Not stored, so not acked: the client keeps it and sends it again with the same clientId.
  const unavailable = (err: unknown): Reply => {
    ctx.log.error({ err, room }, 'storing a message failed');
    return refusal({ code: 'unavailable', message: conn.t('ws.storeFailed') });
  };
  const answer = (reply: Reply): Store => async () => reply;

  if (!conn.isJoined(room)) return answer(refusal({ code: 'not_member', message: conn.t('ws.joinFirst') }));
  let store: () => Promise<ChatMessage>;
  try {
    store = await ctx.messages.prepare(await ctx.rooms.getRecent(room), conn.user, clientId, frame.body, frame.replyTo);
  } catch (err) {
    if (err instanceof RateLimitedError) {
      // The user's limit (all their sockets, every instance); a client that ignores it is cut off.
      ctx.log.info({ event: 'rate_limited', userId: conn.user.id, room }, 'send rate limited');
      const limited = refusal({ code: 'rate_limited', message: conn.t('limit.send'), until: err.until });
      // Counted when its answer is due, in frame order.
      return answer(() => cutOffIfIgnoring(ctx, conn) || limited());
    }
    if (err instanceof RestrictedError) return answer(refusal(restrictionError(err, conn.t)));
    // replyTo names no message of the room: nothing was stored.
    if (err instanceof AppError && err.code === 'bad_request') return answer(refusal({ code: 'invalid', message: err.shown(conn.t) }));
    return answer(unavailable(err));
  }
  return async () => {
    // Kicked, banned, removed or gone from the room since the checks (the hub drops the room
    // from the socket at once): nothing is stored.
    if (!conn.isJoined(room)) return refusal({ code: 'not_member', message: conn.t('ws.joinFirst') });
    try {
      const message = await store();
      return () => {
        conn.send({ type: 'ack', clientId, id: message.id, ts: message.ts });
        // The sender has read their own message (in memory; written with the next batch of markers).
        ctx.unread.sent(conn.user.id, room, message.id);
      };
    } catch (err) {
      return unavailable(err);
    }
  };
}
