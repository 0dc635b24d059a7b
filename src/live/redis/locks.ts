import crypto from 'node:crypto';
import type { RedisClient } from './client.js';
import type { Locks } from '../ports.js';
import type { RedisKeys } from './keys.js';

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** SET NX PX with a random token; only the holder's token releases it. */
export function createRedisLocks(redis: RedisClient, keys: RedisKeys): Locks {
  redis.defineCommand('hihiRelease', { numberOfKeys: 1, lua: RELEASE });
  return {
    async acquire(name, ttlMs) {
      const token = crypto.randomBytes(12).toString('hex');
      const ok = await redis.set(keys.lock(name), token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') return null;
      return async () => {
        await (redis as unknown as { hihiRelease(k: string, t: string): Promise<number> }).hihiRelease(keys.lock(name), token);
      };
    },
  };
}
