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

  const resubscribed: Array<() => void> = [];
  let wasReady = false;
  // ioredis resubscribes by itself on reconnect; 'ready' after the first one means a gap. The
  // SUBSCRIBEs are sent, not yet confirmed: a PING on the same connection answers after them.
  subscriber.on('ready', () => {
    if (!wasReady) {
      wasReady = true;
      return;
    }
    subscriber.ping().then(
      () => resubscribed.forEach((h) => h()),
      () => {}, // dropped again: the next 'ready' repairs
    );
  });

  return {
    onResubscribed(handler) {
      resubscribed.push(handler);
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
