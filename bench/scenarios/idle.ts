import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { collectGarbage, rssMiB } from '../lib/proc.js';
import { startTarget, type Scenario } from './common.js';

/**
 * 10,000 idle sockets, each joined to a room: the server process's memory per connection (RSS
 * growth / sockets, after a warm-up of 200 sockets) and the time to accept them all (100
 * handshakes in flight at a time).
 * RSS is read twice: after 8 s of idleness as the process left it, and after a full garbage
 * collection (every target alike, through its inspector): V8's memory reducer only starts
 * after some idle seconds, so the first figure also counts the connection burst's garbage,
 * more or less of it from run to run; the second is what each connection really keeps.
 * Target: ≤ 1.5 × ceiling's memory per connection.
 */
export const idle: Scenario = async (opts) => {
  const n = opts.clients ?? (opts.quick ? 200 : 10_000);
  const names = opts.targets ?? ['ceiling', 'socketio', 'hihi-embedded', 'hihi-redis-x1'];
  const rows: Array<Record<string, number | string>> = [];
  // Idle time before each reading. V8 may still hold the burst's garbage after it (its memory
  // reducer waits longer), hence the second reading after a forced collection.
  const settle = () => new Promise((r) => setTimeout(r, opts.quick ? 1000 : 8000));
  for (const name of names) {
    const target = await startTarget(name, 1, opts);
    const sockets: WebSocket[] = [];
    try {
      const pid = target.pids()[0]!; // the server itself, not Redis
      // Opens the inspector first, so every reading below includes its memory alike.
      await collectGarbage(pid);
      // Warm-up, not counted: JIT, connection pools and their caches reach their steady size.
      const warm = await Promise.all(Array.from({ length: 200 }, () => target.connect(0)));
      for (const ws of warm) ws.terminate();
      await settle();
      // One clean baseline for both figures: after the warm-up's garbage is collected.
      const heapBefore = await collectGarbage(pid);
      const before = rssMiB(pid);
      const t0 = performance.now();
      for (let i = 0; i < n; i += 100) {
        sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => target.connect(0)))));
      }
      const acceptMs = performance.now() - t0;
      await settle();
      const after = rssMiB(pid);
      const heapAfter = await collectGarbage(pid);
      const afterGc = rssMiB(pid);
      const perSocket = (a: number, b: number) => +(((a - b) * 1024) / n).toFixed(1);
      rows.push({
        target: name,
        sockets: n,
        'accept all, s': +(acceptMs / 1000).toFixed(2),
        'rss before MiB': Math.round(before),
        'rss after MiB': Math.round(afterGc),
        'KiB per socket': perSocket(afterGc, before),
        'KiB per socket, no forced GC': perSocket(after, before),
        // What the sockets keep alive in the JS heap; RSS also counts pages V8 has not returned.
        'live heap KiB per socket': +((heapAfter - heapBefore) / 1024 / n).toFixed(2),
      });
    } finally {
      for (const ws of sockets) ws.terminate();
      await target.stop();
    }
  }
  const ceiling = rows.find((r) => r.target === 'ceiling');
  const table = rows.map((r) => ({
    ...r,
    'memory vs ceiling': ceiling ? +((r['KiB per socket'] as number) / (ceiling['KiB per socket'] as number)).toFixed(2) : '',
    'no forced GC vs ceiling': ceiling
      ? +((r['KiB per socket, no forced GC'] as number) / (ceiling['KiB per socket, no forced GC'] as number)).toFixed(2)
      : '',
    'accept time vs ceiling': ceiling ? +((r['accept all, s'] as number) / (ceiling['accept all, s'] as number)).toFixed(2) : '',
  }));
  return { json: table, table, broken: [] };
};
