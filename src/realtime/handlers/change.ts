import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import type { DeleteFrame, EditFrame, ErrorFrame } from '../../shared/protocol.js';
import { cutOffIfIgnoring } from './rate.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';
import type { Translate } from '../../i18n/index.js';
import { restrictionError } from './restriction.js';

/** What an `edit` or `delete` refused by the service is answered with (the socket stays open). */
function refusal(err: unknown, t: Translate): Pick<ErrorFrame, 'code' | 'message' | 'until'> | undefined {
  if (err instanceof RestrictedError) return restrictionError(err, t);
  if (err instanceof RateLimitedError) return { code: 'rate_limited', message: t('limit.send'), until: err.until };
  if (err instanceof AppError) {
    if (err.code === 'forbidden') return { code: 'forbidden', message: err.shown(t) };
    if (err.code === 'not_found' || err.code === 'bad_request') return { code: 'invalid', message: err.shown(t) };
    if (err.code === 'conflict') return { code: 'unavailable', message: err.shown(t) };
  }
  return undefined;
}

/**
 * Edits and deletions of one's own message. Authorization (author, edit window, restrictions)
 * is the message service's, read at this moment; the change reaches every socket of the room,
 * this one included, as an `edited` or `deleted` frame published by the message log.
 */
async function change(ctx: RealtimeContext, conn: Connection, frame: EditFrame | DeleteFrame, act: () => Promise<unknown>): Promise<void> {
  const { room, id } = frame;
  if (!conn.isJoined(room)) return conn.send({ type: 'error', code: 'not_member', message: conn.t('ws.joinFirst'), room, id });
  try {
    await act();
  } catch (err) {
    const refused = refusal(err, conn.t);
    if (!refused) throw err;
    // As for sends: a client that keeps going after `rate_limited` is cut off.
    if (refused.code === 'rate_limited' && cutOffIfIgnoring(ctx, conn)) return;
    ctx.log.info({ userId: conn.user.id, room, id, code: refused.code, reason: err instanceof Error ? err.message : refused.message }, `${frame.type} refused`);
    ctx.metrics.sendErrors.inc({ code: refused.code });
    conn.send({ type: 'error', ...refused, room, id });
  }
}

export const handleEdit = (ctx: RealtimeContext, conn: Connection, frame: EditFrame) =>
  change(ctx, conn, frame, async () => ctx.messages.edit(await ctx.rooms.getRecent(frame.room), conn.user, frame.id, frame.body));

export const handleDelete = (ctx: RealtimeContext, conn: Connection, frame: DeleteFrame) =>
  change(ctx, conn, frame, async () => ctx.messages.remove(await ctx.rooms.getRecent(frame.room), conn.user, frame.id));
