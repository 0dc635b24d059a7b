import type { RedisClient } from './client.js';
import type { Counters } from '../ports.js';
import type { RedisKeys } from './keys.js';

// KEYS: counter. ARGV: window ms. INCR, and start the window on the first hit.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

export function createRedisCounters(redis: RedisClient, keys: RedisKeys): Counters {
  redis.defineCommand('hihiHit', { numberOfKeys: 1, lua: HIT });
  return {
    async hit(key, windowMs) {
      const [count, ttl] = await (redis as unknown as { hihiHit(k: string, w: string): Promise<[number, number]> }).hihiHit(keys.counter(key), String(windowMs));
      return { count, resetMs: ttl };
    },
    async peek(key) {
      const [raw, ttl] = await Promise.all([redis.get(keys.counter(key)), redis.pttl(keys.counter(key))]);
      return { count: raw === null ? 0 : Number(raw), resetMs: Math.max(0, ttl) };
    },
    async reset(key) {
      await redis.del(keys.counter(key));
    },
  };
}
