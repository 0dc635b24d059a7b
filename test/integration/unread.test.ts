/**
 * Read markers and unread counts end to end: the `read` frame, `joined.lastRead`, markers that
 * survive a restart and are written in batches, `unread` frames to a user's other sockets, and
 * the same across two instances (on the MySQL + Redis runs; the embedded run is one instance).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../src/modules/users/repository.js';
import { ADMIN, createStorage, pairSuite, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

const LIMITS = { SEND_RATE_PER_10S: '1000', JOIN_PER_MINUTE: '1000' };

async function login(app: RunningApp, username: string, password: string): Promise<WebClient> {
  const web = new WebClient(app.url);
  assert.equal((await web.login(username, password)).status, 303);
  return web;
}

const sockets: WsClient[] = [];
async function connect(app: RunningApp, web: WebClient): Promise<WsClient> {
  const c = await WsClient.connect(app.url, { cookie: web.cookieHeader, origin: app.origin });
  sockets.push(c);
  return c;
}

/** Sends `n` messages in the room through a joined socket; returns their ids. */
async function sendMany(c: WsClient, room: number, n: number, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    c.send({ type: 'send', room, clientId: `${tag}-${i}`, body: `${tag} ${i}` });
    ids.push((await c.next('ack', (a) => a.clientId === `${tag}-${i}`)).id);
  }
  return ids;
}

