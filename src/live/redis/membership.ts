import type { RedisClient } from './client.js';
import type { Membership } from '../ports.js';
import type { RedisKeys } from './keys.js';

/** Members in a sorted set per room, scored by joining time. */
export function createRedisMembership(redis: RedisClient, keys: RedisKeys, now: () => number): Membership {
  return {
    async join(room, userId) {
      // The reverse index is another slot on a cluster: written beside, not in one transaction.
      const [added] = await Promise.all([redis.zadd(keys.members(room), 'NX', now(), String(userId)), redis.sadd(keys.userRooms(userId), String(room))]);
      return added === 1;
    },
    async leave(room, userId) {
      const [removed] = await Promise.all([redis.zrem(keys.members(room), String(userId)), redis.srem(keys.userRooms(userId), String(room))]);
      return removed === 1;
    },
    async roomsOf(userId) {
      return (await redis.smembers(keys.userRooms(userId))).map(Number);
    },
    async isMember(room, userId) {
      return (await redis.zscore(keys.members(room), String(userId))) !== null;
    },
    async members(room) {
      return (await redis.zrange(keys.members(room), '0', '-1')).map(Number);
    },
  };
}
