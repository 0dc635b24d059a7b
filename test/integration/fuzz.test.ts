import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** Random and mutated frames thrown at a live server: it must answer, stay up, and stay correct. */
describe(`websocket fuzz (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let web: WebClient;
  let room: number;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SEND_RATE_PER_10S: '10000' });
    web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    room = await web.createRoom('fuzz');
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('1,500 random frames: every one answered or refused, the server healthy afterwards', async () => {
    // Every frame type and field a client may send (edit, delete, typing and read included),
    // with hostile strings (lone surrogates, controls, tabs), huge numbers and real ids.
    const value = fc.oneof(fc.jsonValue(), fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), fc.integer(), fc.double(), fc.constant(room), fc.constantFrom(1, 2, 3), fc.constant(null));
    const frame = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ({ raw: s })),
      fc
        .record(
          { type: fc.constantFrom('join', 'send', 'leave', 'edit', 'delete', 'typing', 'read', 'ack', '__proto__', 'constructor'), room: value, clientId: value, body: value, since: value, id: value, replyTo: value },
          { requiredKeys: ['type'] },
        )
        .map((o) => ({ raw: JSON.stringify(o) })),
      fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) })),
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ binary: Buffer.from(b) })),
    );
    const frames = fc.sample(frame, { numRuns: 1500, seed: 4242 });
    let socket = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    // Joined, with messages 1–3 stored, so edits, deletions, replies and reads reach their handlers.
    await socket.join(room);
    for (const n of [1, 2, 3]) {
      socket.send({ type: 'send', room, clientId: `seed-${n}`, body: `seed ${n}` });
      await socket.next('ack', (a) => a.clientId === `seed-${n}`);
    }
    let reopened = 0;
    for (const f of frames) {
      if (socket.closed) {
        // Only the documented closes are allowed (1003 binary, 1007 invalid UTF-8, 1009 too big).
        assert.ok([1003, 1007, 1009].includes(socket.closed.code), `closed with ${socket.closed.code}`);
        socket = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
        reopened++;
      }
      if ('binary' in f) socket.sendRaw(f.binary!, true);
      else socket.sendRaw(f.raw!);
    }
    // Everything sent was processed: a final join is answered in order (unless the last
    // frames closed the socket, in which case a new one must be answered).
    socket.send({ type: 'join', room });
    const answered = await socket.next('joined', undefined, 20_000).then(() => true, () => false);
    if (!answered) {
      assert.ok(socket.closed && [1003, 1007, 1009].includes(socket.closed.code));
      socket = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
      await socket.join(room);
    }
    socket.close();

    assert.equal((await fetch(`${hihi.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${hihi.url}/readyz`)).status, 200);
    const fresh = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await fresh.join(room);
    fresh.send({ type: 'send', room, clientId: 'after-fuzz', body: 'still fine' });
    const ack = await fresh.next('ack');
    const m = await fresh.next('message', (x) => x.clientId === 'after-fuzz');
    assert.equal(m.id, ack.id);
    fresh.close();
    // Whatever was stored is well-formed.
    const { body } = await web.json<{ messages: Array<{ body: string; clientId: string }> }>(`/rooms/${room}/messages?limit=100`);
    for (const msg of body.messages) {
      assert.equal(typeof msg.body, 'string');
      assert.ok(msg.body.length > 0 && msg.body === msg.body.trim());
      assert.match(msg.clientId, /^[A-Za-z0-9_-]{1,64}$/);
    }
    assert.ok(reopened < 600);
  });
});
