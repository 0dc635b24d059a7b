import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { nameSkeletons } from './skeleton.js';

/**
 * The `name_skeletons` table: one row per (kind, skeleton), so two users, or two rooms, that
 * look alike cannot both exist even when created at the same moment (the loser's insert hits the
 * primary key). Callers pass their transaction.
 */
type Kind = 'user' | 'room';

export const skeletonsOf = (names: string[]) => [...new Set(names.flatMap(nameSkeletons))];

/** Claims the names' skeletons but those in `except` (held by another owner, to be left alone). */
export async function claimSkeletons(db: Kysely<Database>, kind: Kind, ownerId: number, names: string[], except = new Set<string>()): Promise<void> {
  const skeletons = skeletonsOf(names).filter((k) => !except.has(k));
  if (skeletons.length === 0) return;
  await db
    .insertInto('name_skeletons')
    .values(skeletons.map((skeleton) => ({ kind, skeleton, owner_id: ownerId })))
    .execute();
}

export async function releaseSkeletons(db: Kysely<Database>, kind: Kind, ownerId: number): Promise<void> {
  await db.deleteFrom('name_skeletons').where('kind', '=', kind).where('owner_id', '=', ownerId).execute();
}

/** Which of these skeletons someone of the kind already holds. */
export async function heldSkeletons(db: Kysely<Database>, kind: Kind, skeletons: string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('name_skeletons').select('skeleton').where('kind', '=', kind).where('skeleton', 'in', skeletons).execute();
  return new Set(rows.map((r) => r.skeleton));
}
