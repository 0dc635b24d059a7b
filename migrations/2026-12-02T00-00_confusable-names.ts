import crypto from 'node:crypto';
import { type Kysely, MysqlAdapter, sql } from 'kysely';
import unhomoglyph from 'unhomoglyph';

/**
 * Frozen: names that look alike (UTS #39 confusable skeletons) may not be held twice.
 * `name_skeletons` holds each skeleton of each live user's username and display name
 * (kind 'user') and of each room's name (kind 'room'), one row per (kind, skeleton), so no two
 * users, and no two rooms, can look alike. Existing names that now collide are all kept: the
 * oldest (lowest id) holds the skeleton, a later one keeps its names and works as before but
 * holds no skeleton (docs/security.md). The key function is a frozen copy of
 * src/modules/users/skeleton.ts as of this migration.
 */
const SUPPLEMENT: Record<string, string> = {
  ...Object.fromEntries([...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ'].map((c, i) => [c, 'abcdefghijklmnoprstuvwyz'[i]!])),
  п: 'n',
};
function finish(mapped: string): string {
  const key = mapped
    .normalize('NFD')
    .replace(/(\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic})\p{Mn}+/gu, '$1')
    .toUpperCase()
    .toLowerCase();
  return key.length > 200 ? `#sha256:${crypto.createHash('sha256').update(key).digest('hex')}` : key;
}
function skeletons(s: string): string[] {
  const chars = [...s.normalize('NFKC').trim().replace(/\s+/gu, ' ').normalize('NFD')];
  let folded = '';
  for (const c of chars) {
    const lower = unhomoglyph(c.toUpperCase().toLowerCase());
    const upper = unhomoglyph(c.toUpperCase());
    folded += SUPPLEMENT[c] ?? (!/^[\x20-\x7e]*$/.test(lower) && /^[\x20-\x7e]*$/.test(upper) ? upper : lower);
  }
  return [finish(unhomoglyph(chars.join(''))), finish(unhomoglyph(folded.toLowerCase().normalize('NFD')))];
}

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await db.schema
    .createTable('name_skeletons')
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('skeleton', 'varchar(255)', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('name_skeletons_pk', ['kind', 'skeleton'])
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('name_skeletons_owner_idx').on('name_skeletons').columns(['kind', 'owner_id']).execute();

  const users = await db.selectFrom('users').select(['id', 'username', 'display_name']).where('deleted_at', 'is', null).orderBy('id').execute();
  const rooms = await db.selectFrom('rooms').select(['id', 'name']).orderBy('id').execute();
  const owners: Array<{ kind: string; id: number; names: string[] }> = [
    ...users.map((u) => ({ kind: 'user', id: Number(u.id), names: [u.username, u.display_name] })),
    ...rooms.map((r) => ({ kind: 'room', id: Number(r.id), names: [r.name] })),
  ];
  const held = new Set<string>();
  for (const o of owners) {
    for (const skeleton of new Set(o.names.flatMap(skeletons))) {
      if (held.has(`${o.kind}:${skeleton}`)) continue;
      held.add(`${o.kind}:${skeleton}`);
      await db.insertInto('name_skeletons').values({ kind: o.kind, skeleton, owner_id: o.id }).execute();
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('name_skeletons').execute();
}
