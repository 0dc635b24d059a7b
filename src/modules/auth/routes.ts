import type { FastifyInstance, FastifyReply } from 'fastify';
import { CloseCodes } from '../../shared/protocol.js';
import { sendError } from '../../plugins/error-pages.js';
import { pendingPath, startSignedInSession } from './two-factor/pending.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import { loginQuerySchema, loginSchema, safeNextPath } from './schemas.js';

export default async function authRoutes(app: FastifyInstance) {
  const { auth, config, events, throttle, now, twoFactor, settings } = app.deps;

  app.get('/', async (req, reply) => reply.redirect(req.user ? '/rooms' : '/login', 303));

  // Only a malformed post gets field messages; wrong credentials get one generic message below.
  // The sign-up link shows only when anyone may sign up (the setting is read fresh: every instance agrees).
  const renderLogin = async (reply: FastifyReply, form: FormView) =>
    reply.view('pages/auth/login.njk', {
      csrf: reply.generateCsrf(),
      form,
      next: safeNextPath(form.values.next),
      remember: form.values.remember === '1',
      registerOpen: await app.deps.registration.open(),
    });

  app.get('/login', async (req, reply) => {
    const { next } = parseInput(loginQuerySchema, req.query);
    if (req.user) return reply.redirect(safeNextPath(next), 303);
    return renderLogin(reply, blankForm({ next: next ?? '' }));
  });

  app.post('/login', async (req, reply) => {
    const render = (form: FormView) => renderLogin(reply, form);
    return handleForm(reply, { fields: ['username', 'password'], keep: ['username', 'next', 'remember'], render }, async () => {
      const form = parseInput(loginSchema, req.body);
      const wait = await throttle.admit(req.ip, form.username);
      if (wait > 0) {
        req.log.warn({ event: 'login_throttled', ip: req.ip }, 'sign-in throttled');
        reply.header('retry-after', Math.ceil(wait / 1000));
        return sendError(req, reply, 429, req.t('limit.login'));
      }
      const user = await auth.authenticate(form.username, form.password);
      if (!user) {
        req.log.info({ event: 'login_failed', ip: req.ip }, 'sign-in failed');
        reply.code(401);
        return renderLogin(reply, { values: { username: form.username, next: form.next ?? '', remember: form.remember ? '1' : '' }, errors: {}, notice: req.t('login.failed') });
      }
      await throttle.succeeded(req.ip, form.username);
      // Two-factor on, or an admin the site requires it of: the session only holds a pending
      // second step, which grants nothing else (two-factor/routes.ts finishes signing in).
      const hasSecondFactor = await twoFactor.enabled(user.id);
      const enrol = !hasSecondFactor && user.permissions.includes('admin') && (await settings.requireAdmin2fa());
      if (hasSecondFactor || enrol) {
        await req.session.regenerate();
        const stamp = await twoFactor.credentialStamp(user.id);
        req.session.pending2fa = { userId: user.id, at: now(), stamp, ...(form.next ? { next: form.next } : {}), ...(form.remember ? { remember: true } : {}), ...(enrol ? { enrol: true } : {}) };
        req.log.info({ event: 'login_password_ok', userId: user.id, enrol }, 'password accepted, second factor due');
        return reply.redirect(pendingPath(req.session.pending2fa), 303);
      }
      // A new session id at sign-in (no fixation); regenerate drops the old CSRF secret too.
      await startSignedInSession(req, user.id, { now: now(), remember: !!form.remember, ttlMs: config.session.ttlMs });
      req.log.info({ event: 'login', userId: user.id, ip: req.ip, remember: !!form.remember }, 'signed in');
      return reply.redirect(safeNextPath(form.next), 303);
    });
  });

  app.post('/logout', async (req, reply) => {
    const sessionId = req.session.sessionId;
    const userId = req.session.userId;
    await req.session.destroy();
    reply.clearSessionCookie();
    // Its sockets close on every instance.
    await events.control({ type: 'close-sessions', sessionIds: [sessionId], code: CloseCodes.sessionGone });
    req.log.info({ event: 'logout', userId }, 'signed out');
    return reply.redirect('/login', 303);
  });
}
