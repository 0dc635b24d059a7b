import type { FastifyInstance } from 'fastify';
import { parseInput } from '../../plugins/validate.js';
import { safeNextPath } from '../auth/schemas.js';
import { roomParamsSchema } from '../rooms/schemas.js';
import { auditQuerySchema, moderationFormSchema } from './schemas.js';

export default async function moderationRoutes(app: FastifyInstance) {
  const { moderation, rooms } = app.deps;
  const auth = { preHandler: app.requireUser };

  /** The panel: act without JavaScript, see who is restricted, read and filter the audit log. */
  app.get('/rooms/:id/moderation', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const q = parseInput(auditQuerySchema, req.query);
    const panel = await moderation.panel(req.user!, id, {
      ...(q.action ? { action: q.action } : {}),
      ...(q.user ? { username: q.user } : {}),
      ...(q.before ? { before: q.before } : {}),
    });
    return reply.view('pages/moderation/panel.njk', {
      ...panel,
      filter: { action: q.action ?? '', user: q.user ?? '' },
      canManage: rooms.canManage(panel.room, req.user!),
      csrf: reply.generateCsrf(),
      done: q.done === '1',
    });
  });

  app.post('/rooms/:id/moderation', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const form = parseInput(moderationFormSchema, req.body);
    const result = await moderation.act(req.user!, id, {
      action: form.action,
      target: { ...(form.username ? { username: form.username } : {}), ...(form.userId !== undefined ? { userId: form.userId } : {}) },
      ...(form.messageId !== undefined ? { messageId: form.messageId } : {}),
      ...(form.minutes !== undefined ? { minutes: form.minutes } : {}),
      reason: form.reason,
    });
    req.log.info(
      { event: 'moderation', action: form.action, room: id, actorId: req.user!.id, targetId: result.target?.id, messageId: form.messageId },
      'moderation action',
    );
    if ((req.headers.accept ?? '').includes('application/json')) return { ok: true, until: result.until ?? null };
    return reply.redirect(form.next ? safeNextPath(form.next) : `/rooms/${id}/moderation?done=1`, 303);
  });
}
