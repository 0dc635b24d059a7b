import type { Redis } from 'ioredis';
import type { SessionStore } from '../ports.js';
import type { RedisKeys } from './keys.js';

/** Sessions as expiring keys, with a set per user so all of a user's sessions can be ended. */
export function createRedisSessionStore(redis: Redis, keys: RedisKeys, now: () => number): SessionStore {
  return {
    async get(id) {
      const raw = await redis.get(keys.session(id));
      return raw ? JSON.parse(raw) : undefined;
    },
    async set(id, record) {
      const ttl = Math.max(1, record.expiresAt - now());
      const tx = redis.multi().set(keys.session(id), JSON.stringify(record), 'PX', ttl);
      if (record.userId !== null) {
        const index = keys.userSessions(record.userId);
        // The index lives as long as the user's longest session.
        tx.sadd(index, id).pexpire(index, ttl, 'GT').pexpire(index, ttl, 'NX');
      }
      await tx.exec();
    },
    async destroy(id) {
      const raw = await redis.get(keys.session(id));
      const userId = raw ? (JSON.parse(raw) as { userId: number | null }).userId : null;
      const tx = redis.multi().del(keys.session(id));
      if (userId !== null) tx.srem(keys.userSessions(userId), id);
      await tx.exec();
    },
    async destroyAllForUser(userId) {
      const index = keys.userSessions(userId);
      const ids = await redis.smembers(index);
      if (ids.length > 0) await redis.del(...ids.map(keys.session));
      await redis.del(index);
      return ids;
    },
  };
}
