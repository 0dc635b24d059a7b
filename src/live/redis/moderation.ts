import type { RedisClient } from './client.js';
import type { ModerationState, Restriction, RestrictionKind } from '../ports.js';
import type { RedisKeys } from './keys.js';

/*
 * Per room a hash "uid:kind" → end time (0: no end). Restrictions that end are also in one
 * sorted set by end time, so the expiry job finds them without scanning rooms. The two live in
 * different cluster slots, so they are written separately; `active` never trusts the sorted set.
 */
// KEYS: room hash. ARGV: field, until. Deletes the field only if it still has that end time.
const CLEAR_IF = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

export function createRedisModerationState(redis: RedisClient, keys: RedisKeys): ModerationState {
  redis.defineCommand('hihiClearIf', { numberOfKeys: 1, lua: CLEAR_IF });
  const clearIf = (key: string, field: string, until: string) =>
    (redis as unknown as { hihiClearIf(k: string, f: string, u: string): Promise<number> }).hihiClearIf(key, field, until);
  const member = (room: number, userId: number, kind: RestrictionKind) => `${room}:${userId}:${kind}`;
  const inForce = (until: number, now: number) => until === 0 || until > now;

  return {
    async set(r) {
      await redis.hset(keys.restrictions(r.room), `${r.userId}:${r.kind}`, String(r.until ?? 0));
      if (r.until === null) await redis.zrem(keys.restrictionEnds, member(r.room, r.userId, r.kind));
      else await redis.zadd(keys.restrictionEnds, r.until, member(r.room, r.userId, r.kind));
    },
    async clear(room, userId, kind) {
      const removed = await redis.hdel(keys.restrictions(room), `${userId}:${kind}`);
      await redis.zrem(keys.restrictionEnds, member(room, userId, kind));
      return removed > 0;
    },
    async active(room, userId, now) {
      const [mute, bar] = await redis.hmget(keys.restrictions(room), `${userId}:mute`, `${userId}:bar`);
      const out: Partial<Record<RestrictionKind, number | null>> = {};
      for (const [kind, raw] of [['mute', mute], ['bar', bar]] as const) {
        if (raw === null) continue;
        const until = Number(raw);
        if (inForce(until, now)) out[kind] = until === 0 ? null : until;
      }
      return out;
    },
    async inRoom(room, now) {
      const all = await redis.hgetall(keys.restrictions(room));
      const out: Restriction[] = [];
      for (const [field, raw] of Object.entries(all)) {
        const [uid, kind] = field.split(':') as [string, RestrictionKind];
        const until = Number(raw);
        if (inForce(until, now)) out.push({ room, userId: Number(uid), kind, until: until === 0 ? null : until });
      }
      return out;
    },
    async takeExpired(now, limit) {
      const due = await redis.zrangebyscore(keys.restrictionEnds, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
      const taken: Restriction[] = [];
      for (let i = 0; i < due.length; i += 2) {
        const m = due[i]!;
        const until = due[i + 1]!;
        // ZREM decides which caller owns this expiry: exactly one instance announces it.
        if ((await redis.zrem(keys.restrictionEnds, m)) === 0) continue;
        const [room, userId, kind] = m.split(':') as [string, string, RestrictionKind];
        const key = keys.restrictions(Number(room));
        if ((await clearIf(key, `${userId}:${kind}`, String(Number(until)))) === 1) {
          taken.push({ room: Number(room), userId: Number(userId), kind, until: Number(until) });
          continue;
        }
        // Replaced meanwhile by a new restriction: keep tracking the new end time.
        const current = await redis.hget(key, `${userId}:${kind}`);
        if (current !== null && Number(current) > 0) await redis.zadd(keys.restrictionEnds, Number(current), m);
      }
      return taken;
    },
  };
}
