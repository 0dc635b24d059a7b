import { isUniqueViolation } from '../../db/errors.js';
import { AppError, RateLimitedError } from '../../errors.js';
import type { Counters } from '../../live/ports.js';
import type { Origin, SiteAudit } from '../audit/log.js';
import { isWeakPassword } from '../auth/common-passwords.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { RoomService } from '../rooms/service.js';
import { assertNewNamesFree, nameTaken } from '../users/new-names.js';
import type { User, UserRepository } from '../users/repository.js';
import { inviteState, type Invite, type Invites } from './invites.js';
import type { RegistrationMode, SiteSettings } from './settings.js';

const HOUR = 3600_000;

/**
 * Signing up (/register, /invite/TOKEN). Allowed when registration is open, or with a usable
 * invite when it is `invite` or `open`; `closed` refuses everyone, invites included. The same
 * name and password rules as accounts an admin creates. Attempts are counted per address before
 * any check (shared counters: every instance together). The account, the invite's use and the
 * audit entry are one transaction. A room invite (made by a room's owner or moderator) makes
 * accounts only while registration is `open`: creating accounts on a closed or invite-only
 * site stays with admins and user managers; elsewhere its holder signs in and joins.
 */
export function createRegistration(deps: {
  users: UserRepository;
  hasher: PasswordHasher;
  settings: SiteSettings;
  invites: Invites;
  rooms: RoomService;
  audit: SiteAudit;
  counters: Counters;
  perHour: number;
  now: () => number;
}) {
  const activeAdmin = async (id: number) => {
    const u = await deps.users.findById(id);
    return !!u && !u.disabled && !u.deleted && u.permissions.includes('admin');
  };

  /** What the form may do: `invite` when a usable invite was given, `open` without one, else why not. */
  async function gate(token: string | undefined): Promise<{ mode: RegistrationMode; invite?: Invite; refused?: 'closed' | 'inviteOnly' | 'inviteUnusable' | 'roomInviteOnly' }> {
    const mode = await deps.settings.registration();
    if (mode === 'closed') return { mode, refused: 'closed' };
    if (token === undefined) return mode === 'open' ? { mode } : { mode, refused: 'inviteOnly' };
    const invite = await deps.invites.findByToken(token);
    if (!invite || inviteState(invite, deps.now()) !== 'usable') return { mode, refused: 'inviteUnusable' };
    if (invite.roomId !== null && mode !== 'open') return { mode, refused: 'roomInviteOnly' };
    if (invite.roomId !== null && !(await deps.invites.roomInviteLive(invite))) return { mode, refused: 'inviteUnusable' };
    // Permissions are granted at sign-up, so the rank rule holds then too: only while the
    // invite's creator is still an active admin (a demoted or disabled admin's invites grant nothing).
    if (invite.permissions.length > 0 && !(await activeAdmin(invite.createdBy))) return { mode, refused: 'inviteUnusable' };
    return { mode, invite };
  }

  return {
    gate,
    /** Whether the sign-in page links to the form: only when anyone may sign up. */
    async open(): Promise<boolean> {
      return (await deps.settings.registration()) === 'open';
    },

    /** The new account, and the room it joined by a room invite (where sign-up leads). */
    async register(input: { username: string; password: string; invite?: string | undefined }, origin: Origin & { ip: string }): Promise<{ user: User; room: number | null }> {
      const { count, resetMs } = await deps.counters.hit(`register-ip:${origin.ip}`, HOUR);
      if (count > deps.perHour) throw new RateLimitedError(deps.now() + Math.max(1000, resetMs), Math.max(1000, resetMs), 'Too many sign-ups');
      const allowed = await gate(input.invite);
      if (allowed.refused === 'inviteUnusable') throw deps.invites.unusable();
      if (allowed.refused) throw new AppError('forbidden', `Registration refused: ${allowed.refused}`, `register.${allowed.refused}`);
      if (isWeakPassword(input.password, input.username)) throw new AppError('bad_request', 'password: must not be based on the username', 'password.username', 'password');
      await assertNewNamesFree(deps.users, input.username, input.username);
      const invite = allowed.invite;
      const token = input.invite;
      let user: User;
      try {
        user = await deps.users.create(
          { username: input.username, displayName: input.username, passwordHash: await deps.hasher.hash(input.password), permissions: invite?.permissions ?? [], createdAt: deps.now() },
          async (trx, id) => {
            if (token !== undefined) await deps.invites.take(trx, token);
            await deps.audit.record(
              {
                actorId: id,
                targetId: id,
                action: invite ? 'invite_use' : 'user_register',
                ip: origin.ip,
                at: deps.now(),
                details: invite
                  ? {
                      via: 'invite',
                      invite: invite.id,
                      by: invite.createdBy,
                      ...(invite.permissions.length ? { permissions: invite.permissions.join(',') } : {}),
                      ...(invite.roomId !== null ? { room: invite.roomId } : {}),
                    }
                  : { via: 'registration' },
              },
              trx,
            );
          },
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken();
        throw err;
      }
      // Rooms granted by the invite: joined like any member would (a room deleted since is skipped).
      const skipGone = (err: unknown) => {
        if (!(err instanceof AppError) || (err.code !== 'not_found' && err.key !== 'roomInvite.gone')) throw err;
      };
      for (const room of invite?.rooms ?? []) await deps.rooms.join(room, user).catch(skipGone);
      // A room invite's private room: its use was taken with the account (archived or deleted since: none).
      if (invite?.roomId != null) {
        try {
          await deps.rooms.admit(invite.roomId, user, async () => {});
          return { user, room: invite.roomId };
        } catch (err) {
          skipGone(err);
        }
      }
      return { user, room: null };
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
