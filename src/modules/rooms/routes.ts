import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { clientStrings } from '../../i18n/index.js';
import { parseInput } from '../../plugins/validate.js';
import { createRoomSchema, roomIdSchema, roomParamsSchema } from './schemas.js';

export const HISTORY_PAGE = 50;

const chatQuerySchema = z.strictObject({ before: z.coerce.number().int().positive().optional() });

export default async function roomRoutes(app: FastifyInstance) {
  const { rooms, messages } = app.deps;
  const auth = { preHandler: app.requireUser };

  async function renderList(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    const user = req.user!;
    return reply.view('pages/rooms/list.njk', {
      rooms: await rooms.list(),
      canCreate: rooms.canCreate(user),
      csrf: reply.generateCsrf(),
      ...extra,
    });
  }

  app.get('/rooms', auth, (req, reply) => renderList(req, reply));

  app.post('/rooms', auth, async (req, reply) => {
    const user = req.user!;
    // Permission first: someone who may not create rooms learns nothing from validation.
    if (!rooms.canCreate(user)) throw new AppError('forbidden', 'You may not create rooms');
    try {
      const form = parseInput(createRoomSchema, req.body);
      const room = await rooms.create(user, { name: form.name, description: form.description });
      req.log.info({ event: 'room_created', roomId: room.id, userId: user.id }, 'room created');
      return reply.redirect(`/rooms/${room.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'bad_request' && err.code !== 'conflict')) throw err;
      reply.code(err.statusCode);
      const body = (req.body ?? {}) as Record<string, unknown>;
      return renderList(req, reply, { error: err.message, form: { name: String(body.name ?? ''), description: String(body.description ?? '') } });
    }
  });

  app.get('/rooms/:id', auth, async (req, reply) => {
    const user = req.user!;
    const { id } = parseInput(roomParamsSchema, req.params);
    const { before } = parseInput(chatQuerySchema, req.query);
    const room = await rooms.join(id, user);
    const [page, roster] = await Promise.all([messages.history(id, { before, limit: HISTORY_PAGE }), rooms.roster(id)]);
    const client = {
      room: id,
      me: { id: user.id, name: user.displayName },
      lastId: page.messages.at(-1)?.id ?? 0,
      firstId: page.messages[0]?.id ?? 0,
      hasOlder: page.hasMore,
      live: before === undefined,
      strings: clientStrings(req.t),
    };
    return reply.view('pages/rooms/chat.njk', {
      room,
      messages: page.messages,
      hasOlder: page.hasMore,
      viewingOlder: before !== undefined,
      roster,
      csrf: reply.generateCsrf(),
      clientId: crypto.randomUUID(),
      client,
    });
  });

  app.post('/rooms/:id/leave', auth, async (req, reply) => {
    const { id } = parseInput(z.object({ id: roomIdSchema }), req.params);
    await rooms.leave(id, req.user!);
    return reply.redirect('/rooms', 303);
  });
}
