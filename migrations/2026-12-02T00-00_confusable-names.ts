import crypto from 'node:crypto';
import { type Kysely, MysqlAdapter, sql } from 'kysely';
import unhomoglyph from 'unhomoglyph';

/**
 * Frozen: names that look alike (UTS #39 confusable skeletons) may not be held twice.
 * `user_name_skeletons` holds the skeleton of each live user's username and display name, one
 * row per skeleton, so no two users can look alike by either name; `rooms.name_skeleton` does the
 * same for room names. Existing rows that now collide are all kept: the oldest (lowest id) holds
 * the skeleton, a later one keeps its names but holds no skeleton (users) or a placeholder key
 * no name can produce (rooms), so they still work and block nothing. The key function is a
 * frozen copy of the one in src/modules/users/skeleton.ts as of this migration.
 */
const SUPPLEMENT: Record<string, string> = {
  ...Object.fromEntries([...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ'].map((c, i) => [c, 'abcdefghijklmnoprstuvwyz'[i]!])),
  п: 'n',
};
function skeleton(s: string): string {
  let out = '';
  for (const c of s.normalize('NFKC').trim().replace(/\s+/gu, ' ').normalize('NFD')) {
    const lower = unhomoglyph(c.toUpperCase().toLowerCase());
    const upper = unhomoglyph(c.toUpperCase());
    out += SUPPLEMENT[c] ?? (!/^[\x20-\x7e]*$/.test(lower) && /^[\x20-\x7e]*$/.test(upper) ? upper : lower);
  }
  const key = unhomoglyph(out.toLowerCase().normalize('NFD'))
    .normalize('NFD')
    .replace(/(\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic})\p{Mn}+/gu, '$1')
    .toLowerCase();
  return key.length > 200 ? `#sha256:${crypto.createHash('sha256').update(key).digest('hex')}` : key;
}

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const tableOptions = mysql ? sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin` : sql``;
  await db.schema
    .createTable('user_name_skeletons')
    .addColumn('skeleton', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .modifyEnd(tableOptions)
    .execute();
  await db.schema.createIndex('user_name_skeletons_user_idx').on('user_name_skeletons').column('user_id').execute();

  const users = await db.selectFrom('users').select(['id', 'username', 'display_name']).where('deleted_at', 'is', null).orderBy('id').execute();
  const held = new Set<string>();
  for (const u of users) {
    for (const key of new Set([skeleton(u.username), skeleton(u.display_name)])) {
      if (held.has(key)) continue;
      held.add(key);
      await db.insertInto('user_name_skeletons').values({ skeleton: key, user_id: u.id }).execute();
    }
  }

  await db.schema.alterTable('rooms').addColumn('name_skeleton', 'varchar(255)', (c) => c.notNull().defaultTo('')).execute();
  const rooms = await db.selectFrom('rooms').select(['id', 'name']).orderBy('id').execute();
  held.clear();
  for (const r of rooms) {
    const key = skeleton(r.name);
    // A name never yields a control character, so the placeholder can match no future room.
    const stored = held.has(key) ? `\u0001${r.id}` : key;
    held.add(key);
    await db.updateTable('rooms').set({ name_skeleton: stored }).where('id', '=', r.id).execute();
  }
  await db.schema.createIndex('rooms_name_skeleton_uq').on('rooms').column('name_skeleton').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const drop = db.schema.dropIndex('rooms_name_skeleton_uq');
  await (mysql ? drop.on('rooms') : drop).execute();
  await db.schema.alterTable('rooms').dropColumn('name_skeleton').execute();
  await db.schema.dropTable('user_name_skeletons').execute();
}
