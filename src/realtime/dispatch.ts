import type { ClientFrame } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import type { RealtimeContext } from './context.js';
import { parseFrame } from './frames.js';
import { handleDelete, handleEdit } from './handlers/change.js';
import { handleJoin } from './handlers/join.js';
import { handleLeave } from './handlers/leave.js';
import { handleSend } from './handlers/send.js';
import { handleTyping } from './handlers/typing.js';
import { handleRead } from './handlers/read.js';

const handlers: { [K in ClientFrame['type']]: (ctx: RealtimeContext, c: Connection, f: Extract<ClientFrame, { type: K }>) => Promise<void> } = {
  join: handleJoin,
  send: handleSend,
  leave: handleLeave,
  edit: handleEdit,
  delete: handleDelete,
  typing: handleTyping,
  read: handleRead,
};

/** Parse, then hand to the frame's handler. Bad input gets an `error` frame; the socket stays open. */
export async function dispatch(ctx: RealtimeContext, conn: Connection, text: string): Promise<void> {
  const result = parseFrame(text);
  if (!result.ok) {
    ctx.log.info({ userId: conn.user.id, code: result.code, reason: result.message }, 'refused frame');
    ctx.metrics.sendErrors.inc({ code: result.code });
    const { ok: _ok, key, params, ...error } = result;
    return conn.send({ type: 'error', ...error, message: conn.t(key, params) });
  }
  const frame = result.frame;
  try {
    await (handlers[frame.type] as (ctx: RealtimeContext, c: Connection, f: ClientFrame) => Promise<void>)(ctx, conn, frame);
  } catch (err) {
    ctx.log.error({ err, type: frame.type }, 'frame handler failed');
    conn.send({ type: 'error', code: 'unavailable', message: conn.t('error.503'), room: frame.room });
  }
}
