import { messageFramePrefix } from '../channels.js';
import type { RedisClient } from './client.js';
import type { PubSubMode } from './event-bus.js';
import type { ChatMessage, RoomId } from '../../shared/protocol.js';
import type { MessageLog, PageQuery } from '../ports.js';
import type { RedisKeys } from './keys.js';

/**
 * Atomic append: an earlier (user, clientId) returns its first copy; otherwise the next id is
 * taken, the message stored in the room's sorted set (score = id) and its `message` frame
 * published on the room's channel, in the same step. Publishing here, not after the reply,
 * means every subscriber hears a room's messages in id order, and no stored message can miss
 * its publish.
 * KEYS: msgs, seq, cids. ARGV: cid field, the message JSON without its leading `{"id":N`, the
 * frame's prefix (`messageFramePrefix`), the channel, PUBLISH or SPUBLISH.
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
redis.call(ARGV[5], ARGV[4], ARGV[3] .. string.sub(msg, 2))
return {0, id, msg}
`;

/*
 * Deletes up to ARGV[2] of the oldest messages older than ARGV[1] and their idempotency keys.
 * Fields are found by pattern: in the stored JSON, id, ts and user come before any user text,
 * and quotes inside text are escaped, so the first match is the real field.
 * KEYS: msgs, cids.
 */
const PRUNE = `
local items = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local cutoff = tonumber(ARGV[1])
local n = 0
for i, m in ipairs(items) do
  local ts = tonumber(string.match(m, '"ts":(%d+)'))
  if ts == nil or ts >= cutoff then break end
  n = i
  local uid = string.match(m, '"user":{"id":(%d+)')
  local cid = string.match(m, '"clientId":"([^"]*)"')
  if uid and cid then redis.call('HDEL', KEYS[2], uid .. ':' .. cid) end
end
if n > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1) end
return n
`;

type Stored = Omit<ChatMessage, 'room'>;

function parse(room: RoomId, json: string): ChatMessage {
  const m = JSON.parse(json) as Stored;
  const message: ChatMessage = { room, id: m.id, ts: m.ts, user: m.user, body: m.body, clientId: m.clientId };
  if (m.mentions) message.mentions = m.mentions;
  if (m.here) message.here = true;
  return message;
}

/** Messages in one sorted set per room; the id counter and idempotency keys beside it. */
export function createRedisMessageLog(redis: RedisClient, keys: RedisKeys, mode: PubSubMode): MessageLog {
  const publish = mode === 'sharded' ? 'SPUBLISH' : 'PUBLISH';
  redis.defineCommand('hihiAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('hihiPrune', { numberOfKeys: 2, lua: PRUNE });
  const append = (...args: string[]) =>
    (redis as unknown as { hihiAppend(...a: string[]): Promise<[number, number, string | null]> }).hihiAppend(...args);

  type Range<T> = (command: 'zrangebyscore' | 'zrevrangebyscore', args: Array<string | number>) => Promise<T[]>;
  const asText: Range<string> = (command, args) => redis.call(command, ...args) as Promise<string[]>;
  const asBytes: Range<Buffer> = (command, args) => redis.callBuffer(command, ...args) as Promise<Buffer[]>;

  /** One page of stored messages, oldest first. */
  async function readPage<T>(room: RoomId, { before, after, limit }: PageQuery, range: Range<T>) {
    const key = keys.messages(room);
    const forward = after !== undefined && before === undefined;
    const raw = forward
      ? await range('zrangebyscore', [key, `(${after}`, '+inf', 'LIMIT', 0, limit + 1])
      : await range('zrevrangebyscore', [key, before === undefined ? '+inf' : `(${before}`, after === undefined ? '-inf' : `(${after}`, 'LIMIT', 0, limit + 1]);
    const items = raw.slice(0, limit);
    return { items: forward ? items : items.reverse(), hasMore: raw.length > limit };
  }

  return {
    async append(input) {
      // Mentions after every other field: the Lua scripts and live/message-json.ts find the
      // fixed fields by pattern before any of them.
      const rest = JSON.stringify({
        ts: input.ts,
        user: input.user,
        body: input.body,
        clientId: input.clientId,
        ...(input.mentions?.length ? { mentions: input.mentions } : {}),
        ...(input.here ? { here: true } : {}),
      });
      const [dup, id, json] = await append(
        keys.messages(input.room),
        keys.seq(input.room),
        keys.clientIds(input.room),
        `${input.user.id}:${input.clientId}`,
        `,${rest.slice(1)}`,
        messageFramePrefix(input.room),
        keys.roomChannel(input.room),
        publish,
      );
      const message = json ? parse(input.room, json) : { room: input.room, id, ...JSON.parse(rest) };
      return { message, duplicate: dup === 1 };
    },

    async page(room, query) {
      const { items, hasMore } = await readPage(room, query, asText);
      return { messages: items.map((j) => parse(room, j)), hasMore };
    },

    pageJson: (room, query) => readPage(room, query, asBytes),

    async remove(room, id) {
      // The clientId mapping stays: a late resend is acked with this id and stays deleted.
      return (await redis.zremrangebyscore(keys.messages(room), id, id)) > 0;
    },

    async prune(room, cutoffTs, batch) {
      const cmd = redis as unknown as { hihiPrune(...a: string[]): Promise<number> };
      return cmd.hihiPrune(keys.messages(room), keys.clientIds(room), String(cutoffTs), String(batch));
    },

    async clear(room) {
      await redis.del(keys.messages(room), keys.seq(room), keys.clientIds(room));
    },
  };
}
