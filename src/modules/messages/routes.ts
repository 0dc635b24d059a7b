import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import { parseInput } from '../../plugins/validate.js';
import { MAX_BODY_CHARS } from '../../shared/protocol.js';
import { tooMany } from '../limits/user-limit.js';
import { roomParamsSchema } from '../rooms/schemas.js';
import { bodyProblem } from './body.js';

const cursor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const historyQuerySchema = z.strictObject({
  before: cursor.optional(),
  after: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const postSchema = z.strictObject({
  body: z
    .string()
    .transform((s) => s.trim())
    .refine((s) => bodyProblem(s) !== 'empty', 'must not be empty')
    .refine((s) => bodyProblem(s) !== 'too_long', `must be at most ${MAX_BODY_CHARS} characters`)
    .refine((s) => bodyProblem(s) !== 'control', 'must not contain control characters or direction overrides'),
  clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  _csrf: z.string(),
});

export default async function messageRoutes(app: FastifyInstance) {
  const { rooms, messages } = app.deps;
  const auth = { preHandler: app.requireUser };

  /** History pages: `before` pages back, `after` fills a gap forwards; oldest first. */
  app.get('/rooms/:id/messages', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const query = parseInput(historyQuerySchema, req.query);
    // Read together: the page is only returned once the reader check has passed.
    const [, page] = await Promise.all([rooms.requireReader(id, req.user!), messages.historyJson(id, query)]);
    return reply.type('application/json; charset=utf-8').send(page);
  });

  /** The no-JavaScript way to send: a plain form post (the clientId makes a double submit harmless). */
  app.post('/rooms/:id/messages', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const form = parseInput(postSchema, req.body);
    const room = await rooms.requireMember(id, req.user!);
    try {
      await messages.post(room, req.user!, form.clientId, form.body);
    } catch (err) {
      // Refusals (a mute, a bar, a block in a direct message) are the sender's to read.
      if (err instanceof RestrictedError || (err instanceof AppError && err.code === 'bad_request')) throw err;
      // The sender's own limit, shared with their sockets (SEND_RATE_PER_10S).
      if (err instanceof RateLimitedError) return tooMany(req, reply, err, req.t('limit.send'));
      req.log.error({ err, room: id }, 'storing a message failed');
      throw new AppError('unavailable', 'Could not store the message');
    }
    return reply.redirect(`/rooms/${id}`, 303);
  });
}
