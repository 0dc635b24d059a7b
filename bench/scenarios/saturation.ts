import { fanoutTable, withTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/**
 * Big room at rising load: the rate doubles each step until a target falls behind (delivers
 * under 90 % of what is offered, loses messages, or its p99 passes a second) twice at the same
 * rate. Its saturation is the best deliveries/s of any step. Then every target runs at half of
 * hihi-on-Redis's saturation, where latency is compared (target: p99 ≤ 2 × ceiling's, nothing
 * lost).
 */
export const saturation: Scenario = async (opts) => {
  const clients = opts.clients ?? (opts.quick ? 50 : 500);
  const seconds = opts.seconds ?? (opts.quick ? 1 : 3);
  const names = opts.targets ?? ['ceiling', 'socketio', 'hihi-redis-x1', 'hihi-embedded'];
  const steps: Array<FanoutResult & { step: number; rate: number }> = [];
  const best = new Map<string, FanoutResult & { rate: number }>();
  const load = (rate: number, secs = seconds) => ({ rooms: 1, clientsPerRoom: clients, sendersPerRoom: 10, rate, seconds: secs });

  const behind = (r: FanoutResult) => r.delivered < 0.9 * r.expected || r.lost > 0 || r.p99ms > 1000 || r.deliveriesPerSec < 0.9 * r.offeredPerSec;
  /** One step on a fresh server (a step that overran must not leave its backlog to the next). */
  const step = async (name: string, rate: number): Promise<FanoutResult> => {
    const r = await withTarget(name, 1, opts, (target) => runFanout(target, load(rate)));
    steps.push({ ...r, step: steps.length + 1, rate });
    const top = best.get(name);
    if (!top || r.deliveriesPerSec > top.deliveriesPerSec) best.set(name, { ...r, rate });
    return r;
  };
  for (const name of names) {
    for (let rate = opts.quick ? 50 : 100; rate <= (opts.quick ? 200 : 12_800); rate *= 2) {
      // A step that falls behind is run once more before the search stops: on a shared machine
      // one hiccup in a 3 s step must not end it a whole doubling early.
      if (behind(await step(name, rate)) && behind(await step(name, rate))) break;
    }
  }

  const reference = best.get('hihi-redis-x1') ?? [...best.values()][0]!;
  const halfRate = Math.max(1, Math.round(reference.deliveriesPerSec / 2 / clients));
  const half: FanoutResult[] = [];
  for (const name of names) {
    half.push(await withTarget(name, 1, opts, (target) => runFanout(target, load(halfRate, opts.quick ? 1 : 5))));
  }

  const sat = [...best.values()];
  const socketio = best.get('socketio');
  return {
    json: [
      ...steps.map((s) => ({ phase: 'step', clients, ...s })),
      ...sat.map((s) => ({ phase: 'saturation', clients, ...s })),
      ...half.map((h) => ({ phase: 'half-load', clients, rate: halfRate, ...h })),
    ],
    table: [
      ...fanoutTable(sat, (r) => ({
        phase: 'saturation',
        'vs socketio': socketio ? +(r.deliveriesPerSec / socketio.deliveriesPerSec).toFixed(2) : '',
      })),
      ...fanoutTable(half, () => ({ phase: `half load (${halfRate} msg/s)` })),
    ],
    // Falling behind at saturation is the point; at half load nothing may be lost.
    broken: half.filter((r) => r.lost > 0 || r.duplicated > 0).map((r) => r.target),
  };
};
