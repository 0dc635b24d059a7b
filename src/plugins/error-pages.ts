import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isUnavailable } from '../db/errors.js';
import { RestrictedError, SessionSaveError } from '../errors.js';
import type { MessageKey } from '../i18n/en.js';
import { noteOutcome } from '../logger.js';

const PAGE_STATUSES = new Set([400, 401, 403, 404, 409, 429, 500, 503]);

/** JSON for API callers (history endpoint, fetch), a friendly page for browsers. */
function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return !accept.includes('text/html') && (accept.includes('application/json') || req.url.includes('/messages'));
}

export async function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message: string, extra: object = {}) {
  reply.code(status);
  if (wantsJson(req)) return reply.send({ error: { status, message, ...extra } });
  const key = `error.${PAGE_STATUSES.has(status) ? status : status >= 500 ? 500 : 400}` as MessageKey;
  return reply.view('pages/errors/error.njk', { status, message: req.t ? req.t(key) : message, detail: status < 500 ? message : '' });
}

/** One error handler: 4xx keep their message, everything else becomes a logged, generic 500. */
export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      // The error page's own reply would save the session again, fail again, and end in
      // fastify's bare fallback: it goes out without the session instead.
      if (err instanceof SessionSaveError) req.session = null as unknown as typeof req.session;
      const status = isUnavailable(err instanceof SessionSaveError ? err.cause : err) ? 503 : (err.statusCode ?? 500);
      if (status === 503) app.deps.metrics.dbErrors.inc();
      // Logged with the request's one line (logger.ts).
      if (status >= 500) {
        noteOutcome(req, { err });
        app.deps.activity.error(`${req.method} ${req.routeOptions.url ?? ''}`, status === 503 ? 'database unavailable' : err.message);
      }
      else noteOutcome(req, { code: err.code, reason: err.message });
      const message = status === 503 ? 'Temporarily unavailable' : status >= 500 ? 'Internal error' : err.message;
      const extra = err instanceof RestrictedError ? { code: err.restriction, until: err.until } : {};
      return sendError(req, reply, status, message, extra);
    });
    app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404, 'Not found'));
  },
  { name: 'error-pages', dependencies: ['views'] },
);
