import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { needsShared, onCluster } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { OwnRedisCluster } from '../support/redis-cluster.js';
import { OwnRedis } from '../support/redis-server.js';
import { MessageStream, storedIds } from '../support/message-stream.js';
import { WsClient } from '../support/ws.js';

// Two instances on a test-owned Redis (or, in the cluster run, a test-owned 3-master cluster
// with sharded pub/sub); every pub/sub connection is cut again and again while B's client
// talks. A's client must still get every message exactly once.
describe(`pub/sub disconnects (${onCluster ? 'Redis Cluster' : 'one Redis'})`, { skip: needsShared }, () => {
  let storage: Storage;
  let redis: OwnRedis | OwnRedisCluster;
  let a: RunningApp;
  let b: RunningApp;
  before(async () => {
    storage = await createStorage();
    redis = onCluster ? await OwnRedisCluster.start() : await OwnRedis.start();
    a = await startApp(storage, { REDIS_URL: redis.url, SEND_RATE_PER_10S: '10000' });
    b = await startApp(storage, { REDIS_URL: redis.url, SEND_RATE_PER_10S: '10000' });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await storage?.cleanup();
  });

  test('after each resubscribe the instance brings its sockets up to date by id: no gaps, no duplicates', async () => {
    const webA = new WebClient(a.url);
    await webA.login(ADMIN.username, ADMIN.password);
    const room = await webA.createRoom('flaky bus');
    const webB = new WebClient(b.url);
    for (const [k, v] of webA.cookies) webB.cookies.set(k, v);
    const reader = await WsClient.connect(a.url, { cookie: webA.cookieHeader, origin: a.origin });
    const sender = await WsClient.connect(b.url, { cookie: webB.cookieHeader, origin: b.origin });
    for (const c of [reader, sender]) {
      await c.join(room);
    }
    const nodes = redis instanceof OwnRedisCluster ? redis.ports.map((p) => new Redis(p, '127.0.0.1')) : [new Redis(redis.url)];
    const total = 300;
    const burst = 25;
    for (let i = 0; i < total; i += burst) {
      // Every other burst, cut every pub/sub connection (A's and B's) while it is in flight:
      // a cluster resubscribes within milliseconds, so only messages sent meanwhile are missed.
      const cut = (i / burst) % 2 === 1 ? Promise.all(nodes.map((n) => n.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))) : undefined;
      for (let j = i; j < i + burst; j++) sender.send({ type: 'send', room, clientId: `m${j}`, body: `message ${j}` });
      for (let j = i; j < i + burst; j++) await sender.next('ack');
      await cut;
    }
    for (const n of nodes) await n.quit();
    const ids = new Set<number>();
    for (let n = 0; n < total; n++) {
      const m = await reader.next('message', undefined, 10_000);
      assert.ok(!ids.has(m.id), `duplicate ${m.id}`);
      ids.add(m.id);
    }
    assert.equal(ids.size, total);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(reader.frames.filter((f) => f.type === 'message').length, 0, 'nothing more, nothing twice');
    reader.close();
    sender.close();
  });

  test('a client that reconnects at random moments with since = the highest id it has seen misses nothing', async () => {
    const webA = new WebClient(a.url);
    await webA.login(ADMIN.username, ADMIN.password);
    const room = await webA.createRoom('reconnecting reader');
    const webB = new WebClient(b.url);
    for (const [k, v] of webA.cookies) webB.cookies.set(k, v);
    const senders = [await WsClient.connect(b.url, { cookie: webB.cookieHeader, origin: b.origin }), await WsClient.connect(a.url, { cookie: webA.cookieHeader, origin: a.origin })];
    for (const s of senders) await s.join(room);
    const open = async (since?: number) => MessageStream.open(await WsClient.connect(a.url, { cookie: webA.cookieHeader, origin: a.origin }), room, since);
    const streams = [await open()];
    const nodes = redis instanceof OwnRedisCluster ? redis.ports.map((p) => new Redis(p, '127.0.0.1')) : [new Redis(redis.url)];
    const total = 400;
    const burst = 20;
    let reconnects = 0;
    for (let i = 0; i < total; i += burst) {
      const cut = (i / burst) % 2 === 1 ? Promise.all(nodes.map((n) => n.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))) : undefined;
      for (let j = i; j < i + burst; j++) {
        senders[j % 2]!.send({ type: 'send', room, clientId: `r${j}`, body: `message ${j}` });
        // Now and then the reader drops its socket and comes back with the highest id it saw.
        if (Math.random() < 0.04) {
          const current = streams.at(-1)!;
          current.client.close();
          reconnects++;
          streams.push(await open(current.highest));
        }
      }
      for (let j = i; j < i + burst; j++) await senders[j % 2]!.next('ack', undefined, 10_000);
      await cut;
      await new Promise((r) => setTimeout(r, Math.random() * 30));
    }
    for (const n of nodes) await n.quit();
    const stored = await storedIds(webA, room);
    assert.equal(stored.length, total);
    await streams.at(-1)!.until(stored.at(-1)!);
    const seen = new Set(streams.flatMap((s) => s.ids));
    assert.deepEqual(stored.filter((id) => !seen.has(id)), [], `no gap across ${reconnects} reconnects`);
    for (const s of streams) s.assertInOrderOnce();
    for (const c of [...senders, ...streams.map((s) => s.client)]) c.close();
  });
});
