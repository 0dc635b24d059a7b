import type { Counters } from '../ports.js';

/** One process: counters in memory, dropped when their window ends. */
export function createMemoryCounters(now: () => number): Counters {
  const windows = new Map<string, { count: number; ends: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && w.ends > now()) return w;
    windows.delete(key);
    return undefined;
  };
  return {
    async hit(key, windowMs) {
      let w = current(key);
      if (!w) windows.set(key, (w = { count: 0, ends: now() + windowMs }));
      w.count++;
      // Keep the map small: forget ended windows now and then.
      if (windows.size > 10_000) for (const [k, v] of windows) if (v.ends <= now()) windows.delete(k);
      return { count: w.count, resetMs: w.ends - now() };
    },
    async peek(key) {
      const w = current(key);
      return { count: w?.count ?? 0, resetMs: w ? w.ends - now() : 0 };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
