import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_STRIKES } from '../../src/realtime/connection.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

const RATE = 4;
const READS_PER_10S = 12;

/**
 * `delete` counts against the user's send limit (as `edit` does); `read` has a per-user limit
 * of its own on the instance. Over either: a `rate_limited` error frame with `until`, the socket
 * open; a client that keeps going is closed with 1008 (docs/protocol.md).
 */
describe(`read and delete frames are rate limited (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let room = 0;
  const sockets: WsClient[] = [];

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SEND_RATE_PER_10S: String(RATE), READ_RATE_PER_10S: String(READS_PER_10S) });
    const admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    room = await admin.createRoom('limits');
    for (const name of ['dee', 'rex', 'ann']) await hihi.createUser(name, `${name}-password-1`);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function socketOf(name: string): Promise<WsClient> {
    const web = new WebClient(hihi.url);
    assert.equal((await web.login(name, `${name}-password-1`)).status, 303);
    const c = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    await c.join(room);
    return c;
  }

  test('deletes share the send budget: over it, rate_limited naming the message, which stays', async () => {
    const ws = await socketOf('dee');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      ws.send({ type: 'send', room, clientId: `d${i}`, body: `line ${i}` });
      ids.push((await ws.next('ack', (a) => a.clientId === `d${i}`)).id);
    }
    ws.send({ type: 'delete', room, id: ids[0]! });
    await ws.next('deleted', (f) => f.id === ids[0]);
    // Two sends and a delete: one left in the window.
    ws.send({ type: 'delete', room, id: 999_999 });
    assert.equal((await ws.next('error', (f) => f.id === 999_999)).code, 'invalid', 'the fourth action still within the budget');
    const started = Date.now();
    ws.send({ type: 'delete', room, id: ids[1]! });
    const refused = await ws.next('error', (f) => f.id === ids[1]);
    assert.equal(refused.code, 'rate_limited');
    assert.equal(refused.room, room);
    assert.ok(refused.until! > started, 'until when');
    assert.match(refused.message, /too fast/);
    const page = await hihi.app.deps.messages.history(room, { limit: 10 });
    assert.ok(page.messages.some((m) => m.id === ids[1]), 'not deleted');
    assert.equal(ws.closed, undefined, 'the socket stays open');
  });

  test(`reads: ${READS_PER_10S} in 10 s, then rate_limited; a client that ignores it is closed with 1008, others unaffected`, async () => {
    const rex = await hihi.app.deps.users.findByUsername('rex');
    const ws = await socketOf('rex');
    const other = await socketOf('ann');
    const newest = (await hihi.app.deps.messages.history(room, { limit: 1 })).messages[0]!.id;
    for (let i = 0; i < READS_PER_10S; i++) ws.send({ type: 'read', room, id: newest });
    ws.send({ type: 'read', room, id: newest });
    const refused = await ws.next('error');
    assert.equal(refused.code, 'rate_limited');
    assert.equal(refused.room, room);
    assert.ok(refused.until! > Date.now() - 1000 && refused.until! <= Date.now() + 10_000, 'the window’s end');
    assert.match(refused.message, /too often/);
    assert.equal(ws.frames.filter((f) => f.type === 'error').length, 0, 'one refusal, for the one read over');
    await eventually(async () => (await hihi.app.deps.unread.lastRead(rex!.id, room)) === newest, 3000, 'the reads within the limit were taken');

    // Still refusing (one strike spent above): the 1008 comes once the strikes run out.
    for (let i = 0; i < MAX_STRIKES; i++) ws.send({ type: 'read', room, id: newest });
    assert.equal((await ws.waitClosed()).code, 1008);
    assert.equal(ws.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited').length, MAX_STRIKES - 1);

    // The server and other users go on.
    other.send({ type: 'read', room, id: newest });
    other.send({ type: 'send', room, clientId: 'after', body: 'still here' });
    await other.next('ack', (a) => a.clientId === 'after');
    assert.equal(other.frames.filter((f) => f.type === 'error').length, 0);
    assert.equal(other.closed, undefined);
  });
});
