import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../../errors.js';
import type { Counters } from '../../live/ports.js';
import { sendError } from '../../plugins/error-pages.js';

/**
 * A per-user limit shared by every socket, form and instance: at most `max` actions of one kind
 * in a fixed window, counted in the live state's counters (one command per action on Redis).
 */
export function createUserLimit(deps: { counters: Counters; name: string; max: number; windowMs: number; now: () => number; message: string }) {
  return {
    /** Counts one action of the user; throws RateLimitedError when it is over the limit. */
    async take(userId: number): Promise<void> {
      const { count, resetMs } = await deps.counters.hit(`${deps.name}:${userId}`, deps.windowMs);
      if (count > deps.max) throw new RateLimitedError(deps.now() + Math.max(1, resetMs), Math.max(1, resetMs), deps.message);
    },
  };
}

export type UserLimit = ReturnType<typeof createUserLimit>;

/** Logs a refusal over a limit and sets the reply's 429 and Retry-After; the caller renders. */
export function markLimited(req: FastifyRequest, reply: FastifyReply, err: RateLimitedError): void {
  req.log.info({ event: 'rate_limited', userId: req.user?.id, route: req.routeOptions.url }, err.message);
  reply.code(429).header('retry-after', Math.ceil(err.retryMs / 1000));
}

/** The 429 page (or JSON) for a refused form, with Retry-After; `message` is already translated. */
export function tooMany(req: FastifyRequest, reply: FastifyReply, err: RateLimitedError, message: string) {
  markLimited(req, reply, err);
  return sendError(req, reply, 429, message);
}
