import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

/** Liveness (the process answers) and readiness (database and live state reachable). */
export default async function healthRoutes(app: FastifyInstance) {
  const { db, live } = app.deps;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (req, reply) => {
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
    const [database, liveState] = await Promise.allSettled([timeout(sql`select 1`.execute(db)), timeout(live.ping())]);
    const checks = { database: database.status === 'fulfilled', live: liveState.status === 'fulfilled' };
    const ready = checks.database && checks.live;
    if (!ready) req.log.warn({ checks }, 'not ready');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks, liveState: live.kind });
  });
}
