import crypto from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { EventBus } from '../ports.js';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';

/** How messages travel: one Redis, a cluster's global pub/sub, or its sharded pub/sub (Redis 7+). */
export type PubSubMode = 'single' | 'global' | 'sharded';

type Watcher = { lost(): void; resumed(): void };
type ChannelEntry = { handlers: Set<(payload: Buffer) => void>; confirmed: Promise<unknown> };

/*
 * Probes confirm that a cluster's subscriptions are live again after a node or subscriber
 * connection was lost: ioredis resubscribes on its own but says nothing when that is done.
 * A probe is published on each channel and counts once this instance hears it back. Payloads
 * starting with a NUL byte are probes and never reach handlers (real payloads are JSON).
 */
const PROBE_BYTE = 0;
const PROBE_EVERY_MS = 250;

/**
 * Redis pub/sub. One subscriber client per instance; a Redis channel is subscribed while at
 * least one local handler wants it. Payloads arrive as Buffers and go to sockets untouched.
 */
export function createRedisEventBus(redis: RedisClient, subscriber: RedisClient, keys: RedisKeys, mode: PubSubMode): EventBus {
  /** Per subscribed channel: its local handlers, and the SUBSCRIBE every one of them waits for. */
  const channels = new Map<string, ChannelEntry>();
  const watchers: Watcher[] = [];
  const sharded = mode === 'sharded';
  const probe = createProber(redis, mode, channels, () => {
    for (const w of watchers) w.resumed();
  });

  const onMessage = (channel: Buffer, message: Buffer) => {
    if (message[0] === PROBE_BYTE) return probe.heard(channel.toString(), message);
    const ch = channels.get(channel.toString());
    if (ch) for (const h of ch.handlers) h(message);
  };
  subscriber.on(sharded ? 'smessageBuffer' : 'messageBuffer', onMessage);

  /** A channel's entry, subscribing to it; a failed SUBSCRIBE removes it, so the next subscriber tries again. */
  function listen(name: string): ChannelEntry {
    const confirmed = (sharded ? subscriber.ssubscribe(name) : subscriber.subscribe(name)).catch((err: unknown) => {
      if (channels.get(name) === entry) channels.delete(name);
      throw err;
    });
    const entry: ChannelEntry = { handlers: new Set(), confirmed };
    channels.set(name, entry);
    return entry;
  }

  const lost = () => {
    if (probe.lose()) for (const w of watchers) w.lost();
  };
  if (mode === 'single') watchSingle(subscriber as Redis, lost, probe.confirmWithPing);
  else watchCluster(subscriber as Cluster, lost);

  return {
    onInterruption(h) {
      watchers.push(h);
    },
    async publish(channel, payload) {
      const name = keys.channel(channel);
      await (sharded ? redis.spublish(name, payload) : redis.publish(name, payload));
    },
    async subscribe(channel, handler) {
      const name = keys.channel(channel);
      for (;;) {
        const entry = channels.get(name) ?? listen(name);
        // Every handler, not only the first, returns once the channel is live.
        await entry.confirmed;
        // The last handler may have left (and unsubscribed) while this one waited: start over.
        if (channels.get(name) !== entry) continue;
        entry.handlers.add(handler);
        return async () => {
          entry.handlers.delete(handler);
          if (entry.handlers.size === 0 && channels.get(name) === entry) {
            channels.delete(name);
            await (sharded ? subscriber.sunsubscribe(name) : subscriber.unsubscribe(name));
          }
        };
      }
    },
  };
}

/**
 * One Redis: ioredis resubscribes by itself on reconnect, so 'ready' after the first one means
 * a gap. 'ready' is emitted before ioredis queues the SUBSCRIBEs (same tick), so the PING goes
 * out on the next turn: its answer comes after theirs, when the subscriptions are live again.
 */
function watchSingle(subscriber: Redis, lost: () => void, confirm: (ping: () => Promise<unknown>) => void): void {
  let wasReady = false;
  subscriber.on('close', () => {
    if (wasReady) lost();
  });
  subscriber.on('ready', () => {
    if (!wasReady) {
      wasReady = true;
      return;
    }
    setImmediate(() => confirm(() => subscriber.ping()));
  });
}

/** A cluster: any subscriber or node connection that ends may have taken subscriptions with it. */
function watchCluster(subscriber: Cluster, lost: () => void): void {
  let wasReady = false;
  subscriber.on('ready', () => {
    wasReady = true;
  });
  subscriber.on('-node', () => {
    if (wasReady) lost();
  });
  subscriber.on('close', () => {
    if (wasReady) lost();
  });
}

/** Tracks one interruption at a time and says when every subscription is live again. */
function createProber(redis: RedisClient, mode: PubSubMode, subscribed: ReadonlyMap<string, unknown>, resumed: () => void) {
  const token = crypto.randomBytes(6).toString('hex');
  let round = 0;
  let down = false;
  let waiting = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const finish = () => {
    clearInterval(timer);
    timer = undefined;
    down = false;
    resumed();
  };
  const send = () => {
    for (const ch of waiting) if (!subscribed.has(ch)) waiting.delete(ch); // left meanwhile
    if (waiting.size === 0) return finish();
    const payload = Buffer.from(`\0${token}:${round}`);
    for (const ch of waiting) {
      const sent = mode === 'sharded' ? redis.spublish(ch, payload) : redis.publish(ch, payload);
      sent.catch(() => {}); // Redis is down too: the next round tries again
    }
  };

  return {
    /** Returns true when this starts a new interruption (watchers are told once). */
    lose(): boolean {
      const fresh = !down;
      down = true;
      if (mode === 'single') return fresh;
      round++;
      waiting = new Set(subscribed.keys());
      clearInterval(timer);
      timer = setInterval(send, PROBE_EVERY_MS);
      timer.unref();
      setImmediate(send); // after the caller has told the watchers
      return fresh;
    },
    heard(channel: string, message: Buffer): void {
      if (!down || message.toString('latin1', 1) !== `${token}:${round}`) return;
      waiting.delete(channel);
      if (waiting.size === 0) finish();
    },
    confirmWithPing(ping: () => Promise<unknown>): void {
      ping().then(
        () => {
          if (down) finish();
        },
        () => {}, // dropped again: the next 'ready' repairs
      );
    },
  };
}
