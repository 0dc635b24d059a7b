/**
 * Prune benchmark: a room of N expired messages is pruned by the real job code while a second
 * client keeps querying, as the rest of the chat would. Reports the total time, the worst
 * single prune step, the worst event-loop stall of the app process, and the latency other
 * commands saw meanwhile.
 *
 *   node --import tsx bench/prune.ts [--messages 1000000] [--batch 1000] [--backend redis|sqlite]
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379), keys under a throw-away prefix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { connectDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { pruneMessages } from '../src/jobs/prune.js';
import { createEmbeddedLiveState } from '../src/live/embedded/index.js';
import type { LiveState } from '../src/live/ports.js';
import { redisKeys } from '../src/live/redis/keys.js';
import { createRedisLiveState } from '../src/live/redis/index.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '500' },
    backend: { type: 'string', default: 'redis' },
  },
});
const N = Number(values.messages);
const BATCH = Number(values.batch);
const ROOM = 1;
const OLD_TS = 1_000_000_000_000; // 2001: long expired
const body = 'x'.repeat(100);

const json = (id: number) =>
  `{"id":${id},"ts":${OLD_TS + id},"user":{"id":${(id % 50) + 1},"name":"user${id % 50}"},"body":"${body}","clientId":"c${id}"}`;

async function setupRedis(): Promise<{ live: LiveState; probe: () => Promise<unknown>; cleanup: () => Promise<void> }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `hihibench${process.pid}:`;
  const keys = redisKeys(prefix);
  const r = new Redis(url);
  for (let start = 1; start <= N; start += 10_000) {
    const pipe = r.pipeline();
    const zargs: Array<string | number> = [];
    const hargs: string[] = [];
    for (let id = start; id < Math.min(start + 10_000, N + 1); id++) {
      zargs.push(id, json(id));
      hargs.push(`${(id % 50) + 1}:c${id}`, String(id));
    }
    pipe.zadd(keys.messages(ROOM), ...zargs);
    pipe.hset(keys.clientIds(ROOM), ...hargs);
    await pipe.exec();
  }
  await r.set(keys.seq(ROOM), N);
  const live = createRedisLiveState({ nodes: [url], cluster: undefined, prefix, instanceId: 'bench', presenceTtlMs: 30_000, now: Date.now });
  // What another room's reader does meanwhile: fetch its newest page.
  const probe = () => r.zrevrangebyscore(keys.messages(2), '+inf', '-inf', 'LIMIT', 0, 50);
  return {
    live,
    probe,
    cleanup: async () => {
      await live.close();
      await r.del(keys.messages(ROOM), keys.clientIds(ROOM), keys.seq(ROOM));
      await r.quit();
    },
  };
}

async function setupSqlite(): Promise<{ live: LiveState; probe: () => Promise<unknown>; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-bench-'));
  const db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'bench.sqlite') });
  await migrateToLatest(db);
  for (let start = 1; start <= N; start += 5_000) {
    const rows: Array<{ room_id: number; id: number; ts: number; user_id: number; user_name: string; body: string; client_id: string; deleted: number }> = [];
    for (let id = start; id < Math.min(start + 5_000, N + 1); id++) {
      rows.push({ room_id: ROOM, id, ts: OLD_TS + id, user_id: (id % 50) + 1, user_name: `user${id % 50}`, body, client_id: `c${id}`, deleted: 0 });
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('live_messages').values(rows.slice(i, i + 500)).execute();
    });
  }
  await db.insertInto('live_message_seqs').values({ room_id: ROOM, last_id: N }).execute();
  const live = createEmbeddedLiveState({ db, now: Date.now });
  const probe = () => sql`select id from live_messages where room_id = 2 order by id desc limit 50`.execute(db);
  return {
    live,
    probe,
    cleanup: async () => {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const setupStart = performance.now();
const { live, probe, cleanup } = values.backend === 'sqlite' ? await setupSqlite() : await setupRedis();
console.error(`filled ${N} messages in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

// Instrument: each prune step, the event loop, and a concurrent reader.
const steps: number[] = [];
const timedLog = {
  ...live.messages,
  prune: async (room: number, cutoff: number, batch: number) => {
    const t = performance.now();
    const n = await live.messages.prune(room, cutoff, batch);
    steps.push(performance.now() - t);
    return n;
  },
};
const loop = monitorEventLoopDelay({ resolution: 1 });
const probes: number[] = [];
let running = true;
const prober = (async () => {
  while (running) {
    const t = performance.now();
    await probe();
    probes.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 2));
  }
})();

loop.enable();
const start = performance.now();
const result = await pruneMessages({ messages: timedLog, roomIds: [ROOM], cutoffTs: Date.now(), batch: BATCH });
const total = performance.now() - start;
loop.disable();
running = false;
await prober;
await cleanup();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const report = {
  backend: values.backend,
  messages: N,
  batch: BATCH,
  deleted: result.deleted,
  steps: result.steps,
  totalSeconds: +(total / 1000).toFixed(2),
  stepMsMax: +Math.max(...steps).toFixed(2),
  stepMsP99: +pct(steps, 99).toFixed(2),
  eventLoopStallMsMax: +(loop.max / 1e6).toFixed(2),
  eventLoopStallMsP99: +(loop.percentile(99) / 1e6).toFixed(2),
  otherQueryMsP99: +pct(probes, 99).toFixed(2),
  otherQueryMsMax: +Math.max(...probes).toFixed(2),
};
console.log(JSON.stringify(report));
console.table(report);
if (result.deleted !== N) {
  console.error(`expected to prune ${N}, pruned ${result.deleted}`);
  process.exit(1);
}
