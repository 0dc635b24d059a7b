import type { Locks } from '../ports.js';

/** One process: a lock is a name in memory with an expiry. */
export function createMemoryLocks(now: () => number): Locks {
  const held = new Map<string, { token: symbol; expires: number }>();
  return {
    async acquire(name, ttlMs) {
      const cur = held.get(name);
      if (cur && cur.expires > now()) return null;
      const token = Symbol(name);
      held.set(name, { token, expires: now() + ttlMs });
      return async () => {
        if (held.get(name)?.token === token) held.delete(name);
      };
    },
  };
}
