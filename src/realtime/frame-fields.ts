/**
 * Fields of the room channel's frames read from their bytes, without a JSON parse: every
 * instance reads every frame of its rooms (hub.ts, unread-watch.ts), and our own serialization
 * puts these fields first.
 */
import { storedAuthor } from '../live/message-json.js';

/** `{"type":"message","room":R,"id":N,…}`: our own serialization puts the id first, so no JSON parse. */
export const MESSAGE_PREFIX = Buffer.from('{"type":"message","room":');
export function messageId(bytes: Buffer): number {
  if (bytes.length < MESSAGE_PREFIX.length + 8 || !bytes.subarray(0, MESSAGE_PREFIX.length).equals(MESSAGE_PREFIX)) return 0;
  const m = /^,"id":(\d+)/.exec(bytes.toString('latin1', MESSAGE_PREFIX.length, MESSAGE_PREFIX.length + 40).replace(/^\d+/, ''));
  return m ? Number(m[1]) : 0;
}

/** `{"type":"edited"|"deleted","room":R,"seq":S,…}`: a change's seq, in the same sequence as message ids (0: none). */
const CHANGE_PREFIXES = [Buffer.from('{"type":"edited","room":'), Buffer.from('{"type":"deleted","room":')];
export function changeSeq(bytes: Buffer): number {
  const prefix = CHANGE_PREFIXES.find((p) => bytes.subarray(0, p.length).equals(p));
  if (!prefix) return 0;
  const m = /^\d+,"seq":(\d+)/.exec(bytes.toString('latin1', prefix.length, prefix.length + 40));
  return m ? Number(m[1]) : 0;
}

/** The `"ts":` that follows the id in our own serialization. */
export function messageTs(bytes: Buffer): number {
  const m = /,"ts":(\d+)/.exec(bytes.toString('latin1', MESSAGE_PREFIX.length, MESSAGE_PREFIX.length + 60));
  return m ? Number(m[1]) : 0;
}

/** A `message` frame's author id (0: none), read as from a stored message. */
export const messageAuthor = (bytes: Buffer): number => storedAuthor(bytes)?.id ?? 0;

/**
 * The ids of the users a `message` frame mentions. Only a frame that has a `"mentions":` field
 * is parsed (a body's quotes are escaped, so the text cannot fake one); most have none.
 */
export function mentionedIds(bytes: Buffer): number[] {
  if (bytes.indexOf('"mentions":[') < 0) return [];
  try {
    const m = JSON.parse(bytes.toString()) as { mentions?: Array<{ id: number }> };
    return (m.mentions ?? []).map((u) => u.id);
  } catch {
    return [];
  }
}
