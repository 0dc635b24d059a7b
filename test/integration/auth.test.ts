import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`auth and sessions (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('bob', 'bob-password-1');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('pages need a session: / and /rooms send a browser to the login page', async () => {
    const web = new WebClient(hihi.url);
    assert.equal((await web.get('/')).headers.get('location'), '/login');
    const rooms = await web.get('/rooms');
    assert.equal(rooms.status, 303);
    assert.match(rooms.headers.get('location')!, /^\/login\?next=%2Frooms/);
    const api = await web.json('/rooms/1/messages');
    assert.equal(api.status, 401);
  });

  test('the login form carries a CSRF token, and a post without it is refused', async () => {
    const web = new WebClient(hihi.url);
    const page = await (await web.get('/login')).text();
    assert.match(page, /<input type="hidden" name="_csrf" value="[^"]+">/);
    const res = await web.request('POST', '/login', { username: ADMIN.username, password: ADMIN.password });
    assert.equal(res.status, 403);
    const forged = await web.request('POST', '/login', { username: ADMIN.username, password: ADMIN.password, _csrf: 'forged' });
    assert.equal(forged.status, 403);
  });

  test('wrong password and unknown user get the same generic answer', async () => {
    const a = new WebClient(hihi.url);
    const wrong = await a.login(ADMIN.username, 'not-the-password');
    const b = new WebClient(hihi.url);
    const unknown = await b.login('nobody-here', 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const [t1, t2] = [await wrong.text(), await unknown.text()];
    assert.match(t1, /Wrong username or password\./);
    assert.match(t2, /Wrong username or password\./);
  });

  test('sign-in rotates the session id and lands on /rooms; usernames match case-insensitively', async () => {
    const web = new WebClient(hihi.url);
    await web.get('/login');
    const before = web.cookies.get('hihi.sid');
    assert.ok(before, 'an anonymous session holds the CSRF secret');
    const res = await web.login('BOB', 'bob-password-1');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/rooms');
    const afterLogin = web.cookies.get('hihi.sid');
    assert.ok(afterLogin);
    assert.notEqual(afterLogin, before);
    const setCookie = res.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    const rooms = await web.get('/rooms');
    assert.equal(rooms.status, 200);
    assert.match(await rooms.text(), /Signed in as bob/);
  });

  test('a hash made with older parameters is upgraded at sign-in', async () => {
    const argon2 = (await import('argon2')).default;
    const old = await argon2.hash('legacy-password-1', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const user = await hihi.createUser('legacy', 'placeholder-pass');
    await hihi.app.deps.users.setPasswordHash(user.id, old);
    assert.equal((await new WebClient(hihi.url).login('legacy', 'legacy-password-1')).status, 303);
    const creds = await hihi.app.deps.users.findCredentials('legacy');
    assert.match(creds!.passwordHash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.equal((await new WebClient(hihi.url).login('legacy', 'legacy-password-1')).status, 303, 'still signs in');
  });

  test('the old anonymous session id is worthless after sign-in (no fixation)', async () => {
    const web = new WebClient(hihi.url);
    await web.get('/login');
    const anonymous = web.cookies.get('hihi.sid')!;
    await web.login('bob', 'bob-password-1');
    const attacker = new WebClient(hihi.url);
    attacker.cookies.set('hihi.sid', anonymous);
    assert.equal((await attacker.get('/rooms')).status, 303);
  });

  test('next= returns to the page asked for, but never off-site', async () => {
    const web = new WebClient(hihi.url);
    const page = await (await web.get('/login?next=%2F%2Fevil.example')).text();
    assert.match(page, /name="next" value="\/rooms"/);
    const res = await web.submit('/login', '/login', { username: 'bob', password: 'bob-password-1', next: '/rooms?x=1' });
    assert.equal(res.headers.get('location'), '/rooms?x=1');
  });

  test('sign-out destroys the session on the server and closes its sockets with 4001', async () => {
    const web = new WebClient(hihi.url);
    await web.login('bob', 'bob-password-1');
    const stolen = web.cookieHeader;
    const ws = await WsClient.connect(hihi.url, { cookie: stolen, origin: hihi.origin });
    const res = await web.submit('/rooms', '/logout', {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login');
    assert.equal((await ws.waitClosed()).code, 4001);
    const replay = new WebClient(hihi.url);
    replay.cookies.set('hihi.sid', stolen.split('=').slice(1).join('='));
    assert.equal((await replay.get('/rooms')).status, 303, 'the old cookie no longer signs in');
  });

  test('sign-in attempts are rate limited per address with 429 and Retry-After', async () => {
    // Behind a trusted proxy, so each client can be a different address.
    const limited = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '3', TRUST_PROXY: 'true' });
    try {
      const web = new WebClient(limited.url, { 'x-forwarded-for': '203.0.113.1' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await web.login('bob', 'wrong-password')).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      const last = await web.login('bob', 'bob-password-1');
      assert.equal(last.status, 429);
      assert.ok(Number(last.headers.get('retry-after')) > 0);
      // The page says why, in the reader's language.
      const zh = await new WebClient(limited.url, { 'x-forwarded-for': '203.0.113.1', 'accept-language': 'zh-CN' }).login('bob', 'bob-password-1');
      assert.equal(zh.status, 429);
      assert.match(await zh.text(), /登录尝试次数过多/);
      const elsewhere = new WebClient(limited.url, { 'x-forwarded-for': '203.0.113.2' });
      assert.equal((await elsewhere.login('bob', 'bob-password-1')).status, 303, 'other addresses are not affected');
    } finally {
      await limited.close();
    }
  });

  test('five failures for one account pause that address for that account only: the owner is not locked out', async () => {
    const guarded = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000', TRUST_PROXY: 'true' });
    try {
      const attacker = new WebClient(guarded.url, { 'x-forwarded-for': '198.51.100.66' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attacker.login('bob', `guess-${i}`)).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      assert.equal((await attacker.login('bob', 'bob-password-1')).status, 429, 'even the right password, from that address');
      assert.equal((await attacker.login(ADMIN.username, 'wrong')).status, 401, 'other accounts from that address still answer');
      const owner = new WebClient(guarded.url, { 'x-forwarded-for': '192.0.2.10' });
      assert.equal((await owner.login('bob', 'bob-password-1')).status, 303, 'the owner signs in from their own address');
    } finally {
      await guarded.close();
    }
  });

  test('security headers: strict CSP with no inline script, nosniff, frame-ancestors none', async () => {
    const res = await new WebClient(hihi.url).get('/login');
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.doesNotMatch(await res.text(), /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  });

  test('every response carries its own request id, error pages included', async () => {
    const web = new WebClient(hihi.url);
    const responses = [
      await web.get('/login'),
      await web.get('/login'),
      await web.get('/no-such-page'),
      await web.request('POST', '/login', { username: 'x', password: 'y' }),
    ];
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 404, 403]);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('a 404 page keeps a signed-in reader\'s navigation, and a missing static file is a 404 too', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const res = await web.get('/no-such-page');
    assert.equal(res.status, 404);
    const page = await res.text();
    assert.match(page, /<form method="post" action="\/logout">/, 'signed-in navigation');
    assert.match(page, /<h1>Page not found<\/h1>/);
    assert.equal((await web.get('/static/css/no-such.css')).status, 404);
    const anonymous = await new WebClient(hihi.url).get('/static/css/no-such.css');
    assert.equal(anonymous.status, 404);
    assert.equal(anonymous.headers.get('set-cookie'), null, 'no session for an anonymous 404');
  });

  test('health and readiness', async () => {
    const h = await fetch(`${hihi.url}/healthz`);
    assert.equal(h.status, 200);
    const r = await fetch(`${hihi.url}/readyz`);
    assert.equal(r.status, 200);
    // Without METRICS_TOKEN configured nobody gets the details (metrics.test.ts: with it).
    assert.deepEqual(await r.json(), { status: 'ready' });
  });

  test('pages follow Accept-Language and a chosen language sticks', async () => {
    const web = new WebClient(hihi.url);
    const zh = await (await web.get('/login', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' })).text();
    assert.match(zh, /<html lang="zh-CN">/);
    assert.match(zh, /登录/);
    const res = await web.submit('/login', '/language', { lang: 'zh-CN', next: '/login' });
    assert.equal(res.status, 303);
    const page = await (await web.get('/login', { 'accept-language': 'en' })).text();
    assert.match(page, /用户名/);
  });
});
