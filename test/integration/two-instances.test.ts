import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { WsClient } from '../support/ws.js';

// Two app processes on one MariaDB + Redis serve one room together. The embedded default is a
// single process by design, so this runs on the mysql-redis backend only.
describe('two instances on one MySQL + Redis', { skip: backend !== 'mysql-redis' && 'needs the mysql-redis backend' }, () => {
  let storage: Storage;
  let one: ServerProcess;
  let two: ServerProcess;
  before(async () => {
    storage = await createStorage();
    const env = { ...storage.env, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, SESSION_SECRET: 'x'.repeat(40) };
    // Started together: migrations and the first admin must cope with the race.
    [one, two] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await storage?.cleanup();
  });

  test('a message sent through one instance reaches a client of the other, both ways', async () => {
    const web1 = new WebClient(one.url);
    assert.equal((await web1.login(ADMIN.username, ADMIN.password)).status, 303);
    const created = await web1.submit('/rooms', '/rooms', { name: 'Across instances' });
    const room = Number(created.headers.get('location')!.split('/').pop());

    // The same session works on the other instance: sessions live in Redis.
    const web2 = new WebClient(two.url);
    for (const [k, v] of web1.cookies) web2.cookies.set(k, v);
    assert.equal((await web2.get('/rooms')).status, 200);

    const a = await WsClient.connect(one.url, { cookie: web1.cookieHeader, origin: one.url });
    const b = await WsClient.connect(two.url, { cookie: web2.cookieHeader, origin: two.url });
    a.send({ type: 'join', room });
    b.send({ type: 'join', room });
    await a.next('joined');
    await b.next('joined');

    a.send({ type: 'send', room, clientId: 'from-one', body: 'hello from instance one' });
    assert.equal((await b.next('message')).body, 'hello from instance one');
    b.send({ type: 'send', room, clientId: 'from-two', body: '来自二号实例' });
    const m = await a.next('message', (f) => f.clientId === 'from-two');
    assert.equal(m.body, '来自二号实例');
    assert.equal(m.id, 2);

    // Signing out on one instance closes the sockets on both.
    await web1.submit('/rooms', '/logout', {});
    assert.equal((await a.waitClosed()).code, 4001);
    assert.equal((await b.waitClosed()).code, 4001);
  });

  test('SIGTERM closes sockets with 1001 and the process exits cleanly', async () => {
    const web = new WebClient(two.url);
    await web.login(ADMIN.username, ADMIN.password);
    const c = await WsClient.connect(two.url, { cookie: web.cookieHeader, origin: two.url });
    const code = await two.stop('SIGTERM');
    assert.equal((await c.waitClosed()).code, 1001);
    assert.equal(code, 0, two.output());
  });
});
