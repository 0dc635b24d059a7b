import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { sendError } from '../../plugins/error-pages.js';
import { parseInput } from '../../plugins/validate.js';
import { CloseCodes } from '../../shared/protocol.js';
import { passwordSchema } from '../admin/schemas.js';
import { isWeakPassword } from './common-passwords.js';

const changePasswordSchema = z.strictObject({
  current: z.string().max(1024),
  password: passwordSchema,
  end_others: z.literal('1').optional(),
  _csrf: z.string(),
});

/** /account: the signed-in user changes their own password (the current one is required). */
export default async function accountRoutes(app: FastifyInstance) {
  const { auth, users, hasher, live, events, now, passwordCheck } = app.deps;
  const authOnly = { preHandler: app.requireUser };

  const render = (reply: FastifyReply, extra: object = {}) =>
    reply.view('pages/account/account.njk', { csrf: reply.generateCsrf(), ...extra });

  app.get('/account', authOnly, (_req, reply) => render(reply));

  app.post('/account/password', authOnly, async (req, reply) => {
    const user = req.user!;
    try {
      const form = parseInput(changePasswordSchema, req.body);
      const wait = await passwordCheck.admit(user.id);
      if (wait > 0) {
        req.log.warn({ event: 'password_check_throttled', userId: user.id }, 'current-password check throttled');
        reply.header('retry-after', Math.ceil(wait / 1000));
        return sendError(req, reply, 429, req.t('limit.password'));
      }
      if (!(await auth.authenticate(user.username, form.current))) throw new AppError('bad_request', 'current: wrong password');
      await passwordCheck.succeeded(user.id);
      if (isWeakPassword(form.password, user.username)) throw new AppError('bad_request', 'password: must not be based on the username');
      await users.setPasswordHash(user.id, await hasher.hash(form.password));
      req.log.info({ event: 'password_changed', userId: user.id, endedOthers: !!form.end_others }, 'password changed');
      if (form.end_others) {
        // End every session, then give this browser a fresh one: only this device stays signed in.
        const ended = await live.sessions.destroyAllForUser(user.id);
        await events.control({ type: 'close-sessions', sessionIds: ended, code: CloseCodes.sessionGone });
        await req.session.regenerate();
        req.session.userId = user.id;
        req.session.createdAt = req.session.seenAt = now();
      }
      return render(reply, { notice: req.t('account.changed') });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'bad_request') throw err;
      reply.code(400);
      return render(reply, { error: err.shown(req.t) });
    }
  });
}
