import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { OwnRedis } from '../support/redis-server.js';
import { WsClient } from '../support/ws.js';

// The app's Redis goes away mid-conversation: a Redis of the test's own, never the shared one.
describe('Redis outage during sends', { skip: backend !== 'mysql-redis' && 'runs in the mysql-redis run (a server of its own)' }, () => {
  let storage: Storage;
  let redis: OwnRedis;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    redis = await OwnRedis.start();
    hihi = await startApp(storage, { REDIS_URL: redis.url });
  });
  after(async () => {
    await hihi?.close();
    await redis?.stop();
    await storage?.cleanup();
  });

  test('a send while Redis is down gets `unavailable` within about 2 s and no ack; resent after recovery it is stored once and delivered', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom('outage');
    const sender = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const watcher = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    for (const c of [sender, watcher]) {
      await c.join(room);
    }
    sender.send({ type: 'send', room, clientId: 'before', body: 'before the outage' });
    await sender.next('ack');
    await watcher.next('message');

    await redis.down();
    const started = Date.now();
    sender.send({ type: 'send', room, clientId: 'during', body: 'sent during the outage' });
    const err = await sender.next('error', undefined, 5000);
    const took = Date.now() - started;
    assert.deepEqual([err.code, err.clientId], ['unavailable', 'during']);
    assert.ok(took < 2500, `answered in ${took} ms`);
    assert.equal(sender.frames.some((f) => f.type === 'ack'), false, 'no ack for what was not stored');
    assert.equal((await fetch(`${hihi.url}/readyz`)).status, 503, 'readiness reports it');

    await redis.up();
    // The client retries with the same clientId until it is acked (what the browser client does).
    let ack;
    for (let i = 0; i < 50 && !ack; i++) {
      sender.send({ type: 'send', room, clientId: 'during', body: 'sent during the outage' });
      const f = await Promise.race([sender.next('ack', undefined, 1000).catch(() => undefined), sender.next('error', undefined, 1000).catch(() => undefined)]);
      if (f?.type === 'ack') ack = f;
      else await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ack, 'acked after recovery');
    // Delivered live after the subscriber reconnected, and stored exactly once.
    const m = await watcher.next('message', (x) => x.clientId === 'during', 10_000);
    assert.equal(m.id, ack.id);
    sender.send({ type: 'send', room, clientId: 'during', body: 'sent during the outage' });
    assert.equal((await sender.next('ack')).id, ack.id);
    const { body } = await web.json<{ messages: Array<{ clientId: string }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(body.messages.map((x) => x.clientId), ['before', 'during']);
    assert.equal((await fetch(`${hihi.url}/readyz`)).status, 200);
    sender.close();
    watcher.close();
  });
});
