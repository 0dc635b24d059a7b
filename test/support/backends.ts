/**
 * Which real servers the tests may use. `npm test` (scripts/test.mjs) sets HIHI_TEST_BACKEND per
 * run; TEST_DATABASE_URL and TEST_REDIS_URL point at the MariaDB and Redis to use.
 */
import crypto from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export type Backend = 'embedded' | 'mysql-redis';

export const backend: Backend = process.env.HIHI_TEST_BACKEND === 'mysql-redis' ? 'mysql-redis' : 'embedded';
export const mysqlUrl = process.env.TEST_DATABASE_URL || undefined;
export const redisUrl = process.env.TEST_REDIS_URL || undefined;

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
