/**
 * Prune benchmark: N expired messages spread over R rooms are pruned by the real job code while
 * a second client keeps querying another room, as the rest of the chat would. Reports the total
 * time, the worst single prune step, the worst event-loop stall of the app process, the latency
 * other commands saw meanwhile, and (Redis) the longest command Redis itself ran (SLOWLOG).
 * Every room also holds --fresh newer messages, which pruning must find its way past and keep.
 *
 *   node --import tsx bench/prune.ts [--messages 1000000] [--rooms 100] [--fresh 1000] [--batch 500] [--backend redis|sqlite]
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
    rooms: { type: 'string', default: '100' },
    fresh: { type: 'string', default: '1000' },
    backend: { type: 'string', default: 'redis' },
  },
});
const N = Number(values.messages);
const BATCH = Number(values.batch);
const ROOMS = Number(values.rooms);
const PER_ROOM = Math.ceil(N / ROOMS);
const FRESH = Number(values.fresh);
const roomIds = Array.from({ length: ROOMS }, (_, i) => i + 1);
/** Expired messages of room r: ids 1..count(r), N in all; then FRESH newer ones. */
const count = (room: number) => Math.max(0, Math.min(PER_ROOM, N - (room - 1) * PER_ROOM));
const OTHER_ROOM = ROOMS + 1;
const OLD_TS = 1_000_000_000_000; // 2001: long expired
const FRESH_TS = 4_000_000_000_000; // 2096: kept
const tsOf = (room: number, id: number) => (id <= count(room) ? OLD_TS : FRESH_TS) + id;
const body = 'x'.repeat(100);

interface Setup {
  live: LiveState;
  probe: () => Promise<unknown>;
  /** The longest single command the store ran meanwhile (Redis only). */
  slowestCommandMs?: () => Promise<number>;
  /** How many messages the pruned rooms still hold. */
  remaining: () => Promise<number>;
  cleanup: () => Promise<void>;
}

const json = (room: number, id: number) =>
  `{"id":${id},"ts":${tsOf(room, id)},"user":{"id":${(id % 50) + 1},"name":"user${id % 50}"},"body":"${body}","clientId":"c${id}"}`;

async function setupRedis(): Promise<Setup> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `hihibench${process.pid}:`;
  const keys = redisKeys(prefix);
  const r = new Redis(url);
  for (const room of roomIds) {
    const last = count(room) + FRESH;
    for (let start = 1; start <= last; start += 10_000) {
      const pipe = r.pipeline();
      const zargs: Array<string | number> = [];
      const hargs: string[] = [];
      for (let id = start; id < Math.min(start + 10_000, last + 1); id++) {
        zargs.push(id, json(room, id));
        hargs.push(`${(id % 50) + 1}:c${id}`, String(id));
      }
      pipe.zadd(keys.messages(room), ...zargs);
      pipe.hset(keys.clientIds(room), ...hargs);
      await pipe.exec();
    }
    await r.set(keys.seq(room), last);
  }
  const live = createRedisLiveState({ nodes: [url], cluster: undefined, prefix, instanceId: 'bench', presenceTtlMs: 30_000, now: Date.now });
  // What another room's reader does meanwhile: fetch its newest page.
  const probe = () => r.zrevrangebyscore(keys.messages(OTHER_ROOM), '+inf', '-inf', 'LIMIT', 0, 50);
  // Redis's own record of its slow commands: everything over 1 ms while the prune runs.
  const saved = (await r.config('GET', 'slowlog-*')) as string[];
  await r.config('SET', 'slowlog-log-slower-than', '1000');
  await r.config('SET', 'slowlog-max-len', '100000');
  await r.slowlog('RESET');
  return {
    live,
    probe,
    slowestCommandMs: async () => {
      const entries = (await r.slowlog('GET', -1)) as Array<[number, number, number]>;
      for (let i = 0; i < saved.length; i += 2) await r.config('SET', saved[i]!, saved[i + 1]!);
      return entries.reduce((max, e) => Math.max(max, e[2] / 1000), 0);
    },
    remaining: async () => {
      let n = 0;
      for (const room of roomIds) n += await r.zcard(keys.messages(room));
      return n;
    },
    cleanup: async () => {
      await live.close();
      for (const room of roomIds) await r.del(keys.messages(room), keys.clientIds(room), keys.seq(room));
      await r.quit();
    },
  };
}

async function setupSqlite(): Promise<Setup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-bench-'));
  const db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'bench.sqlite') });
  await migrateToLatest(db);
  type Row = { room_id: number; id: number; ts: number; user_id: number; user_name: string; body: string; client_id: string; deleted: number };
  for (const room of roomIds) {
    const last = count(room) + FRESH;
    for (let start = 1; start <= last; start += 5_000) {
      const rows: Row[] = [];
      for (let id = start; id < Math.min(start + 5_000, last + 1); id++) {
        rows.push({ room_id: room, id, ts: tsOf(room, id), user_id: (id % 50) + 1, user_name: `user${id % 50}`, body, client_id: `c${id}`, deleted: 0 });
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500) await trx.insertInto('live_messages').values(rows.slice(i, i + 500)).execute();
      });
    }
    await db.insertInto('live_message_seqs').values({ room_id: room, last_id: last }).execute();
  }
  const live = createEmbeddedLiveState({ db, now: Date.now });
  const probe = () => sql`select id from live_messages where room_id = ${OTHER_ROOM} order by id desc limit 50`.execute(db);
  return {
    live,
    probe,
    remaining: async () => {
      const { n } = await db
        .selectFrom('live_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('room_id', '<=', ROOMS)
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    cleanup: async () => {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const setupStart = performance.now();
const { live, probe, slowestCommandMs, remaining, cleanup } = values.backend === 'sqlite' ? await setupSqlite() : await setupRedis();
console.error(`filled ${N} expired and ${FRESH * ROOMS} newer messages in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

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
const result = await pruneMessages({ messages: timedLog, roomIds, cutoffTs: Date.now(), batch: BATCH });
const total = performance.now() - start;
loop.disable();
running = false;
await prober;
const slowest = slowestCommandMs ? await slowestCommandMs() : undefined;
const kept = await remaining();
await cleanup();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const report = {
  backend: values.backend,
  messages: N,
  rooms: ROOMS,
  freshPerRoom: FRESH,
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
  ...(slowest === undefined ? {} : { redisSlowestCommandMs: +slowest.toFixed(2) }),
};
console.log(JSON.stringify(report));
console.table(report);
if (result.deleted !== N || kept !== FRESH * ROOMS) {
  console.error(`expected to prune ${N} and keep ${FRESH * ROOMS}; pruned ${result.deleted}, kept ${kept}`);
  process.exit(1);
}
