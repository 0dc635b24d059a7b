import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { bearerCheck } from '../observability/bearer.js';

/**
 * Liveness (the process answers) and readiness (database and live state reachable). Readiness
 * shows which check failed and the live-state kind only to a caller with METRICS_TOKEN.
 */
export default async function healthRoutes(app: FastifyInstance) {
  const { config, db, live } = app.deps;
  const authorized = bearerCheck(config.metricsToken);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (req, reply) => {
    // The timer is cleared once the check settles: otherwise every probe kept it, and what its
    // closure holds, alive for 2 s.
    const timeout = <T>(p: Promise<T>) => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), 2000).unref();
      });
      return Promise.race([p, expired]).finally(() => clearTimeout(timer));
    };
    const [database, liveState] = await Promise.allSettled([timeout(sql`select 1`.execute(db)), timeout(live.ping())]);
    const checks = { database: database.status === 'fulfilled', live: liveState.status === 'fulfilled' };
    const ready = checks.database && checks.live;
    if (!ready) req.log.warn({ checks }, 'not ready');
    const status = ready ? 'ready' : 'unavailable';
    const body = authorized(req.headers.authorization) ? { status, checks, liveState: live.kind } : { status };
    return reply.code(ready ? 200 : 503).send(body);
  });
}
