import { changeFrame, messageFramePrefix } from '../channels.js';
import type { RedisClient } from './client.js';
import type { PubSubMode } from './event-bus.js';
import type { ChangeFrame, ChatMessage, EditedFrame, RoomId } from '../../shared/protocol.js';
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

/*
 * A change (edit or deletion) of one message, atomically: the message is replaced (ARGV[2]: the
 * stored JSON it must still be, else -1; ARGV[3]: its new JSON) or removed (ARGV[3] empty); the
 * room's next id is the change's seq; its frame (ARGV[4] .. seq .. ARGV[5]) is kept in the
 * changes set and published, as APPEND publishes a message. 0 when the message is gone.
 * A deleted message's idempotency field is noted (KEYS[4]) so that pruning its change can drop it.
 * KEYS: msgs, seq, changes, deleted cids. ARGV: id, expected JSON (or empty: any), new JSON (or
 * empty: delete), frame head, frame tail, channel, PUBLISH or SPUBLISH.
 */
const CHANGE = `
local cur = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if #cur == 0 then return 0 end
if ARGV[2] ~= '' and cur[1] ~= ARGV[2] then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
else
  local uid = string.match(cur[1], '"user":{"id":(%d+)')
  local cid = string.match(cur[1], '"clientId":"([^"]*)"')
  if uid and cid then redis.call('HSET', KEYS[4], ARGV[1], uid .. ':' .. cid) end
end
local seq = redis.call('INCR', KEYS[2])
local frame = ARGV[4] .. seq .. ARGV[5]
redis.call('ZADD', KEYS[3], seq, frame)
redis.call(ARGV[7], ARGV[6], frame)
return seq
`;

/*
 * Deletes up to ARGV[2] of the oldest changes made before ARGV[1]. Each frame ends with its
 * time (`"editedAt":N}` or `"deletedAt":N}`); a change is never older than its message. With a
 * deletion's change goes the deleted message's idempotency field: a resend that late is new.
 * KEYS: changes, cids, deleted cids.
 */
const PRUNE_CHANGES = `
local items = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local cutoff = tonumber(ARGV[1])
local n = 0
for i, c in ipairs(items) do
  local at = tonumber(string.match(c, 'At":(%d+)}$'))
  if at == nil or at >= cutoff then break end
  n = i
  if string.find(c, '"deletedAt":', 1, true) then
    local id = string.match(c, '"id":(%d+)')
    local field = id and redis.call('HGET', KEYS[3], id)
    if field then
      redis.call('HDEL', KEYS[2], field)
      redis.call('HDEL', KEYS[3], id)
    end
  end
end
if n > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1) end
return n
`;

type Stored = Omit<ChatMessage, 'room'>;

function parse(room: RoomId, json: string): ChatMessage {
  const m = JSON.parse(json) as Stored;
  return {
    room,
    id: m.id,
    ts: m.ts,
    user: m.user,
    body: m.body,
    clientId: m.clientId,
    ...(m.replyTo === undefined ? {} : { replyTo: m.replyTo }),
    ...(m.editedAt === undefined ? {} : { editedAt: m.editedAt }),
    ...(m.mentions ? { mentions: m.mentions } : {}),
    ...(m.here ? { here: true as const } : {}),
  };
}

/** A change's frame split around its seq, for the CHANGE script to put the seq in. */
function splitAtSeq(frame: string): [string, string] {
  const at = frame.indexOf(',"seq":0,') + ',"seq":'.length;
  return [frame.slice(0, at), frame.slice(at + 1)];
}

/** Messages in one sorted set per room; the id counter and idempotency keys beside it. */
export function createRedisMessageLog(redis: RedisClient, keys: RedisKeys, mode: PubSubMode): MessageLog {
  const publish = mode === 'sharded' ? 'SPUBLISH' : 'PUBLISH';
  redis.defineCommand('hihiAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('hihiPrune', { numberOfKeys: 2, lua: PRUNE });
  redis.defineCommand('hihiChange', { numberOfKeys: 4, lua: CHANGE });
  redis.defineCommand('hihiPruneChanges', { numberOfKeys: 3, lua: PRUNE_CHANGES });
  /** Runs CHANGE for a frame built with seq 0; returns the seq, 0 (gone) or -1 (changed meanwhile). */
  const change = (room: RoomId, id: number, expected: string, next: string, frame: ChangeFrame) => {
    const [head, tail] = splitAtSeq(changeFrame(frame));
    const cmd = redis as unknown as { hihiChange(...a: Array<string | number>): Promise<number> };
    return cmd.hihiChange(keys.messages(room), keys.seq(room), keys.changes(room), keys.deletedClientIds(room), id, expected, next, head, tail, keys.roomChannel(room), publish);
  };
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
        replyTo: input.replyTo,
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

    async remove(room, id, at) {
      // The clientId mapping stays: a late resend is acked with this id and stays deleted.
      return (await change(room, id, '', '', { type: 'deleted', room, seq: 0, id, deletedAt: at })) > 0;
    },

    async get(room, id) {
      const [json] = (await redis.zrangebyscore(keys.messages(room), id, id)) as string[];
      return json === undefined ? undefined : parse(room, json);
    },

    async edit(room, expected, body, editedAt): Promise<EditedFrame | 'conflict' | undefined> {
      const [raw] = (await redis.zrangebyscore(keys.messages(room), expected.id, expected.id)) as string[];
      if (raw === undefined) return undefined;
      const stored = JSON.parse(raw) as Stored;
      if (stored.body !== expected.body || stored.editedAt !== expected.editedAt) return 'conflict';
      // Every stored field stays where it is (the body keeps its place before user text ends).
      const frame: EditedFrame = { type: 'edited', room, seq: 0, id: expected.id, body, editedAt };
      const seq = await change(room, expected.id, raw, JSON.stringify({ ...stored, body, editedAt }), frame);
      if (seq === -1) return 'conflict';
      return seq > 0 ? { ...frame, seq } : undefined;
    },

    async newest(room) {
      return Number((await redis.get(keys.seq(room))) ?? 0);
    },

    async changes(room, after, limit) {
      const raw = (await redis.zrangebyscore(keys.changes(room), `(${after}`, '+inf', 'LIMIT', 0, limit + 1)) as string[];
      return { changes: raw.slice(0, limit).map((j) => JSON.parse(j) as ChangeFrame), hasMore: raw.length > limit };
    },

    async prune(room, cutoffTs, batch) {
      const cmd = redis as unknown as { hihiPrune(...a: string[]): Promise<number>; hihiPruneChanges(...a: string[]): Promise<number> };
      const n = await cmd.hihiPrune(keys.messages(room), keys.clientIds(room), String(cutoffTs), String(batch));
      // A change is never older than its message: with the messages gone, so can the changes.
      if (n < batch) while ((await cmd.hihiPruneChanges(keys.changes(room), keys.clientIds(room), keys.deletedClientIds(room), String(cutoffTs), String(batch))) === batch);
      return n;
    },

    async clear(room) {
      await redis.del(keys.messages(room), keys.seq(room), keys.clientIds(room), keys.changes(room), keys.deletedClientIds(room));
    },
  };
}
