import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { LiveState } from '../../live/ports.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { UserRef } from '../../shared/protocol.js';
import { RecentCache } from '../../util/recent-cache.js';
import type { AuditLog } from '../moderation/audit.js';
import type { Origin, SiteAction, SiteAudit } from '../audit/log.js';
import { dmBlocked, type ActiveRestrictions, type RoomAccess } from '../moderation/access.js';
import type { Blocks } from '../users/blocks.js';
import { hasPermission } from '../users/permissions.js';
import { canActOn, canModerate, moderationRank } from '../moderation/roles.js';
import type { User, UserRepository } from '../users/repository.js';
import type { UserLimit } from '../limits/user-limit.js';
import { createKeyedQueue } from '../../util/keyed-queue.js';
import type { Room, RoomPage, RoomPageQuery, RoomRepository, RoomVisibility } from './repository.js';

/** Rooms a page of the room list shows. */
const ROOMS_PAGE = 50;

/** An invite's room is archived or deleted: nobody joins it. */
export const roomGone = () => new AppError('conflict', 'The room is gone or archived', 'roomInvite.gone');

/**
 * How long a room read may be reused by sends and page views. Changes drop it at once here and,
 * through `room-changed`/`room-deleted` control events, on other instances; this bounds a miss.
 */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/** A room the user may enter, with their own restrictions there as read by the check. */
export interface Entered {
  room: Room;
  mine: ActiveRestrictions;
}

