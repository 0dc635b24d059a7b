/** The servers a benchmark can run against, each started as its own process on loopback. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import WebSocket from 'ws';
import { freePort as freePortNumber } from '../../test/support/process.js';
import { spawnNode, type Child } from './proc.js';

export interface Received {
  sender: number;
  seq: number;
  sentAt: number;
}

export interface Target {
  name: string;
  pids(): number[];
  /** An open socket, subscribed to the benchmark room. */
  connect(): Promise<WebSocket>;
  frame(sender: number, seq: number, sentAt: number): string;
  /** A delivered chat message, or null for any other frame. */
  parse(data: Buffer): Received | null;
  stop(): Promise<void>;
}

const MSG = /^(\d+(?:\.\d+)?)\|(\d+)\|(\d+)$/;
const HIHI_MSG = /^\{"type":"message".*"body":"(\d+(?:\.\d+)?)\|(\d+)\|(\d+)"/;

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function ceilingTarget(): Promise<Target> {
  const port = await freePortNumber();
  const proc = await spawnNode('bench/references/ceiling.ts', { PORT: String(port) }, async () => {
    await open(`ws://127.0.0.1:${port}`).then((ws) => ws.close());
    return true;
  });
  return {
    name: 'ceiling',
    pids: () => [proc.child.pid!],
    connect: () => open(`ws://127.0.0.1:${port}`),
    frame: (sender, seq, sentAt) => `${sentAt}|${sender}|${seq}`,
    parse(data) {
      const m = MSG.exec(data.toString('latin1'));
      return m ? { sentAt: Number(m[1]), sender: Number(m[2]), seq: Number(m[3]) } : null;
    },
    stop: () => proc.stop(),
  };
}

/** hihi on the embedded default, or on MariaDB + Redis (`instances` processes on one Redis). */
export async function hihiTarget(opts: { backend: 'embedded' | 'redis'; instances: number }): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-bench-'));
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ADMIN_USERNAME: 'bench',
    ADMIN_PASSWORD: 'bench-password-1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    WS_MAX_PER_USER: '1000',
    SEND_RATE_PER_10S: '10000',
    LOGIN_RATE_PER_MINUTE: '1000',
    HOST: '127.0.0.1',
  };
  let dropDb = async () => {};
  if (opts.backend === 'redis') {
    const base = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
    // Fresh storage per target: reusing a room and its clientIds would turn every send into a
    // duplicate of the previous run's message.
    const tag = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const name = `hihi_bench_${tag}`;
    const admin = await createConnection({ uri: base });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    Object.assign(env, { DATABASE_URL: url.toString(), REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `hihibench${tag}:` });
    dropDb = async () => {
      const c = await createConnection({ uri: base });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
      const redis = new Redis(env.REDIS_URL!);
      const keys = await redis.keys(`${env.REDIS_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    };
  }
  const servers: Array<{ url: string; proc: Child }> = [];
  for (let i = 0; i < opts.instances; i++) {
    const port = await freePortNumber();
    const url = `http://127.0.0.1:${port}`;
    const proc = await spawnNode('src/server.ts', { ...env, PORT: String(port) }, async () => (await fetch(`${url}/readyz`)).ok);
    servers.push({ url, proc });
  }
  // One signed-in session for every client (the per-user socket cap is raised for this).
  const base = servers[0]!.url;
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const req = async (p: string, form?: Record<string, string>) => {
    const res = await fetch(base + p, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookie(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const csrf = async (p: string) => /name="_csrf" value="([^"]+)"/.exec(await (await req(p)).text())![1]!;
  await req('/login', { username: 'bench', password: 'bench-password-1', _csrf: await csrf('/login') });
  const created = await req('/rooms', { name: `bench ${Date.now()}`, _csrf: await csrf('/rooms') });
  const room = Number(created.headers.get('location')!.split('/').pop());
  let next = 0;
  return {
    name: opts.backend === 'embedded' ? 'hihi-embedded' : `hihi-redis-x${opts.instances}`,
    pids: () => servers.map((s) => s.proc.child.pid!),
    async connect() {
      // Spread clients over the instances, as a load balancer would.
      const server = servers[next++ % servers.length]!;
      const ws = await open(`${server.url.replace('http', 'ws')}/ws`, { cookie: cookie(), origin: server.url });
      await new Promise<void>((resolve) => {
        const onJoined = (data: Buffer) => {
          if (data.toString('latin1').startsWith('{"type":"joined"')) {
            ws.off('message', onJoined);
            resolve();
          }
        };
        ws.on('message', onJoined);
        ws.send(JSON.stringify({ type: 'join', room }));
      });
      return ws;
    },
    frame: (sender, seq, sentAt) => JSON.stringify({ type: 'send', room, clientId: `s${sender}-${seq}`, body: `${sentAt}|${sender}|${seq}` }),
    parse(data) {
      const m = HIHI_MSG.exec(data.toString('latin1', 0, 200));
      return m ? { sentAt: Number(m[1]), sender: Number(m[2]), seq: Number(m[3]) } : null;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.proc.stop()));
      await dropDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
