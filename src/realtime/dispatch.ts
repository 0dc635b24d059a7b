import type { ClientFrame } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import type { RealtimeContext } from './context.js';
import { parseFrame } from './frames.js';
import { handleDelete, handleEdit } from './handlers/change.js';
import { handleJoin } from './handlers/join.js';
import { handleLeave } from './handlers/leave.js';
import { prepareSend } from './handlers/send.js';
import { handleTyping } from './handlers/typing.js';
import { handleRead } from './handlers/read.js';

type InOrderFrame = Exclude<ClientFrame, { type: 'send' }>;

const handlers: { [K in InOrderFrame['type']]: (ctx: RealtimeContext, c: Connection, f: Extract<ClientFrame, { type: K }>) => Promise<void> } = {
  join: handleJoin,
  leave: handleLeave,
  edit: handleEdit,
  delete: handleDelete,
  typing: handleTyping,
  read: handleRead,
};

/**
 * Parse, then queue on the connection: a `send` pipelined (its checks overlap the sends before
 * it; stores and acks keep their order), every other frame after all before it. Bad input gets
 * an `error` frame in its turn; the socket stays open.
 */
export function dispatch(ctx: RealtimeContext, conn: Connection, text: string): void {
  const result = parseFrame(text);
  if (!result.ok) {
    return conn.inOrder(async () => {
      ctx.log.info({ userId: conn.user.id, code: result.code, reason: result.message }, 'refused frame');
      ctx.metrics.sendErrors.inc({ code: result.code });
      const { ok: _ok, key, params, ...error } = result;
      conn.send({ type: 'error', ...error, message: conn.t(key, params) });
    });
  }
  const frame = result.frame;
  if (frame.type === 'send') return conn.pipelined(() => prepareSend(ctx, conn, frame));
  conn.inOrder(async () => {
    try {
      await (handlers[frame.type] as (ctx: RealtimeContext, c: Connection, f: ClientFrame) => Promise<void>)(ctx, conn, frame);
    } catch (err) {
      ctx.log.error({ err, type: frame.type }, 'frame handler failed');
      conn.send({ type: 'error', code: 'unavailable', message: conn.t('error.503'), room: frame.room });
    }
  });
}
