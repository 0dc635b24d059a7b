/** Starts a real hihi (in this process) on the backend under test, listening on a free port. */
import fs from 'node:fs';
import { after, before } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../fastify.config.js';
import { buildApp, type AppOptions } from '../../src/app.js';
import type { Permission } from '../../src/modules/users/permissions.js';
import type { User } from '../../src/modules/users/repository.js';
import { createMysqlDatabase, deleteRedisKeys, redisEnv, redisPrefix, shared } from './backends.js';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface Storage {
  env: Record<string, string>;
  cleanup: () => Promise<void>;
}

/** Fresh storage for one test file: a temp DATA_DIR, plus a MySQL database and Redis prefix on the shared backends. */
export async function createStorage(): Promise<Storage> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-test-'));
  const env: Record<string, string> = { DATA_DIR: dataDir };
  let dropDb = async () => {};
  let prefix: string | undefined;
  if (shared) {
    const mdb = await createMysqlDatabase();
    prefix = redisPrefix();
    Object.assign(env, { DATABASE_URL: mdb.url, ...redisEnv(prefix) });
    dropDb = mdb.drop;
  }
  return {
    env,
    cleanup: async () => {
      await dropDb();
      if (prefix) await deleteRedisKeys(prefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Suites create many rooms, join and post many messages as one user: the per-user limits are
 * tested by room-list, join-limits and send-limits (and set lower where a suite needs). Apps in
 * this process and replica processes (process.ts) get the same.
 */
export const TEST_LIMITS: Record<string, string> = {
  ROOM_CREATE_PER_HOUR: '100000',
  ROOM_INVITE_PER_HOUR: '100000',
  JOIN_RATE_PER_MINUTE: '1000000',
  SEND_RATE_PER_10S: '100000',
  READ_RATE_PER_10S: '100000',
};

export function testConfig(storage: Storage, extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_PRETTY: 'false',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...TEST_LIMITS,
    ...storage.env,
    ...extra,
  });
}

export interface RunningApp {
  app: FastifyInstance;
  url: string;
  origin: string;
  close: () => Promise<void>;
  createUser: (username: string, password: string, permissions?: Permission[]) => Promise<User>;
}

export async function startApp(storage: Storage, extra: Record<string, string> = {}, opts: AppOptions = {}): Promise<RunningApp> {
  const app = await buildApp(testConfig(storage, extra), opts);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    origin: url,
    close: () => app.close(),
    createUser: async (username, password, permissions = []) =>
      app.deps.users.create({
        username,
        displayName: username,
        passwordHash: await app.deps.hasher.hash(password),
        permissions,
        createdAt: Date.now(),
      }),
  };
}

/**
 * Two instances on one storage: two apps on the shared backends, where several instances share
 * MySQL + Redis; the same app twice on the embedded default (one process by design).
 */
export async function startPair(storage: Storage, extra: Record<string, string> = {}): Promise<{ one: RunningApp; two: RunningApp; close: () => Promise<void> }> {
  const one = await startApp(storage, extra);
  const two = shared ? await startApp(storage, extra) : one;
  return {
    one,
    two,
    close: async () => {
      if (two !== one) await two.close();
      await one.close();
    },
  };
}

/**
 * Registers hooks for a suite on two instances (`startPair`) over fresh storage; read the fields
 * inside tests or later hooks, once these have run.
 */
export function pairSuite(extra: Record<string, string> = {}): { storage: Storage; one: RunningApp; two: RunningApp } {
  const ctx = {} as { storage: Storage; one: RunningApp; two: RunningApp; close?: () => Promise<void> };
  before(async () => {
    ctx.storage = await createStorage();
    Object.assign(ctx, await startPair(ctx.storage, extra));
  });
  after(async () => {
    await ctx.close?.();
    await ctx.storage?.cleanup();
  });
  return ctx;
}
