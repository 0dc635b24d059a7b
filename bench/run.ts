/**
 * npm run bench -- [--scenario big-room] [--quick] [--clients N] [--senders S] [--rate R] [--seconds T] [--targets a,b]
 *
 * Big room: N clients in one room, S of them sending R messages a second in total for T
 * seconds. For each target (the bare-ws `ceiling`, hihi embedded, hihi on Redis with one and two
 * instances) it reports deliveries per second, end-to-end latency (sent → received, one clock:
 * the load generator's), lost and duplicated deliveries, and the CPU of server and load
 * generator, then each figure as a ratio to `ceiling` measured in the same run. Loopback only,
 * bounded in count and time. Prints JSON (one line per target) and a table.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { cpuSeconds, rssMiB } from './lib/proc.js';
import { ceilingTarget, hihiTarget, type Target } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'big-room' },
    quick: { type: 'boolean', default: false },
    clients: { type: 'string' },
    senders: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    targets: { type: 'string' },
  },
});
if (values.scenario !== 'big-room') {
  console.error(`unknown scenario ${values.scenario}: only big-room exists so far`);
  process.exit(2);
}
const quick = values.quick;
const N = Number(values.clients ?? (quick ? 50 : 1000));
const S = Number(values.senders ?? 10);
const RATE = Number(values.rate ?? (quick ? 100 : 200));
const SECONDS = Number(values.seconds ?? (quick ? 2 : 10));
const targetNames = (values.targets ?? (quick ? 'ceiling,hihi-embedded' : 'ceiling,hihi-embedded,hihi-redis-x1,hihi-redis-x2')).split(',');

const makers: Record<string, () => Promise<Target>> = {
  ceiling: ceilingTarget,
  'hihi-embedded': () => hihiTarget({ backend: 'embedded', instances: 1 }),
  'hihi-redis-x1': () => hihiTarget({ backend: 'redis', instances: 1 }),
  'hihi-redis-x2': () => hihiTarget({ backend: 'redis', instances: 2 }),
};

interface Result {
  target: string;
  clients: number;
  senders: number;
  offeredPerSec: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  deliveriesPerSec: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
  maxMs: number;
  serverCpuPct: number;
  loadgenCpuPct: number;
  serverRssMiB: number;
  saturated: string;
}

async function runBigRoom(target: Target): Promise<Result> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < N; i++) sockets.push(await target.connect());
  const perMessage = N; // every client, the sender included, gets every message
  const totalMessages = RATE * SECONDS;
  const seen = sockets.map(() => new Uint8Array(totalMessages));
  const latencies = new Float64Array(totalMessages * perMessage);
  let delivered = 0;
  let duplicated = 0;
  let lastReceive = 0;
  sockets.forEach((ws, i) => {
    ws.on('message', (data: Buffer) => {
      const r = target.parse(data);
      if (!r) return;
      const now = performance.now();
      const index = r.seq; // seq is global across senders
      if (seen[i]![index]) {
        duplicated++;
        return;
      }
      seen[i]![index] = 1;
      latencies[delivered++] = now - r.sentAt;
      lastReceive = now;
    });
  });

  const pids = target.pids();
  const cpu0 = pids.map(cpuSeconds);
  const own0 = process.cpuUsage();
  const start = performance.now();
  let seq = 0;
  // Paced sending: every 10 ms, the messages due by then, round-robin over the senders.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(totalMessages, Math.floor(((performance.now() - start) / 1000) * RATE));
      while (seq < due) {
        const sender = seq % S;
        sockets[sender]!.send(target.frame(sender, seq, performance.now()));
        seq++;
      }
      if (seq >= totalMessages) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const expected = totalMessages * perMessage;
  const drainUntil = performance.now() + 10_000;
  while (delivered < expected && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (Math.max(lastReceive, start + 1) - start) / 1000;
  const serverCpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpu0[i]!, 0);
  const own = process.cpuUsage(own0);
  const rss = pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  for (const ws of sockets) ws.terminate();

  const sorted = latencies.subarray(0, delivered).sort();
  const pct = (p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN).toFixed(2);
  const serverCpuPct = +((serverCpu / elapsed) * 100).toFixed(0);
  const loadgenCpuPct = +(((own.user + own.system) / 1e6 / elapsed) * 100).toFixed(0);
  return {
    target: target.name,
    clients: N,
    senders: S,
    offeredPerSec: RATE * perMessage,
    sent: totalMessages,
    expected,
    delivered,
    lost: expected - delivered,
    duplicated,
    deliveriesPerSec: Math.round(delivered / elapsed),
    p50ms: pct(50),
    p95ms: pct(95),
    p99ms: pct(99),
    maxMs: +(sorted[sorted.length - 1] ?? NaN).toFixed(2),
    serverCpuPct,
    loadgenCpuPct,
    serverRssMiB: +rss.toFixed(0),
    // One core is 100 %: whichever side is near it limited the figure.
    saturated: serverCpuPct >= 90 * pids.length ? 'server' : loadgenCpuPct >= 90 ? 'load generator' : 'neither',
  };
}

const results: Result[] = [];
for (const name of targetNames) {
  const make = makers[name];
  if (!make) throw new Error(`unknown target ${name}`);
  const target = await make();
  try {
    const r = await runBigRoom(target);
    results.push(r);
    console.log(JSON.stringify({ scenario: 'big-room', ...r }));
  } finally {
    await target.stop();
  }
}
const ceiling = results.find((r) => r.target === 'ceiling');
console.table(
  results.map((r) => ({
    target: r.target,
    'deliveries/s': r.deliveriesPerSec,
    'vs ceiling': ceiling ? +(r.deliveriesPerSec / ceiling.deliveriesPerSec).toFixed(2) : '',
    'p50 ms': r.p50ms,
    'p99 ms': r.p99ms,
    'p99 vs ceiling': ceiling ? +(r.p99ms / ceiling.p99ms).toFixed(2) : '',
    lost: r.lost,
    dup: r.duplicated,
    'server cpu %': r.serverCpuPct,
    'loadgen cpu %': r.loadgenCpuPct,
    saturated: r.saturated,
  })),
);
const broken = results.filter((r) => r.lost > 0 || r.duplicated > 0);
if (broken.length) {
  console.error(`lost or duplicated deliveries: ${broken.map((r) => r.target).join(', ')}`);
  process.exit(1);
}
