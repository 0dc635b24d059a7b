import type { SessionStore } from '../ports.js';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';

/**
 * Sessions as expiring keys, with a set per user so all of a user's sessions can be ended.
 * A session and its user's index live in different cluster slots, so they are written one
 * after the other, never in one MULTI: the index first, so it never lacks a live session
 * (a stale id left in it is harmless, deleting it deletes nothing).
 */
// KEYS: the session. ARGV: seenAt. Only the stamp changes, in place, keeping the key's expiry.
const TOUCH = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local record = cjson.decode(raw)
local data = cjson.decode(record.data)
local seen = tonumber(ARGV[1])
if type(data.seenAt) == 'number' and data.seenAt >= seen then return 0 end
data.seenAt = seen
record.data = cjson.encode(data)
redis.call('SET', KEYS[1], cjson.encode(record), 'KEEPTTL')
return 1
`;

export function createRedisSessionStore(redis: RedisClient, keys: RedisKeys, now: () => number): SessionStore {
  redis.defineCommand('hihiSessionTouch', { numberOfKeys: 1, lua: TOUCH });
  return {
    async get(id) {
      const raw = await redis.get(keys.session(id));
      return raw ? JSON.parse(raw) : undefined;
    },
    async set(id, record) {
      const ttl = Math.max(1, record.expiresAt - now());
      if (record.userId !== null) {
        const index = keys.userSessions(record.userId);
        // The index lives as long as the user's longest session.
        await Promise.all([redis.sadd(index, id), redis.pexpire(index, ttl, 'GT'), redis.pexpire(index, ttl, 'NX')]);
      }
      await redis.set(keys.session(id), JSON.stringify(record), 'PX', ttl);
    },
    async destroy(id) {
      const raw = await redis.get(keys.session(id));
      const userId = raw ? (JSON.parse(raw) as { userId: number | null }).userId : null;
      await redis.del(keys.session(id));
      if (userId !== null) await redis.srem(keys.userSessions(userId), id);
    },
    async touch(id, seenAt) {
      await (redis as unknown as { hihiSessionTouch(k: string, t: string): Promise<number> }).hihiSessionTouch(keys.session(id), String(seenAt));
    },
    async destroyAllForUser(userId) {
      const index = keys.userSessions(userId);
      const ids = await redis.smembers(index);
      await Promise.all(ids.map((id) => redis.del(keys.session(id))));
      await redis.del(index);
      return ids;
    },
  };
}
