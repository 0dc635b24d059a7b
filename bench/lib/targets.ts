/** The servers a benchmark can run against, each started as its own process on loopback. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import WebSocket from 'ws';
import { WebClient } from '../../test/support/http.js';
import { freePort } from '../../test/support/process.js';
import { spawnNode, type Child } from './proc.js';

export interface Received {
  sender: number;
  seq: number;
  sentAt: number;
}

export interface Target {
  name: string;
  /** The server's processes, and Redis's where the target uses it. */
  pids(): number[];
  /** An open socket, subscribed to benchmark room `room` (0-based). */
  connect(room: number): Promise<WebSocket>;
  /** A chat message frame; its body starts `sentAt|sender|seq|`. */
  frame(room: number, sender: number, seq: number, sentAt: number, padding: string): string;
  /** A delivered chat message, or null for any other frame. */
  parse(data: Buffer): Received | null;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Rooms the scenario uses (hihi creates them up front). */
  rooms: number;
  /** Extra environment for hihi. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of each hihi process here (node --cpu-prof). */
  profileDir?: string;
}

export const redisUrl = () => process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = () => process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';

const BODY = /(\d+(?:\.\d+)?)\|(\d+)\|(\d+)\|/;
const received = (m: RegExpExecArray | null): Received | null =>
  m ? { sentAt: Number(m[1]), sender: Number(m[2]), seq: Number(m[3]) } : null;

const BAR = 0x7c;
const digits = (d: Buffer, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + d[i]! - 0x30;
  return n;
};
/**
 * A body `sentAt|sender|seq|…` that starts at byte `at` (-1: none), read from the bytes: the
 * load generator's work per frame must not grow with the frame (a regex over a 200-character
 * copy of every hihi frame cost it several times the ceiling's 20-byte frames).
 */
function bodyAt(d: Buffer, at: number): Received | null {
  if (at < 0) return null;
  const a = d.indexOf(BAR, at);
  const b = a < 0 ? -1 : d.indexOf(BAR, a + 1);
  const c = b < 0 ? -1 : d.indexOf(BAR, b + 1);
  if (c < 0) return null;
  return { sentAt: Number(d.toString('latin1', at, a)), sender: digits(d, a + 1, b), seq: digits(d, b + 1, c) };
}
const BODY_KEY = Buffer.from('"body":"');
const afterKey = (d: Buffer) => {
  const i = d.indexOf(BODY_KEY);
  return i < 0 ? -1 : i + BODY_KEY.length;
};

export function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves with the first frame that matches; fails if the socket closes first (a server died). */
function firstFrame(ws: WebSocket, match: (text: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => {
      ws.off('message', on);
      reject(new Error(`socket closed (${code}) before the expected frame: did the server exit?`));
    };
    const on = (data: Buffer) => {
      if (!match(data.toString('latin1'))) return;
      ws.off('message', on);
      ws.off('close', onClose);
      resolve();
    };
    ws.on('message', on);
    ws.once('close', onClose);
  });
}

/** The Redis server's pid, so its CPU counts with the server's. */
async function redisPid(): Promise<number[]> {
  const r = new Redis(redisUrl());
  try {
    const info = await r.info('server');
    return [Number(/process_id:(\d+)/.exec(info)?.[1])].filter((n) => n > 0);
  } finally {
    r.disconnect();
  }
}

async function deletePrefix(prefix: string): Promise<void> {
  const r = new Redis(redisUrl());
  const keys = await r.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await r.del(...keys.slice(i, i + 1000));
  await r.quit();
}

export async function ceilingTarget(): Promise<Target> {
  const port = await freePort();
  const proc = await spawnNode('bench/references/ceiling.ts', { PORT: String(port) }, async () => {
    await open(`ws://127.0.0.1:${port}`).then((ws) => ws.close());
    return true;
  });
  return {
    name: 'ceiling',
    pids: () => [proc.child.pid!],
    connect: (room) => open(`ws://127.0.0.1:${port}/?room=${room}`),
    frame: (_room, sender, seq, sentAt, padding) => `${sentAt}|${sender}|${seq}|${padding}`,
    parse: (data) => bodyAt(data, 0),
    stop: () => proc.stop(),
  };
}

/**
 * The Socket.IO reference, spoken to over raw `ws` in Engine.IO v4 framing (as socket.io-client
 * does on its websocket transport) so the load generator's per-frame work stays as small as
 * for the other targets.
 */
