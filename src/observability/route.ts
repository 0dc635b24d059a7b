import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * GET /metrics in Prometheus text format, for a scraper holding METRICS_TOKEN as a Bearer
 * token. Without a configured token the route does not exist (404), so nothing leaks by default.
 */
export default async function metricsRoute(app: FastifyInstance) {
  const { config, metrics } = app.deps;
  const expected = config.metricsToken ? Buffer.from(`Bearer ${config.metricsToken}`) : undefined;
  app.get('/metrics', async (req, reply) => {
    if (!expected) return reply.callNotFound();
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      req.log.warn({ event: 'metrics_refused' }, 'metrics without a valid token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { status: 401, message: 'Bearer token required' } });
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
