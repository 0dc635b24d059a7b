/**
 * Which real servers the tests may use. `npm test` (scripts/test.mjs) sets HIHI_TEST_BACKEND per
 * run; TEST_DATABASE_URL and TEST_REDIS_URL point at the MariaDB and Redis to use, and for the
 * cluster run TEST_REDIS_CLUSTER_URL at the seed nodes of the Redis Cluster it started.
 */
import crypto from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';

export type Backend = 'embedded' | 'mysql-redis' | 'mysql-redis-cluster';

const backends: Backend[] = ['embedded', 'mysql-redis', 'mysql-redis-cluster'];
export const backend: Backend = backends.find((b) => b === process.env.HIHI_TEST_BACKEND) ?? 'embedded';
/** MySQL + Redis (one Redis or a cluster): the runs where several instances can share state. */
export const shared = backend !== 'embedded';
export const onCluster = backend === 'mysql-redis-cluster';
export const mysqlUrl = process.env.TEST_DATABASE_URL || undefined;
export const redisUrl = (onCluster ? process.env.TEST_REDIS_CLUSTER_URL : process.env.TEST_REDIS_URL) || undefined;
/** Skip option for suites that need several instances on shared state. */
export const needsShared = !shared && 'needs MySQL + Redis (the mysql-redis runs)';

/** The app's environment for the Redis under test. */
export function redisEnv(prefix: string): Record<string, string> {
  if (!redisUrl) throw new Error('TEST_REDIS_URL is not set');
  return { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ...(onCluster ? { REDIS_CLUSTER: 'true' } : {}) };
}

/** A client of the Redis under test, for setup and cleanup. */
export function redisClient(url = redisUrl!, cluster = onCluster): Redis | Cluster {
  if (!cluster) return new Redis(url);
  return new Cluster(url.split(',').map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) })));
}

/** Deletes every key under a prefix, on each master of a cluster. */
export async function deleteRedisKeys(prefix: string, url = redisUrl!, cluster = onCluster): Promise<void> {
  const client = redisClient(url, cluster);
  try {
    const nodes = client instanceof Cluster ? (await client.ping(), client.nodes('master')) : [client];
    for (const node of nodes) {
      const keys = await node.keys(`${prefix}*`);
      // One key per DEL: on a cluster the keys of one node may still span slots.
      await Promise.all(keys.map((k) => node.del(k)));
    }
  } finally {
    await client.quit();
  }
}

export function uniqueName(tag: string): string {
  return `${tag}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

/** Creates a fresh MySQL database for one test file; returns its URL and a dropper. */
export async function createMysqlDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!mysqlUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = uniqueName('hihi_t');
  const admin = await createConnection({ uri: mysqlUrl });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  const url = new URL(mysqlUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await createConnection({ uri: mysqlUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** A Redis key prefix no other test run uses, so runs can share one Redis. */
export function redisPrefix(): string {
  return `${uniqueName('hihitest')}:`;
}
