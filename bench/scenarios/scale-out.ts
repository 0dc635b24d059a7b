import os from 'node:os';
import { pin } from '../lib/proc.js';
import { brokenOf, fanoutTable, startTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/**
 * Fan-out at scale-out (issue #22): one room of 1,000 clients spread over two hihi instances
 * on one Redis, 10 senders, 400 messages/s (400,000 deliveries/s offered), against the
 * `ceiling` (one bare corked `ws` broadcast process) in the same run. The servers (both hihi
 * instances and Redis, or the ceiling) are pinned to core 0 and the load generator to core 1,
 * so each side has one core whatever else the machine runs. Rounds alternate the targets
 * (ceiling, hihi, ceiling, hihi, …) so a host that slows during the run slows both alike;
 * the figure is the median of the rounds, the ratio that of the medians.
 */
export const scaleOut: Scenario = async (opts) => {
  const load = {
    rooms: 1,
    clientsPerRoom: opts.clients ?? (opts.quick ? 50 : 1000),
    sendersPerRoom: opts.senders ?? 10,
    rate: opts.rate ?? (opts.quick ? 100 : 400),
    seconds: opts.seconds ?? (opts.quick ? 2 : 5),
    // Offered past what the servers deliver on one core, a backlog of several seconds is what is
    // measured, not a loss: a delivery counts as lost only if it has not come 30 s after the last send.
    drainSeconds: 30,
  };
  const rounds = opts.rounds ?? (opts.quick ? 1 : 3);
  const names = opts.targets ?? ['ceiling', 'hihi-redis-x2'];
  const pinned = os.availableParallelism() >= 2;
  const runs: Array<FanoutResult & { round: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const target = await startTarget(name, load.rooms, opts);
      const unpinServers = pinned ? pin(target.pids(), '0') : () => {};
      const unpinSelf = pinned ? pin([process.pid], '1') : () => {};
      try {
        runs.push({ ...(await runFanout(target, load)), round });
      } finally {
        unpinSelf();
        unpinServers();
        await target.stop();
      }
    }
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  /** Per target, every numeric field's median over the rounds. */
  const medians = names.map((name) => {
    const mine = runs.filter((r) => r.target === name);
    const out: Record<string, unknown> = { ...mine[0]! };
    for (const [k, v] of Object.entries(mine[0]!)) if (typeof v === 'number') out[k] = median(mine.map((r) => r[k as keyof FanoutResult] as number));
    return out as unknown as FanoutResult;
  });
  const ceiling = runs.filter((r) => r.target === 'ceiling');
  const ceilingMedian = medians.find((r) => r.target === 'ceiling');
  const cpuPerDelivery = (r: FanoutResult) => +((r.serverCpuPct / 100 / r.deliveriesPerSec) * 1e6).toFixed(2);
  const perRound = (name: string) =>
    runs
      .filter((r) => r.target === name)
      .map((r) => (ceiling.find((c) => c.round === r.round) ? +(r.deliveriesPerSec / ceiling.find((c) => c.round === r.round)!.deliveriesPerSec).toFixed(2) : ''))
      .join(', ');
  return {
    json: [
      ...runs.map((r) => ({ phase: 'round', clients: load.clientsPerRoom, rate: load.rate, pinned, ...r, cpuUsPerDelivery: cpuPerDelivery(r) })),
      ...medians.map((r) => ({ phase: 'median', clients: load.clientsPerRoom, rate: load.rate, pinned, rounds, ...r, cpuUsPerDelivery: cpuPerDelivery(r) })),
    ],
    table: fanoutTable(medians, (r) => ({
      // The servers' CPU per delivery: on a shared host, where a pinned core is not the
      // server's alone, what a delivery costs says more than how many a second it got.
      'cpu µs/delivery': cpuPerDelivery(r),
      'cpu vs ceiling': ceilingMedian ? +(cpuPerDelivery(r) / cpuPerDelivery(ceilingMedian)).toFixed(2) : '',
      rounds,
      'round ratios': perRound(r.target),
      pinned,
    })),
    broken: brokenOf(runs),
  };
};
