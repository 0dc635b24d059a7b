/**
 * Fan-out measurement shared by the big-room, small-rooms and saturation scenarios: clients in
 * rooms, some of them sending at a paced rate; every delivery is counted once per receiving
 * socket, timed sent → received on the load generator's clock, and checked for loss and
 * duplication. Per-frame work is one regex on the first bytes and two array writes.
 */
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { cpuSeconds, rssMiB } from '../lib/proc.js';
import type { Target } from '../lib/targets.js';

export interface FanoutLoad {
  /** Rooms, each with the same number of clients. */
  rooms: number;
  clientsPerRoom: number;
  /** Senders per room (the first clients of each room). */
  sendersPerRoom: number;
  /** Messages per second over all rooms. */
  rate: number;
  seconds: number;
  /** Extra clients that never read (slow consumers), joined to room 0. */
  stalled?: number;
  /** Padding per message body, bytes. */
  padding?: number;
  /** How long deliveries may still come in after the last send before the rest count as lost (10 s). */
  drainSeconds?: number;
}

export interface FanoutResult {
  target: string;
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
  /** hihi's (or the reference's) processes, and Redis where the target uses it; 100 = one core. */
  serverCpuPct: number;
  loadgenCpuPct: number;
  serverRssMiB: number;
  /**
   * Stalled clients the server had dropped: once the run ends each starts reading again and
   * counts as dropped if its connection then ends within 3 s (a paused socket cannot see the
   * close before). `stalledMiB`: what it still received, i.e. what server and kernel held.
   */
  stalledClosed: number;
  stalledMiB: number;
  saturated: 'server' | 'load generator' | 'neither';
}

/**
 * Sequence numbers never repeat within a process: a target measured again (saturation steps)
 * must not see its earlier messages as idempotent resends, nor count their late deliveries.
 */
let nextSeq = 0;

export async function runFanout(target: Target, load: FanoutLoad): Promise<FanoutResult> {
  const sockets: WebSocket[][] = [];
  for (let r = 0; r < load.rooms; r++) {
    const room: WebSocket[] = [];
    for (let i = 0; i < load.clientsPerRoom; i++) room.push(await target.connect(r));
    sockets.push(room);
  }
  const stalled: WebSocket[] = [];
  for (let i = 0; i < (load.stalled ?? 0); i++) {
    const ws = await target.connect(0);
    (ws as unknown as { _socket: { pause(): void } })._socket.pause(); // reads nothing from now on
    stalled.push(ws);
  }
  /** Lets the stalled clients read again; how many were closed by the server, and what they got. */
  const drainStalled = async () => {
    let bytes = 0;
    const closed = await Promise.all(
      stalled.map(
        (ws) =>
          new Promise<boolean>((resolve) => {
            const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
            socket.on('data', (b: Buffer) => (bytes += b.length));
            const timer = setTimeout(() => resolve(false), 3000);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve(true);
            });
            socket.resume();
          }),
      ),
    );
    return { closed: closed.filter(Boolean).length, mib: +(bytes / 2 ** 20).toFixed(1) };
  };

  const totalMessages = Math.max(1, Math.round(load.rate * load.seconds));
  const base = nextSeq;
  nextSeq += totalMessages;
  const perMessage = load.clientsPerRoom;
  const seen = new Uint8Array(totalMessages * perMessage);
  const latencies = new Float64Array(totalMessages * perMessage);
  let delivered = 0;
  let duplicated = 0;
  let lastReceive = 0;
  sockets.forEach((room) =>
    room.forEach((ws, i) => {
      ws.on('message', (data: Buffer) => {
        const r = target.parse(data);
        if (!r) return;
        const now = performance.now();
        const n = r.seq - base;
        if (n < 0 || n >= totalMessages) return; // an earlier run's late delivery
        const slot = n * perMessage + i;
        if (seen[slot]) {
          duplicated++;
          return;
        }
        seen[slot] = 1;
        latencies[delivered++] = now - r.sentAt;
        lastReceive = now;
      });
    }),
  );

  const pids = target.pids();
  const cpu0 = pids.map(cpuSeconds);
  const own0 = process.cpuUsage();
  const start = performance.now();
  const body = 'x'.repeat(load.padding ?? 0);
  let seq = 0;
  // Paced: every 10 ms, the messages due by then, round-robin over rooms and their senders.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(totalMessages, Math.floor(((performance.now() - start) / 1000) * load.rate));
      while (seq < due) {
        const room = seq % load.rooms;
        const sender = Math.floor(seq / load.rooms) % load.sendersPerRoom;
        sockets[room]![sender]!.send(target.frame(room, sender, base + seq, performance.now(), body));
        seq++;
      }
      if (seq >= totalMessages) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const expected = totalMessages * perMessage;
  const drainUntil = performance.now() + (load.drainSeconds ?? 10) * 1000;
  while (delivered < expected && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (Math.max(lastReceive, start + 1) - start) / 1000;
  const perProcess = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]!);
  const serverCpu = perProcess.reduce((a, b) => a + b, 0);
  const own = process.cpuUsage(own0);
  const rss = pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  const afterStall = await drainStalled();
  for (const ws of [...sockets.flat(), ...stalled]) ws.terminate();

  const sorted = latencies.subarray(0, delivered).sort();
  const pct = (p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN).toFixed(2);
  const serverCpuPct = Math.round((serverCpu / elapsed) * 100);
  const loadgenCpuPct = Math.round(((own.user + own.system) / 1e6 / elapsed) * 100);
  return {
    target: target.name,
    offeredPerSec: load.rate * perMessage,
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
    serverRssMiB: Math.round(rss),
    stalledClosed: afterStall.closed,
    stalledMiB: afterStall.mib,
    // One core is 100 %: a server process (Redis included) or the load generator near it
    // limited the figure.
    saturated: Math.max(...perProcess) / elapsed >= 0.9 ? 'server' : loadgenCpuPct >= 90 ? 'load generator' : 'neither',
  };
}
