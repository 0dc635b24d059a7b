import type { LiveState } from '../ports.js';
import { connectCommands, connectSubscriber, type RedisTarget } from './client.js';
import { createRedisCounters } from './counters.js';
import { createRedisEventBus } from './event-bus.js';
import { redisKeys } from './keys.js';
import { createRedisLocks } from './locks.js';
import { createRedisMembership } from './membership.js';
import { createRedisMessageLog } from './message-log.js';
import { createRedisModerationState } from './moderation.js';
import { createRedisPresence } from './presence.js';
import { createRedisSessionStore } from './session-store.js';
import { createRedisMentionIndex, createRedisUnreadIndex } from './unread.js';

export interface RedisLiveOptions extends RedisTarget {
  prefix: string;
  instanceId: string;
  presenceTtlMs: number;
  now: () => number;
  /** Connection errors (ioredis reconnects by itself); called at most every few seconds. */
  onError?: (err: Error) => void;
}

/** Live state shared by every instance through one Redis or one Redis Cluster. */
export function createRedisLiveState(opts: RedisLiveOptions): LiveState {
  const redis = connectCommands(opts);
  const subscriber = connectSubscriber(opts);
  let lastReport = 0;
  const report = (err: Error) => {
    if (Date.now() - lastReport < 5000) return;
    lastReport = Date.now();
    opts.onError?.(err);
  };
  redis.on('error', report);
  subscriber.on('error', report);
  const keys = redisKeys(opts.prefix);
  const mode = opts.cluster ? opts.cluster.pubsub : 'single';
  return {
    kind: 'redis',
    messages: createRedisMessageLog(redis, keys, mode),
    membership: createRedisMembership(redis, keys, opts.now),
    presence: createRedisPresence(redis, keys, { instanceId: opts.instanceId, ttlMs: opts.presenceTtlMs, now: opts.now }),
    bus: createRedisEventBus(redis, subscriber, keys, mode),
    sessions: createRedisSessionStore(redis, keys, opts.now),
    moderation: createRedisModerationState(redis, keys),
    locks: createRedisLocks(redis, keys),
    counters: createRedisCounters(redis, keys),
    unread: createRedisUnreadIndex(redis, keys),
    mentions: createRedisMentionIndex(redis, keys),
    async ping() {
      await redis.ping();
    },
    async close() {
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}
