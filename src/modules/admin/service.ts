import crypto from 'node:crypto';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { LiveState } from '../../live/ports.js';
import type { EventPublisher } from '../../realtime/events.js';
import { CloseCodes } from '../../shared/protocol.js';
import { isWeakPassword } from '../auth/common-passwords.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { hasPermission, type Permission } from '../users/permissions.js';
import { HoldsPermissionsError, type AlsoInTransaction, type User, type UserRepository } from '../users/repository.js';
import { assertNewNamesFree, nameTaken } from '../users/new-names.js';
import type { Origin, SiteAction, SiteAudit } from '../audit/log.js';

export const USERS_PAGE = 25;

const isAdmin = (u: Pick<User, 'permissions'>) => u.permissions.includes('admin');

/** The rank rule of the users page: admins act on anyone, user managers on users without permissions. */
const mayManage = (actor: Pick<User, 'permissions'>, target: Pick<User, 'permissions'>) =>
  isAdmin(actor) || (hasPermission(actor, 'manage_users') && target.permissions.length === 0);

/**
 * User administration. Admins manage everyone; holders of `manage_users` manage only users who
 * hold no permission (else resetting a moderator's password and signing in as them would make
 * `manage_users` worth every permission). Nobody resets their own password here: the account
 * page asks for the current one. Only admins change permissions. The last active admin can
 * neither lose `admin` nor be disabled or deleted (checked and changed in one transaction), so
 * the instance always keeps someone who can administer it.
 */
