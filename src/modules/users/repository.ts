import { MysqlAdapter, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import { isUniqueViolation, retryOnConflict } from '../../db/errors.js';
import { containsPattern } from '../../db/like.js';
import type { Selectable } from 'kysely';
import type { Database, UsersTable } from '../../db/schema.js';
import { RecentCache } from '../../util/recent-cache.js';
import { nameKey } from './names.js';
import { storedNotify, type NotifyLevel } from './notify.js';
import { claimSkeletons, heldSkeletons, releaseSkeletons, skeletonsOf } from './name-skeletons.js';
import { PERMISSIONS, type Permission } from './permissions.js';
import { storedLocale, storedTheme, type LocaleChoice, type Theme } from './preferences.js';

/** A change meant only for users without permissions found the user holding one. */
export class HoldsPermissionsError extends Error {
  constructor() {
    super('the user holds a permission');
    this.name = 'HoldsPermissionsError';
  }
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  disabled: boolean;
  deleted: boolean;
  permissions: Permission[];
  /** The user's language, or null to follow the browser. */
  locale: LocaleChoice;
  theme: Theme;
  /** Desktop notifications (users/notify.ts). */
  notify?: NotifyLevel;
  /** The first admin's generated password is still the one set: the room list asks for a new one. */
  mustChangePassword?: boolean;
}

/** What the user sets on the account page. */
export interface UserSettings {
  displayName: string;
  locale: LocaleChoice;
  theme: Theme;
}

export interface UserListQuery {
  /** Matches username or display name (case-insensitive substring). */
  search?: string;
  offset: number;
  limit: number;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  permissions: Permission[];
  createdAt: number;
  /** A generated password someone else saw (the printed first admin's): ask for a new one. */
  mustChangePassword?: boolean;
}

/**
 * Runs inside a change's transaction (where it has one), after the change: the audit entry
 * (modules/audit) commits or rolls back with it; a throw undoes the change.
 */
export type AlsoInTransaction = (trx: Kysely<Database>, userId: number) => Promise<void>;

/** How a deleted account appears wherever its name was shown. */
export const DELETED_NAME = 'deleted user';

/** The columns a `User` is read from. */
const USER_COLUMNS = ['id', 'username', 'display_name', 'disabled', 'deleted_at', 'locale', 'theme', 'notify', 'must_change_password'] as const;

const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);

const NAME_CACHE_MS = 10_000;
/** Signed-in users kept for page views; changes reach other instances by a control event. */
const USER_CACHE_MS = 30_000;
const CACHE_MAX = 50_000;

/** Member ids per statement of `mentionable`, well below every database's placeholder limit. */
const MENTIONABLE_SLICE = 10_000;

