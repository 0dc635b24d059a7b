import type { Config } from '../../fastify.config.js';
import type { Db } from '../db/connect.js';
import { createEmbeddedLiveState } from './embedded/index.js';
import type { LiveState } from './ports.js';
import { createRedisLiveState } from './redis/index.js';

export type { LiveState } from './ports.js';

/** Picks the live-state implementation from the configuration: Redis when REDIS_URL is set. */
export function createLiveState(deps: {
  config: Config;
  db: Db;
  instanceId: string;
  now: () => number;
  onError?: (err: Error) => void;
}): LiveState {
  const { redis } = deps.config;
  if (!redis) return createEmbeddedLiveState(deps);
  return createRedisLiveState({
    nodes: redis.nodes,
    cluster: redis.cluster,
    prefix: redis.prefix,
    instanceId: deps.instanceId,
    presenceTtlMs: Math.max(3 * deps.config.limits.wsHeartbeatMs, 10_000),
    now: deps.now,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
}
