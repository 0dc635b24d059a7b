/**
 * A real Redis Cluster of the test's own: three masters (no replicas) from redis-server on free
 * loopback ports, created with `redis-cli --cluster create`, in a temp directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, stopChild } from './process.js';

export class OwnRedisCluster {
  private readonly children: ChildProcess[] = [];
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-cluster-'));
  private constructor(readonly ports: number[]) {}

  static async start(masters = 3): Promise<OwnRedisCluster> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const p = await freePort();
      // The cluster bus listens on port + 10000: both must be free and below 65536.
      if (p < 55_000 && !ports.includes(p) && (await portFree(p + 10_000))) ports.push(p);
    }
    const c = new OwnRedisCluster(ports);
    try {
      await c.up();
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  /** Seed nodes in REDIS_URL form (with REDIS_CLUSTER=true). */
  get url(): string {
    return this.ports.map((p) => `redis://127.0.0.1:${p}`).join(',');
  }

  private async up(): Promise<void> {
    for (const port of this.ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--cluster-enabled', 'yes'];
      args.push('--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no');
      this.children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of this.ports) await waitForPing(port);
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of this.ports) await waitForClusterOk(port);
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((c) => stopChild(c, 'SIGKILL')));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The port of the master that holds a key's slot, asked of any node of the cluster. */
export async function masterOf(clusterUrl: string, key: string): Promise<number> {
  const c = new Redis(clusterUrl.split(',')[0]!);
  try {
    const slot = (await c.call('CLUSTER', 'KEYSLOT', key)) as number;
    const ranges = (await c.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!owner) throw new Error(`no owner for slot ${slot}`);
    return owner[2][1];
  } finally {
    c.disconnect();
  }
}

async function portFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function waitFor(port: number, ready: (c: Redis) => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {}); // expected while it starts
    try {
      await c.connect();
      if (await ready(c)) return;
    } catch {
      // not yet
    } finally {
      c.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on ${port}: ${what} timed out`);
}

const waitForPing = (port: number) => waitFor(port, async (c) => (await c.ping()) === 'PONG', 'start');
const waitForClusterOk = (port: number) =>
  waitFor(port, async (c) => String(await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 'cluster_state:ok');
