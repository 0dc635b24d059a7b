import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import { sessionTimeout, useToRecord } from '../modules/auth/session-lifetime.js';
import type { User } from '../modules/users/repository.js';
import { CloseCodes } from '../shared/protocol.js';
import { pendingOf, pendingPath } from '../modules/auth/two-factor/pending.js';
import { useLocale } from './views.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
  interface FastifyInstance {
    /** preHandler: pages redirect to /login, JSON and websocket requests get 401. */
    requireUser(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

/**
 * Ends a session found expired or disabled: removed from the store, and replaced by a fresh
 * anonymous one (not null: the page may still need a CSRF token, e.g. the sign-in page). The
 * browser's cookie is cleared, or replaced if the new session gets saved.
 */
const endSession = (req: FastifyRequest) => req.session.regenerate();

/**
 * The signed-in user. Page views (GET without a websocket upgrade) may use a recent read, kept
 * until the account changes (modules/users/repository.ts); every action, and every socket,
 * reads it fresh, so a revoked permission stops the next action at once.
 */
export default fp(
  async (app) => {
    app.decorateRequest('user', null);
    const { config, events, now } = app.deps;
    app.addHook('preHandler', async (req, reply) => {
      // Undefined for a 404 that a root-level route (static files) hands to the not-found page.
      const id = req.session?.userId;
      if (id === undefined) return;
      const t = now();
      const timeout = sessionTimeout(req.session, config.session, t);
      if (timeout) {
        req.log.info({ event: 'session_expired', userId: id, timeout }, 'session timed out');
        const { sessionId } = req.session;
        await endSession(req);
        // Its sockets, on every instance, close now rather than at their next heartbeat.
        await events.control({ type: 'close-sessions', sessionIds: [sessionId], code: CloseCodes.sessionGone });
        return;
      }
      if (useToRecord(req.session, t)) req.session.seenAt = t;
      const view = (req.method === 'GET' || req.method === 'HEAD') && req.headers.upgrade === undefined;
      const user = await (view ? app.deps.users.findRecent(id) : app.deps.users.findById(id));
      if (!user || user.disabled) {
        await endSession(req);
        return;
      }
      req.user = user;
      reply.locals = { ...reply.locals, user };
      if (user.locale && user.locale !== req.locale) useLocale(req, reply, user.locale);
    });
    app.decorate('requireUser', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.user) return;
      const wantsPage = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
      // Password accepted, second factor due: that step is the only page (nothing else is granted).
      const pending = pendingOf(req.session, app.deps.now());
      if (pending) {
        if (wantsPage) return reply.redirect(pendingPath(pending), 303);
        throw new AppError('unauthorized', 'Second sign-in step due');
      }
      if (wantsPage) {
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      throw new AppError('unauthorized', 'Sign in first');
    });
  },
  { name: 'current-user', dependencies: ['session'] },
);
