import type { MentionIndex, UnreadIndex } from '../ports.js';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';

/** ZCOUNT on the room's message set (score = id): deleted and pruned messages are gone from it. */
export function createRedisUnreadIndex(redis: RedisClient, keys: RedisKeys): UnreadIndex {
  return {
    countAfter: (room, afterId, upTo) => redis.zcount(keys.messages(room), `(${afterId}`, upTo ?? '+inf'),
  };
}

/**
 * A sorted set of message ids per (room, user) that mentions them, and a set of the users that
 * have one, for pruning; all under the room's hash tag, so one cluster slot.
 */
export function createRedisMentionIndex(redis: RedisClient, keys: RedisKeys): MentionIndex {
  return {
    async record(room, messageId, userIds) {
      const ids = [...new Set(userIds)];
      if (ids.length === 0) return;
      const m = redis.multi();
      for (const id of ids) m.zadd(keys.mentions(room, id), messageId, String(messageId));
      m.sadd(keys.mentioned(room), ...ids.map(String));
      await m.exec();
    },
    count: (room, userId, afterId, upTo) => redis.zcount(keys.mentions(room, userId), `(${afterId}`, upTo ?? '+inf'),
    async prune(room, beforeId) {
      const users = await redis.smembers(keys.mentioned(room));
      if (users.length === 0) return;
      const m = redis.multi();
      for (const u of users) m.zremrangebyscore(keys.mentions(room, Number(u)), '-inf', `(${beforeId}`);
      await m.exec();
    },
    async forget(room, messageId) {
      // Who was mentioned (an @here's online set included) is known only from the users set.
      const users = await redis.smembers(keys.mentioned(room));
      if (users.length === 0) return;
      const m = redis.multi();
      for (const u of users) m.zrem(keys.mentions(room, Number(u)), String(messageId));
      await m.exec();
    },
    async clear(room) {
      const users = await redis.smembers(keys.mentioned(room));
      await redis.del(keys.mentioned(room), ...users.map((u) => keys.mentions(room, Number(u))));
    },
  };
}