export function createRoomService(deps: {
  rooms: RoomRepository;
  users: UserRepository;
  live: LiveState;
  events: EventPublisher;
  access: RoomAccess;
  audit: AuditLog;
  /** The site audit log: room creation, archiving, deletion (after the change commits). */
  siteAudit: SiteAudit;
  /** ROOM_CREATE_PER_HOUR, per user, shared by every instance. */
  createLimit: UserLimit;
  /** Joins and leaves: each changes membership or presence, which every member is told of. */
  enterLimit: UserLimit;
  blocks: Pick<Blocks, 'between'>;
  now: () => number;
}) {
  const { rooms, live, events, access } = deps;
  const ref = (u: User): UserRef => ({ id: u.id, name: u.displayName });
  const NO_ORIGIN: Origin = { ip: null };
  const admitting = createKeyedQueue<number>();
  const logged = (user: User, action: SiteAction, room: Room, origin: Origin) =>
    deps.siteAudit.record({ actorId: user.id, targetId: null, action, ip: origin.ip, at: deps.now(), details: { room: room.id, name: room.name } });
  const cache = new RecentCache<number, Room>(CACHE_MS, CACHE_MAX, deps.now);
  /** The room list and its unfiltered first page, kept on the same terms: any room's change or deletion drops them. */
  const listCache = new RecentCache<'all', Room[]>(CACHE_MS, 1, deps.now);
  /** Keyed by what it lists: public rooms only, or every room (admins). */
  const firstPageCache = new RecentCache<'public' | 'all', RoomPage>(CACHE_MS, 2, deps.now);
  const forget = (id: number) => {
    cache.delete(id);
    listCache.clear();
    firstPageCache.clear();
  };
  const found = (room: Room | undefined): Room => {
    if (!room) throw new AppError('not_found', 'No such room');
    return room;
  };
  const get = async (id: number) => found(await cache.refresh(id, () => rooms.findById(id)));
  const getRecent = async (id: number) => found(await cache.load(id, () => rooms.findById(id)));

  /**
   * The room, once the user may enter it: both reads go out together, and a missing room is
   * reported before a bar. The bar is always read live; the room itself may be a recent read.
   */
  async function getEnterable(roomId: number, user: User, read: 'fresh' | 'recent', restrictions?: Promise<ActiveRestrictions>): Promise<Entered> {
    const [room, gate] = await Promise.allSettled([
      visible(read === 'fresh' ? get(roomId) : getRecent(roomId), user),
      access.assertCanEnter({ id: roomId }, user, restrictions),
    ]);
    if (room.status === 'rejected') throw room.reason;
    if (gate.status === 'rejected') throw gate.reason;
    return { room: room.value, mine: gate.value };
  }

  /**
   * The one visibility rule (every path goes through it): a private room exists only for its
   * members, its owner and admins; for anyone else it is answered exactly like an unknown room.
   * Membership is read live (a removed member loses it at once, on every instance).
   */
  async function canSee(room: Room, user: User): Promise<boolean> {
    if (room.visibility === 'public' || hasPermission(user, 'admin')) return true;
    // A direct message: its two people, always (also after leaving it).
    if (room.dmUsers) return room.dmUsers.includes(user.id);
    if (room.ownerId === user.id) return true;
    return live.membership.isMember(room.id, user.id);
  }
  async function visible(read: Promise<Room>, user: User): Promise<Room> {
    const room = await read;
    if (!(await canSee(room, user))) throw new AppError('not_found', 'No such room');
    return room;
  }

  /** Makes the user a member, announced to the room the first time; true then. Check entry first. */
  async function addMember(roomId: number, user: User): Promise<boolean> {
    if (!(await live.membership.join(roomId, user.id))) return false;
    await events.toRoom(roomId, { type: 'member', room: roomId, user: ref(user), action: 'join' });
    return true;
  }

  /**
   * Owner or admin may edit, archive and delete a room; an owner kicked or banned from their own
   * room (by a moderator or an admin) has no power over it meanwhile.
   */
  async function assertOwner(room: Room, user: User) {
    if (hasPermission(user, 'admin')) return;
    if (room.ownerId !== user.id || room.kind === 'dm') throw new AppError('forbidden', 'Only the room owner or an admin may change this room');
    await access.assertCanEnter(room, user);
  }

  return {
    get,
    /** For every send and page view: a recent read, saving a query each. */
    getRecent,
    /** Another instance created, changed or deleted the room (control event). */
    forget,
    /** Events may have been missed. */
    forgetAll: () => {
      cache.clear();
      listCache.clear();
      firstPageCache.clear();
    },
    /** For the room list page: a recent read, saving a query per view. */
    list: async (): Promise<Room[]> => (await listCache.load('all', () => rooms.list())) ?? [],
    /** A page of the room list (ROOMS_PAGE rooms in name order); the first, unfiltered one is a recent read. */
    async page(q: Omit<RoomPageQuery, 'limit' | 'includePrivate'>, user: User): Promise<RoomPage> {
      // Private rooms are listed to admins only; members find theirs under "Your rooms".
      const includePrivate = hasPermission(user, 'admin');
      const read = () => rooms.page({ ...q, includePrivate, limit: ROOMS_PAGE });
      const first = q.search === undefined && q.after === undefined && q.before === undefined;
      return first ? ((await firstPageCache.load(includePrivate ? 'all' : 'public', read)) ?? read()) : read();
    },
    canSee,
    /** Throws not_found (as for an unknown room) when the user may not see the room. */
    async assertVisible(room: Room, user: User): Promise<void> {
      if (!(await canSee(room, user))) throw new AppError('not_found', 'No such room');
    },
    canCreate: (user: User) => hasPermission(user, 'create_room'),
    canManage: (room: Room, user: User) => (room.ownerId === user.id && room.kind !== 'dm') || hasPermission(user, 'admin'),

    async create(user: User, input: { name: string; description: string; visibility?: RoomVisibility }, origin = NO_ORIGIN): Promise<Room> {
      if (!hasPermission(user, 'create_room')) throw new AppError('forbidden', 'You may not create rooms');
      await deps.createLimit.take(user.id);
      try {
        const room = await rooms.create({ ...input, visibility: input.visibility ?? 'public', ownerId: user.id, createdAt: deps.now() });
        forget(room.id);
        await logged(user, 'room_create', room, origin);
        await live.membership.join(room.id, user.id);
        // Other instances drop their room lists.
        await events.control({ type: 'room-changed', room: room.id });
        return room;
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'A room with that name exists, or one that looks like it', 'room.lookalike');
        throw err;
      }
    },

    /**
     * For page views: the room (a recent read) once the user may enter it (the bar is read live,
     * in this request: `restrictions` if the route read them early).
     */
    enter: (roomId: number, user: User, restrictions?: Promise<ActiveRestrictions>): Promise<Entered> =>
      getEnterable(roomId, user, 'recent', restrictions),

    /** The live read of the bar that `enter` makes, for a route to start early in the request. */
    restrictions: access.restrictions,

    /** The room (a recent read) without the entry check: for a barred reader's notice page. */

    /** Makes the user a member (announced to the room the first time); refused when barred. */
    async join(roomId: number, user: User): Promise<Entered> {
      await deps.enterLimit.take(user.id);
      const entered = await getEnterable(roomId, user, 'fresh');
      await addMember(roomId, user);
      return entered;
    },

    async leave(roomId: number, user: User): Promise<void> {
      await deps.enterLimit.take(user.id);
      const room = await visible(get(roomId), user);
      // A direct message has no way back in but opening it again, and its other person would
      // write to no one: it is not left (blocking the person stops their messages).
      if (room.kind === 'dm') throw new AppError('bad_request', 'A direct message cannot be left', 'dm.err.leave');
      await this.removeMember(roomId, user);
      // Every socket of the user, on every instance, stops listening to the room.
      await events.control({ type: 'leave-room', room: roomId, userId: user.id });
    },

    /** Ends the user's membership, announced to the room; true when they were a member. */
    async removeMember(roomId: number, user: Pick<User, 'id' | 'displayName'>): Promise<boolean> {
      if (!(await live.membership.leave(roomId, user.id))) return false;
      await events.toRoom(roomId, { type: 'member', room: roomId, user: { id: user.id, name: user.displayName }, action: 'leave' });
      return true;
    },

    /**
     * A deleted account leaves its rooms, so no member list or mention list offers it; its
     * direct messages keep it, as the other person's record of the conversation.
     */
    async leaveAllOf(user: Pick<User, 'id' | 'displayName'>): Promise<void> {
      for (const roomId of await live.membership.roomsOf(user.id)) {
        const room = await getRecent(roomId).catch(() => undefined);
        if (room?.kind === 'dm') continue;
        if (await this.removeMember(roomId, user)) await events.control({ type: 'leave-room', room: roomId, userId: user.id });
      }
    },

    assertCanEnter: (room: Room, user: User) => access.assertCanEnter(room, user),

    /** For history: anyone who may enter the room (not barred) and see it (a private room: its members). */
    async requireReader(roomId: number, user: User): Promise<Room> {
      return (await getEnterable(roomId, user, 'recent')).room;
    },

    /** For a form's send: a member who is not barred. */
    async requireMember(roomId: number, user: User): Promise<Room> {
      const [{ room }, member] = await Promise.all([getEnterable(roomId, user, 'recent'), live.membership.isMember(roomId, user.id)]);
      if (!member) throw new AppError('not_member', 'Join the room first');
      return room;
    },

    /**
     * The room, for someone who may moderate it: who cannot see it gets not_found (as for an
     * unknown room), who sees it without moderating it `forbidden`. An owner (rank 1: no global
     * permission) kicked or banned from their own room has no power over it meanwhile.
     */
    async moderated(roomId: number, actor: User, forbidden: () => AppError): Promise<Room> {
      const room = await visible(get(roomId), actor);
      if (!canModerate(actor, room)) throw forbidden();
      if (moderationRank(actor, room) === 1) await access.assertCanEnter(room, actor);
      return room;
    },

    /**
     * Lets someone in by an invite, without seeing the room first: refused (RestrictedError) when
     * barred there, `room.gone` when the room is archived or deleted. `take` runs only when they
     * were no member yet (it takes the invite's use: a member following the link again uses none).
     */
    async admit(roomId: number, user: User, take: () => Promise<void>): Promise<{ room: Room; joined: boolean }> {
      // One at a time per user (on this instance): two presses of Join take one use, not two.
      return admitting(user.id, async () => {
        await deps.enterLimit.take(user.id);
        const room = await get(roomId).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'not_found' ? roomGone() : err;
        });
        if (room.archived || room.kind === 'dm') throw roomGone();
        await access.assertCanEnter(room, user);
        if (await live.membership.isMember(roomId, user.id)) return { room, joined: false };
        await take();
        return { room, joined: await addMember(roomId, user) };
      });
    },

    /**
     * The one check for managing a private room's members: who cannot see the room gets
     * not_found, who cannot moderate it `members.err.forbidden` (rooms.moderated), and a public
     * room or a DM has no members to manage.
     */
    async membersRoom(roomId: number, actor: User): Promise<Room> {
      const room = await this.moderated(roomId, actor, () => new AppError('forbidden', 'Only the room owner, moderators and admins may manage its members', 'members.err.forbidden'));
      if (room.visibility !== 'private' || room.kind === 'dm') throw new AppError('bad_request', 'Members are managed only in private rooms', 'members.err.public');
      return room;
    },

    /**
     * A private room's members by username, for the moderation panel of a room `membersRoom`
     * let the actor manage: `removable` where the actor's rank allows it (never the owner).
     */
    async members(room: Room, actor: User): Promise<Array<{ id: number; username: string; name: string; removable: boolean }>> {
      const users = await deps.users.findMany(await live.membership.members(room.id));
      return users
        .filter((u) => !u.deleted)
        .sort((a, b) => a.username.localeCompare(b.username))
        .map((u) => ({ id: u.id, username: u.username, name: u.displayName, removable: u.id !== room.ownerId && canActOn(actor, u, room) }));
    },

    /**
     * Adds someone to a private room by username, or removes them (their sockets leave the room
     * on every instance); checked by `membersRoom`, a removal also by the moderation ranks (the
     * owner stays). A change is written to the room's and the site's audit logs. Returns the target.
     */
    async setMember(roomId: number, actor: User, username: string, action: 'add' | 'remove', origin = NO_ORIGIN): Promise<User> {
      const room = await this.membersRoom(roomId, actor);
      const target = await deps.users.findByUsername(username);
      if (!target || (action === 'add' && (target.disabled || target.deleted))) throw new AppError('not_found', 'No such user', 'members.err.noUser', 'username');
      let changed: boolean;
      if (action === 'add') changed = await addMember(roomId, target);
      else {
        if (target.id === room.ownerId || !canActOn(actor, target, room)) throw new AppError('forbidden', 'You cannot remove this member', 'members.err.rank');
        changed = await this.removeMember(roomId, target);
        await events.control({ type: 'leave-room', room: roomId, userId: target.id });
      }
      if (changed) {
        const at = deps.now();
        const entry = action === 'add' ? 'member_add' : 'member_remove';
        await deps.audit.record({ room: roomId, actorId: actor.id, targetId: target.id, action: entry, reason: '', until: null, messageId: null, at });
        await deps.siteAudit.record({ actorId: actor.id, targetId: target.id, action: entry, ip: origin.ip, at, details: { room: room.id, name: room.name } });
      }
      return target;
    },

    /**
     * The one conversation between the user and `other`, created on first use with both as
     * members. Two creations at once (on any instances) make one: the ordered pair is a unique
     * key, and the loser reads the winner's row.
     */
    async openDm(user: User, other: User): Promise<Room> {
      if (other.id === user.id) throw new AppError('bad_request', 'You cannot message yourself', 'dm.err.self');
      if (other.disabled || other.deleted) throw new AppError('not_found', 'No such user', 'members.err.noUser');
      await deps.enterLimit.take(user.id);
      const blocked = await deps.blocks.between(user.id, other.id);
      if (blocked) throw dmBlocked(blocked === 'a' ? 'mine' : 'theirs');
      let room = await rooms.findDm(user.id, other.id);
      if (!room) {
        try {
          room = await rooms.createDm(user.id, other.id, deps.now());
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          room = found(await rooms.findDm(user.id, other.id));
        }
        forget(room.id);
        await addMember(room.id, other);
      }
      await addMember(room.id, user);
      return room;
    },

    async update(roomId: number, user: User, changes: { description?: string; archived?: boolean }, origin = NO_ORIGIN): Promise<Room> {
      const room = await visible(get(roomId), user);
      await assertOwner(room, user);
      await rooms.update(roomId, changes);
      const action = changes.archived === undefined ? 'edit' : changes.archived ? 'archive' : 'unarchive';
      await deps.audit.record({ room: roomId, actorId: user.id, targetId: null, action, reason: '', until: null, messageId: null, at: deps.now() });
      if (action !== 'edit') await logged(user, action === 'archive' ? 'room_archive' : 'room_unarchive', room, origin);
      forget(roomId);
      await events.control({ type: 'room-changed', room: roomId });
      return get(roomId);
    },

    /** Deletes the room, its messages and memberships, and detaches every socket from it. */
    async delete(roomId: number, user: User, origin = NO_ORIGIN): Promise<void> {
      const room = await visible(get(roomId), user);
      await assertOwner(room, user);
      // Two deletes at once: one entry, by the one that removed the row.
      if (await rooms.delete(roomId)) await logged(user, 'room_delete', room, origin);
      forget(roomId); // other instances forget it on `room-deleted`
      await live.messages.clear(roomId);
      await live.mentions.clear(roomId);
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
