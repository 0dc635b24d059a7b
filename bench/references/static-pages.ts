/**
 * The pages reference: fastify serving, for each path, bytes captured from hihi in the same
 * run as a static string. No session, no template, no database: the most a fastify page can do.
 *   PORT=… PAGES=/tmp/pages.json node --import tsx bench/references/static-pages.ts
 * PAGES maps a path to { type, body }.
 */
import fs from 'node:fs';
import Fastify from 'fastify';

const pages = JSON.parse(fs.readFileSync(process.env.PAGES!, 'utf8')) as Record<string, { type: string; body: string }>;
const app = Fastify({ logger: false });
for (const [path, page] of Object.entries(pages)) {
  const bytes = Buffer.from(page.body);
  app.get(path, (_req, reply) => reply.type(page.type).send(bytes));
}
app.get('/readyz', () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
