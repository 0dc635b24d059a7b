import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN, pairSuite, type RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';

const names = (html: string) => [...html.matchAll(/class="room-link"><bdi>([^<]*)<\/bdi>/g)].map((m) => m[1]!);
const link = (html: string, rel: 'next' | 'prev') => html.match(new RegExp(`<a rel="${rel}" href="([^"]+)"`))?.[1]?.replaceAll('&amp;', '&');

// The room list is paged (50 a page, by name, keyset cursors in plain links) and searchable;
// creating rooms is limited per user (ROOM_CREATE_PER_HOUR), on every instance together.
describe(`room list and room creation limits (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  let admin: WebClient;
  const pair = pairSuite({ ROOM_CREATE_PER_HOUR: '3' });

  before(async () => {
    ({ one, two } = pair);
    admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    // 120 rooms, written straight to the database (the creation limit is the second test's).
    const owner = (await one.app.deps.users.findByUsername(ADMIN.username))!;
    for (let i = 0; i < 120; i++) {
      await one.app.deps.db.insertInto('rooms').values({ name: `Room ${String(i).padStart(3, '0')}`, name_key: `room ${String(i).padStart(3, '0')}`, description: '', owner_id: owner.id, created_at: Date.now() }).execute();
    }
    one.app.deps.rooms.forgetAll();
  });

  test('pages of 50 by name, with next and previous links that work without JavaScript', async () => {
    const seen: string[][] = [];
    let path: string | undefined = '/rooms';
    let first = '';
    while (path) {
      const html = await (await admin.get(path)).text();
      if (!first) first = html;
      seen.push(names(html));
      assert.equal(seen.length > 1, link(html, 'prev') !== undefined, `a previous link on every page but the first (${path})`);
      path = link(html, 'next');
    }
    assert.deepEqual(seen.map((p) => p.length), [50, 50, 20]);
    const all = seen.flat();
    assert.deepEqual(all, Array.from({ length: 120 }, (_, i) => `Room ${String(i).padStart(3, '0')}`));
    // Back from page 2 is page 1.
    const page2 = await (await admin.get(link(first, 'next')!)).text();
    assert.deepEqual(names(await (await admin.get(link(page2, 'prev')!)).text()), seen[0]);
  });

  test('the search box filters by part of the name, case-insensitively, and pages too', async () => {
    const html = await (await admin.get('/rooms?q=ROOM+05')).text();
    assert.deepEqual(names(html), Array.from({ length: 10 }, (_, i) => `Room 05${i}`));
    assert.equal(link(html, 'next'), undefined);
    const many = await (await admin.get('/rooms?q=room')).text();
    assert.equal(names(many).length, 50);
    assert.match(link(many, 'next')!, /^\/rooms\?q=room&after=/);
    assert.match(await (await admin.get('/rooms?q=zzz')).text(), /No room matches/);
    assert.equal((await admin.get('/rooms?after=a&before=b')).status, 400);
    assert.equal((await admin.get('/rooms?page=2')).status, 400);
  });

  test('creating rooms is limited per user, on every instance together, with a translated 429 page', async () => {
    await one.createUser('cara', 'cara-password-1', ['create_room']);
    await one.createUser('dina', 'dina-password-1', ['create_room']);
    const cara = new WebClient(one.url, { 'accept-language': 'zh-CN' });
    await cara.login('cara', 'cara-password-1');
    const caraTwo = new WebClient(two.url, { 'accept-language': 'zh-CN' });
    for (const [k, v] of cara.cookies) caraTwo.cookies.set(k, v);
    for (let i = 0; i < 3; i++) await (i % 2 ? caraTwo : cara).createRoom(`cara ${i}`);
    const refused = await caraTwo.submit('/rooms', '/rooms', { name: 'cara 3' });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 60);
    assert.match(await refused.text(), /你最近创建的聊天室太多了/);
    // Another user is not affected.
    const dina = new WebClient(one.url);
    await dina.login('dina', 'dina-password-1');
    await dina.createRoom('dina 0');
  });
});
