import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../plugins/validate.js';
import { roomParamsSchema } from '../rooms/schemas.js';

const mentionQuerySchema = z.strictObject({ q: z.string().max(64).default('') });

/** How many suggestions the composer shows. */
const SUGGESTIONS = 8;

/**
 * GET /rooms/:id/mentionable?q=PREFIX: the room's members whose username or display name starts
 * with the prefix, as JSON `{ "people": [{ id, username, name }] }`, for the composer's
 * @-completion (public/js/chat/mentions.js). Members only: they are the ones who may mention.
 */
export default async function mentionRoutes(app: FastifyInstance) {
  const { rooms, live, users } = app.deps;
  app.get('/rooms/:id/mentionable', { preHandler: app.requireUser }, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const { q } = parseInput(mentionQuerySchema, req.query);
    await rooms.requireMember(id, req.user!);
    const people = await users.mentionable(await live.membership.members(id), q.trim(), SUGGESTIONS);
    return reply.header('cache-control', 'no-store').send({ people });
  });
}
