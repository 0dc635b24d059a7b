import type { Db } from '../../db/connect.js';
import { containsPattern } from '../../db/like.js';
import { nameKey } from '../users/names.js';
import { claimSkeletons, releaseSkeletons } from '../users/name-skeletons.js';

export interface Room {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  createdAt: number;
  archived: boolean;
  /** 'private': visible and readable only to its members, its owner and admins. */
  visibility: RoomVisibility;
  /** 'dm': a direct conversation, private, of exactly the two users in `dmUsers`. */
  kind: 'room' | 'dm';
  dmUsers: [number, number] | null;
}

export type RoomVisibility = 'public' | 'private';

/** A page of the room list in name order, with the cursors of its neighbours (null at either end). */
export interface RoomPage {
  rooms: Room[];
  /** Name key of the first room: the previous page is the rooms before it. */
  prev: string | null;
  /** Name key of the last room: the next page is the rooms after it. */
  next: string | null;
}

export interface RoomPageQuery {
  /** Case-insensitive part of the name. */
  search?: string | undefined;
  /** Rooms after this name key (next page), or before it (previous page). */
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  /** Private rooms too (an admin's list); otherwise public rooms only. */
  includePrivate?: boolean;
}

const columns = ['id', 'name', 'description', 'owner_id', 'created_at', 'archived', 'visibility', 'kind', 'dm_key'] as const;
const toRoom = (r: { id: number; name: string; description: string; owner_id: number; created_at: number; archived: number; visibility: string; kind: string; dm_key: string | null }): Room => ({
  id: Number(r.id),
  name: r.name,
  description: r.description,
  ownerId: Number(r.owner_id),
  createdAt: Number(r.created_at),
  archived: Boolean(r.archived),
  visibility: r.visibility === 'private' ? 'private' : 'public',
  kind: r.kind === 'dm' ? 'dm' : 'room',
  dmUsers: r.dm_key ? (r.dm_key.split(':').map(Number) as [number, number]) : null,
});

/** The one key of the conversation between two users: the ordered pair. */
export const dmKey = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);

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
    /**
     * The room list page by page: keyset pagination on the unique `name_key` (an index seek per
     * page however deep, no OFFSET), one row more than the page to know whether more follow.
     * The one place the room list is queried: visibility and unread counts belong here.
     */
    async page(q: RoomPageQuery): Promise<RoomPage> {
      const backwards = q.before !== undefined;
      let query = db.selectFrom('rooms').select([...columns, 'name_key']);
      // Direct messages are never on the room list.
      query = query.where('kind', '=', 'room');
      if (!q.includePrivate) query = query.where('visibility', '=', 'public');
      if (q.search) {
        query = query.where('name_key', 'like', containsPattern(nameKey(q.search)));
      }
      if (q.after !== undefined) query = query.where('name_key', '>', q.after);
      if (q.before !== undefined) query = query.where('name_key', '<', q.before);
      const rows = await query.orderBy('name_key', backwards ? 'desc' : 'asc').limit(q.limit + 1).execute();
      const more = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      if (backwards) page.reverse();
      const first = page[0]?.name_key ?? null;
      const last = page.at(-1)?.name_key ?? null;
      // Coming from a neighbour, that neighbour exists; the far side exists when a row was left over.
      const hasPrev = backwards ? more : q.after !== undefined;
      const hasNext = backwards ? true : more;
      return { rooms: page.map(toRoom), prev: hasPrev ? first : null, next: hasNext ? last : null };
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
    async findDm(a: number, b: number): Promise<Room | undefined> {
      const r = await db.selectFrom('rooms').select(columns).where('dm_key', '=', dmKey(a, b)).executeTakeFirst();
      return r && toRoom(r);
    },
    /**
     * The conversation of two users; throws a unique violation when it exists (created meanwhile,
     * maybe by another instance). Its name key cannot be a room's (room names have no control
     * characters), and it claims no lookalike names.
     */
    async createDm(a: number, b: number, createdAt: number): Promise<Room> {
      const key = dmKey(a, b);
      const res = await db
        .insertInto('rooms')
        .values({ name: `dm ${key}`, name_key: `\u0001dm:${key}`, description: '', owner_id: a, created_at: createdAt, visibility: 'private', kind: 'dm', dm_key: key })
        .executeTakeFirstOrThrow();
      const [lo, hi] = key.split(':').map(Number) as [number, number];
      return { id: Number(res.insertId), name: `dm ${key}`, description: '', ownerId: a, createdAt, archived: false, visibility: 'private', kind: 'dm', dmUsers: [lo, hi] };
    },
    async create(r: Omit<Room, 'id' | 'archived' | 'kind' | 'dmUsers'>): Promise<Room> {
      const id = await db.transaction().execute(async (trx) => {
        const res = await trx
          .insertInto('rooms')
          .values({ name: r.name, name_key: nameKey(r.name), description: r.description, owner_id: r.ownerId, created_at: r.createdAt, visibility: r.visibility })
          .executeTakeFirstOrThrow();
        await claimSkeletons(trx, 'room', Number(res.insertId), [r.name]);
        return Number(res.insertId);
      });
      return { ...r, id, archived: false, kind: 'room', dmUsers: null };
    },
  };
}

export type RoomRepository = ReturnType<typeof createRoomRepository>;
