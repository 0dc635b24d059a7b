import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { OwnRedis } from '../support/redis-server.js';
import { WsClient } from '../support/ws.js';

// Two instances on a test-owned Redis; instance A's pub/sub connection is cut again and again
// while B's client talks. A's client must still get every message exactly once.
describe('pub/sub disconnects on one instance', { skip: backend !== 'mysql-redis' && 'needs the mysql-redis backend' }, () => {
  let storage: Storage;
  let redis: OwnRedis;
  let a: RunningApp;
  let b: RunningApp;
  before(async () => {
    storage = await createStorage();
    redis = await OwnRedis.start();
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
      c.send({ type: 'join', room });
      await c.next('joined');
    }
    const admin = new Redis(redis.url);
    const total = 300;
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'send', room, clientId: `m${i}`, body: `message ${i}` });
      await sender.next('ack');
      // Cut every pub/sub connection (A's and B's) now and then, mid-stream.
      if (i % 50 === 25) await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    }
    await admin.quit();
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
});
