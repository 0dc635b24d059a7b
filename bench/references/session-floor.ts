/**
 * The pages floor: hihi itself (same config, storage and plugins), plus copies of the measured
 * pages under `/floor` that do only what every signed-in page does before its own work (the
 * session cookie, the session read, the user, the security headers) and then answer the bytes
 * hihi answered, as the static reference does. What hihi's stack costs a page, apart from the
 * page: the ceiling for any page built on it.
 *   PORT=… PAGES=/tmp/pages.json <hihi's env> node --import tsx bench/references/session-floor.ts
 * PAGES maps a path to { type, body }.
 */
import fs from 'node:fs';
import { loadConfig } from '../../fastify.config.js';
import { buildApp } from '../../src/app.js';
import currentUser from '../../src/plugins/current-user.js';
import sessionPlugin from '../../src/plugins/session.js';

const pages = JSON.parse(fs.readFileSync(process.env.PAGES!, 'utf8')) as Record<string, { type: string; body: string }>;
const config = loadConfig(process.env);
const app = await buildApp(config);
// A sibling of hihi's own session context, built from the same plugins.
await app.register(async (web) => {
  await web.register(sessionPlugin);
  await web.register(currentUser);
  for (const [path, page] of Object.entries(pages)) {
    const bytes = Buffer.from(page.body);
    web.get(`/floor${path}`, { preHandler: web.requireUser }, (_req, reply) => reply.type(page.type).send(bytes));
  }
});
await app.listen({ port: config.port, host: config.host });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
