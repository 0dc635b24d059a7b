/// <reference lib="dom" />
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ADMIN, createStorage, type Storage } from '../support/app.js';
import { needsShared } from '../support/backends.js';
import { createRoomFromList, launchBrowser, signIn } from '../support/browser.js';
import { WebClient } from '../support/http.js';
import { startNginx, type RunningNginx } from '../support/nginx.js';
import { replicaEnv, startServerProcess, type ServerProcess } from '../support/process.js';
import { WsClient } from '../support/ws.js';

// docker/nginx/hihi.conf in a real nginx, in front of two hihi processes on MariaDB + Redis.
describe('nginx in front of two replicas', { skip: needsShared }, () => {
  let storage: Storage;
  let replicas: ServerProcess[];
  let nginx: RunningNginx;
  before(async () => {
    storage = await createStorage();
    const env = replicaEnv(storage, { TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'warn' });
    replicas = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    nginx = await startNginx(replicas.map((r) => r.url.replace('http://', '')) as [string, string]);
  });
  after(async () => {
    await nginx?.stop();
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await storage?.cleanup();
  });

  /** Opens a websocket through nginx and reports which replica it landed on. */
  async function socketVia(web: WebClient): Promise<{ client: WsClient; upstream: string }> {
    const ws = new WebSocket(`${nginx.url.replace('http', 'ws')}/ws`, { headers: { cookie: web.cookieHeader, origin: nginx.url } });
    let upstream = '';
    ws.once('upgrade', (res) => (upstream = String(res.headers['x-test-upstream'])));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return { client: new WsClient(ws), upstream };
  }

  test('pages, forms and static files pass through; static files come from nginx, cached and gzipped', async () => {
    const web = new WebClient(nginx.url);
    const login = await web.get('/login');
    assert.equal(login.status, 200);
    assert.match(login.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal((await web.login(ADMIN.username, ADMIN.password)).status, 303);
    assert.equal((await web.get('/rooms')).status, 200);
    const css = await fetch(`${nginx.url}/static/css/app.css`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('x-test-upstream'), null, 'served by nginx itself');
    assert.match(css.headers.get('cache-control') ?? '', /max-age=604800/);
    assert.equal(css.headers.get('content-encoding'), 'gzip');
    // Over client_max_body_size: refused by the proxy from the Content-Length alone.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${nginx.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': 100 * 1024 } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('x'.repeat(1024));
    });
    assert.equal(status, 413, 'request size limited at the proxy');
  });

  test('websockets upgrade through nginx; a message crosses from a client on one replica to a client on the other', async () => {
    const web = new WebClient(nginx.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom('through nginx');
    const byReplica = new Map<string, WsClient>();
    for (let i = 0; i < 10 && byReplica.size < 2; i++) {
      const { client, upstream } = await socketVia(web);
      if (byReplica.has(upstream)) client.close();
      else byReplica.set(upstream, client);
    }
    assert.equal(byReplica.size, 2, `sockets landed on both replicas: ${[...byReplica.keys()]}`);
    const [one, two] = [...byReplica.values()] as [WsClient, WsClient];
    for (const c of [one, two]) {
      await c.join(room);
    }
    one.send({ type: 'send', room, clientId: 'via-nginx', body: 'hello across replicas' });
    assert.equal((await two.next('message')).body, 'hello across replicas');
    for (const c of [one, two]) c.close();
  });

  test('a browser signs in, chats and sees the other person live, all through nginx', async () => {
    const browser = await launchBrowser();
    try {
      const alice = await signIn(await browser.newContext(), nginx.url, ADMIN.username, ADMIN.password);
      await createRoomFromList(alice, 'browser via nginx');
      const bob = await signIn(await browser.newContext(), nginx.url, ADMIN.username, ADMIN.password);
      await bob.goto(alice.url());
      await Promise.all([alice, bob].map((p) => p.waitForSelector('#conn[data-state="online"]')));
      await alice.fill('#body', 'hello through the proxy');
      await alice.press('#body', 'Enter');
      await bob.waitForSelector('#messages li.msg:has-text("hello through the proxy")');
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    } finally {
      await browser.close();
    }
  });
});
