import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`websocket protocol (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let erin: WebClient;
  const sockets: WsClient[] = [];
  let roomSeq = 0;

  before(async () => {
    storage = await createStorage();
    // The send limit is per user (test/integration/send-limits.test.ts): high enough here.
    hihi = await startApp(storage, { SEND_RATE_PER_10S: '1000' });
    await hihi.createUser('erin', 'erin-password-1');
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    erin = new WebClient(hihi.url);
    await erin.login('erin', 'erin-password-1');
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function newRoom(): Promise<number> {
    return admin.createRoom(`ws room ${++roomSeq}`);
  }
  async function connect(web: WebClient): Promise<WsClient> {
    const c = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    return c;
  }
  async function joined(web: WebClient, room: number, since?: number) {
    const c = await connect(web);
    c.send({ type: 'join', room, ...(since === undefined ? {} : { since }) });
    const j = await c.next('joined');
    return { c, j };
  }

  test('the handshake needs a session', async () => {
    await assert.rejects(WsClient.connect(hihi.url, { origin: hihi.origin }), { status: 401 });
    await assert.rejects(WsClient.connect(hihi.url, { origin: hihi.origin, cookie: 'hihi.sid=forged.sig' }), { status: 401 });
  });

  test('a foreign or missing Origin is refused', async () => {
    await assert.rejects(WsClient.connect(hihi.url, { cookie: admin.cookieHeader, origin: 'http://evil.example' }), { status: 403 });
    await assert.rejects(WsClient.connect(hihi.url, { cookie: admin.cookieHeader }), { status: 403 });
    const port = new URL(hihi.url).port;
    await assert.rejects(WsClient.connect(hihi.url, { cookie: admin.cookieHeader, origin: `http://localhost:${port}` }), { status: 403 });
  });

  test('join answers with members and online users, and announces newcomers', async () => {
    const room = await newRoom();
    const { c: a, j } = await joined(admin, room);
    assert.equal(j.room, room);
    assert.deepEqual(j.members.map((m) => m.name), ['admin']);
    assert.deepEqual(j.online.map((m) => m.name), ['admin']);
    assert.deepEqual(j.missed, []);
    const { j: j2 } = await joined(erin, room);
    assert.deepEqual(j2.members.map((m) => m.name), ['admin', 'erin']);
    assert.deepEqual(j2.online.map((m) => m.name).sort(), ['admin', 'erin']);
    const member = await a.next('member');
    assert.deepEqual([member.user.name, member.action], ['erin', 'join']);
    const presence = await a.next('presence', (p) => p.user.name === 'erin');
    assert.equal(presence.online, true);
  });

  test('send is acked with the stored id, then every subscriber (sender included) gets the message', async () => {
    const room = await newRoom();
    const { c: a } = await joined(admin, room);
    const { c: b } = await joined(erin, room);
    a.send({ type: 'send', room, clientId: 'm-1', body: '  你好 😀 <b>hi</b>  ' });
    const ack = await a.next('ack');
    assert.equal(ack.clientId, 'm-1');
    assert.equal(ack.id, 1);
    assert.ok(Math.abs(ack.ts - Date.now()) < 10_000);
    // Only the sender's own sockets get the clientId (they match their pending line by it).
    const message = { type: 'message', room, id: 1, ts: ack.ts, user: { id: 1, name: 'admin' }, body: '你好 😀 <b>hi</b>' };
    assert.deepEqual(await a.next('message'), { ...message, clientId: 'm-1' });
    assert.deepEqual(await b.next('message'), message);
  });

  test('a message carries its clientId to every socket of its author, and to nobody else, however many arrive together', async () => {
    const room = await newRoom();
    const { c: a } = await joined(admin, room);
    const { c: otherTab } = await joined(admin, room);
    const { c: b } = await joined(erin, room);
    // Sent without waiting: messages of both authors reach each instance in the same turns.
    for (let i = 0; i < 10; i++) {
      a.send({ type: 'send', room, clientId: `a${i}`, body: `a${i}` });
      b.send({ type: 'send', room, clientId: `b${i}`, body: `b${i}` });
    }
    for (const [c, me] of [[a, 'admin'], [otherTab, 'admin'], [b, 'erin']] as const) {
      const got = [];
      for (let i = 0; i < 20; i++) got.push(await c.next('message'));
      assert.deepEqual(got.map((m) => m.id), Array.from({ length: 20 }, (_, i) => i + 1), 'each once, in id order');
      for (const m of got) assert.equal(m.clientId, m.user.name === me ? m.body : undefined, `${me} reading ${m.body}`);
    }
  });

  test('sending again with the same clientId stores nothing new and acks the first id', async () => {
    const room = await newRoom();
    const { c } = await joined(admin, room);
    c.send({ type: 'send', room, clientId: 'same', body: 'once' });
    const first = await c.next('ack');
    c.send({ type: 'send', room, clientId: 'same', body: 'once' });
    const second = await c.next('ack');
    assert.equal(second.id, first.id);
    const { body } = await admin.json<{ messages: unknown[] }>(`/rooms/${room}/messages`);
    assert.equal(body.messages.length, 1);
  });

  test('join with since returns exactly what was missed', async () => {
    const room = await newRoom();
    const { c } = await joined(admin, room);
    for (let i = 1; i <= 5; i++) {
      c.send({ type: 'send', room, clientId: `s${i}`, body: `n${i}` });
      await c.next('ack');
    }
    const { j } = await joined(erin, room, 2);
    assert.deepEqual(j.missed.map((m) => [m.id, m.body]), [[3, 'n3'], [4, 'n4'], [5, 'n5']]);
    assert.equal(j.hasMore, false);
    const { j: none } = await joined(erin, room, 5);
    assert.deepEqual(none.missed, []);
  });

  test('bad frames get error frames and the socket stays open', async () => {
    const room = await newRoom();
    const { c } = await joined(admin, room);
    const cases: Array<[string, string, string?]> = [
      ['not json', 'invalid'],
      ['[]', 'invalid'],
      ['{"type":"shout","room":1}', 'invalid'],
      [JSON.stringify({ type: 'join', room: 'abc' }), 'invalid'],
      [JSON.stringify({ type: 'join', room, extra: true }), 'invalid'],
      [JSON.stringify({ type: 'send', room, clientId: 'ok-1', body: ['array'] }), 'invalid', 'ok-1'],
      [JSON.stringify({ type: 'send', room, clientId: 'has space', body: 'x' }), 'invalid'],
      [JSON.stringify({ type: 'send', room, clientId: 'e-1', body: '   ' }), 'invalid', 'e-1'],
      [JSON.stringify({ type: 'send', room, clientId: 'e-2', body: '字'.repeat(2001) }), 'too_long', 'e-2'],
      [JSON.stringify({ type: 'join', room: 987654 }), 'invalid'],
      ['{"type":"send","room":1,"clientId":"p","body":"x","__proto__":{"admin":true}}', 'invalid', 'p'],
    ];
    for (const [raw, code, clientId] of cases) {
      c.sendRaw(raw);
      const e = await c.next('error');
      assert.equal(e.code, code, raw.slice(0, 60));
      assert.equal(e.clientId, clientId, raw.slice(0, 60));
      assert.ok(e.message.length > 0);
    }
    // Exactly 2000 characters (emoji count as one) is fine.
    c.send({ type: 'send', room, clientId: 'max', body: '😀'.repeat(2000) });
    assert.equal((await c.next('ack')).clientId, 'max');
    assert.equal(c.closed, undefined);
  });

  test('sending to a room not joined on this socket is not_member', async () => {
    const room = await newRoom();
    const c = await connect(erin);
    c.send({ type: 'send', room, clientId: 'nm', body: 'hi' });
    const e = await c.next('error');
    assert.deepEqual([e.code, e.clientId], ['not_member', 'nm']);
  });

  test('a binary frame closes the socket with 1003, text that is not UTF-8 with 1007', async () => {
    const room = await newRoom();
    const { c: binary } = await joined(admin, room);
    binary.sendRaw(Buffer.from([1, 2, 3]), true);
    assert.equal((await binary.waitClosed()).code, 1003);
    const { c: text } = await joined(admin, room);
    text.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false); // "{" + invalid bytes + "}" as a text frame
    assert.equal((await text.waitClosed()).code, 1007);
    // The server is unharmed.
    const { c: fine } = await joined(admin, room);
    fine.send({ type: 'send', room, clientId: 'after-bad-bytes', body: 'ok' });
    assert.equal((await fine.next('ack')).clientId, 'after-bad-bytes');
  });

  test('a frame over 16 KiB closes the socket with 1009', async () => {
    const room = await newRoom();
    const { c } = await joined(admin, room);
    c.sendRaw(JSON.stringify({ type: 'send', room, clientId: 'big', body: 'x'.repeat(17 * 1024) }));
    assert.equal((await c.waitClosed()).code, 1009);
  });

  test('leave stops delivery to that socket; membership stays', async () => {
    const room = await newRoom();
    const { c: a } = await joined(admin, room);
    const { c: b } = await joined(erin, room);
    b.send({ type: 'leave', room });
    await b.next('left');
    assert.equal((await a.next('presence', (p) => p.user.name === 'erin' && !p.online)).online, false);
    a.send({ type: 'send', room, clientId: 'after-leave', body: 'anyone?' });
    await a.next('message');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.frames.filter((f) => f.type === 'message').length, 0);
    assert.equal((await erin.json(`/rooms/${room}/messages`)).status, 200, 'still a member');
  });

  test('leaving the room over HTTP drops it from every open socket of that user', async () => {
    const room = await newRoom();
    const { c } = await joined(erin, room);
    await erin.submit('/rooms', `/rooms/${room}/leave`, {});
    assert.equal((await c.next('left')).room, room);
  });

  test('closing the last socket takes the user offline', async () => {
    const room = await newRoom();
    const { c: a } = await joined(admin, room);
    const { c: b1 } = await joined(erin, room);
    const { c: b2 } = await joined(erin, room);
    await a.next('presence', (p) => p.user.name === 'erin' && p.online);
    b1.close();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(a.frames.some((f) => f.type === 'presence' && !f.online), false, 'still online through the second tab');
    b2.close();
    await a.next('presence', (p) => p.user.name === 'erin' && !p.online);
  });

  test('many messages from several senders arrive once each, in id order per sender', async () => {
    const room = await newRoom();
    const { c: a } = await joined(admin, room);
    const { c: b } = await joined(erin, room);
    const { c: watcher } = await joined(admin, room);
    for (let i = 0; i < 5; i++) {
      a.send({ type: 'send', room, clientId: `a${i}`, body: `a${i}` });
      b.send({ type: 'send', room, clientId: `b${i}`, body: `b${i}` });
    }
    const got = [];
    for (let i = 0; i < 10; i++) got.push(await watcher.next('message'));
    assert.deepEqual(got.map((m) => m.id).sort((x, y) => x - y), Array.from({ length: 10 }, (_, i) => i + 1));
    const fromA = got.filter((m) => m.user.name === 'admin').map((m) => m.body);
    assert.deepEqual(fromA, ['a0', 'a1', 'a2', 'a3', 'a4']);
  });

  test('a burst of frames sent without waiting: join first, sends stored and answered in the order sent, a refusal in its place, leave last', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const c = await connect(admin);
    const n = 60;
    // Nothing awaited: the sends overlap on the server (Connection.pipelined), yet must keep order.
    c.send({ type: 'join', room });
    for (let i = 0; i < n; i++) {
      if (i === 20) c.send({ type: 'send', room, clientId: `p${i}`, body: `m${i}`, replyTo: 999_999 });
      else if (i === 40) c.send({ type: 'send', room: other, clientId: `p${i}`, body: `m${i}` });
      else c.send({ type: 'send', room, clientId: `p${i}`, body: `m${i}` });
    }
    c.send({ type: 'leave', room });
    c.send({ type: 'send', room, clientId: 'late', body: 'after leaving' });
    const answers = () => c.frames.filter((f) => (f.type === 'ack' || f.type === 'error') && 'clientId' in f && f.clientId !== undefined);
    const deadline = Date.now() + 10_000;
    while (answers().length < n + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const got = answers() as Array<{ type: string; clientId: string; id?: number; code?: string }>;
    assert.deepEqual(got.map((f) => f.clientId), [...Array.from({ length: n }, (_, i) => `p${i}`), 'late'], 'answered in the order sent');
    assert.equal(got[20]!.type, 'error');
    assert.equal(got[20]!.code, 'invalid');
    assert.equal(got[40]!.code, 'not_member');
    assert.equal(got[n]!.code, 'not_member', 'the send after leave is refused: leave waited for the sends before it');
    const acked = got.filter((f) => f.type === 'ack');
    assert.equal(acked.length, n - 2);
    const ids = acked.map((f) => f.id!);
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'stored in the order sent');
    assert.equal(new Set(ids).size, ids.length);
    // And the room's history agrees: bodies in the order they were sent.
    const { c: reader, j } = await joined(erin, room, 0);
    reader.close();
    const bodies = (j.missed ?? []).map((m: { body: string }) => m.body);
    const sent = Array.from({ length: n }, (_, i) => `m${i}`).filter((_, i) => i !== 20 && i !== 40);
    assert.ok(bodies.length > 0);
    assert.deepEqual(bodies, sent.slice(0, bodies.length));
  });

  test('after a dropped connection: rejoin with since fills the gap, resending the unacked message stores it once', async () => {
    const room = await newRoom();
    const { c: stay } = await joined(admin, room);
    const { c: flaky } = await joined(erin, room);
    stay.send({ type: 'send', room, clientId: 'before', body: 'seen by both' });
    const seen = await flaky.next('message');
    // The flaky client sends, and its connection dies before it reads the ack.
    flaky.send({ type: 'send', room, clientId: 'unacked', body: 'did this arrive?' });
    await stay.next('message', (m) => m.body === 'did this arrive?');
    flaky.socket.terminate();
    stay.send({ type: 'send', room, clientId: 'while-away', body: 'sent while erin was away' });
    await stay.next('ack', (a) => a.clientId === 'while-away');

    const { c: back, j } = await joined(erin, room, seen.id);
    assert.deepEqual(j.missed.map((m) => m.clientId), ['before', 'unacked', 'while-away'].slice(1));
    back.send({ type: 'send', room, clientId: 'unacked', body: 'did this arrive?' });
    const ack = await back.next('ack');
    assert.equal(ack.id, j.missed[0]!.id, 'acked with the first copy');
    const { body } = await erin.json<{ messages: Array<{ clientId: string }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(body.messages.map((m) => m.clientId), ['before', 'unacked', 'while-away']);
  });
});
