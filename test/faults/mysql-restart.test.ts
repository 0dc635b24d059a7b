import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { OwnMariaDb } from '../support/mariadb-server.js';

// MariaDB (a server of the test's own) dies and comes back while hihi keeps running.
describe('MariaDB restarting under a running app', { skip: backend !== 'mysql-redis' && 'runs in the mysql-redis run (a server of its own)' }, () => {
  let storage: Storage;
  let db: OwnMariaDb;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    db = await OwnMariaDb.start();
    hihi = await startApp(storage, { DATABASE_URL: db.url });
    await hihi.createUser('mo', 'mo-password-1');
  });
  after(async () => {
    await hihi?.close();
    await db?.stop();
    await storage?.cleanup();
  });

  test('a generic 503 page while it is down, authorization fails closed, and the pool recovers by itself', async () => {
    const admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('db restart');
    const page = await (await admin.get(`/rooms/${room}`)).text();
    const csrf = extractCsrf(page);

    await db.down();
    const res = await admin.get('/rooms');
    assert.equal(res.status, 503);
    const html = await res.text();
    assert.match(html, /temporarily unavailable/i);
    assert.doesNotMatch(html, /ECONNREFUSED|mysql|stack/i, 'no internals leak');
    // An action that needs an authorization check is refused, not let through.
    const act = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: csrf, action: 'ban', username: 'mo' });
    assert.equal(act.status, 503);
    assert.equal((await fetch(`${hihi.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${hihi.url}/healthz`)).status, 200, 'the process itself is alive');

    await db.up();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await admin.get('/rooms')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, 'serves again without a restart');
    assert.equal((await fetch(`${hihi.url}/readyz`)).status, 200);
    // The ban refused during the outage really did nothing.
    const mo = new WebClient(hihi.url);
    await mo.login('mo', 'mo-password-1');
    assert.equal((await mo.get(`/rooms/${room}`)).status, 200);
  });
});
