import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import fc from 'fast-check';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from './app.js';
import { backend } from './backends.js';
import { extractCsrf, WebClient } from './http.js';
import { encodePairs, encodeRaw, hostileString, watchRejections } from './hostile.js';

/** Every form field and query parameter the app reads somewhere, so values reach the schemas' inner checks. */
const FIELDS = [
  'username', 'password', 'password2', 'current', 'display_name', 'remember', 'next', 'lang', 'name', 'description', 'visibility',
  'body', 'clientId', 'action', 'userId', 'messageId', 'minutes', 'reason', 'permission', 'grant', 'archived', 'confirm',
  'end_others', 'q', 'page', 'before', 'after', 'limit', 'user', 'done', 'invite', 'uses', 'expiresHours', 'registration',
  'locale', 'theme', 'saved',
  'notify',
  'room', 'actor', 'target', 'from', 'to',
  'code', 'require_admin_2fa',
];
/** Valid-looking values among the hostile ones, so requests get past the first check. */
const PLAUSIBLE = ['1', '0', '5', 'yes', 'mute', 'unmute', 'kick', 'ban', 'unban', 'delete', 'disable', 'enable', 'end_sessions', 'reset_password',
  'add', 'remove', 'public', 'private', 'en', 'zh-CN', 'admin', 'moderate', 'create_room', 'victim', 'a-client-id', 'hello',
  'browser', 'system', 'light', 'dark',
  'mentions', 'all', 'off',

  'open', 'invite', 'closed', 'room_create', '2026-12-03', '24',
  '123456', 'abcd-efgh-ijkl-mnop'];
/** An Authorization header (read by /readyz and /metrics): any value a client can send in one. */
const authorization = fc.option(fc.oneof(fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,300}$/), fc.stringMatching(/^Bearer [\x21-\x7e]{0,200}$/)), { nil: undefined });

/**
 * Arbitrary strings (non-ASCII, control characters, lone surrogates, huge values, repeated keys)
 * at every route's path parameters, query and form body, signed in as admin with a valid CSRF
 * token: nothing answers 5xx, and the process keeps answering. The routes are split into
 * `parts` files (test/integration/routes*.property.test.ts), each taking every `parts`-th
 * route, so each file stays well inside the runner's per-file time limit as routes are added.
 */
export function routesPropertySuite(part: number, parts: number): void {
describe(`every route under hostile input, part ${part + 1} of ${parts} (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let web: WebClient;
  let csrf: string;
  let room: number;
  let victim: number;
  const routes: Array<{ method: string; url: string }> = [];
  const rejections = watchRejections();
  const onRoute = (r: RouteOptions) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  };

  async function signIn() {
    web = new WebClient(hihi.url);
    assert.equal((await web.login(ADMIN.username, ADMIN.password)).status, 303);
    csrf = extractCsrf(await (await web.get('/rooms')).text());
  }

  before(async () => {
    rejections.start();
    storage = await createStorage();
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000000', SEND_RATE_PER_10S: '10000' }, { onRoute });
    victim = (await hihi.createUser('victim', 'victim-password-1')).id;
    await signIn();
    room = await web.createRoom('fuzzed');
  });
  after(async () => {
    rejections.stop();
    await hihi?.close();
    await storage?.cleanup();
  });

  test('the route list is the app\'s (sanity check of the enumeration)', () => {
    for (const r of ['GET /login', 'POST /login', 'POST /language', 'GET /rooms/:id', 'POST /rooms/:id/moderation', 'GET /admin/users', 'GET /readyz']) {
      assert.ok(routes.some((x) => `${x.method} ${x.url}` === r), r);
    }
  });

  // Thousands of requests: on a loaded machine this takes minutes, more than the default per-test limit.
  test('property: no route answers 5xx to any query or form, and the process lives', { timeout: 600_000 }, async () => {
    const value = fc.oneof({ arbitrary: hostileString({ path: true }), weight: 3 }, { arbitrary: fc.constantFrom(...PLAUSIBLE), weight: 2 });
    const pairs = fc.array(fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(...FIELDS), weight: 4 }, { arbitrary: hostileString(), weight: 1 }), value), { maxLength: 8 });
    // Skipped: the websocket upgrade (fuzzed in fuzz.test.ts), static files, and sign-out (it would end the session under test).
    const targets = routes.filter((r) => !['/ws', '/static/*', '/logout'].includes(r.url)).filter((_, i) => i % parts === part);
    const failures: string[] = [];
    for (const route of targets) {
      const param = fc.oneof(
        { arbitrary: fc.constant(String(route.url.startsWith('/admin/users') ? victim : room)), weight: 3 },
        { arbitrary: hostileString().map(encodeRaw), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(param, pairs, pairs, fc.boolean(), authorization, async (id, query, form, withCsrf, auth) => {
          // Every path parameter (:id, :token, :invite…) takes the value.
          const path = route.url.replace(/:[A-Za-z]+/g, id);
          const qs = query.length ? `?${encodePairs(query)}` : '';
          const post = route.method !== 'GET';
          const res = await fetch(hihi.url + path + qs, {
            method: route.method,
            redirect: 'manual',
            headers: {
              accept: 'text/html',
              cookie: web.cookieHeader,
              ...(auth === undefined ? {} : { authorization: auth.trim() }),
              ...(post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            },
            ...(post ? { body: encodePairs(withCsrf ? [['_csrf', csrf], ...form] : form) } : {}),
          });
          const text = await res.text();
          if (res.status >= 500) failures.push(`${route.method} ${path.slice(0, 120)}${qs.slice(0, 200)} -> ${res.status} ${text.slice(0, 200)}`);
          // A session ended by the input (e.g. a reset of one's own password): sign in again.
          if (res.status === 303 && res.headers.get('location')?.startsWith('/login')) await signIn();
        }),
        { numRuns: 50, seed: 2020 },
      );
      await rejections.alive(hihi.url);
    }
    assert.deepEqual(failures, []);
  });
});
}
