import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { LiveState } from '../../live/ports.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { UserRef } from '../../shared/protocol.js';
import { hasPermission } from '../users/permissions.js';
import type { User, UserRepository } from '../users/repository.js';
import type { Room, RoomRepository } from './repository.js';

export function createRoomService(deps: {
  rooms: RoomRepository;
  users: UserRepository;
  live: LiveState;
  events: EventPublisher;
  now: () => number;
}) {
  const { rooms, live, events } = deps;
  const ref = (u: User): UserRef => ({ id: u.id, name: u.displayName });

  async function get(id: number): Promise<Room> {
    const room = await rooms.findById(id);
    if (!room) throw new AppError('not_found', 'No such room');
    return room;
  }

  return {
    get,
    list: () => rooms.list(),
    canCreate: (user: User) => hasPermission(user, 'create_room'),

    async create(user: User, input: { name: string; description: string }): Promise<Room> {
      if (!hasPermission(user, 'create_room')) throw new AppError('forbidden', 'You may not create rooms');
      try {
        const room = await rooms.create({ ...input, ownerId: user.id, createdAt: deps.now() });
        await live.membership.join(room.id, user.id);
        return room;
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'A room with that name exists');
        throw err;
      }
    },

    /** Makes the user a member (announced to the room the first time). */
    async join(roomId: number, user: User): Promise<Room> {
      const room = await get(roomId);
      if (await live.membership.join(roomId, user.id)) {
        await events.toRoom(roomId, { type: 'member', room: roomId, user: ref(user), action: 'join' });
      }
      return room;
    },

    async leave(roomId: number, user: User): Promise<void> {
      await get(roomId);
      if (await live.membership.leave(roomId, user.id)) {
        await events.toRoom(roomId, { type: 'member', room: roomId, user: ref(user), action: 'leave' });
      }
      // Every socket of the user, on every instance, stops listening to the room.
      await events.control({ type: 'leave-room', room: roomId, userId: user.id });
    },

    async requireMember(roomId: number, user: User): Promise<void> {
      if (!(await live.membership.isMember(roomId, user.id))) {
        throw new AppError('not_member', 'Join the room first');
      }
    },

    async roster(roomId: number): Promise<{ members: UserRef[]; online: UserRef[] }> {
      const [memberIds, onlineIds] = await Promise.all([live.membership.members(roomId), live.presence.online(roomId)]);
      const refs = await deps.users.refs([...new Set([...memberIds, ...onlineIds])]);
      const byId = new Map(refs.map((r) => [r.id, r]));
      const pick = (ids: number[]) => ids.map((id) => byId.get(id)).filter((r): r is UserRef => r !== undefined);
      return { members: pick(memberIds), online: pick(onlineIds) };
    },
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
