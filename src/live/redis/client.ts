import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { batchWrites } from './write-batching.js';

/** A connection to one Redis or to a Redis Cluster; the live-state modules use either alike. */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  /** One URL, or seed nodes of a cluster. */
  nodes: string[];
  cluster: { pubsub: 'sharded' | 'global' } | undefined;
}

const commandOptions = {
  // Fail a command within a couple of seconds instead of queueing it forever while Redis is down.
  maxRetriesPerRequest: 2,
  connectTimeout: 2000,
} satisfies RedisOptions;

/** Credentials and TLS of a redis:// URL, for the cluster's per-node connections (a cluster has only database 0). */
function nodeOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The command connection, its writes batched per event-loop turn (write-batching.ts). On a
 * cluster every node gets its own connection and its own batches; multi-key commands and
 * scripts only ever touch one room's hash tag.
 */
export function connectCommands(target: RedisTarget): RedisClient {
  if (!target.cluster) {
    const redis = new Redis(target.nodes[0]!, commandOptions);
    batchWrites(redis);
    return redis;
  }
  const seeds: ClusterNode[] = target.nodes.map((u) => {
    const { hostname, port } = new URL(u);
    return { host: hostname, port: Number(port || 6379) };
  });
  const cluster = new Cluster(seeds, {
    redisOptions: { ...commandOptions, ...nodeOptions(target.nodes[0]!) },
    // Subscriptions go through this client too; with sharded pub/sub one subscriber per master.
    shardedSubscribers: target.cluster.pubsub === 'sharded',
  });
  // A node's connection is made, and reported, before any command is routed to it.
  cluster.on('+node', batchWrites);
  return cluster;
}

/** A second client that only subscribes: on one Redis a connection in subscriber mode. */
export function connectSubscriber(target: RedisTarget): RedisClient {
  if (!target.cluster) return new Redis(target.nodes[0]!, commandOptions);
  return connectCommands(target);
}
