import type { Db } from '../../db/connect.js';
import { nameKey } from './names.js';
import { PERMISSIONS, type Permission } from './permissions.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  disabled: boolean;
  permissions: Permission[];
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  permissions: Permission[];
  createdAt: number;
}

const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);

export function createUserRepository(db: Db) {
  async function permissionsOf(userId: number): Promise<Permission[]> {
    const rows = await db.selectFrom('permissions').select('permission').where('user_id', '=', userId).execute();
    return rows.map((r) => r.permission).filter(isPermission);
  }

  async function findById(id: number): Promise<User | undefined> {
    const row = await db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'disabled'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: Number(row.id),
      username: row.username,
      displayName: row.display_name,
      disabled: Boolean(row.disabled),
      permissions: await permissionsOf(Number(row.id)),
    };
  }

  return {
    findById,

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

    async create(u: NewUser): Promise<User> {
      const id = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('users')
          .values({
            username: u.username,
            username_key: nameKey(u.username),
            display_name: u.displayName,
            password_hash: u.passwordHash,
            disabled: 0,
            created_at: u.createdAt,
          })
          .executeTakeFirstOrThrow();
        const userId = Number(r.insertId);
        if (u.permissions.length > 0) {
          await trx
            .insertInto('permissions')
            .values(u.permissions.map((permission) => ({ user_id: userId, permission })))
            .execute();
        }
        return userId;
      });
      return (await findById(id))!;
    },

    async count(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async setPasswordHash(id: number, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },

    /** Display names for a set of ids (one query), for member and online lists. */
    async refs(ids: number[]): Promise<Array<{ id: number; name: string }>> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute();
      const names = new Map(rows.map((r) => [Number(r.id), r.display_name]));
      return ids.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! }));
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
