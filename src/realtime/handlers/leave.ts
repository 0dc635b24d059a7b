import type { LeaveFrame } from '../../shared/protocol.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

/** Stops this socket listening to the room; membership stays (POST /rooms/:id/leave ends it). */
export async function handleLeave(ctx: RealtimeContext, conn: Connection, frame: LeaveFrame): Promise<void> {
  await ctx.hub.exitRoom(conn, frame.room);
  conn.send({ type: 'left', room: frame.room });
}
