import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`admin system page (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('manager', 'manager-password-1', ['manage_users']);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('admins see online users, messages per minute with a chart, busiest rooms and recent errors; others get 403', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom('Busy <room>');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    for (let i = 0; i < 4; i++) {
      ws.send({ type: 'send', room, clientId: `s${i}`, body: `m${i}` });
      await ws.next('ack');
    }
    hihi.app.deps.activity.error('redis', 'connect ECONNREFUSED <script>');
    const page = await (await web.get('/admin/system')).text();
    assert.match(page, /id="online-users">1</);
    assert.match(page, /id="sockets">1</);
    assert.match(page, /id="last-hour">4</);
    // One bar (the current minute), axes in the page's language, the figures as a table.
    assert.match(page, /<svg class="chart"[^>]*role="img" aria-labelledby="chart-title" aria-describedby="chart-summary">\s*<line class="grid"[^>]*><\/line>\s*<rect [^>]+><\/rect>\s*<line class="axis"/);
    assert.match(page, /<span>60 min ago<\/span><span>30 min ago<\/span><span>now<\/span>/);
    assert.match(page, /4 messages in the last hour\.\s*Busiest minute: 4 messages/);
    assert.match(page, /<td>now<\/td><td>4<\/td>/);
    assert.match(page, /<bdi>Busy &lt;room&gt;<\/bdi><\/a><\/td><td>4</);
    assert.match(page, /connect ECONNREFUSED &lt;script&gt;/);
    ws.close();

    const manager = new WebClient(hihi.url);
    await manager.login('manager', 'manager-password-1');
    assert.equal((await manager.get('/admin/system')).status, 403);
  });
});
