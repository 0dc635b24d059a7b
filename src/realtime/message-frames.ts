import { storedAuthor } from '../live/message-json.js';
import { textFrame } from './ws-frame.js';

const CLIENT_ID = Buffer.from(',"clientId":"');

/**
 * The message frame without its `clientId`: only the author's own sockets match a pending line
 * by it (public/js/chat.js), so the room's other sockets are not sent its bytes (issue #22:
 * bytes per delivery). A quote inside a JSON string is escaped, so the first `,"clientId":"`
 * is the field; its value is letters, digits, `_` and `-` (frames.ts), so it ends at the next
 * quote.
 */
export function withoutClientId(payload: Buffer): Buffer {
  const at = payload.indexOf(CLIENT_ID);
  if (at < 0) return payload;
  const end = payload.indexOf(0x22, at + CLIENT_ID.length);
  if (end < 0) return payload;
  return Buffer.concat([payload.subarray(0, at), payload.subarray(end + 1)]);
}

/** A message's frame JSON (with its `clientId`), framed once for its author's sockets and once for everyone else's. */
export function messageFrames(payload: Buffer): { author: number; own: Buffer; others: Buffer } {
  const author = storedAuthor(payload)?.id ?? 0;
  const own = textFrame(payload);
  return { author, own, others: author > 0 ? textFrame(withoutClientId(payload)) : own };
}
