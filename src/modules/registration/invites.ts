import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Origin, SiteAudit, SiteAuditEntry } from '../audit/log.js';
import type { Room, RoomRepository } from '../rooms/repository.js';
import type { RoomService } from '../rooms/service.js';
import { hasPermission, PERMISSIONS, type Permission } from '../users/permissions.js';
import type { User, UserRepository } from '../users/repository.js';

export interface Invite {
  id: number;
  createdBy: number;
  createdAt: number;
  expiresAt: number;
  maxUses: number;
  uses: number;
  revokedAt: number | null;
  permissions: Permission[];
  rooms: number[];
  /** A room invite's private room (its use makes a member of it); null for the site's invites. */
  roomId: number | null;
}

export type InviteState = 'usable' | 'expired' | 'used' | 'revoked';

/** 32 random bytes (256 bits), URL-safe; only its SHA-256 is stored. */
const newToken = () => crypto.randomBytes(32).toString('base64url');
export const hashToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);
const splitList = (s: string) => s.split(',').filter((x) => x !== '');

type InviteRow = { id: number; created_by: number; created_at: number; expires_at: number; max_uses: number; uses: number; revoked_at: number | null; permissions: string; rooms: string; room_id: number | null };

function toInvite(r: InviteRow): Invite {
  return {
    id: Number(r.id),
    createdBy: Number(r.created_by),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    maxUses: Number(r.max_uses),
    uses: Number(r.uses),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    permissions: splitList(r.permissions).filter(isPermission),
    rooms: splitList(r.rooms).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0),
    roomId: r.room_id === null ? null : Number(r.room_id),
  };
}

export const inviteState = (i: Invite, now: number): InviteState =>
  i.revokedAt !== null ? 'revoked' : i.uses >= i.maxUses ? 'used' : i.expiresAt <= now ? 'expired' : 'usable';

const unusable = () => new AppError('conflict', 'The invite is expired, used up or revoked', 'invite.unusable', 'invite');

/** What both kinds of invite are made of: how often and how long it may be used. */
export interface InviteTerms {
  uses: number;
  expiresHours: number;
}

/**
 * Invite links. Admins and `manage_users` holders create them; by the rank rule
 * (docs/moderation.md) only admins may have an invite grant permissions (a manager could
 * otherwise hand out what they cannot grant). Rooms granted are joined on sign-up (rooms are
 * public). The token is shown once; the database keeps its SHA-256, so a read of the table
 * gives no usable link. A use is one conditional UPDATE (`uses < max_uses`, not revoked, not
 * expired) inside the sign-up's (or the room join's) transaction: two instances taking the last
 * use cannot both win.
 *
 * Room invites (`roomId`): a private room's owner, the moderators who see it and admins create,
 * list and revoke them, checked against the room at each action; for anyone who cannot see the
 * room it does not exist (404, as an unknown room). Their use makes a member of the room: a
 * signed-in user joins; a new account may be made with one only while registration is `open`
 * (a room owner cannot let anyone onto a closed or invite-only site).
 */
