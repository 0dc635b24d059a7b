import { fanoutTable, withTarget, type Scenario } from './common.js';
import { runFanout, type FanoutResult } from './fanout.js';

/**
 * A busy room with and without one client that never reads. The room should not notice it
 * (p99 and throughput as without), and the server should drop it before it holds more than
 * a few MB (hihi: WS_MAX_BUFFERED_BYTES, 4 MiB by default), so memory stays flat.
 */
export const slowConsumer: Scenario = async (opts) => {
  const base = {
    rooms: 1,
    clientsPerRoom: opts.clients ?? 20,
    sendersPerRoom: 5,
    rate: opts.rate ?? (opts.quick ? 200 : 1000),
    seconds: opts.seconds ?? (opts.quick ? 2 : 10),
    padding: 1900, // ~2 KB per message: 2 MB/s piles up for the stalled client
  };
  const names = opts.targets ?? ['ceiling', 'hihi-redis-x1', 'hihi-embedded'];
  const rows: Array<FanoutResult & { stalled: number }> = [];
  for (const name of names) {
    for (const stalled of [0, 1]) {
      rows.push({ ...(await withTarget(name, 1, opts, (t) => runFanout(t, { ...base, stalled }))), stalled });
    }
  }
  const without = (r: FanoutResult) => rows.find((x) => x.target === r.target && x.stalled === 0)!;
  return {
    json: rows.map((r) => ({ ...r, clients: base.clientsPerRoom, rate: base.rate })),
    table: fanoutTable(rows, (r) => {
      const row = r as FanoutResult & { stalled: number };
      return {
        stalled: row.stalled,
        'p99 vs without': +(r.p99ms / without(r).p99ms).toFixed(2),
        'rss MiB': r.serverRssMiB,
        'rss vs without': +(r.serverRssMiB / without(r).serverRssMiB).toFixed(2),
        'stalled dropped': row.stalled ? r.stalledClosed : '',
        'MiB it held': row.stalled ? r.stalledMiB : '',
      };
    }),
    broken: rows.filter((r) => r.lost > 0 || r.duplicated > 0).map((r) => `${r.target}${r.stalled ? ' (with stalled)' : ''}`),
  };
};
