import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { setBounded } from '../util/bounded-map.js';

/*
 * Early reads: a route may start a read that needs the signed-in user's id while the session
 * itself is still being read, so that both go to Redis in one write (the command connection
 * sends the commands of one event-loop turn together, live/redis/write-batching.ts) and the
 * page waits for one round trip instead of two.
 *
 * The id is a hint: the user this session cookie belonged to when this instance last served it
 * to an early-read route. The route takes the result only if the session then names that same
 * user, and reads afresh otherwise, so a stale or replayed cookie costs one wasted read, never a
 * wrong answer. Nothing is kept between requests but the hints: the read itself is this request's.
 */

/** Starts a route's early read for `userId`, or returns undefined (e.g. params it cannot parse). Must not throw. */
export type EarlyStart<T = unknown> = (req: FastifyRequest, userId: number) => Promise<T> | undefined;

export interface EarlyRead<T> {
  /** The route's `config`. */
  config: { early: EarlyStart };
  /**
   * This request's early read if it was started for `userId` (the signed-in user), else
   * undefined: read now. Call it once the user is known; it remembers the hint for next time.
   */
  take(req: FastifyRequest, userId: number): Promise<T> | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    early?: EarlyStart;
  }
  interface FastifyRequest {
    /** The early read started for this request, and for whom. */
    earlyResult: { userId: number; result: Promise<unknown> } | null;
  }
  interface FastifyInstance {
    /** Declares an early read for a route (see plugins/early-reads.ts). */
    earlyRead<T>(start: EarlyStart<T>): EarlyRead<T>;
  }
}

/** Session cookies remembered per instance, at most (~150 bytes each). */
const HINTS = 10_000;
const ignore = () => {};

/**
 * Registered by the session plugin between the cookie parser and the session itself, so that
 * its hook runs after the cookies are parsed and before the session's read is sent.
 */
export default fp<{ cookieName: string }>(
  async (app: FastifyInstance, { cookieName }) => {
    /** Signed session cookie, as sent → the user its session named. */
    const hints = new Map<string, number>();
    app.decorateRequest('earlyResult', null);

    app.addHook('onRequest', (req, _reply, done) => {
      const start = req.routeOptions.config.early;
      const cookie = start && req.cookies[cookieName];
      const userId = cookie ? hints.get(cookie) : undefined;
      if (start && userId !== undefined) {
        try {
          const result = start(req, userId);
          // Handled here too: a request that ends before the route takes it must not leave a rejection unhandled.
          if (result) req.earlyResult = { userId, result: (result.catch(ignore), result) };
        } catch (err) {
          req.log.warn({ err }, 'an early read failed to start');
        }
      }
      done();
    });

    app.decorate('earlyRead', <T>(start: EarlyStart<T>): EarlyRead<T> => ({
      config: { early: start },
      take(req, userId) {
        const cookie = req.cookies[cookieName];
        if (cookie !== undefined && hints.get(cookie) !== userId) setBounded(hints, cookie, userId, HINTS);
        const early = req.earlyResult;
        return early?.userId === userId ? (early.result as Promise<T>) : undefined;
      },
    }));
  },
  { name: 'early-reads' },
);
