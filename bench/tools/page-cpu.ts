/**
 * CPU time per chat page view, in process: hihi (embedded) rendering a room of 50 messages for a
 * signed-in reader, against fastify answering the very same bytes as a string, both through
 * `inject`, alternating in rounds. CPU time (process.cpuUsage) rather than wall time, so the
 * ratio holds on a host whose other work takes the cores (the `pages` scenario's req/s swung 4×
 * on such a host). Prints µs per request for each and the ratio static/hihi (the same measure
 * as the `pages` scenario's "chat page vs static": higher is better, 1 = as cheap as static).
 *
 *   node --import tsx bench/tools/page-cpu.ts [--requests 2000] [--rounds 3]
 */
import crypto from 'node:crypto';
import Fastify from 'fastify';
import { createStorage, startApp, ADMIN } from '../../test/support/app.js';
import { WebClient } from '../../test/support/http.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requests = arg('requests', 2000);
const rounds = arg('rounds', 3);

async function cpuPerRequest(run: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const storage = await createStorage();
const hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000', SEND_RATE_PER_10S: '1000' });
try {
  const web = new WebClient(hihi.url);
  await web.login(ADMIN.username, ADMIN.password);
  const roomId = await web.createRoom('Bench');
  const room = await hihi.app.deps.rooms.get(roomId);
  const user = (await hihi.app.deps.users.findByUsername(ADMIN.username))!;
  for (let i = 0; i < 50; i++) {
    await hihi.app.deps.messages.post(room, user, `p${i}`, `message number ${i}: ${crypto.randomBytes(24).toString('base64')}`);
  }
  const view = { method: 'GET' as const, url: `/rooms/${roomId}`, headers: { cookie: web.cookieHeader } };
  const first = await hihi.app.inject(view);
  if (first.statusCode !== 200) throw new Error(`chat page answered ${first.statusCode}`);
  const bytes = first.rawPayload;

  const ref = Fastify();
  ref.get('/page', (_req, reply) => reply.type('text/html; charset=utf-8').send(bytes));
  await ref.ready();

  const hihiRun = () => hihi.app.inject(view);
  const refRun = () => ref.inject({ method: 'GET', url: '/page' });
  // Warm both (JIT, kept shells and HTML) before counting.
  await cpuPerRequest(hihiRun);
  await cpuPerRequest(refRun);
  const hihiUs: number[] = [];
  const refUs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    hihiUs.push(await cpuPerRequest(hihiRun));
    refUs.push(await cpuPerRequest(refRun));
  }
  console.log(`chat page: ${bytes.length} bytes; ${requests} requests × ${rounds} rounds`);
  console.log(`hihi   µs CPU/request: ${hihiUs.map((x) => x.toFixed(1)).join(', ')} (median ${median(hihiUs).toFixed(1)})`);
  console.log(`static µs CPU/request: ${refUs.map((x) => x.toFixed(1)).join(', ')} (median ${median(refUs).toFixed(1)})`);
  console.log(`ratio static/hihi: ${(median(refUs) / median(hihiUs)).toFixed(2)}`);
  await ref.close();
} finally {
  await hihi.close();
  await storage.cleanup();
}
