import { AppError, RestrictedError } from '../../errors.js';
import type { Blocks } from '../users/blocks.js';
import type { LiveState } from '../../live/ports.js';
import type { Room } from '../rooms/repository.js';
import type { User } from '../users/repository.js';

/** A user's restrictions in force in one room: end time, or null for no end. */
export type ActiveRestrictions = Awaited<ReturnType<LiveState['moderation']['active']>>;

/** Refusal of a direct message between two people when one blocked the other. */
export const dmBlocked = (who: 'mine' | 'theirs') =>
  who === 'mine'
    ? new AppError('bad_request', 'You blocked this person: unblock them to send them messages', 'block.err.mine')
    : new AppError('bad_request', 'This person does not accept your messages', 'block.err.theirs');

const when = (until: number | null) => (until === null ? 'until lifted' : `until ${new Date(until).toISOString()}`);

/**
 * The server-side gate every path goes through at the moment of the action: joining or opening
 * a room, reading its history, sending. Reads the live moderation state on each call, so a
 * mute or kick made on any instance applies at once, even if its broadcast was lost.
 */
export function createRoomAccess(deps: { live: LiveState; now: () => number; blocks?: Pick<Blocks, 'between'> }) {
  function barError(bar: number | null | undefined): RestrictedError | null {
    if (bar === undefined) return null;
    return bar === null
      ? new RestrictedError('banned', null, 'You are banned from this room')
      : new RestrictedError('kicked', bar, `You were removed from this room ${when(bar)}`);
  }

  const restrictions = (roomId: number, userId: number): Promise<ActiveRestrictions> => deps.live.moderation.active(roomId, userId, deps.now());

  return {
    /** The live read the gate makes, for a route to start early (plugins/early-reads.ts). */
    restrictions,

    /**
     * Throws when the user may not enter or read the room; else the user's restrictions there (a
     * mute). `read`: the user's restrictions read earlier in this same request, if any.
     */
    async assertCanEnter(room: Pick<Room, 'id'>, user: User, read = restrictions(room.id, user.id)): Promise<ActiveRestrictions> {
      const r = await read;
      const err = barError(r.bar);
      if (err) throw err;
      return r;
    },

    /** Throws when the user may not post in the room now. */
    async assertCanSend(room: Room, user: User): Promise<void> {
      if (room.archived) throw new RestrictedError('archived', null, 'This room is archived: it can be read, not written to');
      // In a direct message, a block either way refuses the message (read live, every instance).
      const other = room.dmUsers?.find((id) => id !== user.id);
      const [r, blocked] = await Promise.all([restrictions(room.id, user.id), other !== undefined && deps.blocks ? deps.blocks.between(user.id, other) : null]);
      if (blocked) throw dmBlocked(blocked === 'a' ? 'mine' : 'theirs');
      const bar = barError(r.bar);
      if (bar) throw bar;
      if (r.mute !== undefined) throw new RestrictedError('muted', r.mute, `You are muted in this room ${when(r.mute)}`);
    },
  };
}

export type RoomAccess = ReturnType<typeof createRoomAccess>;
