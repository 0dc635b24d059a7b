import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isUnavailable } from '../db/errors.js';
import { AppError, RateLimitedError, RestrictedError, SessionSaveError } from '../errors.js';
import type { MessageKey } from '../i18n/en.js';
import { noteOutcome } from '../logger.js';
import { InputError } from './validate.js';

const PAGE_STATUSES = new Set([400, 401, 403, 404, 409, 429, 500, 503]);

/** JSON for API callers (history endpoint, fetch), a friendly page for browsers. */
function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return !accept.includes('text/html') && (accept.includes('application/json') || req.url.includes('/messages'));
}

/**
 * A token for the navigation's forms (sign out, language) for a signed-in reader, so an error
 * page keeps them; none for anonymous requests, which should not start a session.
 */
function csrfFor(reply: FastifyReply): string | undefined {
  try {
    return reply.request.user ? reply.generateCsrf() : undefined;
  } catch {
    return undefined;
  }
}

export async function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message: string, extra: object = {}, detail = '') {
  reply.code(status);
  if (wantsJson(req)) return reply.send({ error: { status, message, ...extra } });
  const code = PAGE_STATUSES.has(status) ? status : status >= 500 ? 500 : 400;
  // The page says what the status means, in the reader's language; the raw reason (validator
  // output and the like) stays in the log. A mute, kick or ban says which, bad input which
  // field and why (translated), and a rate limit its own translated reason (`tooMany`).
  return reply.view('pages/errors/error.njk', {
    status,
    code,
    message: req.t ? req.t(`error.${code}` as MessageKey) : message,
    detail: 'code' in extra || status === 429 ? message : detail,
    csrf: csrfFor(reply),
  });
}

/** Set by app.ts in the context where the session and user are loaded (the hooks a 404 runs are its context's). */
export const notFoundPage = async (req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, 404, 'Not found');

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
      // A per-user limit no route answers itself (joins, leaves): when to try again, in words.
      if (err instanceof RateLimitedError) reply.header('retry-after', Math.ceil(err.retryMs / 1000));
      const shown = err instanceof AppError || err instanceof RestrictedError ? err.shown(req.t) : err instanceof RateLimitedError && req.t ? req.t('limit.generic') : err.message;
      const message = status === 503 ? 'Temporarily unavailable' : status >= 500 ? 'Internal error' : shown;
      const extra = err instanceof RestrictedError ? { code: err.restriction, until: err.until } : {};
      // A keyed AppError's text is written for users (errors.ts): the page says it too.
      return sendError(req, reply, status, message, extra, err instanceof InputError || (err instanceof AppError && err.key && status < 500) ? shown : '');
    });
  },
  { name: 'error-pages', dependencies: ['views'] },
);
