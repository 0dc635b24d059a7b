import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type Storage } from '../support/app.js';
import { needsShared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { storedIds } from '../support/message-stream.js';
import { replicaEnv, startServerProcess, type ServerProcess } from '../support/process.js';
import { OwnRedis } from '../support/redis-server.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A websocket upgrade sent on a raw connection; resolves with the status line (or the error)
 * and then closes its end, as a client that gives up does.
 */
function rawUpgrade(url: string, cookie: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    sock.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
    sock.on('connect', () => {
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${url}\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    sock.once('data', (d) => {
      resolve(d.toString('latin1').split('\r\n')[0]!);
      sock.destroy();
    });
    sock.on('close', () => resolve('closed'));
  });
}

/**
 * Shutdown order (docs/operations.md): stop accepting, let frames already received finish and
 * their answers go out, then close the sockets with 1001. A Redis of the test's own is paused
 * so that a send is in flight when SIGTERM arrives.
 */
describe('SIGTERM while a send is in flight', { skip: needsShared }, () => {
  let storage: Storage;
  let redis: OwnRedis;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];
  before(async () => {
    storage = await createStorage();
    redis = await OwnRedis.start();
    env = replicaEnv(storage, { REDIS_URL: redis.url, LOG_LEVEL: 'warn' });
    delete env.REDIS_CLUSTER;
  });
  after(async () => {
    redis?.resume();
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await redis?.stop();
    await storage?.cleanup();
  });

  async function serverWithPendingSend() {
    const server = await startServerProcess(env);
    servers.push(server);
    const web = new WebClient(server.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom(`shutting down ${servers.length}`);
    const ws = await WsClient.connect(server.url, { cookie: web.cookieHeader, origin: server.url });
    await ws.join(room);
    redis.pause();
    ws.send({ type: 'send', room, clientId: 'in-flight', body: 'sent just before SIGTERM' });
    await sleep(200);
    return { server, web, ws };
  }

  test('websocket upgrades arriving during shutdown are answered and closed: the process exits 0 well inside the grace period', async () => {
    const { server, web, ws } = await serverWithPendingSend();
    const started = Date.now();
    const exited = server.stop('SIGTERM');
    await sleep(200);
    // Clients reconnecting at once, as a 1001 tells them to, and one that gives up.
    const upgrades = [rawUpgrade(server.url, web.cookieHeader), rawUpgrade(server.url, web.cookieHeader)];
    await sleep(300);
    redis.resume();
    const answers = await Promise.all(upgrades);
    const code = await exited;
    const took = Date.now() - started;
    assert.equal(code, 0, `exit code (after ${took} ms; upgrades: ${answers.join(', ')})`);
    assert.ok(took < 5000, `exited after ${took} ms`);
    for (const a of answers) assert.doesNotMatch(a, /101/, 'no socket opened on the closing instance');
    ws.close();
  });

  test('the in-flight send is acknowledged before the socket is closed with 1001', async () => {
    const { server, ws } = await serverWithPendingSend();
    const exited = server.stop('SIGTERM');
    await sleep(300);
    redis.resume();
    await ws.waitClosed(8000);
    assert.equal(ws.closed!.code, 1001);
    assert.ok(
      ws.frames.some((f) => f.type === 'ack' && f.clientId === 'in-flight'),
      `ack before close (frames: ${JSON.stringify(ws.frames)})`,
    );
    assert.equal(await exited, 0);
  });
});

/** The same promise on every backend, without a pause: a burst of sends, then the app closes. */
describe('closing with sends queued', () => {
  let storage: Storage;
  before(async () => {
    storage = await createStorage();
  });
  after(async () => {
    await storage?.cleanup();
  });

  test('every message stored from a socket was acknowledged on it before 1001', async () => {
    const app = await startApp(storage, { SEND_RATE_PER_10S: '10000' });
    const web = new WebClient(app.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom('closing with a queue');
    const ws = await WsClient.connect(app.url, { cookie: web.cookieHeader, origin: app.origin });
    await ws.join(room);
    for (let i = 0; i < 100; i++) ws.send({ type: 'send', room, clientId: `q${i}`, body: `queued ${i}` });
    await eventually(() => ws.frames.some((f) => f.type === 'ack'), 5000, 'a first ack');
    await app.close();
    await ws.waitClosed();
    assert.equal(ws.closed!.code, 1001);
    const acked = new Set(ws.frames.flatMap((f) => (f.type === 'ack' ? [f.id] : [])));

    const again = await startApp(storage);
    try {
      const reader = new WebClient(again.url);
      await reader.login(ADMIN.username, ADMIN.password);
      const stored = await storedIds(reader, room);
      assert.ok(stored.length > 0);
      assert.deepEqual(
        stored.filter((id) => !acked.has(id)),
        [],
        `stored but never acked (${acked.size} acks, ${stored.length} stored)`,
      );
    } finally {
      await again.close();
    }
  });
});
