import { ceilingTarget, hihiTarget, socketioTarget, type HihiTarget, type Target } from '../lib/targets.js';
import type { FanoutResult } from './fanout.js';

export interface Options {
  quick: boolean;
  clients?: number;
  senders?: number;
  rate?: number;
  seconds?: number;
  /** Rounds of a scenario that alternates its targets (scale-out). */
  rounds?: number;
  targets?: string[];
  profileDir?: string;
}

export interface Report {
  json: object[];
  table: object[];
  /** Targets that lost or duplicated deliveries. */
  broken: string[];
}

export type Scenario = (opts: Options) => Promise<Report>;

export const HIHI_TARGETS = ['hihi-embedded', 'hihi-redis-x1', 'hihi-redis-x2'] as const;

/** Starts a target by name; `rooms` benchmark rooms exist when it returns. */
export function startTarget(name: string, rooms: number, opts: Options, env: Record<string, string> = {}): Promise<Target> {
  const hihi = { rooms, env, ...(opts.profileDir ? { profileDir: opts.profileDir } : {}) };
  switch (name) {
    case 'ceiling':
      return ceilingTarget();
    case 'socketio':
      return socketioTarget();
    case 'hihi-embedded':
      return hihiTarget({ ...hihi, backend: 'embedded', instances: 1 });
    case 'hihi-redis-x1':
      return hihiTarget({ ...hihi, backend: 'redis', instances: 1 });
    case 'hihi-redis-x2':
      return hihiTarget({ ...hihi, backend: 'redis', instances: 2 });
    default:
      throw new Error(`unknown target ${name}`);
  }
}

export function startHihi(rooms: number, opts: Options, backend: 'embedded' | 'redis' = 'redis', env: Record<string, string> = {}): Promise<HihiTarget> {
  return startTarget(backend === 'redis' ? 'hihi-redis-x1' : 'hihi-embedded', rooms, opts, env) as Promise<HihiTarget>;
}

/** Runs `fn` with a started target and always stops it. */
export async function withTarget<T>(name: string, rooms: number, opts: Options, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await startTarget(name, rooms, opts);
  try {
    return await fn(target);
  } finally {
    await target.stop();
  }
}

const ratio = (a: number, b: number | undefined) => (b ? +(a / b).toFixed(2) : '');

/** One table row per fan-out result, with throughput and p99 as ratios to `ceiling`. */
export function fanoutTable<R extends FanoutResult>(results: R[], extra: (r: R) => object = () => ({})): object[] {
  const ceiling = results.find((r) => r.target === 'ceiling');
  return results.map((r) => ({
    target: r.target,
    'deliveries/s': r.deliveriesPerSec,
    'vs ceiling': ratio(r.deliveriesPerSec, ceiling?.deliveriesPerSec),
    'p50 ms': r.p50ms,
    'p99 ms': r.p99ms,
    'p99 vs ceiling': ratio(r.p99ms, ceiling?.p99ms),
    'lost/dup': `${r.lost}/${r.duplicated}`,
    'server cpu %': r.serverCpuPct,
    'loadgen cpu %': r.loadgenCpuPct,
    saturated: r.saturated,
    ...extra(r),
  }));
}

export const brokenOf = (results: FanoutResult[]) => results.filter((r) => r.lost > 0 || r.duplicated > 0).map((r) => r.target);

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return +(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN).toFixed(2);
}
