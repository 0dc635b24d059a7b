import argon2 from 'argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password; unknown users are checked against a dummy hash for equal timing. */
  verify(hash: string | undefined, password: string): Promise<boolean>;
  needsRehash(hash: string): boolean;
  /** Hashes running and waiting now (for tests and metrics). */
  load(): { running: number; waiting: number };
}

/**
 * argon2 runs on libuv's thread pool, so hashing never blocks the event loop; a semaphore caps
 * how many run at once so a login flood queues instead of starving everything else.
 */
export function createPasswordHasher(opts: { maxConcurrent: number }): PasswordHasher {
  let running = 0;
  const waiting: Array<() => void> = [];
  async function limited<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= opts.maxConcurrent) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => limited(() => argon2.hash(password, ARGON2_OPTIONS)),
    async verify(hash, password) {
      const target = hash ?? (await (dummy ??= argon2.hash('not-a-real-password', ARGON2_OPTIONS)));
      const ok = await limited(() => argon2.verify(target, password).catch(() => false));
      return ok && hash !== undefined;
    },
    needsRehash: (hash) => argon2.needsRehash(hash, ARGON2_OPTIONS),
    load: () => ({ running, waiting: waiting.length }),
  };
}
