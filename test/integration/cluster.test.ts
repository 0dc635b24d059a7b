import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/live/redis/keys.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { onCluster, redisUrl } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { masterOf } from '../support/redis-cluster.js';
import { WsClient } from '../support/ws.js';

// Two instances on the 3-master cluster the test run started: rooms land on different masters,
// each room's keys stay together on its master, and every room works across instances.
describe('two instances on a Redis Cluster', { skip: !onCluster && 'runs in the cluster run' }, () => {
  let storage: Storage;
  let one: RunningApp;
  let two: RunningApp;
  before(async () => {
    storage = await createStorage();
    [one, two] = [await startApp(storage), await startApp(storage)];
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await storage?.cleanup();
  });

  test('rooms spread over every master; messages cross instances in each room', async () => {
    const keys = redisKeys(storage.env.REDIS_PREFIX!);
    const web1 = new WebClient(one.url);
    await web1.login(ADMIN.username, ADMIN.password);
    const web2 = new WebClient(two.url);
    for (const [k, v] of web1.cookies) web2.cookies.set(k, v);

    // Create rooms until the three masters each hold one (room ids hash by {r:ID}).
    const byMaster = new Map<number, number>();
    for (let i = 0; byMaster.size < 3; i++) {
      assert.ok(i < 30, 'thirty rooms never reached all three masters');
      const room = await web1.createRoom(`Shard room ${i}`);
      const port = await masterOf(redisUrl!, keys.messages(room));
      if (!byMaster.has(port)) byMaster.set(port, room);
    }

    const a = await WsClient.connect(one.url, { cookie: web1.cookieHeader, origin: one.origin });
    const b = await WsClient.connect(two.url, { cookie: web2.cookieHeader, origin: two.origin });
    for (const [port, room] of byMaster) {
      for (const c of [a, b]) {
        c.send({ type: 'join', room });
        await c.next('joined', (f) => f.room === room);
      }
      a.send({ type: 'send', room, clientId: `to-${room}`, body: `hello room ${room}` });
      assert.equal((await b.next('message', (f) => f.room === room)).body, `hello room ${room}`);
      b.send({ type: 'send', room, clientId: `back-${room}`, body: `back in ${room}` });
      assert.equal((await a.next('message', (f) => f.clientId === `back-${room}`)).id, 2);

      // The room's log, id counter and presence sit on that master, none of them elsewhere.
      const node = new Redis(port, '127.0.0.1');
      assert.equal(await node.zcard(keys.messages(room)), 2);
      assert.equal(await node.get(keys.seq(room)), '2');
      assert.ok((await node.zcard(keys.online(room))) >= 1);
      node.disconnect();
    }
    a.close();
    b.close();
  });

  test("ending a user's sessions reaches their sockets on both instances (sessions and control events span slots)", async () => {
    const sam = await one.createUser('sam', 'sam-password-1');
    const web1 = new WebClient(one.url);
    await web1.login('sam', 'sam-password-1');
    const web2 = new WebClient(two.url);
    await web2.login('sam', 'sam-password-1');
    const a = await WsClient.connect(one.url, { cookie: web1.cookieHeader, origin: one.origin });
    const b = await WsClient.connect(two.url, { cookie: web2.cookieHeader, origin: two.origin });
    const admin = new WebClient(two.url);
    await admin.login(ADMIN.username, ADMIN.password);
    await admin.submit('/admin/users', `/admin/users/${sam.id}`, { action: 'end_sessions' });
    assert.equal((await a.waitClosed()).code, 4001);
    assert.equal((await b.waitClosed()).code, 4001);
    assert.equal((await web1.get('/rooms')).status, 303, 'both sessions are gone');
    assert.equal((await web2.get('/rooms')).status, 303);
  });
});