export function createAdminService(deps: {
  users: UserRepository;
  hasher: PasswordHasher;
  live: LiveState;
  events: EventPublisher;
  audit: SiteAudit;
  /** The rooms service's part that takes a deleted account out of its rooms. */
  memberships: { leaveAllOf(user: User): Promise<void> };
  now: () => number;
}) {
  const { users, live, events } = deps;
  const NO_ORIGIN: Origin = { ip: null };

  /** The audit entry of a change, written in the change's transaction. */
  const entry =
    (actor: User, action: SiteAction, origin: Origin, details?: Record<string, string>): AlsoInTransaction =>
    (trx, targetId) =>
      deps.audit.record({ actorId: actor.id, targetId, action, ip: origin.ip, at: deps.now(), ...(details ? { details } : {}) }, trx);

  function assertCanManageUsers(actor: User) {
    if (!hasPermission(actor, 'manage_users')) throw new AppError('forbidden', 'You may not manage users');
  }

  async function target(actor: User, id: number): Promise<User> {
    assertCanManageUsers(actor);
    const user = await users.findById(id);
    if (!user || user.deleted) throw new AppError('not_found', 'No such user', 'user.notFound');
    if (!mayManage(actor, user)) throw new AppError('forbidden', 'Only an admin may change a user who holds permissions');
    return user;
  }

  /** A manager's change that found the user granted a permission meanwhile is refused like the check before it. */
  async function managerSafe(change: () => Promise<boolean>): Promise<boolean> {
    try {
      return await change();
    } catch (err) {
      if (err instanceof HoldsPermissionsError) throw new AppError('forbidden', 'Only an admin may change a user who holds permissions');
      throw err;
    }
  }

  /** The repository refused: the change would have left no active admin. */
  function lastAdmin(changed: boolean, what: 'disable' | 'delete' | 'revoke') {
    if (!changed) throw new AppError('conflict', `The last admin refused: ${what}`, `admin.lastAdmin.${what}`);
  }

  /** Other instances drop what they kept of the user (this one did when the repository wrote). */
  const changed = (user: User) => events.control({ type: 'user-changed', userId: user.id });

  /** Ends every session of the user and closes their sockets on every instance. */
  async function endSessions(user: User, closeCode: number) {
    await live.sessions.destroyAllForUser(user.id);
    await events.control({ type: 'close-user', userId: user.id, code: closeCode });
  }

  return {
    assertCanManageUsers,
    canManageUsers: (actor: User) => hasPermission(actor, 'manage_users'),
    isAdmin,
    mayManage,

    async list(actor: User, search: string | undefined, page: number) {
      assertCanManageUsers(actor);
      const { users: list, total } = await users.list({ ...(search ? { search } : {}), offset: (page - 1) * USERS_PAGE, limit: USERS_PAGE });
      return { users: list, total, page, pages: Math.max(1, Math.ceil(total / USERS_PAGE)) };
    },

    async create(actor: User, input: { username: string; password: string; displayName?: string | undefined }, origin = NO_ORIGIN): Promise<User> {
      assertCanManageUsers(actor);
      if (isWeakPassword(input.password, input.username)) throw new AppError('bad_request', 'password: must not be based on the username', 'password.username', 'password');
      const displayName = input.displayName ?? input.username;
      await assertNewNamesFree(users, input.username, displayName);
      try {
        return await users.create(
          { username: input.username, displayName, passwordHash: await deps.hasher.hash(input.password), permissions: [], createdAt: deps.now() },
          entry(actor, 'user_create', origin, { via: 'admin' }),
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken();
        throw err;
      }
    },

    async resetPassword(actor: User, id: number, password: string, origin = NO_ORIGIN): Promise<User> {
      const user = await target(actor, id);
      if (user.id === actor.id) throw new AppError('forbidden', 'Change your own password on your account page');
      if (isWeakPassword(password, user.username)) throw new AppError('bad_request', 'password: must not be based on the username', 'password.username', 'password');
      const hash = await deps.hasher.hash(password);
      // A manager's reset holds only if the user still holds no permission after the hashing.
      if (!(await users.setPasswordHash(user.id, hash, { onlyWithoutPermissions: !isAdmin(actor) }))) {
        throw new AppError('forbidden', 'Only an admin may change a user who holds permissions');
      }
      // One conditional update, no transaction: the entry follows it.
      await entry(actor, 'password_reset', origin)(deps.audit.db, user.id);
      await endSessions(user, CloseCodes.sessionGone);
      return user;
    },

    async setDisabled(actor: User, id: number, disabled: boolean, origin = NO_ORIGIN): Promise<User> {
      const user = await target(actor, id);
      if (disabled && user.id === actor.id) throw new AppError('conflict', 'You cannot disable yourself', 'admin.selfDisable');
      lastAdmin(await managerSafe(() => users.setDisabled(user.id, disabled, { onlyWithoutPermissions: !isAdmin(actor), also: entry(actor, disabled ? 'user_disable' : 'user_enable', origin) })), 'disable');
      await changed(user);
      if (disabled) await endSessions(user, CloseCodes.accountDisabled);
      return user;
    },

    async endAllSessions(actor: User, id: number): Promise<User> {
      const user = await target(actor, id);
      await endSessions(user, CloseCodes.sessionGone);
      return user;
    },

    /** Their messages stay, shown as a deleted user; the username becomes free. */
    async delete(actor: User, id: number, origin = NO_ORIGIN): Promise<User> {
      const user = await target(actor, id);
      if (user.id === actor.id) throw new AppError('conflict', 'You cannot delete yourself', 'admin.selfDelete');
      const unusable = `!deleted:${crypto.randomBytes(16).toString('hex')}`;
      lastAdmin(await managerSafe(() => users.markDeleted(user.id, deps.now(), unusable, { onlyWithoutPermissions: !isAdmin(actor), also: entry(actor, 'user_delete', origin, { username: user.username }) })), 'delete');
      await changed(user);
      await endSessions(user, CloseCodes.accountDisabled);
      await deps.memberships.leaveAllOf(user);
      return user;
    },

    async setPermission(actor: User, username: string, permission: Permission, grant: boolean, origin = NO_ORIGIN): Promise<User> {
      if (!isAdmin(actor)) throw new AppError('forbidden', 'Only admins change permissions');
      const user = await users.findByUsername(username);
      if (!user || user.deleted) throw new AppError('not_found', 'No such user', 'user.notFound', 'username');
      const action = grant ? 'permission_grant' : 'permission_revoke';
      lastAdmin(await users.setPermission(user.id, permission, grant, entry(actor, action, origin, { permission })), 'revoke');
      await changed(user);
      return user;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
