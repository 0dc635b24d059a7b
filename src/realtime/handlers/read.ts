import type { ReadFrame } from '../../shared/protocol.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

/**
 * Moves the reader's marker forward. Only in a room the user is a member of: a socket joined
 * to the room was one at its join (and leaves it with the membership), otherwise membership is
 * read now. An id beyond the room's newest stored id is clamped to it.
 */
export async function handleRead(ctx: RealtimeContext, conn: Connection, frame: ReadFrame): Promise<void> {
  const { room } = frame;
  const joined = conn.isJoined(room);
  if (!joined && !(await ctx.unread.isMember(room, conn.user.id))) {
    return conn.send({ type: 'error', code: 'not_member', message: conn.t('ws.joinFirst'), room });
  }
  // Clamped to the room's newest id, always: the socket's own cursor is no bound, since a
  // join's `since` (the client's word) sets it.
  const id = Math.min(frame.id, await ctx.unread.newestId(room));
  if (id > 0) await ctx.unread.markRead(conn.user.id, room, id);
}
