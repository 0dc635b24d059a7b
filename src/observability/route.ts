import type { FastifyInstance } from 'fastify';
import { bearerCheck } from './bearer.js';

/**
 * GET /metrics in Prometheus text format, for a scraper holding METRICS_TOKEN as a Bearer
 * token. Without a configured token the route does not exist (404), so nothing leaks by default.
 */
export default async function metricsRoute(app: FastifyInstance) {
  const { config, metrics } = app.deps;
  const authorized = bearerCheck(config.metricsToken);
  app.get('/metrics', async (req, reply) => {
    if (!config.metricsToken) return reply.callNotFound();
    if (!authorized(req.headers.authorization)) {
      req.log.warn({ event: 'metrics_refused' }, 'metrics without a valid token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { status: 401, message: 'Bearer token required' } });
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
