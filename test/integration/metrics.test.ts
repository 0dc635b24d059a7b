import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe(`metrics (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { METRICS_TOKEN: TOKEN });
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const scrape = async () => {
    const res = await fetch(`${hihi.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return res.text();
  };
  const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? NaN);

  test('GET /metrics needs the token', async () => {
    assert.equal((await fetch(`${hihi.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${hihi.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(`${hihi.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.match(ok.headers.get('content-type')!, /text\/plain/);
  });

  test('a token of the right length but wrong, or one character off, is refused like any other', async () => {
    for (const given of [`Bearer ${'x'.repeat(TOKEN.length)}`, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, TOKEN, `bearer ${TOKEN}`]) {
      assert.equal((await fetch(`${hihi.url}/metrics`, { headers: { authorization: given } })).status, 401, given);
    }
  });

  test('/readyz tells anyone its status, and only the token holder its checks and backend', async () => {
    const open = await fetch(`${hihi.url}/readyz`);
    assert.equal(open.status, 200);
    assert.deepEqual(await open.json(), { status: 'ready' });
    const wrong = await fetch(`${hihi.url}/readyz`, { headers: { authorization: 'Bearer wrong' } });
    assert.deepEqual(await wrong.json(), { status: 'ready' });
    const full = await fetch(`${hihi.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await full.json()) as { checks: { database: boolean; live: boolean }; liveState: string };
    assert.deepEqual(body.checks, { database: true, live: true });
    assert.equal(body.liveState, backend === 'embedded' ? 'embedded' : 'redis');
  });

  test('sockets, messages, deliveries, fan-out latency, send errors and moderation are counted', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const room = await web.createRoom('metered');
    const a = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const b = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    for (const c of [a, b]) {
      await c.join(room);
    }
    for (let i = 0; i < 3; i++) {
      a.send({ type: 'send', room, clientId: `m${i}`, body: `hi ${i}` });
      await b.next('message');
    }
    a.send({ type: 'send', room, clientId: 'long', body: 'x'.repeat(2001) });
    await a.next('error');
    await hihi.createUser('noisy', 'noisy-password-1');
    await web.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'mute', username: 'noisy' });

    const text = await scrape();
    assert.equal(value(text, 'hihi_sockets_open'), 2);
    assert.equal(value(text, 'hihi_rooms_listened'), 1);
    assert.equal(value(text, 'hihi_messages_accepted_total'), 3);
    assert.ok(value(text, 'hihi_deliveries_total') >= 6, 'each message to both sockets');
    assert.equal(value(text, 'hihi_fanout_seconds_count'), 3);
    assert.equal(value(text, 'hihi_send_errors_total{code="too_long"}'), 1);
    assert.equal(value(text, 'hihi_moderation_actions_total{action="mute"}'), 1);
    assert.ok(value(text, 'hihi_process_nodejs_eventloop_lag_seconds') >= 0, 'event loop lag');
    a.close();
    b.close();
  });

  test('without METRICS_TOKEN there is no /metrics at all', async () => {
    const plain = await startApp(storage);
    try {
      assert.equal((await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
    } finally {
      await plain.close();
    }
  });
});
