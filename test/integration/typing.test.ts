/**
 * `typing` (docs/protocol.md): told to the room on every instance, never stored, only from a
 * socket in the room, at most one per user every 2 s, and never for a muted user.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ADMIN, pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`typing notices (${backend})`, () => {
  // Two instances on the shared backends (one app twice on the embedded default).
  const s = pairSuite();
  const sockets: WsClient[] = [];
  after(() => {
    for (const c of sockets) c.close();
  });

  let users = 0;
  /** A new user signed in on `app`, and their socket there. */
  async function person(app: 'one' | 'two') {
    const name = `typist${++users}`;
    await s.one.createUser(name, `${name}-password-1`);
    const web = new WebClient(s[app].url);
    await web.login(name, `${name}-password-1`);
    const ws = await WsClient.connect(s[app].url, { cookie: web.cookieHeader, origin: s[app].origin });
    sockets.push(ws);
    return { name, web, ws };
  }
  async function adminOn(app: 'one' | 'two') {
    const web = new WebClient(s[app].url);
    await web.login(ADMIN.username, ADMIN.password);
    return web;
  }

  test('a typing notice reaches the room on the other instance; it is not stored; one per 2 s per user', async () => {
    const admin = await adminOn('one');
    const room = await admin.createRoom('Typing room');
    const ann = await person('one');
    const bob = await person('two');
    await ann.ws.join(room);
    await bob.ws.join(room);

    ann.ws.send({ type: 'typing', room });
    const seen = await bob.ws.next('typing');
    assert.deepEqual(seen, { type: 'typing', room, user: { id: seen.user.id, name: ann.name } });
    // A second notice at once is over the rate: dropped (silently). Her message comes next.
    ann.ws.send({ type: 'typing', room });
    ann.ws.send({ type: 'send', room, clientId: 't-1', body: 'hello' });
    await bob.ws.next('message', (m) => m.body === 'hello'); // others' frames carry no clientId
    assert.equal(bob.ws.frames.filter((f) => f.type === 'typing').length, 0, 'the second notice went nowhere');
    assert.equal(ann.ws.frames.filter((f) => f.type === 'error').length, 0);

    // Nothing of it is stored: the history holds the message only.
    const history = await admin.json<{ messages: Array<{ body: string }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(history.body.messages.map((m) => m.body), ['hello']);
  });

  test('only a socket in the room may tell it', async () => {
    const admin = await adminOn('one');
    const room = await admin.createRoom('Closed typing');
    const cy = await person('one');
    cy.ws.send({ type: 'typing', room });
    const err = await cy.ws.next('error');
    assert.deepEqual([err.code, err.room], ['not_member', room]);
    cy.ws.send({ type: 'typing', room: 'x' });
    assert.equal((await cy.ws.next('error')).code, 'invalid');
  });

  test('a muted user’s typing is shown to nobody, on either instance', async () => {
    const admin = await adminOn('two');
    const room = await admin.createRoom('Muted typing');
    const dee = await person('one');
    const eli = await person('two');
    const fay = await person('one');
    for (const p of [dee, eli, fay]) await p.ws.join(room);
    const page = await (await admin.get(`/rooms/${room}`)).text();
    const res = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: extractCsrf(page), action: 'mute', username: dee.name }, { accept: 'application/json' });
    assert.equal(res.status, 200);

    dee.ws.send({ type: 'typing', room });
    // Her next frame is handled once the typing one is done (frames run in order per socket):
    // any notice it let out would be on the bus before fay's below.
    dee.ws.send({ type: 'send', room, clientId: 'm-1', body: 'am I heard?' });
    assert.equal((await dee.ws.next('error')).code, 'muted');
    fay.ws.send({ type: 'typing', room });
    for (const watcher of [eli, fay]) {
      const first = await watcher.ws.next('typing');
      assert.equal(first.user.name, fay.name, 'the first notice anyone gets is fay’s, not the muted dee’s');
    }
  });
});
