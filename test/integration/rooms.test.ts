import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';

describe(`rooms and history (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let carol: WebClient;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('carol', 'carol-password-1');
    await hihi.createUser('dave', 'dave-password-1', ['create_room']);
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    carol = new WebClient(hihi.url);
    await carol.login('carol', 'carol-password-1');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const createRoom = (web: WebClient, name: string, description = '') => web.createRoom(name, description);

  test('an admin creates a room with a unicode name and lands in it', async () => {
    const res = await admin.submit('/rooms', '/rooms', { name: '聊天室123', description: '第一个房间' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/rooms\/\d+$/);
    const page = await (await admin.get(res.headers.get('location')!)).text();
    assert.match(page, /<h1 id="room-title"><bdi>聊天室123<\/bdi><\/h1>/);
    const list = await (await carol.get('/rooms')).text();
    assert.match(list, /聊天室123/);
    assert.match(list, /第一个房间/);
  });

  test('holders of create_room may create rooms; others get 403 and see no form', async () => {
    const dave = new WebClient(hihi.url);
    await dave.login('dave', 'dave-password-1');
    await createRoom(dave, "Dave's room");
    const listPage = await (await carol.get('/rooms')).text();
    assert.doesNotMatch(listPage, /action="\/rooms"/);
    const refused = await carol.submit('/rooms', '/rooms', { name: 'sneaky' });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /403/);
  });

  test('room names are unique case-insensitively and validated', async () => {
    await createRoom(admin, 'General');
    const dup = await admin.submit('/rooms', '/rooms', { name: 'GENERAL' });
    assert.equal(dup.status, 409);
    assert.match(await dup.text(), /A room with that name exists/);
    for (const name of ['', '   ', 'x'.repeat(65), 'bad\u202Ename']) {
      const res = await admin.submit('/rooms', '/rooms', { name });
      assert.equal(res.status, 400, `name ${JSON.stringify(name)}`);
    }
    const extra = await admin.submit('/rooms', '/rooms', { name: 'ok-name', is_admin: '1' });
    assert.equal(extra.status, 400, 'unknown form fields are refused');
  });

  test('viewing a room (GET or HEAD) changes nothing: a non-member reads it with a Join button, and joins by POST', async () => {
    const id = await createRoom(admin, 'History');
    const user = (await hihi.app.deps.users.findById(1))!;
    for (let i = 1; i <= 60; i++) await hihi.app.deps.messages.post(await hihi.app.deps.rooms.get(id), user, `c${i}`, i === 60 ? '<script>alert("x")</script>' : `message ${i}`);
    const carolId = (await hihi.app.deps.users.findByUsername('carol'))!.id;
    const isMember = () => hihi.app.deps.live.membership.isMember(id, carolId);
    assert.equal((await carol.request('HEAD', `/rooms/${id}`)).status, 200);
    const page = await (await carol.get(`/rooms/${id}`)).text();
    assert.equal(await isMember(), false, 'viewing made no member');
    const ids = [...page.matchAll(/<li class="msg" id="m\d+" data-id="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => i + 11));
    assert.match(page, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.doesNotMatch(page, /<script>alert/);
    // The member list itself, so a change of its markup cannot make this pass unseen.
    const members = (html: string) => /<ul id="members"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? assert.fail('no member list');
    assert.doesNotMatch(members(page), /<bdi[^>]*>carol<\/bdi>/, 'carol is not listed as a member');
    assert.match(page, new RegExp(`<form id="join"[^>]* method="post" action="/rooms/${id}/join">\\s*<input type="hidden" name="_csrf"`));
    assert.doesNotMatch(page, /id="composer"/, 'no composer for a reader');
    assert.doesNotMatch(page, new RegExp(`action="/rooms/${id}/leave"`), 'nothing to leave');
    // Older pages without JavaScript, and the history as JSON, are readable too:
    const older = await (await carol.get(`/rooms/${id}?before=11`)).text();
    const olderIds = [...older.matchAll(/<li class="msg" id="m\d+" data-id="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(olderIds, Array.from({ length: 10 }, (_, i) => i + 1));
    assert.equal((await carol.json(`/rooms/${id}/messages`)).status, 200);
    // A reader cannot send through the form either.
    const csrf = extractCsrf(page);
    assert.equal((await carol.request('POST', `/rooms/${id}/messages`, { _csrf: csrf, clientId: 'r1', body: 'sneaky' })).status, 403);
    assert.equal(await isMember(), false);
    // Joining is a form post with its token; without one it is refused.
    assert.equal((await carol.request('POST', `/rooms/${id}/join`, {})).status, 403);
    assert.equal((await carol.request('POST', `/rooms/${id}/join`, { _csrf: csrf, extra: '1' })).status, 400);
    const joined = await carol.submit(`/rooms/${id}`, `/rooms/${id}/join`, {});
    assert.equal(joined.status, 303);
    assert.equal(joined.headers.get('location'), `/rooms/${id}`);
    assert.equal(await isMember(), true);
    const after = await (await carol.get(`/rooms/${id}`)).text();
    assert.match(members(after), /<bdi[^>]*>carol<\/bdi>/, 'carol is now listed as a member');
    assert.match(after, /id="composer"/);
    assert.doesNotMatch(after, /id="join"/);
  });

  test('GET /rooms/:id/messages pages backwards and forwards as JSON', async () => {
    const id = await createRoom(admin, 'Paging');
    const user = (await hihi.app.deps.users.findById(1))!;
    for (let i = 1; i <= 12; i++) await hihi.app.deps.messages.post(await hihi.app.deps.rooms.get(id), user, `p${i}`, `m${i}`);
    type Page = { messages: Array<{ id: number; body: string; user: { id: number; name: string } }>; hasMore: boolean };
    const first = await admin.json<Page>(`/rooms/${id}/messages?limit=5`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.messages.map((m) => m.id), [8, 9, 10, 11, 12]);
    assert.equal(first.body.hasMore, true);
    assert.deepEqual(first.body.messages[0]!.user, { id: 1, name: 'admin' });
    const back = await admin.json<Page>(`/rooms/${id}/messages?before=8&limit=5`);
    assert.deepEqual(back.body.messages.map((m) => m.id), [3, 4, 5, 6, 7]);
    const start = await admin.json<Page>(`/rooms/${id}/messages?before=3&limit=5`);
    assert.deepEqual([start.body.messages.map((m) => m.id), start.body.hasMore], [[1, 2], false]);
    const gap = await admin.json<Page>(`/rooms/${id}/messages?after=9`);
    assert.deepEqual([gap.body.messages.map((m) => m.body), gap.body.hasMore], [['m10', 'm11', 'm12'], false]);
  });

  test('history is the page exactly as JSON.stringify writes it: kept names, a deleted author, text that needs escaping', async () => {
    const id = await createRoom(admin, 'Bytes');
    const { users, hasher, messages, rooms } = hihi.app.deps;
    const me = (await users.findById(1))!;
    const odd = await users.create({ username: 'odd-name', displayName: 'Zoë "Q" \\ 小明 </script> 👋', passwordHash: await hasher.hash('odd-name-pass-1'), permissions: [], createdAt: Date.now() });
    const gone = await hihi.createUser('gone-soon', 'gone-soon-pass-1');
    const bodies = ['plain', 'a quote " and a \\ backslash', '小明 👋 \u2028 separator', '</script><b>x</b>', 'a\ttab'];
    for (const [i, who] of [me, odd, gone, odd, me].entries()) await messages.post(await rooms.get(id), who, `b${i}`, bodies[i]!);
    assert.equal((await admin.submit('/admin/users', `/admin/users/${gone.id}`, { action: 'delete', confirm: 'yes' })).status, 200);
    for (const query of [{ limit: 50 }, { before: 5, limit: 3 }, { after: 1, limit: 2 }, { after: 5, limit: 50 }]) {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
      const res = await admin.get(`/rooms/${id}/messages?${qs}`);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(await res.text(), JSON.stringify(await messages.history(id, query)), qs);
    }
    const { body } = await admin.json<{ messages: Array<{ body: string; user: { name: string } }> }>(`/rooms/${id}/messages`);
    assert.deepEqual(body.messages.map((m) => [m.user.name, m.body]), [
      ['admin', bodies[0]],
      [odd.displayName, bodies[1]],
      ['deleted user', bodies[2]],
      [odd.displayName, bodies[3]],
      ['admin', bodies[4]],
    ]);
  });

  test('history refuses bad queries, barred readers and unknown rooms', async () => {
    const id = await createRoom(admin, 'Private-ish');
    assert.equal((await carol.json(`/rooms/${id}/messages`)).status, 200, 'a public room is readable before joining, as its page is');
    const carolId = (await hihi.app.deps.users.findByUsername('carol'))!.id;
    await hihi.app.deps.live.moderation.set({ room: id, userId: carolId, kind: 'bar', until: null });
    assert.equal((await carol.json(`/rooms/${id}/messages`)).status, 403, 'banned');
    await hihi.app.deps.live.moderation.clear(id, carolId, 'bar');
    for (const q of ['limit=0', 'limit=101', 'before=abc', 'after=-1', 'evil=1', 'before=1&before=2']) {
      assert.equal((await admin.json(`/rooms/${id}/messages?${q}`)).status, 400, q);
    }
    assert.equal((await admin.json('/rooms/99999/messages')).status, 404);
    assert.equal((await admin.get('/rooms/99999')).status, 404);
    assert.equal((await admin.get('/rooms/abc')).status, 400);
  });

  test('the plain form posts a message without JavaScript; a double submit stores it once', async () => {
    const id = await createRoom(admin, 'No JS');
    const page = await (await admin.get(`/rooms/${id}`)).text();
    const csrf = extractCsrf(page);
    const clientId = page.match(/name="clientId" value="([^"]+)"/)![1]!;
    for (let i = 0; i < 2; i++) {
      const res = await admin.request('POST', `/rooms/${id}/messages`, { _csrf: csrf, clientId, body: '  hello from a form  ' });
      assert.equal(res.status, 303);
    }
    const { body } = await admin.json<{ messages: Array<{ body: string }> }>(`/rooms/${id}/messages`);
    assert.deepEqual(body.messages.map((m) => m.body), ['hello from a form']);
    // The page the form redirects to shows it at once, though the room's page was kept before.
    assert.match(await (await admin.get(`/rooms/${id}`)).text(), />hello from a form</);
    const empty = await admin.request('POST', `/rooms/${id}/messages`, { _csrf: csrf, clientId: 'x1', body: '   ' });
    assert.equal(empty.status, 400);
  });

  test('leaving a room removes the membership', async () => {
    const id = await createRoom(admin, 'Leavers');
    const carolId = (await hihi.app.deps.users.findByUsername('carol'))!.id;
    assert.equal((await carol.submit(`/rooms/${id}`, `/rooms/${id}/join`, {})).status, 303);
    assert.equal(await hihi.app.deps.live.membership.isMember(id, carolId), true);
    const res = await carol.submit(`/rooms/${id}`, `/rooms/${id}/leave`, {});
    assert.equal(res.status, 303);
    assert.equal(await hihi.app.deps.live.membership.isMember(id, carolId), false);
    assert.match(await (await carol.get(`/rooms/${id}`)).text(), /id="join"/, 'a reader again');
  });

  test('a restart keeps sessions, rooms and messages', async () => {
    const id = await createRoom(admin, 'Durable');
    const user = (await hihi.app.deps.users.findById(1))!;
    await hihi.app.deps.messages.post(await hihi.app.deps.rooms.get(id), user, 'd1', 'still here?');
    await hihi.close();
    hihi = await startApp(storage);
    // Same cookie, new process: the session and everything else survived.
    const moved = new WebClient(hihi.url);
    for (const [k, v] of admin.cookies) moved.cookies.set(k, v);
    admin = moved;
    const page = await (await admin.get(`/rooms/${id}`)).text();
    assert.match(page, /still here\?/);
    assert.match(page, /Durable/);
    carol = new WebClient(hihi.url);
    await carol.login('carol', 'carol-password-1');
  });
});
