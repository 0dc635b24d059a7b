/**
 * Room invite links under hostile input: the new schemas accept exactly the terms an admin's
 * invite has, and the routes (create, revoke, the link's page and its join) answer every form,
 * path and token with a 2xx/3xx/4xx, never a 5xx, making no invite out of bounds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { inviteTokenSchema, roomInviteFormSchema, roomInviteParamsSchema } from '../../src/modules/registration/schemas.js';
import { createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { encodePairs, encodeRaw, hostileString, watchRejections } from '../support/hostile.js';

const FIELDS = ['uses', 'expiresHours', '_csrf', 'invite', 'room', 'permission'];
const PLAUSIBLE = ['1', '0', '-1', '1000', '1001', '2160', '2161', '1.5', '1e3', ' 7 ', '0x10', '', '24'];
const value = fc.oneof({ arbitrary: hostileString(), weight: 2 }, { arbitrary: fc.constantFrom(...PLAUSIBLE), weight: 3 });
const form = fc.dictionary(fc.oneof({ arbitrary: fc.constantFrom(...FIELDS), weight: 4 }, { arbitrary: hostileString(), weight: 1 }), fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxKeys: 6 });

describe('room invite schemas', () => {
  test('the form takes whole uses 1..1000 and hours 1..2160 with its token, and nothing else', () => {
    fc.assert(
      fc.property(form, (body) => {
        const r = roomInviteFormSchema.safeParse(body);
        if (!r.success) return;
        assert.deepEqual(Object.keys(r.data).sort(), ['_csrf', 'expiresHours', 'uses']);
        assert.ok(Number.isInteger(r.data.uses) && r.data.uses >= 1 && r.data.uses <= 1000);
        assert.ok(Number.isInteger(r.data.expiresHours) && r.data.expiresHours >= 1 && r.data.expiresHours <= 2160);
        assert.equal(typeof r.data._csrf, 'string');
      }),
      { numRuns: 3000 },
    );
  });

  test('path ids are positive 31-bit integers; tokens are 43 base64url characters', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(), fc.integer().map(String), fc.constantFrom('1', '2147483647', '2147483648', '0', '01')), hostileString(), (id, token) => {
        const r = roomInviteParamsSchema.safeParse({ id, invite: id });
        if (r.success) assert.ok(r.data.id >= 1 && r.data.id <= 2 ** 31 - 1 && Number.isInteger(r.data.invite));
        if (inviteTokenSchema.safeParse(token).success) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe(`room invite routes under hostile input (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let owner: WebClient;
  let csrf: string;
  let room: number;
  const rejections = watchRejections();

  before(async () => {
    rejections.start();
    storage = await createStorage();
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000000' });
    await hihi.createUser('owner', 'owner-password-1', ['create_room']);
    owner = new WebClient(hihi.url);
    assert.equal((await owner.login('owner', 'owner-password-1')).status, 303);
    const res = await owner.submit('/rooms', '/rooms', { name: 'Fuzzed den', description: '', visibility: 'private' });
    room = Number(res.headers.get('location')!.split('/').pop());
    csrf = extractCsrf(await (await owner.get('/rooms')).text());
  });
  after(async () => {
    rejections.stop();
    await hihi?.close();
    await storage?.cleanup();
  });

  const post = (path: string, body: string) =>
    fetch(hihi.url + path, { method: 'POST', redirect: 'manual', headers: { accept: 'text/html', cookie: owner.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const asPairs = (body: Record<string, string | string[]>): Array<[string, string]> => Object.entries(body).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]));

  test('property: creating and revoking with any form and path never answers 5xx, and every invite made is within bounds', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(form, fc.boolean(), fc.oneof(fc.constant(String(room)), hostileString().map(encodeRaw)), async (body, withCsrf, id) => {
        const pairs = asPairs(body).filter(([k]) => k !== '_csrf');
        const encoded = encodePairs(withCsrf ? [['_csrf', csrf], ...pairs] : pairs);
        for (const path of [`/rooms/${id}/invites`, `/rooms/${id}/invites/${id}/revoke`]) {
          const res = await post(path, encoded);
          await res.text();
          if (res.status >= 500) failures.push(`${path.slice(0, 80)} ${encoded.slice(0, 200)} -> ${res.status}`);
        }
      }),
      { numRuns: 150, seed: 4242 },
    );
    assert.deepEqual(failures, []);
    const made = await hihi.app.deps.db.selectFrom('invites').selectAll().execute();
    for (const i of made) {
      assert.equal(Number(i.room_id), room);
      assert.ok(i.max_uses >= 1 && i.max_uses <= 1000);
      const hours = (Number(i.expires_at) - Number(i.created_at)) / 3600_000;
      assert.ok(Number.isInteger(hours) && hours >= 1 && hours <= 2160);
    }
    await rejections.alive(hihi.url);
  });

  test('property: the link\'s page and its join answer any token with a page, never a 5xx', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    const token = fc.oneof(hostileString({ path: true }).map(encodeRaw), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/));
    await fc.assert(
      fc.asyncProperty(token, form, async (t, body) => {
        const page = await fetch(`${hihi.url}/invite/${t}`, { redirect: 'manual', headers: { accept: 'text/html', cookie: owner.cookieHeader } });
        await page.text();
        const joined = await post(`/invite/${t}/join`, encodePairs([['_csrf', csrf], ...asPairs(body).filter(([k]) => k !== '_csrf')]));
        await joined.text();
        for (const res of [page, joined]) if (res.status >= 500) failures.push(`/invite/${t.slice(0, 80)} -> ${res.status}`);
      }),
      { numRuns: 150, seed: 4243 },
    );
    assert.deepEqual(failures, []);
    await rejections.alive(hihi.url);
  });
});