describe(`read markers and unread counts (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let erin: User;
  let admin: WebClient;
  let erinWeb: WebClient;

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, LIMITS);
    erin = await hihi.createUser('erin', 'erin-password-1');
    admin = await login(hihi, ADMIN.username, ADMIN.password);
    erinWeb = await login(hihi, 'erin', 'erin-password-1');
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  test('a read frame moves the marker forward only, clamped to the room; joined carries it; it survives a restart', async () => {
    const room = await admin.createRoom('Markers');
    const a = await connect(hihi, admin);
    await a.join(room);
    const ids = await sendMany(a, room, 5, 'm');
    const e = await connect(hihi, erinWeb);
    const j = await e.join(room);
    assert.equal(j.lastRead, 0);
    e.send({ type: 'read', room, id: ids[2]! });
    await eventually(async () => (await hihi.app.deps.unread.lastRead(erin.id, room)) === ids[2], 2000, 'the marker at the third message');
    e.send({ type: 'read', room, id: ids[0]! });
    e.send({ type: 'read', room, id: 10_000 });
    await eventually(async () => (await hihi.app.deps.unread.lastRead(erin.id, room)) === ids[4], 2000, 'the marker clamped to the newest message');
    e.send({ type: 'read', room, id: 1 });
    // Frames are handled in order: once this join answers, the read before it was handled.
    const again = await e.join(room).catch(() => undefined);
    void again;
    assert.equal(await hihi.app.deps.unread.lastRead(erin.id, room), ids[4], 'never lowered');

    // Not a member: refused.
    const other = await admin.createRoom('Not hers');
    e.send({ type: 'read', room: other, id: 1 });
    const err = await e.next('error', (f) => f.room === other);
    assert.equal(err.code, 'not_member');
    e.send({ type: 'read', room, id: -1 });
    assert.equal((await e.next('error', (f) => f.code === 'invalid')).code, 'invalid');

    for (const s of sockets.splice(0)) s.close();
    await hihi.close();
    hihi = await startApp(storage, LIMITS);
    admin = await login(hihi, ADMIN.username, ADMIN.password);
    erinWeb = await login(hihi, 'erin', 'erin-password-1');
    const e2 = await connect(hihi, erinWeb);
    assert.equal((await e2.join(room)).lastRead, ids[4], 'the marker was written at shutdown and read back');
  });

  test('200 read frames are a handful of SQL writes', async () => {
    const room = await admin.createRoom('Bounded writes');
    const a = await connect(hihi, admin);
    await a.join(room);
    const ids = await sendMany(a, room, 200, 'b');
    const e = await connect(hihi, erinWeb);
    await e.join(room);
    const markers = hihi.app.deps.readMarkers;
    await markers.flush();
    const before = markers.writes;
    for (const id of ids) e.send({ type: 'read', room, id });
    await eventually(async () => (await hihi.app.deps.unread.lastRead(erin.id, room)) === ids.at(-1), 5000, 'the last read');
    await markers.flush();
    const writes = markers.writes - before;
    assert.ok(writes >= 1 && writes <= 5, `${writes} statements for 200 reads`);
    const row = await hihi.app.deps.db.selectFrom('read_markers').select('last_read').where('user_id', '=', erin.id).where('room_id', '=', room).executeTakeFirstOrThrow();
    assert.equal(Number(row.last_read), ids.at(-1));
  });

  test("unread frames reach the user's sockets not viewing the room, with counts and mentions from the index", async () => {
    const room = await admin.createRoom('Counting');
    const a = await connect(hihi, admin);
    await a.join(room);
    const viewer = await connect(hihi, erinWeb);
    await viewer.join(room);
    // A socket on the room list: in no room.
    const list = await connect(hihi, erinWeb);
    const [m1] = await sendMany(a, room, 1, 'c');
    const { last, ...counts } = await list.next('unread', (f) => f.room === room);
    assert.deepEqual(counts, { type: 'unread', room, count: 1, mentions: 0 });
    assert.equal(last?.text, 'c 0', 'a new message carries its preview');
    const [m2, m3] = await sendMany(a, room, 2, 'd');
    assert.equal((await list.next('unread', (f) => f.room === room && f.count === 3)).mentions, 0);
    list.frames.length = 0; // the counts on the way to 3
    await hihi.app.deps.live.mentions.record(room, m3!, [erin.id]);
    viewer.send({ type: 'read', room, id: m1! });
    assert.deepEqual(await list.next('unread', (f) => f.room === room && f.count === 2), { type: 'unread', room, count: 2, mentions: 1 });
    viewer.send({ type: 'read', room, id: m3! });
    assert.deepEqual(await list.next('unread', (f) => f.room === room && f.count === 0), { type: 'unread', room, count: 0, mentions: 0 });
    assert.equal(viewer.frames.filter((f) => f.type === 'unread' && f.room === room).length, 0, 'the socket viewing the room is not told');
    // Own messages are not unread, but the room list shows them; a fresh socket is told of rooms with unread messages.
    await sendMany(viewer, room, 1, 'own');
    const own = await list.next('unread', (f) => f.room === room && f.last?.text === 'own 0');
    assert.deepEqual([own.count, own.mentions, own.last?.user.id], [0, 0, erin.id], 'her own message: the preview, no count');
    void m2;
    const fresh = await connect(hihi, erinWeb);
    await sendMany(a, room, 1, 'e');
    assert.equal((await fresh.next('unread', (f) => f.room === room)).count, 1);
  });

  test('messages stored while a new socket reads its counts are counted once: none lost, none twice', async () => {
    const fay = await hihi.createUser('fay', 'fay-password-1');
    const fayWeb = await login(hihi, 'fay', 'fay-password-1');
    const room = await admin.createRoom('Racing');
    await hihi.app.deps.rooms.join(room, fay);
    const a = await connect(hihi, admin);
    await a.join(room);
    await sendMany(a, room, 1, 'before');
    // One message goes in between the read of the room's newest id and the count, one right
    // after the count (stored after it, delivered before the counts are in place).
    const { messages, unread } = hihi.app.deps.live;
    const [newest, countAfter] = [messages.newest, unread.countAfter];
    const injected: Promise<unknown>[] = [];
    messages.newest = async (r) => {
      const n = await newest.call(messages, r);
      if (r === room && injected.length === 0) await (injected[0] = sendMany(a, room, 1, 'between'));
      return n;
    };
    unread.countAfter = async (r, after, upTo) => {
      const n = await countAfter.call(unread, r, after, upTo);
      if (r === room && injected.length === 1) await (injected[1] = sendMany(a, room, 1, 'racing'));
      return n;
    };
    try {
      const list = await connect(hihi, fayWeb);
      await eventually(() => injected.length === 2, 5000, 'both messages sent during the read');
      await Promise.all(injected);
      // The newest of them is the room list's preview, told once the counts are in place.
      const told = await list.next('unread', (x) => x.room === room && x.last?.text === 'racing 0');
      assert.equal(told.count, 3, 'before, between and racing');
      await sendMany(a, room, 1, 'after');
      const f = await list.next('unread', (x) => x.room === room && x.last?.text === 'after 0');
      assert.equal(f.count, 4, 'before, between, racing and after');
    } finally {
      Object.assign(messages, { newest });
      Object.assign(unread, { countAfter });
    }
  });

  test('malformed events on her user channel and the control channel are dropped, never forwarded; counts carry on', async () => {
    const room = await admin.createRoom('Garbage in');
    const a = await connect(hihi, admin);
    await a.join(room);
    const member = await connect(hihi, erinWeb);
    await member.join(room); // a member: her room list counts it
    member.close();
    const list = await connect(hihi, erinWeb);
    await sendMany(a, room, 1, 'g');
    await list.next('unread', (f) => f.room === room);
    const bus = hihi.app.deps.live.bus;
    for (const junk of ['not json', '{"type":"unread","room":"x","count":1,"mentions":0}', '{"type":"unread","room":1}', '[]', 'null']) {
      await bus.publish(`user:${erin.id}`, junk);
      await bus.publish('control', junk);
    }
    await bus.publish('control', JSON.stringify({ type: 'leave-room' }));
    await sendMany(a, room, 1, 'h');
    assert.equal((await list.next('unread', (f) => f.room === room)).count, 2, 'still counting, the junk ignored');
    const others = list.frames.filter((f) => !(f.type === 'unread' && f.room !== room));
    assert.deepEqual(others, [], 'nothing else reached the socket (other rooms\' counts aside)');
  });

  test('an @mention of her counts as a mention, live and from storage; editing the message keeps it', async () => {
    const room = await admin.createRoom('Mentioning');
    const e = await connect(hihi, erinWeb);
    await e.join(room); // a member, so she can be mentioned
    e.send({ type: 'leave', room });
    await e.next('left', (f) => f.room === room);
    const a = await connect(hihi, admin);
    await a.join(room);
    const list = await connect(hihi, erinWeb);
    a.send({ type: 'send', room, clientId: 'plain', body: 'hello all' });
    const plain = (await a.next('ack', (f) => f.clientId === 'plain')).id;
    const first = await list.next('unread', (f) => f.room === room && f.count === 1);
    assert.deepEqual({ ...first, last: { ...first.last!, ts: 0 } }, { type: 'unread', room, count: 1, mentions: 0, last: { ts: 0, user: { id: 1, name: 'admin' }, text: 'hello all' } });
    a.send({ type: 'send', room, clientId: 'at', body: 'look @erin, **now**' });
    const ack = await a.next('ack', (f) => f.clientId === 'at');
    const at = ack.id;
    // The new message's preview rides along: one plain line, the mention by name, no Markdown.
    assert.deepEqual(await list.next('unread', (f) => f.room === room && f.count === 2), { type: 'unread', room, count: 2, mentions: 1, last: { ts: ack.ts, user: { id: 1, name: 'admin' }, text: 'look @erin, now' } }, 'counted live');
    assert.equal(await hihi.app.deps.live.mentions.count(room, erin.id, 0), 1, 'recorded in the index');
    assert.equal(await hihi.app.deps.live.mentions.count(room, erin.id, at), 0);
    // A fresh socket reads the counts from storage.
    const fresh = await connect(hihi, erinWeb);
    assert.deepEqual(await fresh.next('unread', (f) => f.room === room), { type: 'unread', room, count: 2, mentions: 1 }, 'from storage');
    // The author edits: the mention stays a reference; a new name typed in an edit stays text.
    a.send({ type: 'edit', room, id: at, body: 'look @erin and @admin, *soon*' });
    const edited = await a.next('edited', (f) => f.id === at);
    assert.match(edited.body, new RegExp(`^look <@${erin.id}> and @admin, \\*soon\\*$`));
    const { body: history } = await admin.json<{ messages: Array<{ body: string; mentions?: Array<{ id: number }> }> }>(`/rooms/${room}/messages?after=${at - 1}&limit=1`);
    assert.equal(history.messages[0]!.body, edited.body);
    assert.deepEqual(history.messages[0]!.mentions?.map((u) => u.id), [erin.id]);
    void plain;
  });

  test('the room list shows her rooms with counts and a preview, newest activity first', async () => {
    const quiet = await admin.createRoom('Quiet one');
    const busy = await admin.createRoom('Busy one');
    const a = await connect(hihi, admin);
    const e = await connect(hihi, erinWeb);
    await e.join(quiet);
    await e.join(busy);
    await a.join(busy);
    await sendMany(a, busy, 2, 'p');
    e.close();
    const html = await (await erinWeb.get('/rooms')).text();
    const mine = html.slice(html.indexOf('id="my-rooms"'));
    assert.ok(mine.indexOf('Busy one') < mine.indexOf('Quiet one'), 'busy room first');
    assert.match(mine, new RegExp(`data-room="${busy}"[^>]*data-count="2"`));
    assert.match(mine, /p 1/);
  });
});

describe(`unread counts across instances (${backend})`, () => {
  const pair = pairSuite(LIMITS);
  after(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  test("a message sent through one instance is counted on the other's room list; a read there clears it", async () => {
    const { one, two } = pair;
    await one.createUser('fay', 'fay-password-1');
    const adminOne = await login(one, ADMIN.username, ADMIN.password);
    const fayOne = await login(one, 'fay', 'fay-password-1');
    const fayTwo = await login(two, 'fay', 'fay-password-1');
    const room = await adminOne.createRoom('Across');
    const viewer = await connect(one, fayOne);
    await viewer.join(room);
    const list = await connect(two, fayTwo);
    const a = await connect(one, adminOne);
    await a.join(room);
    const ids = await sendMany(a, room, 3, 'x');
    await list.next('unread', (f) => f.room === room && f.count === 3);
    viewer.send({ type: 'read', room, id: ids[2]! });
    await list.next('unread', (f) => f.room === room && f.count === 0);
    await sendMany(a, room, 1, 'y');
    await list.next('unread', (f) => f.room === room && f.count === 1);
  });
});
