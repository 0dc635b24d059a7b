import type { Db } from '../../db/connect.js';
import { nameKey } from '../users/names.js';
import { claimSkeletons, releaseSkeletons } from '../users/name-skeletons.js';

export interface Room {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  createdAt: number;
  archived: boolean;
}

const columns = ['id', 'name', 'description', 'owner_id', 'created_at', 'archived'] as const;
const toRoom = (r: { id: number; name: string; description: string; owner_id: number; created_at: number; archived: number }): Room => ({
  id: Number(r.id),
  name: r.name,
  description: r.description,
  ownerId: Number(r.owner_id),
  createdAt: Number(r.created_at),
  archived: Boolean(r.archived),
});

export function createRoomRepository(db: Db) {
  return {
    async findById(id: number): Promise<Room | undefined> {
      const r = await db.selectFrom('rooms').select(columns).where('id', '=', id).executeTakeFirst();
      return r && toRoom(r);
    },
    async list(): Promise<Room[]> {
      const rows = await db.selectFrom('rooms').select(columns).orderBy('name_key').execute();
      return rows.map(toRoom);
    },
    async update(id: number, changes: { description?: string; archived?: boolean }): Promise<void> {
      const set: { description?: string; archived?: number } = {};
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.archived !== undefined) set.archived = changes.archived ? 1 : 0;
      await db.updateTable('rooms').set(set).where('id', '=', id).execute();
    },
    async delete(id: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await releaseSkeletons(trx, 'room', id);
        const r = await trx.deleteFrom('rooms').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    /** Throws a unique violation when the name, or one that looks like it, is taken. */
    async create(r: Omit<Room, 'id' | 'archived'>): Promise<Room> {
      const id = await db.transaction().execute(async (trx) => {
        const res = await trx
          .insertInto('rooms')
          .values({ name: r.name, name_key: nameKey(r.name), description: r.description, owner_id: r.ownerId, created_at: r.createdAt })
          .executeTakeFirstOrThrow();
        await claimSkeletons(trx, 'room', Number(res.insertId), [r.name]);
        return Number(res.insertId);
      });
      return { ...r, id, archived: false };
    },
  };
}

export type RoomRepository = ReturnType<typeof createRoomRepository>;
