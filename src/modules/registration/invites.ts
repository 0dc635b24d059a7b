import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Origin, SiteAudit } from '../audit/log.js';
import type { RoomRepository } from '../rooms/repository.js';
import { hasPermission, PERMISSIONS, type Permission } from '../users/permissions.js';
import type { User } from '../users/repository.js';

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
}

export type InviteState = 'usable' | 'expired' | 'used' | 'revoked';

/** 32 random bytes (256 bits), URL-safe; only its SHA-256 is stored. */
const newToken = () => crypto.randomBytes(32).toString('base64url');
export const hashToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);
const splitList = (s: string) => s.split(',').filter((x) => x !== '');

function toInvite(r: { id: number; created_by: number; created_at: number; expires_at: number; max_uses: number; uses: number; revoked_at: number | null; permissions: string; rooms: string }): Invite {
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
  };
}

export const inviteState = (i: Invite, now: number): InviteState =>
  i.revokedAt !== null ? 'revoked' : i.uses >= i.maxUses ? 'used' : i.expiresAt <= now ? 'expired' : 'usable';

const unusable = () => new AppError('conflict', 'The invite is expired, used up or revoked', 'invite.unusable', 'invite');

/**
 * Invite links. Admins and `manage_users` holders create them; by the rank rule
 * (docs/moderation.md) only admins may have an invite grant permissions (a manager could
 * otherwise hand out what they cannot grant). Rooms granted are joined on sign-up (rooms are
 * public). The token is shown once; the database keeps its SHA-256, so a read of the table
 * gives no usable link. A use is one conditional UPDATE (`uses < max_uses`, not revoked, not
 * expired) inside the sign-up's transaction: two instances taking the last use cannot both win.
 */
export function createInvites(deps: { db: Db; rooms: RoomRepository; audit: SiteAudit; now: () => number }) {
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
    findByToken,

    async create(
      actor: User,
      input: { uses: number; expiresHours: number; permissions: Permission[]; rooms: number[] },
      origin: Origin,
    ): Promise<{ token: string; invite: Invite }> {
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
      const token = newToken();
      const now = deps.now();
      const permissions = [...new Set(input.permissions)];
      const id = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('invites')
          .values({
            token_hash: hashToken(token),
            created_by: actor.id,
            created_at: now,
            expires_at: now + input.expiresHours * 3600_000,
            max_uses: input.uses,
            permissions: permissions.join(','),
            rooms: rooms.join(','),
          })
          .executeTakeFirstOrThrow();
        const inviteId = Number(r.insertId);
        await deps.audit.record(
          {
            actorId: actor.id,
            targetId: null,
            action: 'invite_create',
            ip: origin.ip,
            at: now,
            details: {
              invite: inviteId,
              uses: input.uses,
              hours: input.expiresHours,
              ...(permissions.length ? { permissions: permissions.join(',') } : {}),
              ...(rooms.length ? { rooms: rooms.join(',') } : {}),
            },
          },
          trx,
        );
        return inviteId;
      });
      const row = await db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return { token, invite: toInvite(row) };
    },

    /** Newest first, with who created each. */
    async list(actor: User, limit = 100): Promise<Array<Invite & { creator: string | null }>> {
      assertMayInvite(actor);
      const rows = await db
        .selectFrom('invites')
        .leftJoin('users', 'users.id', 'invites.created_by')
        .selectAll('invites')
        .select('users.username as creator')
        .orderBy('invites.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...toInvite(r), creator: r.creator ?? null }));
    },

    /** Managers may revoke invites that grant no permission; admins any. */
    async revoke(actor: User, id: number, origin: Origin): Promise<void> {
      assertMayInvite(actor);
      const row = await db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new AppError('not_found', 'No such invite', 'invite.notFound');
      const invite = toInvite(row);
      if (invite.permissions.length > 0 && !actor.permissions.includes('admin')) throw new AppError('forbidden', 'Only admins revoke invites that grant permissions');
      const now = deps.now();
      await db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('invites').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        // Revoked already (perhaps at the same moment elsewhere): one entry.
        if (Number(r.numUpdatedRows) === 0) return;
        await deps.audit.record({ actorId: actor.id, targetId: null, action: 'invite_revoke', ip: origin.ip, at: now, details: { invite: id } }, trx);
      });
    },

    /**
     * Takes one use of the invite in the caller's transaction, or throws `invite.unusable`
     * (which rolls the sign-up back). The condition is re-checked by the UPDATE itself.
     */
    async take(trx: Kysely<Database>, token: string): Promise<Invite> {
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
    },

    unusable,
  };
}

export type Invites = ReturnType<typeof createInvites>;
