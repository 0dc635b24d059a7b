import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { LiveState } from '../../live/ports.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { UserRef } from '../../shared/protocol.js';
import type { AuditLog } from '../moderation/audit.js';
import type { RoomAccess } from '../moderation/access.js';
import { hasPermission } from '../users/permissions.js';
import type { User, UserRepository } from '../users/repository.js';
import type { Room, RoomRepository } from './repository.js';

/** How long a room read for the send path may be reused (archiving reaches other instances within this). */
const CACHE_MS = 5000;

export function createRoomService(deps: {
  rooms: RoomRepository;
  users: UserRepository;
  live: LiveState;
  events: EventPublisher;
  access: RoomAccess;
  audit: AuditLog;
  now: () => number;
}) {
  const { rooms, live, events, access } = deps;
  const ref = (u: User): UserRef => ({ id: u.id, name: u.displayName });
  const cache = new Map<number, { room: Room; at: number }>();

  /**
   * The room, once the user may enter it: both reads go out together, and a missing room is
   * reported before a bar.
   */
  async function getEnterable(roomId: number, user: User): Promise<Room> {
    const [room, gate] = await Promise.allSettled([get(roomId), access.assertCanEnter({ id: roomId }, user)]);
    if (room.status === 'rejected') throw room.reason;
    if (gate.status === 'rejected') throw gate.reason;
    return room.value;
  }

  async function get(id: number): Promise<Room> {
    const room = await rooms.findById(id);
    if (!room) throw new AppError('not_found', 'No such room');
    cache.set(id, { room, at: deps.now() });
    return room;
  }

  /** Owner or admin may edit, archive and delete a room. */
  function assertOwner(room: Room, user: User) {
    if (room.ownerId !== user.id && !hasPermission(user, 'admin')) {
      throw new AppError('forbidden', 'Only the room owner or an admin may change this room');
    }
  }

  return {
    get,
    /** For every send: a recent read is fine, saving a query per message. */
    async getFresh(id: number): Promise<Room> {
      const hit = cache.get(id);
      if (hit && deps.now() - hit.at < CACHE_MS) return hit.room;
      return get(id);
    },
    list: () => rooms.list(),
    canCreate: (user: User) => hasPermission(user, 'create_room'),
    canManage: (room: Room, user: User) => room.ownerId === user.id || hasPermission(user, 'admin'),

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

    /** Makes the user a member (announced to the room the first time); refused when barred. */
    async join(roomId: number, user: User): Promise<Room> {
      const room = await getEnterable(roomId, user);
      if (await live.membership.join(roomId, user.id)) {
        await events.toRoom(roomId, { type: 'member', room: roomId, user: ref(user), action: 'join' });
      }
      return room;
    },

    async leave(roomId: number, user: User): Promise<void> {
      await get(roomId);
      await this.removeMember(roomId, user);
      // Every socket of the user, on every instance, stops listening to the room.
      await events.control({ type: 'leave-room', room: roomId, userId: user.id });
    },

    async removeMember(roomId: number, user: Pick<User, 'id' | 'displayName'>): Promise<void> {
      if (await live.membership.leave(roomId, user.id)) {
        await events.toRoom(roomId, { type: 'member', room: roomId, user: { id: user.id, name: user.displayName }, action: 'leave' });
      }
    },

    assertCanEnter: (room: Room, user: User) => access.assertCanEnter(room, user),

    /** For history: a member who is not barred. */
    async requireReader(roomId: number, user: User): Promise<Room> {
      const [room, member] = await Promise.all([getEnterable(roomId, user), live.membership.isMember(roomId, user.id)]);
      if (!member) throw new AppError('not_member', 'Join the room first');
      return room;
    },

    async update(roomId: number, user: User, changes: { description?: string; archived?: boolean }): Promise<Room> {
      const room = await get(roomId);
      assertOwner(room, user);
      await rooms.update(roomId, changes);
      const action = changes.archived === undefined ? 'edit' : changes.archived ? 'archive' : 'unarchive';
      await deps.audit.record({ room: roomId, actorId: user.id, targetId: null, action, reason: '', until: null, messageId: null, at: deps.now() });
      cache.delete(roomId);
      return get(roomId);
    },

    /** Deletes the room, its messages and memberships, and detaches every socket from it. */
    async delete(roomId: number, user: User): Promise<void> {
      const room = await get(roomId);
      assertOwner(room, user);
      await rooms.delete(roomId);
      cache.delete(roomId);
      await live.messages.clear(roomId);
      for (const id of await live.membership.members(roomId)) await live.membership.leave(roomId, id);
      await events.control({ type: 'room-deleted', room: roomId });
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
