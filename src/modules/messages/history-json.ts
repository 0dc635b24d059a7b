import { storedNameIs, type StoredAuthor } from '../../live/message-json.js';
import type { StoredPage } from '../../live/ports.js';
import type { ChatMessage, RoomId } from '../../shared/protocol.js';

/**
 * A message with its author's and mentioned users' current names (kept as stored for an
 * account no longer found).
 */
export function withCurrentName(m: ChatMessage, names: Map<number, string>): ChatMessage {
  m.user = { id: m.user.id, name: names.get(m.user.id) ?? m.user.name };
  if (m.mentions) m.mentions = m.mentions.map((r) => ({ id: r.id, name: names.get(r.id) ?? r.name }));
  return m;
}

/** Stored JSON has this only as the mentions field: quotes inside strings are escaped. */
const MENTIONS = Buffer.from('"mentions":[');

/** The users a stored message mentions ([] for most, found without parsing). */
export function storedMentionIds(json: Buffer): number[] {
  if (!json.includes(MENTIONS)) return [];
  return ((JSON.parse(json.toString()) as Pick<ChatMessage, 'mentions'>).mentions ?? []).map((r) => r.id);
}

const OPEN = Buffer.from('{"messages":[');
const COMMA = Buffer.from(',');

/**
 * What `JSON.stringify` makes of the history page, byte for byte, built from the messages'
 * stored JSON: one whose author still has the stored name goes out as stored, its room put
 * first where the protocol has it; only the others are parsed and written again. A page of
 * 50 costs a third of parsing and writing them all, and a fraction of the garbage
 * (docs/performance.md, eighth round). `authors[i]` is `storedAuthor(page.items[i])`.
 */
export function serializeStoredPage(room: RoomId, page: StoredPage, authors: Array<StoredAuthor | null>, names: Map<number, string>): Buffer {
  const nameJson = new Map([...names].map(([id, name]) => [id, Buffer.from(JSON.stringify(name))]));
  const head = Buffer.from(`{"room":${room},`);
  const parts: Buffer[] = [OPEN];
  page.items.forEach((json, i) => {
    if (i > 0) parts.push(COMMA);
    const author = authors[i];
    const name = author && nameJson.get(author.id);
    // A message with mentions is written again: their names may have changed too.
    if (author && (!name || storedNameIs(json, author.nameAt, name)) && !json.includes(MENTIONS)) parts.push(head, json.subarray(1));
    else {
      const stored = JSON.parse(json.toString()) as Omit<ChatMessage, 'room'>;
      parts.push(Buffer.from(JSON.stringify(withCurrentName({ room, ...stored }, names))));
    }
  });
  parts.push(Buffer.from(`],"hasMore":${page.hasMore}}`));
  return Buffer.concat(parts);
}
