import type { UserRef } from '../../shared/protocol.js';
import { nameKey } from '../users/names.js';

/**
 * @mentions in a message body, resolved once at sending: `@username` (matched as sign-in matches
 * it) of a room member becomes the token `<@ID>`, and a typed `<@ID>` of a member stays one; the
 * message keeps the list of users so mentioned, and the renderer (public/js/shared/markdown.js)
 * shows each with their current name, so a rename keeps working. Nothing inside `code` or a
 * fenced block counts. Whether `@here` counts is the caller's decision (moderators only).
 */

/** Code (fenced blocks, `spans`), and the @-forms outside it. */
const PIECES = /```[\s\S]*?(?:```|$)|`[^`\n]+`|<@(\d{1,15})>|(?<![\p{L}\p{M}\p{N}_.@-])@([\p{L}\p{M}\p{N}._-]{1,64})/gu;

/** A username may end in . or -, and so may a sentence: "@ann." is ann unless "ann." exists. */
const trimmed = (name: string) => name.replace(/[._-]+$/, '');

/** At most this many distinct names or ids are looked up per message. */
const MAX_LOOKUPS = 50;

export interface MentionLookup {
  /** Live users by username; `key` is the username's match key (nameKey). */
  byUsernames(names: string[]): Promise<Array<UserRef & { key: string }>>;
  /** Users by id (display names). */
  byIds(ids: number[]): Promise<UserRef[]>;
  isMember(userId: number): Promise<boolean>;
}

export interface ResolvedBody {
  body: string;
  mentions: UserRef[];
  /** The body calls `@here` (outside code). */
  here: boolean;
}

export async function resolveMentions(body: string, lookup: MentionLookup): Promise<ResolvedBody> {
  if (!body.includes('@')) return { body, mentions: [], here: false };
  const keys = new Set<string>();
  const ids = new Set<number>();
  let here = false;
  for (const m of body.matchAll(PIECES)) {
    if (m[1]) ids.add(Number(m[1]));
    else if (m[2] === 'here') here = true;
    else if (m[2]) {
      keys.add(nameKey(m[2]));
      if (trimmed(m[2])) keys.add(nameKey(trimmed(m[2])));
    }
  }
  const [named, byId] = await Promise.all([
    lookup.byUsernames([...keys].slice(0, MAX_LOOKUPS)),
    lookup.byIds([...ids].slice(0, MAX_LOOKUPS)),
  ]);
  const memberIds = new Set<number>();
  await Promise.all(
    [...new Set([...named, ...byId].map((u) => u.id))].map(async (id) => {
      if (await lookup.isMember(id)) memberIds.add(id);
    }),
  );
  const byKey = new Map(named.filter((u) => memberIds.has(u.id)).map((u) => [u.key, { id: u.id, name: u.name }]));
  const byIdMember = new Map(byId.filter((u) => memberIds.has(u.id)).map((u) => [u.id, u]));
  const used = new Map<number, UserRef>();
  const out = body.replace(PIECES, (whole: string, id: string | undefined, name: string | undefined) => {
    if (id) {
      const u = byIdMember.get(Number(id));
      if (u) used.set(u.id, u);
      return whole;
    }
    if (!name || name === 'here') return whole;
    const full = byKey.get(nameKey(name));
    const u = full ?? byKey.get(nameKey(trimmed(name)));
    if (!u) return whole;
    used.set(u.id, u);
    return `<@${u.id}>${full ? '' : name.slice(trimmed(name).length)}`;
  });
  return { body: out, mentions: [...used.values()], here };
}