export function createInvites(deps: {
  db: Db;
  rooms: RoomRepository;
  roomService: Pick<RoomService, 'moderated' | 'admit'>;
  users: Pick<UserRepository, 'findById'>;
  audit: SiteAudit;
  now: () => number;
}) {
  const { db } = deps;

  const assertMayInvite = (actor: User) => {
    if (!hasPermission(actor, 'manage_users')) throw new AppError('forbidden', 'You may not manage invites');
  };

  async function findByToken(token: string): Promise<Invite | undefined> {
    const row = await db.selectFrom('invites').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    return row && toInvite(row);
  }

  return {
    assertMayInvite,
    /** Throws as the room's invite actions would (not_found, forbidden, bad_request): for a route to check first. */
    assertManagesRoom: async (actor: User, roomId: number): Promise<void> => void (await managedRoom(actor, roomId)),
    findByToken,

    async create(actor: User, input: InviteTerms & { permissions: Permission[]; rooms: number[] }, origin: Origin): Promise<{ token: string; invite: Invite }> {
      assertMayInvite(actor);
      if (input.permissions.length > 0 && !actor.permissions.includes('admin')) {
        throw new AppError('forbidden', 'Only admins may grant permissions with an invite', 'invite.noGrant', 'permission');
      }
      const rooms = [...new Set(input.rooms)];
      for (const id of rooms) {
        // A private room (or direct message) is answered as an unknown one: invites add to public rooms only.
        const room = await deps.rooms.findById(id);
        if (!room || room.visibility !== 'public') throw new AppError('not_found', 'No such room', 'invite.noRoom', 'room');
      }
      const permissions = [...new Set(input.permissions)];
      return issue(actor, input, { permissions: permissions.join(','), rooms: rooms.join(','), room_id: null }, origin, {
        ...(permissions.length ? { permissions: permissions.join(',') } : {}),
        ...(rooms.length ? { rooms: rooms.join(',') } : {}),
      });
    },

    /** The site's invites (room invites are their rooms'), newest first, with who created each. */
    async list(actor: User, limit = 100): Promise<Array<Invite & { creator: string | null }>> {
      assertMayInvite(actor);
      return listWhere(null, limit);
    },

    /** Managers may revoke invites that grant no permission; admins any. */
    async revoke(actor: User, id: number, origin: Origin): Promise<void> {
      assertMayInvite(actor);
      const row = await db.selectFrom('invites').selectAll().where('id', '=', id).where('room_id', 'is', null).executeTakeFirst();
      if (!row) throw new AppError('not_found', 'No such invite', 'invite.notFound');
      const invite = toInvite(row);
      if (invite.permissions.length > 0 && !actor.permissions.includes('admin')) throw new AppError('forbidden', 'Only admins revoke invites that grant permissions');
      await revokeRow(actor, id, origin, {});
    },

    /** A room invite for the private room: its owner, a moderator who sees it, or an admin. */
    async createForRoom(actor: User, roomId: number, input: InviteTerms, origin: Origin): Promise<{ token: string; invite: Invite }> {
      const room = await managedRoom(actor, roomId);
      if (room.archived) throw new AppError('conflict', 'The room is archived', 'roomInvite.err.archived');
      return issue(actor, input, { permissions: '', rooms: '', room_id: room.id }, origin, roomDetails(room));
    },

    /** The room's invites, newest first, for those who may create them. */
    async listForRoom(actor: User, roomId: number, limit = 100): Promise<Array<Invite & { creator: string | null }>> {
      await managedRoom(actor, roomId);
      return listWhere(roomId, limit);
    },

    async revokeForRoom(actor: User, roomId: number, id: number, origin: Origin): Promise<void> {
      const room = await managedRoom(actor, roomId);
      const row = await db.selectFrom('invites').select('id').where('id', '=', id).where('room_id', '=', room.id).executeTakeFirst();
      if (!row) throw new AppError('not_found', 'No such invite', 'invite.notFound');
      await revokeRow(actor, id, origin, roomDetails(room));
    },

    /**
     * The signed-in user joins the room invite's room: the use and its audit entry are one
     * transaction, taken only when they were no member yet. Refused when barred there
     * (RestrictedError), the invite unusable or not a room invite, or the room gone.
     */
    async joinRoom(user: User, token: string, origin: Origin): Promise<{ room: Room; joined: boolean }> {
      const invite = await findByToken(token);
      if (!invite || invite.roomId === null || !(await roomInviteLive(invite))) throw unusable();
      return deps.roomService.admit(invite.roomId, user, () =>
        db.transaction().execute(async (trx) => {
          await take(trx, token);
          await deps.audit.record(
            { actorId: user.id, targetId: user.id, action: 'invite_join', ip: origin.ip, at: deps.now(), details: { invite: invite.id, by: invite.createdBy, room: invite.roomId } },
            trx,
          );
        }),
      );
    },

    /**
     * Takes one use of the invite in the caller's transaction, or throws `invite.unusable`
     * (which rolls the sign-up back). The condition is re-checked by the UPDATE itself.
     */
    take,
    unusable,
    roomInviteLive,
  };

  /**
   * A room invite works only while its creator may still make one: active, and still the owner,
   * a moderator who sees the room, or an admin (a demoted, removed or disabled creator's links
   * let nobody in, as a demoted admin's site invites grant nothing).
   */
  async function roomInviteLive(invite: Invite): Promise<boolean> {
    if (invite.roomId === null) return false;
    const creator = await deps.users.findById(invite.createdBy);
    if (!creator || creator.disabled || creator.deleted) return false;
    try {
      await deps.roomService.moderated(invite.roomId, creator, () => unusable());
      return true;
    } catch {
      return false;
    }
  }

  /** Inserts the invite and its audit entry (one transaction); the token is returned once. */
  async function issue(
    actor: User,
    terms: InviteTerms,
    grants: { permissions: string; rooms: string; room_id: number | null },
    origin: Origin,
    details: SiteAuditEntry['details'],
  ): Promise<{ token: string; invite: Invite }> {
    const token = newToken();
    const now = deps.now();
    const id = await db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('invites')
        .values({ token_hash: hashToken(token), created_by: actor.id, created_at: now, expires_at: now + terms.expiresHours * 3600_000, max_uses: terms.uses, ...grants })
        .executeTakeFirstOrThrow();
      const inviteId = Number(r.insertId);
      await deps.audit.record(
        { actorId: actor.id, targetId: null, action: 'invite_create', ip: origin.ip, at: now, details: { invite: inviteId, uses: terms.uses, hours: terms.expiresHours, ...details } },
        trx,
      );
      return inviteId;
    });
    const row = await db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { token, invite: toInvite(row) };
  }

  /** The site's invites (roomId null) or one room's, newest first, with who created each. */
  async function listWhere(roomId: number | null, limit: number): Promise<Array<Invite & { creator: string | null }>> {
    const q = db.selectFrom('invites').leftJoin('users', 'users.id', 'invites.created_by').selectAll('invites').select('users.username as creator');
    const rows = await (roomId === null ? q.where('invites.room_id', 'is', null) : q.where('invites.room_id', '=', roomId))
      .orderBy('invites.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toInvite(r), creator: r.creator ?? null }));
  }

  async function revokeRow(actor: User, id: number, origin: Origin, details: SiteAuditEntry['details']): Promise<void> {
    const now = deps.now();
    await db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('invites').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      // Revoked already (perhaps at the same moment elsewhere): one entry.
      if (Number(r.numUpdatedRows) === 0) return;
      await deps.audit.record({ actorId: actor.id, targetId: null, action: 'invite_revoke', ip: origin.ip, at: now, details: { invite: id, ...details } }, trx);
    });
  }

  /** The private room whose invites the actor manages, checked at each action (see above). */
  async function managedRoom(actor: User, roomId: number): Promise<Room> {
    const room = await deps.roomService.moderated(roomId, actor, () => new AppError('forbidden', 'Only the room owner, moderators and admins manage its invites', 'roomInvite.err.forbidden'));
    if (room.visibility !== 'private' || room.kind === 'dm') throw new AppError('bad_request', 'Invite links are made for private rooms', 'roomInvite.err.notPrivate');
    return room;
  }

  /**
   * Takes one use of the invite in the caller's transaction, or throws `invite.unusable`
   * (which rolls the sign-up back). The condition is re-checked by the UPDATE itself.
   */
  async function take(trx: Kysely<Database>, token: string): Promise<Invite> {
    const hash = hashToken(token);
    const now = deps.now();
    const r = await trx
      .updateTable('invites')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb('uses', '<', eb.ref('max_uses')))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw unusable();
    const row = await trx.selectFrom('invites').selectAll().where('token_hash', '=', hash).executeTakeFirstOrThrow();
    return toInvite(row);
  }
}

/** A room-scoped audit entry's details: which room (its name at the time). */
const roomDetails = (room: Room) => ({ room: room.id, name: room.name });

export type Invites = ReturnType<typeof createInvites>;
