import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, pairSuite, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';
import type { ServerFrame } from '../../src/shared/protocol.js';

/** Edits, own deletions and replies over the websocket; the clock is injected for the edit window. */
describe(`edits, deletions and replies (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  const web: Record<string, WebClient> = {};
  const sockets: WsClient[] = [];
  let seq = 0;

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SEND_RATE_PER_10S: '1000', EDIT_WINDOW_MINUTES: '15', SESSION_IDLE_MINUTES: '43200' }, { now: () => clock.t });
    for (const name of ['alice', 'bob']) await hihi.createUser(name, `${name}-password-1`);
    for (const name of ['admin', 'alice', 'bob']) {
      web[name] = new WebClient(hihi.url);
      await web[name]!.login(name, name === 'admin' ? ADMIN.password : `${name}-password-1`);
    }
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function newRoom(): Promise<number> {
    const room = await web.admin!.createRoom(`edit room ${++seq}`);
    for (const u of ['alice', 'bob']) assert.equal((await web[u]!.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    return room;
  }
  async function socket(who: string, room: number, since?: number) {
    const c = await WsClient.connect(hihi.url, { cookie: web[who]!.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    c.send({ type: 'join', room, ...(since === undefined ? {} : { since }) });
    return { c, joined: await c.next('joined') };
  }
  async function say(c: WsClient, room: number, body: string, replyTo?: number) {
    const clientId = `m${++seq}`;
    c.send({ type: 'send', room, clientId, body, ...(replyTo === undefined ? {} : { replyTo }) });
    const ack = await c.next('ack', (a) => a.clientId === clientId);
    await c.next('message', (m) => m.id === ack.id);
    return ack.id;
  }
  const history = async (room: number) =>
    (await web.alice!.json<{ messages: Array<{ id: number; body: string; editedAt?: number; replyTo?: number }> }>(`/rooms/${room}/messages`)).body.messages;

  test('an author edits their own message: everyone gets `edited`, history and the page show the new body', async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const { c: b } = await socket('bob', room);
    const id = await say(a, room, 'helo wrld');
    await b.next('message', (m) => m.id === id);
    clock.t += 60_000;
    a.send({ type: 'edit', room, id, body: '  hello world  ' });
    for (const c of [a, b]) {
      const e = await c.next('edited');
      assert.deepEqual({ ...e, seq: 0 }, { type: 'edited', room, seq: 0, id, body: 'hello world', editedAt: clock.t });
      assert.ok(e.seq > id, 'the edit is numbered after the message');
    }
    assert.deepEqual((await history(room)).map((m) => [m.id, m.body, m.editedAt]), [[id, 'hello world', clock.t]]);
    const page = await (await web.bob!.get(`/rooms/${room}`)).text();
    assert.match(page, /hello world/);
    assert.doesNotMatch(page, /helo wrld/);
    assert.match(page, /<small class="edited"><time datetime="[^"]+" title="edited [^"]+ UTC"><span class="clock" aria-hidden="true">\(edited\)<\/span><span class="full">edited [^<]+ UTC<\/span><\/time><\/small>/);
  });

  test("editing someone else's message, after the window, or with a bad body is refused; nothing changes", async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const { c: b } = await socket('bob', room);
    const id = await say(a, room, 'mine');
    b.send({ type: 'edit', room, id, body: 'hijacked' });
    assert.deepEqual(pick(await b.next('error')), { code: 'forbidden', room, id });
    b.send({ type: 'delete', room, id });
    assert.deepEqual(pick(await b.next('error')), { code: 'forbidden', room, id });
    a.send({ type: 'edit', room, id, body: '   ' });
    assert.deepEqual(pick(await a.next('error')), { code: 'invalid', room, id });
    a.send({ type: 'edit', room, id, body: 'x'.repeat(2001) });
    assert.deepEqual(pick(await a.next('error')), { code: 'too_long', room, id });
    a.send({ type: 'edit', room, id, body: 'ok', extra: 1 });
    assert.equal((await a.next('error')).code, 'invalid');
    a.send({ type: 'edit', room, id: id + 1000, body: 'no such' });
    assert.deepEqual(pick(await a.next('error')), { code: 'invalid', room, id: id + 1000 });
    clock.t += 15 * 60_000 + 1;
    a.send({ type: 'edit', room, id, body: 'too late' });
    assert.deepEqual(pick(await a.next('error')), { code: 'forbidden', room, id });
    assert.deepEqual((await history(room)).map((m) => m.body), ['mine']);
    assert.equal([...a.frames, ...b.frames].filter((f) => f.type === 'edited').length, 0);
  });

  test('a muted author may not edit (muted), and a reply must name a message of the same room', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const { c: a } = await socket('alice', room);
    const id = await say(a, room, 'before the mute');
    const otherId = await say((await socket('alice', other)).c, other, 'elsewhere');
    a.send({ type: 'send', room, clientId: 'reply-x', body: 'to nowhere', replyTo: otherId + 50 });
    assert.deepEqual(pick(await a.next('error')), { code: 'invalid', room, clientId: 'reply-x' });
    assert.equal((await web.admin!.submit(`/rooms/${room}/moderation`, `/rooms/${room}/moderation`, { action: 'mute', username: 'alice', minutes: '10', reason: '' })).status, 303);
    a.send({ type: 'edit', room, id, body: 'sneaky' });
    const err = await a.next('error', (e) => e.id === id);
    assert.equal(err.code, 'muted');
    assert.deepEqual((await history(room)).map((m) => m.body), ['before the mute']);
  });

  test("a reply quotes the original's first line as it reads, without its Markdown, as the live page does", async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const { c: b } = await socket('bob', room);
    const id = await say(a, room, 'Hello **Project X**! Here is _italic_, `code` & <b>\nthe second line');
    await say(b, room, 'noted', id);
    const page = await (await web.bob!.get(`/rooms/${room}`)).text();
    assert.match(page, /<span class="q-text" dir="auto">Hello Project X! Here is italic, code &amp; &lt;b&gt;<\/span>/);
    const { quoteLine, renderMarkdown } = await import('../../public/js/shared/markdown.js');
    // What the page quotes live: the first line of the shown message's text.
    const shown = renderMarkdown('Hello **Project X**! Here is _italic_, `code` & <b>\nthe second line').replace(/<[^>]*>/g, '');
    assert.equal(quoteLine('Hello **Project X**! Here is _italic_, `code` & <b>\nthe second line'), shown.split('\n')[0]!.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
  });

  test('an author deletes their own message at any time; a reply to it stays, marked as answering it', async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const { c: b } = await socket('bob', room);
    const id = await say(a, room, 'regrettable');
    const reply = await say(b, room, 'indeed', id);
    const got = a.frames.find((f) => f.type === 'message' && f.id === reply) ?? (await a.next('message', (m) => m.id === reply));
    assert.equal((got as { replyTo?: number }).replyTo, id);
    const before = await (await web.bob!.get(`/rooms/${room}`)).text();
    assert.match(before, new RegExp(`<a class="quote" href="#m${id}" data-reply="${id}"><bdi class="q-author">alice</bdi> <span class="q-text" dir="auto">regrettable</span></a>`));
    clock.t += 24 * 60 * 60_000;
    a.send({ type: 'delete', room, id });
    for (const c of [a, b]) {
      const d = await c.next('deleted');
      assert.equal(d.id, id);
      assert.ok(d.seq! > reply);
    }
    assert.deepEqual((await history(room)).map((m) => [m.id, m.replyTo]), [[reply, id]]);
    const page = await (await web.bob!.get(`/rooms/${room}`)).text();
    assert.match(page, /class="quote gone"/, 'the quote says the original is gone');
    a.send({ type: 'delete', room, id });
    assert.deepEqual(pick(await a.next('error')), { code: 'invalid', room, id });
  });

  test('a client that resumes with `since` gets each missed edit, deletion and message exactly once', async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const one = await say(a, room, 'one');
    const two = await say(a, room, 'two');
    const { c: b } = await socket('bob', room);
    const since = two;
    b.close();
    await b.waitClosed();
    // Missed while away: an edit, a deletion, a new message, and an edit of that new message.
    a.send({ type: 'edit', room, id: one, body: 'one, edited' });
    await a.next('edited');
    a.send({ type: 'delete', room, id: two });
    await a.next('deleted');
    const three = await say(a, room, 'three');
    a.send({ type: 'edit', room, id: three, body: 'three, edited' });
    await a.next('edited');
    const { c: back, joined } = await socket('bob', room, since);
    assert.deepEqual(
      joined.missed.map((m) => [m.id, m.body]),
      [[three, 'three, edited']],
      'a missed message comes as it is now',
    );
    assert.deepEqual(
      joined.changes.map((c) => [c.type, c.id, c.type === 'edited' ? c.body : null]),
      [
        ['edited', one, 'one, edited'],
        ['deleted', two, null],
        ['edited', three, 'three, edited'],
      ],
    );
    // Then live: a new change comes once, and nothing of the above comes again.
    a.send({ type: 'edit', room, id: three, body: 'three, again' });
    const live = await back.next('edited');
    assert.equal(live.body, 'three, again');
    const four = await say(a, room, 'four');
    await back.next('message', (m) => m.id === four);
    const repeats = back.frames.filter((f) => f.type === 'edited' || f.type === 'deleted' || f.type === 'message');
    assert.deepEqual(repeats, [], 'nothing twice');
    // Resuming again from the newest id the socket saw: nothing missed, nothing repeated.
    const { joined: again } = await socket('bob', room, four);
    assert.deepEqual([again.missed, again.changes], [[], []]);
    // From the cursor before the last edit: exactly that edit.
    const { joined: partial } = await socket('bob', room, live.seq - 1);
    assert.deepEqual(partial.changes.map((c) => c.seq), [live.seq]);
  });
});

describe(`edits across instances (${backend})`, () => {
  const ctx = pairSuite({ SEND_RATE_PER_10S: '1000' });
  const sockets: WsClient[] = [];
  after(() => {
    for (const s of sockets) s.close();
  });

  test('an edit and a deletion made on one instance reach sockets on the other, in order', async () => {
    await ctx.one.createUser('carol', 'carol-password-1');
    const admin = new WebClient(ctx.one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const carol = new WebClient(ctx.two.url);
    await carol.login('carol', 'carol-password-1');
    const room = await admin.createRoom('edits across');
    const connect = async (w: WebClient, app: RunningApp) => {
      const c = await WsClient.connect(app.url, { cookie: w.cookieHeader, origin: app.origin });
      sockets.push(c);
      await c.join(room);
      return c;
    };
    const a = await connect(admin, ctx.one);
    const c = await connect(carol, ctx.two);
    a.send({ type: 'send', room, clientId: 'x1', body: 'first' });
    const { id } = await a.next('ack');
    a.send({ type: 'edit', room, id, body: 'first (fixed)' });
    a.send({ type: 'send', room, clientId: 'x2', body: 'second' });
    a.send({ type: 'delete', room, id });
    await c.next('deleted');
    const seen = c.frames.filter((f) => f.type === 'message' || f.type === 'edited' || f.type === 'deleted');
    const order = (f: ServerFrame) => (f.type === 'message' ? f.id : (f as { seq: number }).seq);
    assert.deepEqual(
      seen.map((f) => f.type),
      ['message', 'edited', 'message'],
    );
    assert.deepEqual(
      seen.map(order),
      [...seen.map(order)].sort((x, y) => x - y),
      'in sequence',
    );
    assert.equal((seen[1] as { body: string }).body, 'first (fixed)');
  });
});

function pick(e: { code: string; room?: number; id?: number; clientId?: string }) {
  return { code: e.code, room: e.room, ...(e.id === undefined ? {} : { id: e.id }), ...(e.clientId === undefined ? {} : { clientId: e.clientId }) };
}
