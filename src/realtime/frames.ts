/** Parses client frames. Anything that is not exactly a known frame is refused, field by field. */
import { z } from 'zod';
import { bodyProblem } from '../modules/messages/body.js';
import type { MessageKey } from '../i18n/en.js';
import type { ClientFrame, ErrorCode } from '../shared/protocol.js';
import { MAX_BODY_CHARS } from '../shared/protocol.js';
import { ILL_FORMED, illFormedPath } from '../util/text.js';

const roomId = z.number().int().positive().max(2 ** 31 - 1);
const messageId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'clientId must be 1–64 letters, digits, _ or -');

const frameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('join'), room: roomId, since: z.number().int().min(0).optional() }),
  // Bodies are checked for length after trimming, below, to tell `too_long` from `invalid`.
  z.strictObject({ type: z.literal('send'), room: roomId, clientId, body: z.string(), replyTo: messageId.optional() }),
  z.strictObject({ type: z.literal('leave'), room: roomId }),
  // Bodies as in `send` (the same checks, below).
  z.strictObject({ type: z.literal('edit'), room: roomId, id: messageId, body: z.string() }),
  z.strictObject({ type: z.literal('delete'), room: roomId, id: messageId }),
  z.strictObject({ type: z.literal('typing'), room: roomId }),
  z.strictObject({ type: z.literal('read'), room: roomId, id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
]);

export type FrameResult =
  | { ok: true; frame: ClientFrame }
  /** `message`: English, for the log; `key` and `params`: what the client is told, in its user's language (dispatch.ts). */
  | { ok: false; code: ErrorCode; message: string; key: MessageKey; params?: Record<string, string | number>; clientId?: string; room?: number; id?: number };

export function parseFrame(text: string): FrameResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid', message: 'Frame is not JSON', key: 'ws.notJson' };
  }
  // Every string must be well-formed Unicode: a lone surrogate cannot be stored or sent back as sent.
  const bad = illFormedPath(json);
  if (bad) return { ok: false, code: 'invalid', message: `${bad.length ? `${bad.join('.')}: ` : ''}${ILL_FORMED}`, key: 'input.illFormed' };
  const parsed = frameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    const cid = (json as { clientId?: unknown } | null)?.clientId;
    return {
      ok: false,
      code: 'invalid',
      message: `${where}${issue.message}`,
      ...(issue.path.length ? { key: 'ws.invalidField' as const, params: { field: issue.path.join('.') } } : { key: 'ws.invalid' as const }),
      ...(typeof cid === 'string' && clientId.safeParse(cid).success ? { clientId: cid } : {}),
    };
  }
  const frame = parsed.data;
  if (frame.type === 'send' || frame.type === 'edit') {
    const body = frame.body.trim();
    // A refused send names its clientId; a refused edit its room and message.
    const which = frame.type === 'send' ? { clientId: frame.clientId } : { room: frame.room, id: frame.id };
    const problem = bodyProblem(body);
    if (problem === 'empty') return { ok: false, code: 'invalid', message: 'Message is empty', key: 'ws.empty', ...which };
    if (problem === 'control') {
      return { ok: false, code: 'invalid', message: 'Messages may not contain control characters or direction overrides', key: 'ws.control', ...which };
    }
    if (problem === 'too_long') {
      return { ok: false, code: 'too_long', message: `Messages are at most ${MAX_BODY_CHARS} characters`, key: 'ws.tooLong', params: { max: MAX_BODY_CHARS }, ...which };
    }
    return { ok: true, frame: { ...frame, body } };
  }
  return { ok: true, frame };
}
