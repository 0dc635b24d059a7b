import type { Redis } from 'ioredis';
import type { EventBus } from '../ports.js';
import type { RedisKeys } from './keys.js';

/**
 * Redis pub/sub. One subscriber connection per instance; a Redis channel is subscribed while at
 * least one local handler wants it. Payloads arrive as Buffers and go to sockets untouched.
 */
export function createRedisEventBus(redis: Redis, subscriber: Redis, keys: RedisKeys): EventBus {
  const handlers = new Map<string, Set<(payload: Buffer) => void>>();
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    const set = handlers.get(channel.toString());
    if (set) for (const h of set) h(message);
  });

  const watchers: Array<{ lost(): void; resumed(): void }> = [];
  let wasReady = false;
  let down = false;
  subscriber.on('close', () => {
    if (!wasReady || down) return;
    down = true;
    for (const w of watchers) w.lost();
  });
  // ioredis resubscribes by itself on reconnect; 'ready' after the first one means a gap.
  // 'ready' is emitted before ioredis queues the SUBSCRIBEs (same tick), so the PING goes out
  // on the next turn: its answer comes after theirs, when the subscriptions are live again.
  subscriber.on('ready', () => {
    if (!wasReady) {
      wasReady = true;
      return;
    }
    setImmediate(() => {
      subscriber.ping().then(
        () => {
          down = false;
          for (const w of watchers) w.resumed();
        },
        () => {}, // dropped again: the next 'ready' repairs
      );
    });
  });

  return {
    onInterruption(handlers) {
      watchers.push(handlers);
    },
    async publish(channel, payload) {
      await redis.publish(keys.channel(channel), payload);
    },
    async subscribe(channel, handler) {
      const name = keys.channel(channel);
      let set = handlers.get(name);
      if (!set) {
        handlers.set(name, (set = new Set()));
        await subscriber.subscribe(name);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(name) === set) {
          handlers.delete(name);
          await subscriber.unsubscribe(name);
        }
      };
    },
  };
}
