import type { Redis } from 'ioredis';
import type { ChatMessage, RoomId } from '../../shared/protocol.js';
import type { MessageLog } from '../ports.js';
import type { RedisKeys } from './keys.js';

/**
 * Atomic append: an earlier (user, clientId) returns its first copy; otherwise the next id is
 * taken and the message stored in the room's sorted set (score = id) in the same step.
 * KEYS: msgs, seq, cids. ARGV: cid field, the message JSON without its leading `{"id":N`.
 */
const APPEND = `
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then
  local m = redis.call('ZRANGEBYSCORE', KEYS[1], existing, existing)
  return {1, tonumber(existing), m[1] or false}
end
local id = redis.call('INCR', KEYS[2])
local msg = '{"id":' .. id .. ARGV[2]
redis.call('ZADD', KEYS[1], id, msg)
redis.call('HSET', KEYS[3], ARGV[1], id)
return {0, id, msg}
`;

type Stored = Omit<ChatMessage, 'room'>;

function parse(room: RoomId, json: string): ChatMessage {
  const m = JSON.parse(json) as Stored;
  return { room, id: m.id, ts: m.ts, user: m.user, body: m.body, clientId: m.clientId };
}

/** Messages in one sorted set per room; the id counter and idempotency keys beside it. */
export function createRedisMessageLog(redis: Redis, keys: RedisKeys): MessageLog {
  redis.defineCommand('hihiAppend', { numberOfKeys: 3, lua: APPEND });
  const append = (...args: string[]) =>
    (redis as unknown as { hihiAppend(...a: string[]): Promise<[number, number, string | null]> }).hihiAppend(...args);

  return {
    async append(input) {
      const rest = JSON.stringify({ ts: input.ts, user: input.user, body: input.body, clientId: input.clientId });
      const [dup, id, json] = await append(
        keys.messages(input.room),
        keys.seq(input.room),
        keys.clientIds(input.room),
        `${input.user.id}:${input.clientId}`,
        `,${rest.slice(1)}`,
      );
      const message = json ? parse(input.room, json) : { room: input.room, id, ...JSON.parse(rest) };
      return { message, duplicate: dup === 1 };
    },

    async page(room, { before, after, limit }) {
      const key = keys.messages(room);
      const forward = after !== undefined && before === undefined;
      const raw = forward
        ? await redis.zrangebyscore(key, `(${after}`, '+inf', 'LIMIT', 0, limit + 1)
        : await redis.zrevrangebyscore(
            key,
            before === undefined ? '+inf' : `(${before}`,
            after === undefined ? '-inf' : `(${after}`,
            'LIMIT',
            0,
            limit + 1,
          );
      const hasMore = raw.length > limit;
      const taken = raw.slice(0, limit).map((j) => parse(room, j));
      return { messages: forward ? taken : taken.reverse(), hasMore };
    },

    async clear(room) {
      await redis.del(keys.messages(room), keys.seq(room), keys.clientIds(room));
    },
  };
}
