import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { sessionCookieName } from '../../src/plugins/session.js';

/** The session cookie's lifetime, sign-out, and what browsers may cache (issue #20, items 15, 17, 22). */
describe(`session cookie and caching (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  let room: number;
  const TTL_HOURS = 5;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SESSION_TTL_HOURS: String(TTL_HOURS), LOGIN_RATE_PER_MINUTE: '1000' }, { now: () => clock.t });
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith(`${sessionCookieName(false)}=`));

  test('a session nobody signed in to (a sign-in form\'s CSRF secret) is kept for hours, not the signed-in lifetime', async () => {
    const web = new WebClient(hihi.url);
    assert.equal((await web.get('/login')).status, 200);
    const record = await hihi.app.deps.live.sessions.get(web.sessionId);
    assert.ok(record, 'the sign-in form stored a session');
    assert.equal(record.userId, null);
    assert.ok(record.expiresAt <= clock.t + 2 * 3600_000, `kept until ${record.expiresAt - clock.t} ms from now`);
    // Signing in from it gets the full lifetime.
    await web.login(ADMIN.username, ADMIN.password);
    const signedIn = await hihi.app.deps.live.sessions.get(web.sessionId);
    assert.ok(signedIn && signedIn.expiresAt > clock.t + (TTL_HOURS - 1) * 3600_000);
  });

  test('without "remember me" the session cookie ends with the browser (no Expires, no Max-Age), also when saved again', async () => {
    const web = new WebClient(hihi.url);
    const res = await web.login(ADMIN.username, ADMIN.password);
    const cookie = sessionCookie(res)!;
    assert.ok(cookie, 'a session cookie is set');
    assert.doesNotMatch(cookie, /expires=|max-age=/i);
    try {
      clock.t += 2 * 60_000; // past the once-a-minute idle stamp: saved and sent again
      const again = sessionCookie(await web.get('/rooms'));
      assert.ok(again);
      assert.doesNotMatch(again, /expires=|max-age=/i);
    } finally {
      clock.t = Date.now();
    }
  });

  test('with "remember me" it persists until the session\'s absolute end, on every save', async () => {
    const web = new WebClient(hihi.url);
    const signedInAt = clock.t;
    const res = await web.submit('/login', '/login', { username: ADMIN.username, password: ADMIN.password, remember: '1' });
    assert.equal(res.status, 303);
    const expires = (c: string) => Date.parse(c.match(/expires=([^;]+)/i)![1]!);
    const end = signedInAt + TTL_HOURS * 3600_000;
    assert.ok(Math.abs(expires(sessionCookie(res)!) - end) < 2000, 'ends with the session');
    try {
      clock.t += 2 * 60_000;
      const again = sessionCookie(await web.get('/rooms'))!;
      assert.ok(Math.abs(expires(again) - end) < 2000, 'the same end when saved again');
    } finally {
      clock.t = Date.now();
    }
  });

  test('a session that timed out is replaced in the browser (cleared, or a new anonymous one), and the sign-in page renders', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const old = web.sessionId;
    try {
      clock.t += TTL_HOURS * 3600_000 + 60_000;
      const rooms = await web.get('/rooms');
      assert.equal(rooms.status, 303);
      assert.match(sessionCookie(rooms) ?? '', /expires=Thu, 01 Jan 1970/i, 'cleared where no new session is made');
      await web.login(ADMIN.username, ADMIN.password);
      clock.t += TTL_HOURS * 3600_000 + 60_000;
      const res = await web.get('/login');
      assert.equal(res.status, 200);
      assert.notEqual(web.sessionId, old);
      assert.match(await res.text(), /name="_csrf" value="[^"]+"/);
    } finally {
      clock.t = Date.now();
    }
  });

  test('the login form has a translated "remember me" box', async () => {
    const en = await (await new WebClient(hihi.url).get('/login')).text();
    assert.match(en, /<input type="checkbox" name="remember" value="1"> Remember me/);
    const zh = await (await new WebClient(hihi.url).get('/login', { 'accept-language': 'zh-CN' })).text();
    assert.match(zh, /记住我/);
  });

  test('signing out clears the cookie in the browser', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    const csrf = extractCsrf(await (await web.get('/rooms')).text());
    const res = await web.request('POST', '/logout', { _csrf: csrf });
    assert.equal(res.status, 303);
    const cleared = sessionCookie(res);
    assert.ok(cleared, 'a clearing Set-Cookie is sent');
    assert.match(cleared, /expires=Thu, 01 Jan 1970/i);
    assert.equal(web.cookies.has(sessionCookieName(false)), false);
  });

  test('pages with a session (and CSRF tokens) are never cached; static files may be', async () => {
    const web = new WebClient(hihi.url);
    assert.equal((await web.get('/login')).headers.get('cache-control'), 'no-store');
    await web.login(ADMIN.username, ADMIN.password);
    room = await web.createRoom('cached');
    for (const path of ['/rooms', `/rooms/${room}`, '/account', '/admin/users', '/admin/permissions', `/rooms/${room}/moderation`, `/rooms/${room}/messages`]) {
      const res = await web.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
    assert.notEqual((await fetch(`${hihi.url}/static/css/app.css`)).headers.get('cache-control'), 'no-store');
  });

  test('a no-JS settings change or moderation action lands on the panel with a translated "done" notice', async () => {
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    await hihi.createUser('carol', 'carol-password-1').catch(() => undefined);
    const panel = `/rooms/${room}/moderation`;
    const settings = await web.submit(panel, `/rooms/${room}/settings`, { description: 'changed without JS' });
    assert.equal(settings.status, 303);
    assert.equal(settings.headers.get('location'), `${panel}?done=1`);
    const page = await web.get(settings.headers.get('location')!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<p class="notice" role="status">Done\.<\/p>/);
    const mute = await web.submit(panel, panel, { action: 'mute', username: 'carol', minutes: '5', reason: '' });
    assert.equal(mute.headers.get('location'), `${panel}?done=1`);
    const zh = await (await web.get(`${panel}?done=1`, { 'accept-language': 'zh-CN' })).text();
    assert.match(zh, /已完成。/);
    assert.doesNotMatch(await (await web.get(panel)).text(), /role="status">Done/);
  });
});
