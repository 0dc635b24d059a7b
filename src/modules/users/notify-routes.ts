import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../plugins/validate.js';
import { notifySchema } from './notify.js';

const notifyFormSchema = z.strictObject({ notify: notifySchema, _csrf: z.string() });

/**
 * POST /account/notifications: which messages may raise a desktop notification (users/notify.ts).
 * The form is views/partials/account-notifications.njk on the account page.
 */
export default async function notifyRoutes(app: FastifyInstance) {
  const { users, events } = app.deps;
  app.post('/account/notifications', { preHandler: app.requireUser }, async (req, reply) => {
    const form = parseInput(notifyFormSchema, req.body);
    const user = req.user!;
    await users.setNotify(user.id, form.notify);
    // Other instances forget their copy of the user too.
    await events.control({ type: 'user-changed', userId: user.id });
    req.log.info({ event: 'notify_changed', userId: user.id, notify: form.notify }, 'notification setting changed');
    return reply.redirect('/account?saved=1#notifications', 303);
  });
}
