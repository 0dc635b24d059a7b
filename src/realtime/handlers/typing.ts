import type { TypingFrame } from '../../shared/protocol.js';
import { setBounded } from '../../util/bounded-map.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

/** One typing notice per user and room within this time goes out; more are dropped silently. */
export const TYPING_EVERY_MS = 2000;
/** (room, user) pairs remembered: a bound on memory, far above the users typing at once. */
const MAX_TRACKED = 50_000;

/**
 * Lets a user's typing notice for a room through at most every `TYPING_EVERY_MS`, over all of
 * their sockets on this instance (the client sends one every 3 s while typing).
 */
export function createTypingGate(now: () => number) {
  const last = new Map<string, number>();
  return {
    take(room: number, userId: number): boolean {
      const key = `${room}:${userId}`;
      const t = now();
      const prev = last.get(key);
      if (prev !== undefined && t - prev < TYPING_EVERY_MS) return false;
      last.delete(key); // re-inserted last: the oldest entries are the ones evicted
      setBounded(last, key, t, MAX_TRACKED);
      return true;
    },
  };
}
export type TypingGate = ReturnType<typeof createTypingGate>;

/**
 * `typing`: told to everyone in the room (on every instance, through the room's channel) and
 * never stored. Only from a socket that joined the room; a user muted, kicked or banned there
 * (the live state, read now), or a room that is archived, sends nothing: dropped silently, as
 * is a notice over the rate (docs/protocol.md).
 */
export async function handleTyping(ctx: RealtimeContext, conn: Connection, frame: TypingFrame): Promise<void> {
  const { room } = frame;
  if (!conn.isJoined(room)) {
    return conn.send({ type: 'error', code: 'not_member', message: conn.t('ws.joinFirst'), room });
  }
  if (!ctx.typing.take(room, conn.user.id)) return;
  const [r, restrictions] = await Promise.all([ctx.rooms.getRecent(room), ctx.rooms.restrictions(room, conn.user.id)]);
  if (r.archived || restrictions.mute !== undefined || restrictions.bar !== undefined) return;
  await ctx.events.ephemeral(room, { type: 'typing', room, user: { id: conn.user.id, name: conn.user.displayName } });
}
