import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

describe(`sessions and sockets, hardened (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(
      storage,
      { SESSION_IDLE_MINUTES: '30', SESSION_TTL_HOURS: '2', WS_MAX_PER_USER: '3', WS_HEARTBEAT_SECONDS: '0.3', SEND_RATE_PER_10S: '2', LOGIN_RATE_PER_MINUTE: '1000' },
      { now: () => clock.t },
    );
    await hihi.createUser('hana', 'hana-password-1');
    await hihi.createUser('kai', 'kai-password-1');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });
  const signedIn = async (u = 'hana', p = 'hana-password-1') => {
    const web = new WebClient(hihi.url);
    assert.equal((await web.login(u, p)).status, 303);
    return web;
  };

  /** Runs a test that moves the clock, and puts it back to real time even if the test fails (cookies' own expiry follows the real clock). */
  const movingClock = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } finally {
      clock.t = Date.now();
    }
  };

  test('a session unused for the idle timeout ends; use keeps it alive until the absolute limit', movingClock(async () => {
    const idle = await signedIn();
    const busy = await signedIn();
    for (let i = 0; i < 5; i++) {
      clock.t += 20 * 60_000;
      assert.equal((await busy.get('/rooms')).status, 200, `busy after ${(i + 1) * 20} min`);
    }
    assert.equal((await idle.get('/rooms')).status, 303, 'idle for 100 minutes: signed out');
    clock.t += 25 * 60_000; // 125 minutes since sign-in: past the 2-hour absolute limit
    assert.equal((await busy.get('/rooms')).status, 303, 'absolute limit reached despite activity');
  }));

  test('a session is stored without its cookie, which is rebuilt from the configured options', movingClock(async () => {
    const web = await signedIn();
    const stored = async () => JSON.parse((await hihi.app.deps.live.sessions.get(web.sessionId))!.data) as Record<string, unknown>;
    const hana = (await hihi.app.deps.users.findByUsername('hana'))!;
    assert.equal((await stored()).userId, hana.id);
    assert.equal('cookie' in (await stored()), false);
    // Past the once-a-minute idle stamp the session is saved again, and its cookie sent again.
    clock.t += 2 * 60_000;
    const res = await web.get('/rooms');
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^hihi\.sid=/);
    for (const attribute of [/; Path=\//, /; HttpOnly/, /; SameSite=Lax/]) assert.match(setCookie, attribute);
    // No "remember me": a browser-session cookie (session-cookie.test.ts has the remembered kind).
    assert.doesNotMatch(setCookie, /; Expires=|; Max-Age=/);
    assert.equal('cookie' in (await stored()), false);
    assert.equal((await web.get('/rooms')).status, 200, 'restored from data alone');
  }));

  test('an open socket whose session ended elsewhere is closed (4001) by the periodic re-check', async () => {
    const web = await signedIn();
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    // Gone from the store without any control message (expired, or removed by an operator).
    await hihi.app.deps.live.sessions.destroy(web.sessionId);
    assert.equal((await ws.waitClosed(3000)).code, 4001);
  });

  test('an open socket ends (4001) at the session’s absolute lifetime, however busy it is', movingClock(async () => {
    const admin = await signedIn(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('lifetime');
    // Signed in 110 minutes ago and used every 20 minutes since: each save of the session
    // used to push the store's own expiry further out.
    clock.t = Date.now() - 110 * 60_000;
    const web = await signedIn('kai', 'kai-password-1');
    for (let i = 0; i < 5; i++) {
      clock.t += 20 * 60_000;
      assert.equal((await web.get('/rooms')).status, 200);
    }
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    ws.send({ type: 'send', room, clientId: 'l1', body: 'still here' });
    await ws.next('ack');
    clock.t += 21 * 60_000; // 121 minutes since sign-in: past the 2-hour absolute limit
    assert.equal((await ws.waitClosed(3000)).code, 4001);
    assert.equal((await web.get('/rooms')).status, 303, 'and the pages sign in again');
  }));

  test('an open socket counts as use: its session outlives the idle timeout while the tab is open, not after', movingClock(async () => {
    const web = await signedIn('kai', 'kai-password-1');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const seenAt = async () => (JSON.parse((await hihi.app.deps.live.sessions.get(web.sessionId))?.data ?? '{}') as { seenAt?: number }).seenAt;
    for (let i = 0; i < 3; i++) {
      clock.t += 20 * 60_000; // no page view for an hour: twice the 30-minute idle timeout
      const t = clock.t;
      await eventually(async () => (await seenAt()) === t, 3000, 'the heartbeat to record the socket’s use');
    }
    assert.equal(ws.closed, undefined);
    assert.equal((await web.get('/rooms')).status, 200, 'the open tab kept the session alive');
    ws.close();
    await ws.waitClosed();
    clock.t += 31 * 60_000;
    assert.equal((await web.get('/rooms')).status, 303, 'idle for 31 minutes once the tab closed');
  }));

  test('a restriction whose broadcast never arrived still blocks: every send reads the live state', async () => {
    const admin = await signedIn(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('silent mute');
    const web = await signedIn();
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    const hana = (await hihi.app.deps.users.findByUsername('hana'))!;
    // Written straight into the live state, as another instance would, with no control message.
    await hihi.app.deps.live.moderation.set({ room, userId: hana.id, kind: 'mute', until: null });
    ws.send({ type: 'send', room, clientId: 'q1', body: 'hello?' });
    assert.equal((await ws.next('error')).code, 'muted');
    await hihi.app.deps.live.moderation.set({ room, userId: hana.id, kind: 'bar', until: null });
    ws.send({ type: 'send', room, clientId: 'q2', body: 'hello?' });
    assert.equal((await ws.next('error')).code, 'banned');
    ws.close();
  });

  test('a ban whose broadcast never arrived still takes the socket out of the room at the next heartbeat', async () => {
    const admin = await signedIn(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('silent ban');
    const adminWs = await WsClient.connect(hihi.url, { cookie: admin.cookieHeader, origin: hihi.origin });
    await adminWs.join(room);
    const web = await signedIn('kai', 'kai-password-1');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    const kai = (await hihi.app.deps.users.findByUsername('kai'))!;
    // Written straight into the live state, as another instance would, with no control message.
    await hihi.app.deps.live.moderation.set({ room, userId: kai.id, kind: 'bar', until: null });
    const notice = await ws.next('error', (f) => f.code === 'banned', 3000);
    assert.equal(notice.room, room);
    adminWs.send({ type: 'send', room, clientId: 'after-ban', body: 'not for kai' });
    await adminWs.next('message', (f) => f.clientId === 'after-ban');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ws.frames.some((f) => f.type === 'message' && f.clientId === 'after-ban'), false, 'the banned socket no longer reads the room');
    ws.close();
    adminWs.close();
  });

  test('one user may hold only so many sockets on an instance', async () => {
    const web = await signedIn();
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin }));
    await assert.rejects(WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin }), { status: 429 });
    open[0]!.close();
    await open[0]!.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const again = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    for (const c of [...open.slice(1), again]) c.close();
  });

  test('a client that keeps sending through rate limits is closed with 1008', async () => {
    const admin = await signedIn(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('flood');
    // A user of its own: the send budget is per user, and hana spent some of it above.
    await hihi.createUser('flo', 'flo-password-1');
    const web = await signedIn('flo', 'flo-password-1');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    for (let i = 0; i < 40; i++) ws.send({ type: 'send', room, clientId: `f${i}`, body: 'spam' });
    assert.equal((await ws.waitClosed(5000)).code, 1008);
    const { body } = await admin.json<{ messages: unknown[] }>(`/rooms/${room}/messages`);
    assert.equal(body.messages.length, 2, 'only what the bucket allowed was stored');
  });

  test('changing one’s password needs the current one, refuses common ones, and can sign out everywhere else', async () => {
    await hihi.createUser('ivan', 'ivan-password-1');
    const here = await signedIn('ivan', 'ivan-password-1');
    const there = await signedIn('ivan', 'ivan-password-1');
    const thereWs = await WsClient.connect(hihi.url, { cookie: there.cookieHeader, origin: hihi.origin });
    const change = (fields: Record<string, string>) => here.submit('/account', '/account/password', fields);
    assert.equal((await change({ current: 'wrong', password: 'brand-new-pass-1' })).status, 400);
    assert.equal((await change({ current: 'ivan-password-1', password: 'password123' })).status, 400, 'common');
    assert.equal((await change({ current: 'ivan-password-1', password: 'ivan1234' })).status, 400, 'the username');
    assert.equal((await change({ current: 'ivan-password-1', password: 'short' })).status, 400);
    const long = 'a long passphrase that keeps going and going, seventy characters or so!';
    const ok = await change({ current: 'ivan-password-1', password: long, end_others: '1' });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Your password was changed/);
    assert.equal((await thereWs.waitClosed()).code, 4001);
    assert.equal((await there.get('/rooms')).status, 303, 'the other device is signed out');
    assert.equal((await here.get('/rooms')).status, 200, 'this one stays signed in');
    assert.equal((await new WebClient(hihi.url).login('ivan', long)).status, 303, 'passwords are used exactly as typed');
  });
});

describe(`a session timed out on a page view (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    // A heartbeat too slow to matter here: only the page view's own close can end the socket.
    hihi = await startApp(storage, { SESSION_IDLE_MINUTES: '30', WS_HEARTBEAT_SECONDS: '600' }, { now: () => clock.t });
    await hihi.createUser('hana', 'hana-password-1');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('closes that session’s sockets (4001) at once, on every instance', async () => {
    try {
      const web = new WebClient(hihi.url);
      assert.equal((await web.login('hana', 'hana-password-1')).status, 303);
      const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
      clock.t += 31 * 60_000;
      assert.equal((await web.get('/rooms')).status, 303);
      assert.equal((await ws.waitClosed(3000)).code, 4001);
    } finally {
      clock.t = Date.now();
    }
  });
});

describe(`behind https (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { PUBLIC_URL: 'https://chat.example.org', TRUST_PROXY: 'true' });
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('the session cookie is __Host- prefixed and Secure; HSTS is on; websockets must come from PUBLIC_URL', async () => {
    const web = new WebClient(hihi.url, { 'x-forwarded-proto': 'https' });
    const res = await web.get('/login');
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    const login = await web.login(ADMIN.username, ADMIN.password);
    const cookie = login.headers.get('set-cookie')!;
    assert.match(cookie, /^__Host-hihi\.sid=/);
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /; Path=\//i);
    assert.doesNotMatch(cookie, /Domain=/i);
    const headers = { cookie: web.cookieHeader };
    await assert.rejects(WsClient.connect(hihi.url, { ...headers, origin: hihi.url }), { status: 403 });
    const ws = await WsClient.connect(hihi.url, { ...headers, origin: 'https://chat.example.org' });
    ws.close();
  });
});
