import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { encodePairs, encodeRaw, hostileString, isSameOriginPath, watchRejections } from '../support/hostile.js';

/**
 * Every redirect built from a `next` parameter goes to a path on this site, whatever it is
 * given, and no reply can take the process down (security review, issue #20, items 1 and 2).
 */
describe(`redirects from input (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let room: number;
  const rejections = watchRejections();

  before(async () => {
    rejections.start();
    storage = await createStorage();
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '100000' });
    await hihi.createUser('bob', 'bob-password-1');
    admin = new WebClient(hihi.url);
    assert.equal((await admin.login(ADMIN.username, ADMIN.password)).status, 303);
    room = await admin.createRoom('redirects');
  });
  after(async () => {
    rejections.stop();
    await hihi?.close();
    await storage?.cleanup();
  });

  const alive = () => rejections.alive(hihi.url);

  /** A raw form post (bytes as given, not as URLSearchParams would re-encode them). */
  const post = (web: WebClient, path: string, pairs: Array<[string, string]>) =>
    fetch(hihi.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie: web.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      body: encodePairs(pairs),
    });

  const csrfOf = async (web: WebClient, page: string) => extractCsrf(await (await web.get(page)).text());

  function assertSafe(res: Response, what: string) {
    const location = res.headers.get('location');
    // Refused as input: bad field (400), body or query over the size limits (413, 431).
    if ([400, 413, 431].includes(res.status)) return;
    assert.ok(res.status >= 300 && res.status < 400, `${what}: status ${res.status}`);
    assert.ok(isSameOriginPath(location, hihi.origin), `${what}: Location ${JSON.stringify(location)}`);
  }

  test('a non-ASCII next is percent-encoded, not a crash (sign-in with a pending session save, and signed in)', async () => {
    const web = new WebClient(hihi.url);
    const csrf = await csrfOf(web, '/login');
    const res = await post(web, '/login', [['_csrf', csrf], ['username', 'bob'], ['password', 'bob-password-1'], ['next', '/中']]);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/%E4%B8%AD');
    const again = await admin.get('/login?next=/%E4%B8%AD');
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('location'), '/%E4%B8%AD');
    for (const bad of ['/%0b', '/%00x', '/%0d%0aSet-Cookie:%20a=b']) {
      const r = await admin.get(`/login?next=${bad}`);
      assert.equal(r.status, 303, bad);
      assert.equal(r.headers.get('location'), '/rooms', bad);
    }
    await alive();
  });

  test('a tab or backslash never leads off-site (sign-in page, sign-in, language, moderation form)', async () => {
    const page = await (await new WebClient(hihi.url).get('/login?next=/%09/evil.com')).text();
    assert.match(page, /name="next" value="\/rooms"/);
    assert.equal((await admin.get('/login?next=/%09/evil.com')).headers.get('location'), '/rooms');
    const lang = await post(admin, '/language', [['_csrf', await csrfOf(admin, '/rooms')], ['lang', 'en'], ['next', '/\t\\evil.com']]);
    assert.equal(lang.headers.get('location'), '/rooms');
    const mod = await post(admin, `/rooms/${room}/moderation`, [
      ['_csrf', await csrfOf(admin, '/rooms')], ['action', 'mute'], ['username', 'bob'], ['next', '/\t/evil.com'],
    ]);
    assert.equal(mod.status, 303);
    assert.equal(mod.headers.get('location'), '/rooms');
    await alive();
  });

  test('property: any next on every redirecting form is a 3xx to a same-origin path or a 400, and the process lives', { timeout: 600_000 }, async () => {
    const csrf = await csrfOf(admin, '/rooms');
    const signedOut = new WebClient(hihi.url);
    const cases: Array<[string, (next: string) => Promise<Response>]> = [
      ['GET /login (signed in)', (next) => admin.get(`/login?next=${encodeRaw(next)}`)],
      ['POST /language', (next) => post(admin, '/language', [['_csrf', csrf], ['lang', 'zh-CN'], ['next', next]])],
      ['POST /rooms/:id/moderation', (next) => post(admin, `/rooms/${room}/moderation`, [['_csrf', csrf], ['action', 'mute'], ['username', 'bob'], ['next', next]])],
      ['POST /login', async (next) => {
        const web = new WebClient(hihi.url);
        return post(web, '/login', [['_csrf', await csrfOf(web, '/login')], ['username', 'bob'], ['password', 'bob-password-1'], ['next', next]]);
      }],
    ];
    for (const [what, send] of cases) {
      await fc.assert(
        fc.asyncProperty(hostileString({ path: true }), async (next) => {
          const res = await send(next);
          await res.arrayBuffer();
          assertSafe(res, `${what} next=${JSON.stringify(next.slice(0, 80))}`);
        }),
        { numRuns: what === 'POST /login' ? 30 : 100, seed: 20 },
      );
    }
    // The hidden field of the sign-in page holds only a safe path.
    await fc.assert(
      fc.asyncProperty(hostileString({ path: true }), async (next) => {
        const res = await signedOut.get(`/login?next=${encodeRaw(next)}`);
        const html = await res.text();
        if ([400, 413, 431].includes(res.status)) return;
        assert.equal(res.status, 200);
        const field = html.match(/name="next" value="([^"]*)"/)![1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
        assert.ok(isSameOriginPath(field, hihi.origin), `hidden next ${JSON.stringify(field)}`);
      }),
      { numRuns: 100, seed: 21 },
    );
    await alive();
  });
});
