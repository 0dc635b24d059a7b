/** Parses client frames. Anything that is not exactly a known frame is refused, field by field. */
import { z } from 'zod';
import { bodyProblem } from '../modules/messages/body.js';
import type { ClientFrame, ErrorCode } from '../shared/protocol.js';
import { MAX_BODY_CHARS } from '../shared/protocol.js';
import { ILL_FORMED, illFormedPath } from '../util/text.js';

const roomId = z.number().int().positive().max(2 ** 31 - 1);
const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'clientId must be 1–64 letters, digits, _ or -');

const frameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('join'), room: roomId, since: z.number().int().min(0).optional() }),
  // Bodies are checked for length after trimming, below, to tell `too_long` from `invalid`.
  z.strictObject({ type: z.literal('send'), room: roomId, clientId, body: z.string() }),
  z.strictObject({ type: z.literal('leave'), room: roomId }),
  z.strictObject({ type: z.literal('read'), room: roomId, id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
]);

export type FrameResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; clientId?: string };

export function parseFrame(text: string): FrameResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid', message: 'Frame is not JSON' };
  }
  // Every string must be well-formed Unicode: a lone surrogate cannot be stored or sent back as sent.
  const bad = illFormedPath(json);
  if (bad) return { ok: false, code: 'invalid', message: `${bad.length ? `${bad.join('.')}: ` : ''}${ILL_FORMED}` };
  const parsed = frameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    const cid = (json as { clientId?: unknown } | null)?.clientId;
    return {
      ok: false,
      code: 'invalid',
      message: `${where}${issue.message}`,
      ...(typeof cid === 'string' && clientId.safeParse(cid).success ? { clientId: cid } : {}),
    };
  }
  const frame = parsed.data;
  if (frame.type === 'send') {
    const body = frame.body.trim();
    const problem = bodyProblem(body);
    if (problem === 'empty') return { ok: false, code: 'invalid', message: 'Message is empty', clientId: frame.clientId };
    if (problem === 'control') {
      return { ok: false, code: 'invalid', message: 'Messages may not contain control characters or direction overrides', clientId: frame.clientId };
    }
    if (problem === 'too_long') {
      return { ok: false, code: 'too_long', message: `Messages are at most ${MAX_BODY_CHARS} characters`, clientId: frame.clientId };
    }
    return { ok: true, frame: { ...frame, body } };
  }
  return { ok: true, frame };
}
