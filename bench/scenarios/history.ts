import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/live/redis/keys.js';
import { cpuSeconds } from '../lib/proc.js';
import { redisUrl } from '../lib/targets.js';
import { percentile, startHihi, type Scenario } from './common.js';

/**
 * A page of 50 from a room of 1,000,000 messages, at random points of its history, through
 * hihi's `GET /rooms/:id/messages?before=…` (session, access check, Redis read, names, JSON),
 * against the bare Redis read of the same page from the load generator. Target: p99 < 5 ms.
 */
export const history: Scenario = async (opts) => {
  const total = opts.quick ? 20_000 : 1_000_000;
  const reads = opts.quick ? 200 : 2000;
  const hihi = await startHihi(1, opts, 'redis');
  const redis = new Redis(redisUrl());
  try {
    const room = hihi.rooms[0]!;
    const key = redisKeys(hihi.env.REDIS_PREFIX!).messages(room);
    const ts = Date.now();
    for (let start = 1; start <= total; start += 10_000) {
      const args: Array<string | number> = [];
      for (let id = start; id < Math.min(start + 10_000, total + 1); id++) {
        args.push(id, `{"id":${id},"ts":${ts},"user":{"id":1,"name":"bench"},"body":"history message ${id} with some words in it","clientId":"h${id}"}`);
      }
      await redis.zadd(key, ...args);
    }
    await redis.set(redisKeys(hihi.env.REDIS_PREFIX!).seq(room), total);

    const points = Array.from({ length: reads }, () => 51 + Math.floor(Math.random() * (total - 51)));
    // Each side first warms up (JIT, connections), not counted. Node 20's V8 compiles a function
    // with TurboFan only after some thousands of calls: after 2,000 warm-up reads hihi still
    // compiled ~55 functions during the 2,000 measured ones, each taking a core for 1-10 ms;
    // after 8,000, ~5 (docs/performance.md, History).
    const warmup = opts.quick ? reads : 4 * reads;
    // Also hihi's own CPU per measured read (its process, not Redis's).
    const hihiCpu = () => cpuSeconds(hihi.pids()[0]!);
    const time = async (fn: (before: number) => Promise<unknown>) => {
      for (let i = 0; i < warmup; i++) await fn(points[i % reads]!);
      const cpu0 = hihiCpu();
      const t = new Float64Array(reads);
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        await fn(points[i]!);
        t[i] = performance.now() - t0;
      }
      return { sorted: t.sort(), hihiCpuUsPerRead: Math.round(((hihiCpu() - cpu0) / reads) * 1e6) };
    };
    // node:http with one kept-alive connection: fetch's own allocations showed up in the tail.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { cookie: hihi.web.cookieHeader };
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        http
          .get(`${hihi.urls[0]}${path}`, { agent, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString()));
          })
          .on('error', reject);
      });
    const { sorted: viaHihi, hihiCpuUsPerRead } = await time(async (before) => {
      const page = JSON.parse(await get(`/rooms/${room}/messages?before=${before}&limit=50`)) as { messages: unknown[] };
      if (page.messages.length !== 50) throw new Error(`expected 50 messages, got ${page.messages.length}`);
    });
    agent.destroy();
    const { sorted: bare } = await time((before) => redis.zrevrangebyscore(key, `(${before}`, '-inf', 'LIMIT', 0, 51));
    const row = {
      messages: total,
      reads,
      'hihi CPU µs/read': hihiCpuUsPerRead,
      'hihi p50 ms': percentile(viaHihi, 50),
      'hihi p99 ms': percentile(viaHihi, 99),
      'bare Redis p50 ms': percentile(bare, 50),
      'bare Redis p99 ms': percentile(bare, 99),
      'p99 vs bare Redis': +(percentile(viaHihi, 99) / percentile(bare, 99)).toFixed(2),
    };
    return { json: [row], table: [row], broken: [] };
  } finally {
    redis.disconnect();
    await hihi.stop();
  }
};
