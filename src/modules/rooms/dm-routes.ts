import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, RateLimitedError } from '../../errors.js';
import { parseInput } from '../../plugins/validate.js';
import { tooMany } from '../limits/user-limit.js';

/** POST /dm: the person by `username` (the documented field) or `userId` (the member list's buttons). */
const openDmSchema = z
  .strictObject({
    username: z.string().trim().min(1).max(64).optional(),
    userId: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    _csrf: z.string(),
  })
  .refine((v) => (v.username === undefined) !== (v.userId === undefined), 'give username or userId');

/**
 * Direct messages: POST /dm opens (creating on first use) the one conversation between the
 * signed-in user and another, a private room of kind `dm`, and goes there.
 */
export default async function dmRoutes(app: FastifyInstance) {
  const { rooms, users } = app.deps;
  app.post('/dm', { preHandler: app.requireUser }, async (req, reply) => {
    const form = parseInput(openDmSchema, req.body);
    const user = req.user!;
    const other = form.username !== undefined ? await users.findByUsername(form.username) : await users.findById(form.userId!);
    if (!other) throw new AppError('not_found', 'No such user', 'members.err.noUser');
    try {
      const room = await rooms.openDm(user, other);
      req.log.info({ event: 'dm_opened', roomId: room.id, userId: user.id, otherId: other.id }, 'direct message opened');
      return reply.redirect(`/rooms/${room.id}`, 303);
    } catch (err) {
      if (err instanceof RateLimitedError) return tooMany(req, reply, err, req.t('limit.generic'));
      throw err;
    }
  });
}
