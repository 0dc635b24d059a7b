import type { RedisClient } from './client.js';
import type { Membership } from '../ports.js';
import type { RedisKeys } from './keys.js';

/** Members in a sorted set per room, scored by joining time. */
export function createRedisMembership(redis: RedisClient, keys: RedisKeys, now: () => number): Membership {
  return {
    async join(room, userId) {
      return (await redis.zadd(keys.members(room), 'NX', now(), String(userId))) === 1;
    },
    async leave(room, userId) {
      return (await redis.zrem(keys.members(room), String(userId))) === 1;
    },
    async isMember(room, userId) {
      return (await redis.zscore(keys.members(room), String(userId))) !== null;
    },
    async members(room) {
      return (await redis.zrange(keys.members(room), '0', '-1')).map(Number);
    },
  };
}
