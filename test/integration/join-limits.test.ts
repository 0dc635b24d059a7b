import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, pairSuite, type RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

const RATE = 4;

// Joining and leaving tell every member (presence, member events): a flood of them was a way to
// spam a room and load the server (review finding). One per-user budget, shared by the page
// forms, the websocket `join` and (on the shared backends) every instance.
describe(`joins and leaves are limited per user (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  const pair = pairSuite({ JOIN_RATE_PER_MINUTE: String(RATE) });
  let room: number;
  const sockets: WsClient[] = [];

  before(async () => {
    ({ one, two } = pair);
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    room = await admin.createRoom('joins');
    await one.createUser('flo', 'flo-password-1');
  });
  after(async () => {
    for (const s of sockets) s.close();
  });

  test('past the budget a websocket join is refused with rate_limited, and so are the forms, on every instance', async () => {
    const web = new WebClient(one.url);
    await web.login('flo', 'flo-password-1');
    const onOne = await WsClient.connect(one.url, { cookie: web.cookieHeader, origin: one.origin });
    sockets.push(onOne);
    for (let i = 0; i < RATE; i++) await onOne.join(room);
    onOne.send({ type: 'join', room });
    const refused = await onOne.next('error');
    assert.equal(refused.code, 'rate_limited');
    assert.ok(typeof refused.until === 'number' && refused.until > Date.now());
    // The same user on the other instance (or the same one on the embedded default) by form:
    const other = new WebClient(two.url);
    await other.login('flo', 'flo-password-1');
    const leave = await other.submit(`/rooms/${room}`, `/rooms/${room}/leave`, {});
    assert.equal(leave.status, 429);
    assert.ok(Number(leave.headers.get('retry-after')) >= 1);
    assert.match(await leave.text(), /doing that too often/);
    // Another user is not affected.
    const admin = await WsClient.connect(one.url, { cookie: (await adminWeb()).cookieHeader, origin: one.origin });
    sockets.push(admin);
    await admin.join(room);
  });

  async function adminWeb(): Promise<WebClient> {
    const web = new WebClient(one.url);
    await web.login(ADMIN.username, ADMIN.password);
    return web;
  }
});
