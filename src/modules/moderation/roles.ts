import type { Room } from '../rooms/repository.js';
import type { User } from '../users/repository.js';

/**
 * Moderation rank in a room: admin 3, global moderator 2, room owner 1, everyone else 0.
 * Nobody acts on themselves or on someone of equal or higher rank.
 */
export function moderationRank(user: Pick<User, 'id' | 'permissions'>, room: Pick<Room, 'ownerId'> & { kind?: Room['kind'] }): number {
  if (user.permissions.includes('admin')) return 3;
  if (user.permissions.includes('moderate')) return 2;
  // A direct message's "owner" is just who opened it: no power over the other person.
  if (room.ownerId === user.id && room.kind !== 'dm') return 1;
  return 0;
}

export const canModerate = (user: Pick<User, 'id' | 'permissions'>, room: Pick<Room, 'ownerId'> & { kind?: Room['kind'] }) => moderationRank(user, room) > 0;

export function canActOn(actor: Pick<User, 'id' | 'permissions'>, target: Pick<User, 'id' | 'permissions'>, room: Pick<Room, 'ownerId'> & { kind?: Room['kind'] }): boolean {
  const rank = moderationRank(actor, room);
  return rank > 0 && actor.id !== target.id && rank > moderationRank(target, room);
}
