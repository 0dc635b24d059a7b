import { brokenOf, fanoutTable, withTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/**
 * One room of 100, 1,000 and 5,000 clients, 10 senders, at the same offered load of about
 * 100,000 deliveries a second (fewer messages in bigger rooms): the everyday case at scale.
 */
export const bigRoom: Scenario = async (opts) => {
  const sizes = opts.clients ? [opts.clients] : opts.quick ? [50] : [100, 1000, 5000];
  const names = opts.targets ?? ['ceiling', 'socketio', 'hihi-embedded', 'hihi-redis-x1', 'hihi-redis-x2'];
  const json: object[] = [];
  const table: object[] = [];
  const broken: string[] = [];
  for (const clients of sizes) {
    const load = {
      rooms: 1,
      clientsPerRoom: clients,
      sendersPerRoom: Math.min(clients, opts.senders ?? 10),
      rate: opts.rate ?? (opts.quick ? 100 : Math.round(100_000 / clients)),
      seconds: opts.seconds ?? (opts.quick ? 2 : 5),
    };
    const results: FanoutResult[] = [];
    for (const name of names) results.push(await withTarget(name, 1, opts, (t) => runFanout(t, load)));
    json.push(...results.map((r) => ({ ...r, clients, rate: load.rate })));
    table.push(...fanoutTable(results, () => ({ clients, 'msg/s': load.rate })));
    broken.push(...brokenOf(results).map((t) => `${t} (${clients} clients)`));
  }
  return { json, table, broken };
};
