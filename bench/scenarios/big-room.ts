import { brokenOf, fanoutTable, withTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/** One room, N clients, 10 senders, a steady rate: the everyday case at scale. */
export const bigRoom: Scenario = async (opts) => {
  const clients = opts.clients ?? (opts.quick ? 50 : 1000);
  const load = {
    rooms: 1,
    clientsPerRoom: clients,
    sendersPerRoom: Math.min(clients, opts.senders ?? 10),
    rate: opts.rate ?? (opts.quick ? 100 : 100),
    seconds: opts.seconds ?? (opts.quick ? 2 : 5),
  };
  const names = opts.targets ?? ['ceiling', 'socketio', 'hihi-embedded', 'hihi-redis-x1', 'hihi-redis-x2'];
  const results: FanoutResult[] = [];
  for (const name of names) results.push(await withTarget(name, 1, opts, (t) => runFanout(t, load)));
  return {
    json: results.map((r) => ({ ...r, clients, rate: load.rate })),
    table: fanoutTable(results),
    broken: brokenOf(results),
  };
};
