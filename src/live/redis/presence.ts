import type { RedisClient } from './client.js';
import type { Presence } from '../ports.js';
import type { RedisKeys } from './keys.js';

/*
 * Per room: a sorted set of "uid@instance" entries scored by expiry, and a hash uid → number of
 * instances holding that user. An instance that dies stops refreshing; its entries expire and
 * are swept by the next reader, so nobody stays online forever.
 */
const SWEEP = `
local function sweep(z, h, now)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  for _, m in ipairs(expired) do
    redis.call('ZREM', z, m)
    local uid = string.match(m, '^(%d+)@')
    if redis.call('HINCRBY', h, uid, -1) <= 0 then redis.call('HDEL', h, uid) end
  end
end
`;
// KEYS: online, onlinen. ARGV: entry, uid, expiry, now.
const CONNECT = `${SWEEP}
sweep(KEYS[1], KEYS[2], ARGV[4])
if redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then return 1 end
end
return 0
`;
const DISCONNECT = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
    redis.call('HDEL', KEYS[2], ARGV[2])
    return 1
  end
end
return 0
`;
const ONLINE = `${SWEEP}
sweep(KEYS[1], KEYS[2], ARGV[1])
return redis.call('HKEYS', KEYS[2])
`;

interface PresenceCommands {
  hihiPresenceConnect(...a: string[]): Promise<number>;
  hihiPresenceDisconnect(...a: string[]): Promise<number>;
  hihiPresenceOnline(...a: string[]): Promise<string[]>;
}

export function createRedisPresence(
  redis: RedisClient,
  keys: RedisKeys,
  opts: { instanceId: string; ttlMs: number; now: () => number },
): Presence {
  redis.defineCommand('hihiPresenceConnect', { numberOfKeys: 2, lua: CONNECT });
  redis.defineCommand('hihiPresenceDisconnect', { numberOfKeys: 2, lua: DISCONNECT });
  redis.defineCommand('hihiPresenceOnline', { numberOfKeys: 2, lua: ONLINE });
  const cmd = redis as unknown as PresenceCommands;
  const entry = (userId: number) => `${userId}@${opts.instanceId}`;
  const connectArgs = (room: number, userId: number) => {
    const now = opts.now();
    return [keys.online(room), keys.onlineCount(room), entry(userId), String(userId), String(now + opts.ttlMs), String(now)];
  };

  return {
    async connect(room, userId) {
      return (await cmd.hihiPresenceConnect(...connectArgs(room, userId))) === 1;
    },
    async disconnect(room, userId) {
      return (await cmd.hihiPresenceDisconnect(keys.online(room), keys.onlineCount(room), entry(userId), String(userId))) === 1;
    },
    async refresh(entries) {
      if (entries.length === 0) return;
      // Through CONNECT rather than ZADD XX: an entry swept during a long pause comes back.
      // One command per room (each its own slot on a cluster); they leave in one write per node.
      await Promise.all(entries.map((e) => cmd.hihiPresenceConnect(...connectArgs(e.room, e.userId))));
    },
    async online(room) {
      return (await cmd.hihiPresenceOnline(keys.online(room), keys.onlineCount(room), String(opts.now()))).map(Number);
    },
  };
}