export function createUserRepository(db: Db) {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const names = new RecentCache<number, string>(NAME_CACHE_MS, CACHE_MAX);
  const recentUsers = new RecentCache<number, User>(USER_CACHE_MS, CACHE_MAX);
  /** After a write: this instance forgets at once (others by the writer's control event). */
  const forget = (id: number) => {
    recentUsers.delete(id);
    names.delete(id);
  };
  /** Read for every action and socket of a signed-in user: one query, a row per permission. */
  async function findById(id: number): Promise<User | undefined> {
    const rows = await db
      .selectFrom('users')
      .leftJoin('permissions', 'permissions.user_id', 'users.id')
      .select([...USER_COLUMNS.map((c) => `users.${c}` as const), 'permissions.permission'])
      .where('users.id', '=', id)
      .execute();
    if (rows.length === 0) return undefined;
    const permissions = rows.map((r) => r.permission).filter((p): p is string => p !== null).filter(isPermission);
    return toUser(rows[0]!, permissions);
  }

  function toUser(row: Pick<Selectable<UsersTable>, (typeof USER_COLUMNS)[number]>, permissions: Permission[]): User {
    return {
      id: Number(row.id),
      username: row.username,
      displayName: row.display_name,
      disabled: Boolean(row.disabled),
      deleted: row.deleted_at !== null,
      permissions,
      locale: storedLocale(row.locale),
      theme: storedTheme(row.theme),
      notify: storedNotify(row.notify),
      mustChangePassword: Boolean(row.must_change_password),
    };
  }

  /**
   * Runs `change` to the target in one transaction that first locks the active admins, unless the
   * target is the only one: then nothing changes and it returns false. Check and change are one
   * step, so two admins removing each other at once cannot leave none. MySQL: the locking read
   * makes a second such transaction wait for the first and then see its result; SQLite: a
   * transaction holds the database's only connection.
   */
  async function unlessLastAdmin(targetId: number, change: (trx: Transaction<Database>) => Promise<unknown>): Promise<boolean> {
    // A deadlock between two such transactions (MySQL) is retried from the start.
    const done = await retryOnConflict(() => db.transaction().execute(async (trx) => {
      let admins = trx
        .selectFrom('permissions')
        .innerJoin('users', 'users.id', 'permissions.user_id')
        .select('users.id')
        .where('permissions.permission', '=', 'admin')
        .where('users.disabled', '=', 0)
        .where('users.deleted_at', 'is', null);
      if (mysql) admins = admins.forUpdate();
      const ids = (await admins.execute()).map((r) => Number(r.id));
      if (ids.length === 1 && ids[0] === targetId) return false;
      await change(trx);
      return true;
    }));
    forget(targetId);
    return done;
  }

  /**
   * Refuses (HoldsPermissionsError) when the user holds any permission at this moment, inside the
   * change's transaction: on MySQL the locking read also holds off a grant until the change is
   * done, so a manager cannot act on someone granted a permission a moment before.
   */
  async function assertHoldsNone(trx: Transaction<Database>, id: number): Promise<void> {
    let held = trx.selectFrom('permissions').select('permission').where('user_id', '=', id);
    if (mysql) held = held.forUpdate();
    if ((await held.execute()).length > 0) throw new HoldsPermissionsError();
  }

  return {
    findById,

    /**
     * The user as read at most USER_CACHE_MS ago, for showing pages only: every action reads
     * `findById`. Writes here drop the entry; other instances drop it on `user-changed`.
     */
    findRecent: (id: number) => recentUsers.load(id, () => findById(id)),
    forget,
    forgetAll(): void {
      recentUsers.clear();
      names.clear();
    },

    /** These users (those that exist), with their permissions; read in chunks of 500 ids. */
    async findMany(ids: number[]): Promise<User[]> {
      const out: User[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('users')
          .leftJoin('permissions', 'permissions.user_id', 'users.id')
          .select([...USER_COLUMNS.map((c) => `users.${c}` as const), 'permissions.permission'])
          .where('users.id', 'in', ids.slice(i, i + 500))
          .execute();
        const byId = new Map<number, { row: (typeof rows)[number]; permissions: Permission[] }>();
        for (const r of rows) {
          const u = byId.get(Number(r.id)) ?? { row: r, permissions: [] };
          if (r.permission !== null && isPermission(r.permission)) u.permissions.push(r.permission);
          byId.set(Number(r.id), u);
        }
        for (const { row, permissions } of byId.values()) out.push(toUser(row, permissions));
      }
      return out;
    },

    async findByUsername(username: string): Promise<User | undefined> {
      const row = await db.selectFrom('users').select('id').where('username_key', '=', nameKey(username)).executeTakeFirst();
      return row ? findById(Number(row.id)) : undefined;
    },

    /** For sign-in only: the one place a password hash leaves the database. */
    async findCredentials(username: string): Promise<{ id: number; passwordHash: string } | undefined> {
      const row = await db
        .selectFrom('users')
        .select(['id', 'password_hash'])
        .where('username_key', '=', nameKey(username))
        .executeTakeFirst();
      return row && { id: Number(row.id), passwordHash: row.password_hash };
    },

    /** `also`: runs in the same transaction once the user exists (an invite's use, the audit entry). */
    async create(u: NewUser, also?: AlsoInTransaction): Promise<User> {
      const id = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('users')
          .values({
            username: u.username,
            username_key: nameKey(u.username),
            display_name: u.displayName,
            password_hash: u.passwordHash,
            must_change_password: u.mustChangePassword ? 1 : 0,
            disabled: 0,
            created_at: u.createdAt,
          })
          .executeTakeFirstOrThrow();
        const userId = Number(r.insertId);
        // No two users may look alike by either name: each skeleton is held by one user.
        await claimSkeletons(trx, 'user', userId, [u.username, u.displayName]);
        if (u.permissions.length > 0) {
          await trx
            .insertInto('permissions')
            .values(u.permissions.map((permission) => ({ user_id: userId, permission })))
            .execute();
        }
        await also?.(trx, userId);
        return userId;
      });
      return (await findById(id))!;
    },

    /** Which of these name skeletons (name-skeletons.ts) a live user already holds. */
    heldSkeletons: (skeletons: string[]) => heldSkeletons(db, 'user', skeletons),

    async count(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** A page of users in username order, with their permissions (two queries). */
    async list(q: UserListQuery): Promise<{ users: User[]; total: number }> {
      let base = db.selectFrom('users').where('deleted_at', 'is', null);
      if (q.search) {
        const like = containsPattern(q.search.toLowerCase());
        base = base.where((eb) => eb.or([eb('username_key', 'like', like), eb(eb.fn('lower', ['display_name']), 'like', like)]));
      }
      const [rows, count] = await Promise.all([
        base.select([...USER_COLUMNS]).orderBy('username_key').offset(q.offset).limit(q.limit).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const perms = rows.length
        ? await db.selectFrom('permissions').select(['user_id', 'permission']).where('user_id', 'in', rows.map((r) => Number(r.id))).execute()
        : [];
      return {
        users: rows.map((r) =>
          toUser(r, perms.filter((p) => Number(p.user_id) === Number(r.id)).map((p) => p.permission).filter(isPermission)),
        ),
        total: Number(count.n),
      };
    },

    /** False (nothing changed) when disabling would leave no active admin. */
    async setDisabled(id: number, disabled: boolean, opts: { onlyWithoutPermissions?: boolean; also?: AlsoInTransaction } = {}): Promise<boolean> {
      const set = async (ex: Kysely<Database>) => {
        await ex.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).execute();
        await opts.also?.(ex, id);
      };
      if (disabled) {
        return unlessLastAdmin(id, async (trx) => {
          if (opts.onlyWithoutPermissions) await assertHoldsNone(trx, id);
          await set(trx);
        });
      }
      await db.transaction().execute(set);
      forget(id);
      return true;
    },

    /** False (nothing changed) when revoking would leave no active admin. */
    async setPermission(id: number, permission: Permission, granted: boolean, also?: AlsoInTransaction): Promise<boolean> {
      if (granted) {
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('permissions').values({ user_id: id, permission }).execute();
            await also?.(trx, id);
          });
        } catch (err) {
          // Held already (perhaps granted by a concurrent request): nothing to do, nothing to record.
          if (!isUniqueViolation(err)) throw err;
        }
        forget(id);
        return true;
      }
      const revoke = async (ex: Kysely<Database>) => {
        const r = await ex.deleteFrom('permissions').where('user_id', '=', id).where('permission', '=', permission).executeTakeFirst();
        if (Number(r.numDeletedRows) > 0) await also?.(ex, id);
      };
      if (permission === 'admin') return unlessLastAdmin(id, revoke);
      await db.transaction().execute(revoke);
      forget(id);
      return true;
    },

    /** Active (not disabled, not deleted) holders of a permission. */
    async countActiveWith(permission: Permission): Promise<number> {
      const r = await db
        .selectFrom('permissions')
        .innerJoin('users', 'users.id', 'permissions.user_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('permissions.permission', '=', permission)
        .where('users.disabled', '=', 0)
        .where('users.deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /**
     * Deleting keeps the row so their messages keep an author: the name is freed, the account
     * can never sign in again, and it shows as a deleted user. False (nothing changed) when it
     * would leave no active admin.
     */
    async markDeleted(id: number, at: number, unusableHash: string, opts: { onlyWithoutPermissions?: boolean; also?: AlsoInTransaction } = {}): Promise<boolean> {
      return unlessLastAdmin(id, async (trx) => {
        if (opts.onlyWithoutPermissions) await assertHoldsNone(trx, id);
        await trx.deleteFrom('permissions').where('user_id', '=', id).execute();
        await releaseSkeletons(trx, 'user', id);
        await trx
          .updateTable('users')
          .set({ username: `deleted-${id}`, username_key: `#deleted-${id}`, display_name: DELETED_NAME, disabled: 1, deleted_at: at, password_hash: unusableHash })
          .where('id', '=', id)
          .execute();
        await opts.also?.(trx, id);
      });
    },

    /**
     * The account page's save. A new display name takes its skeletons in the same transaction
     * (the primary key settles races); 'lookalike' when another user holds one of them. The
     * username's own skeletons are claimed again except where another user holds one (names
     * that collided before skeletons existed keep working, migrations/…confusable-names.ts).
     */
    async updateSettings(user: Pick<User, 'id' | 'username' | 'displayName'>, s: UserSettings): Promise<'ok' | 'lookalike'> {
      const set = { display_name: s.displayName, locale: s.locale, theme: s.theme };
      const lookalike = new Error('lookalike');
      try {
        await db.transaction().execute(async (trx) => {
          if (s.displayName !== user.displayName) {
            await releaseSkeletons(trx, 'user', user.id);
            const others = await heldSkeletons(trx, 'user', skeletonsOf([user.username, s.displayName]));
            // Thrown, not returned: the release above must roll back.
            if (skeletonsOf([s.displayName]).some((k) => others.has(k))) throw lookalike;
            await claimSkeletons(trx, 'user', user.id, [user.username, s.displayName], others);
          }
          await trx.updateTable('users').set(set).where('id', '=', user.id).execute();
        });
        return 'ok';
      } catch (err) {
        if (err === lookalike || isUniqueViolation(err)) return 'lookalike';
        throw err;
      } finally {
        forget(user.id);
      }
    },

    /** The language switch, for a signed-in user. */
    async setLocale(id: number, locale: LocaleChoice): Promise<void> {
      await db.updateTable('users').set({ locale }).where('id', '=', id).execute();
      forget(id);
    },

    /**
     * `onlyWithoutPermissions`: change it only if the user holds no permission at that moment (one
     * conditional update), so a permission granted while the new hash was computed is not
     * taken over by a user manager's reset. False when nothing changed.
     */
    async setPasswordHash(id: number, passwordHash: string, opts: { onlyWithoutPermissions?: boolean; rehash?: boolean } = {}): Promise<boolean> {
      // A new password (not the same one hashed again) ends the request to change the generated one.
      let update = db.updateTable('users').set(opts.rehash ? { password_hash: passwordHash } : { password_hash: passwordHash, must_change_password: 0 }).where('id', '=', id);
      if (opts.onlyWithoutPermissions) {
        update = update.where(({ not, exists, selectFrom }) => not(exists(selectFrom('permissions').select('permissions.user_id').where('permissions.user_id', '=', id))));
      }
      const r = await update.executeTakeFirst();
      forget(id);
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Display names for a set of ids, for history pages and member lists. A display name changes
     * only when its user renames themselves or the account is deleted, so names are kept for
     * NAME_CACHE_MS: a change shows on this instance at once, on others with its `user-changed` event.
     */
    async refs(ids: number[]): Promise<Array<{ id: number; name: string }>> {
      if (ids.length === 0) return [];
      const found = new Map<number, string>();
      const missing: number[] = [];
      for (const id of ids) {
        const name = names.get(id);
        if (name === undefined) missing.push(id);
        else found.set(id, name);
      }
      if (missing.length > 0) {
        const read = await names.refreshMany(async () => {
          const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', missing).execute();
          return rows.map((r): [number, string] => [Number(r.id), r.display_name]);
        });
        for (const [id, name] of read) found.set(id, name);
      }
      return ids.flatMap((id) => (found.has(id) ? [{ id, name: found.get(id)! }] : []));
    },

    /** Live users by any of these usernames (matched as sign-in matches them), for @mentions. */
    async refsByUsernames(usernames: string[]): Promise<Array<{ id: number; name: string; key: string }>> {
      if (usernames.length === 0) return [];
      const rows = await db
        .selectFrom('users')
        .select(['id', 'display_name', 'username_key'])
        .where('username_key', 'in', [...new Set(usernames.map(nameKey))])
        .where('deleted_at', 'is', null)
        .where('disabled', '=', 0)
        .execute();
      return rows.map((r) => ({ id: Number(r.id), name: r.display_name, key: r.username_key }));
    },

    /**
     * Up to `limit` of these users (a room's members) whose username or display name starts
     * with `prefix`, by username: the composer's @-completion.
     */
    async mentionable(ids: number[], prefix: string, limit: number): Promise<Array<{ id: number; username: string; name: string }>> {
      if (ids.length === 0) return [];
      const p = `${prefix.replace(/[%_\\]/g, '')}%`;
      // A big room's members in slices: one `IN (…)` of them all passes the placeholder limit
      // of SQLite (32,766) and MariaDB (65,535). Each slice's first `limit`, merged, gives the first `limit`.
      const found: Array<{ id: number; username: string; name: string; key: string }> = [];
      for (let i = 0; i < ids.length; i += MENTIONABLE_SLICE) {
        const rows = await db
          .selectFrom('users')
          .select(['id', 'username', 'display_name', 'username_key'])
          .where('id', 'in', ids.slice(i, i + MENTIONABLE_SLICE))
          .where('deleted_at', 'is', null)
          .where('disabled', '=', 0)
          .where((eb) => eb.or([eb('username_key', 'like', nameKey(p)), eb('display_name', 'like', p)]))
          .orderBy('username_key')
          .limit(limit)
          .execute();
        for (const r of rows) found.push({ id: Number(r.id), username: r.username, name: r.display_name, key: r.username_key });
      }
      found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return found.slice(0, limit).map(({ id, username, name }) => ({ id, username, name }));
    },

    /** The desktop-notification setting (users/notify.ts); this instance forgets the user at once. */
    async setNotify(id: number, level: NotifyLevel): Promise<void> {
      await db.updateTable('users').set({ notify: level }).where('id', '=', id).execute();
      forget(id);
    },
  };
}


export type UserRepository = ReturnType<typeof createUserRepository>;