export async function socketioTarget(): Promise<Target> {
  const port = await freePort();
  const prefix = `siobench${process.pid}_${crypto.randomBytes(3).toString('hex')}:`;
  const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
  const proc = await spawnNode('bench/references/socketio.ts', { PORT: String(port), REDIS_URL: redisUrl(), REDIS_PREFIX: prefix }, async () => {
    await open(url).then((ws) => ws.close());
    return true;
  });
  const redis = await redisPid();
  return {
    name: 'socketio',
    pids: () => [proc.child.pid!, ...redis],
    async connect(room) {
      const ws = await open(url);
      ws.on('message', (data: Buffer) => {
        if (data.length === 1 && data[0] === 0x32) ws.send('3'); // Engine.IO ping → pong
      });
      const connected = firstFrame(ws, (t) => t.startsWith('40'));
      ws.send('40');
      await connected;
      const joined = firstFrame(ws, (t) => t.startsWith('431'));
      ws.send(`421["join","r${room}"]`);
      await joined;
      return ws;
    },
    frame: (room, sender, seq, sentAt, padding) => `42["chat message","r${room}","${sentAt}|${sender}|${seq}|${padding}"]`,
    parse: (data) => (data[0] === 0x34 && data[1] === 0x32 ? received(BODY.exec(data.toString('latin1', 0, 64))) : null),
    async stop() {
      await proc.stop();
      await deletePrefix(prefix);
    },
  };
}

const BENCH_ORIGIN = 'http://hihi-bench.localhost';

/** hihi on the embedded default, or on MariaDB + Redis (`instances` processes on one Redis). */
export async function hihiTarget(opts: TargetOptions & { backend: 'embedded' | 'redis'; instances: number }): Promise<HihiTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-bench-'));
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    // Required in production; the bench's sockets send it as their Origin, whichever instance they reach.
    PUBLIC_URL: BENCH_ORIGIN,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    // Required in production too (two-factor secrets at rest).
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    ADMIN_USERNAME: 'bench',
    ADMIN_PASSWORD: 'bench-password-1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    WS_MAX_PER_USER: '100000',
    // Every bench socket is the one user 'bench', and the send limit is per user.
    SEND_RATE_PER_10S: '10000000',
    READ_RATE_PER_10S: '10000000',
    ROOM_CREATE_PER_HOUR: '100000',
    JOIN_RATE_PER_MINUTE: '10000000',
    LOGIN_RATE_PER_MINUTE: '1000000',
    HOST: '127.0.0.1',
    ...opts.env,
  };
  let dropStorage = async () => {};
  let extraPids: number[] = [];
  if (opts.backend === 'redis') {
    // Fresh storage per target: reusing a room and its clientIds would turn every send into a
    // duplicate of the previous run's message.
    const tag = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const name = `hihi_bench_${tag}`;
    const admin = await createConnection({ uri: databaseUrl() });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.end();
    const url = new URL(databaseUrl());
    url.pathname = `/${name}`;
    Object.assign(env, { DATABASE_URL: url.toString(), REDIS_URL: redisUrl(), REDIS_PREFIX: `hihibench${tag}:` });
    extraPids = await redisPid();
    dropStorage = async () => {
      const c = await createConnection({ uri: databaseUrl() });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
      await deletePrefix(env.REDIS_PREFIX!);
    };
  }
  const servers: Array<{ url: string; proc: Child }> = [];
  for (let i = 0; i < opts.instances; i++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // BENCH_HIHI_DIR: another checkout's server under this harness (an A/B of two commits).
    const proc = await spawnNode('src/server.ts', { ...env, PORT: String(port) }, async () => (await fetch(`${url}/readyz`)).ok, opts.profileDir, process.env.BENCH_HIHI_DIR);
    servers.push({ url, proc });
  }
  const base = servers[0]!.url;
  const web = new WebClient(base);
  const signedIn = await web.login('bench', 'bench-password-1');
  if (signedIn.status !== 303) throw new Error(`bench sign-in failed: ${signedIn.status}`);
  const rooms: number[] = [];
  for (let r = 0; r < opts.rooms; r++) rooms.push(await web.createRoom(`bench ${r}`));
  let next = 0;
  return {
    name: opts.backend === 'embedded' ? 'hihi-embedded' : `hihi-redis-x${opts.instances}`,
    env,
    web,
    rooms,
    urls: servers.map((s) => s.url),
    pids: () => [...servers.map((s) => s.proc.child.pid!), ...extraPids],
    async connect(room) {
      // Spread clients over the instances, as a load balancer would. One session for all
      // (the per-user socket cap is raised for this).
      const server = servers[next++ % servers.length]!;
      const ws = await open(`${server.url.replace('http', 'ws')}/ws`, { cookie: web.cookieHeader, origin: BENCH_ORIGIN });
      const joined = firstFrame(ws, (t) => t.startsWith('{"type":"joined"'));
      ws.send(JSON.stringify({ type: 'join', room: rooms[room] }));
      await joined;
      return ws;
    },
    frame: (room, sender, seq, sentAt, padding) =>
      JSON.stringify({ type: 'send', room: rooms[room], clientId: `s${sender}-${seq}`, body: `${sentAt}|${sender}|${seq}|${padding}` }),
    // The body comes after id, room, ts, user and name. {"type":"m…
    parse: (data) => (data[9] === 0x6d ? bodyAt(data, afterKey(data)) : null),
    async stop() {
      await Promise.all(servers.map((s) => s.proc.stop()));
      await dropStorage();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HihiTarget extends Target {
  env: Record<string, string>;
  web: WebClient;
  rooms: number[];
  urls: string[];
}
