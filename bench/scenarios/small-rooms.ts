import { brokenOf, fanoutTable, withTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/** Many small rooms (1,000 × 5 clients, one sender each): per-room overhead instead of fan-out. */
export const smallRooms: Scenario = async (opts) => {
  const load = {
    rooms: opts.quick ? 20 : 1000,
    clientsPerRoom: 5,
    sendersPerRoom: 1,
    rate: opts.rate ?? (opts.quick ? 100 : 1000),
    seconds: opts.seconds ?? (opts.quick ? 2 : 5),
  };
  const names = opts.targets ?? ['ceiling', 'socketio', 'hihi-embedded', 'hihi-redis-x1'];
  const results: FanoutResult[] = [];
  for (const name of names) results.push(await withTarget(name, load.rooms, opts, (t) => runFanout(t, load)));
  return {
    json: results.map((r) => ({ ...r, rooms: load.rooms, clientsPerRoom: 5, rate: load.rate })),
    table: fanoutTable(results),
    broken: brokenOf(results),
  };
};
