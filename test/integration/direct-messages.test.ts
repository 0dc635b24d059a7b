import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN, pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { probe } from '../support/probe.js';
import { WsClient } from '../support/ws.js';

/** Direct messages on two instances: one conversation per pair, readable by its two people (and admins). */
describe(`direct messages (${backend})`, () => {
  const ctx = pairSuite();
  let ann: WebClient; // instance one
  let ben: WebClient; // instance two
  let cal: WebClient; // a third person
  let admin: WebClient;
  let dm: number;

  const login = async (url: string, username: string, password: string) => {
    const web = new WebClient(url);
    assert.equal((await web.login(username, password)).status, 303);
    return web;
  };
  const openDm = (web: WebClient, fields: Record<string, string>) => web.submit('/rooms', '/dm', fields);
  const roomOf = (res: Response) => {
    assert.equal(res.status, 303);
    return Number(res.headers.get('location')!.split('/').pop());
  };

  before(async () => {
    const { one, two } = ctx;
    for (const name of ['ann', 'ben', 'cal']) await one.createUser(name, `${name}-password-1`);
    ann = await login(one.url, 'ann', 'ann-password-1');
    ben = await login(two.url, 'ben', 'ben-password-1');
    cal = await login(two.url, 'cal', 'cal-password-1');
    admin = await login(one.url, ADMIN.username, ADMIN.password);
  });

  test('both people opening it at once on two instances make one conversation, with both as members', async () => {
    const [a, b] = await Promise.all([openDm(ann, { username: 'ben' }), openDm(ben, { username: 'ann' })]);
    dm = roomOf(a);
    assert.equal(roomOf(b), dm);
    const rows = await ctx.one.app.deps.db.selectFrom('rooms').select(['id']).where('kind', '=', 'dm').execute();
    assert.equal(rows.length, 1, 'one row for the pair');
    const annId = (await ctx.one.app.deps.users.findByUsername('ann'))!.id;
    const benId = (await ctx.one.app.deps.users.findByUsername('ben'))!.id;
    assert.deepEqual((await ctx.one.app.deps.live.membership.members(dm)).sort(), [annId, benId].sort());
    // Opening it again, by name or by id (the member list's button), finds the same one.
    assert.equal(roomOf(await openDm(ann, { userId: String(benId) })), dm);
  });

  test('it is listed under "Direct messages" by the other person\'s name, never on the room list', async () => {
    const list = await (await ann.get('/rooms')).text();
    const section = /<ul id="my-dms"[\s\S]*?<\/ul>/.exec(list)?.[0] ?? assert.fail('no "Direct messages" section');
    assert.match(section, new RegExp(`href="/rooms/${dm}" class="room-link"><bdi>ben</bdi>`));
    assert.doesNotMatch(/<ul id="my-rooms"[\s\S]*?<\/ul>/.exec(list)?.[0] ?? '', new RegExp(`/rooms/${dm}"`));
    for (const web of [ann, admin]) {
      const all = await (await web.get('/rooms?q=dm')).text();
      assert.doesNotMatch(all, new RegExp(`/rooms/${dm}"`));
    }
    const page = await (await ben.get(`/rooms/${dm}`)).text();
    assert.match(page, /<h1 id="room-title"><bdi>ann<\/bdi><\/h1>/);
  });

  test('the two talk live; a third person meets it as an unknown room everywhere and cannot join or add herself', async () => {
    const { one, two } = ctx;
    const a = await WsClient.connect(one.url, { cookie: ann.cookieHeader, origin: one.url });
    const b = await WsClient.connect(two.url, { cookie: ben.cookieHeader, origin: two.url });
    await a.join(dm);
    await b.join(dm);
    a.send({ type: 'send', room: dm, clientId: 'hi1', body: 'hello ben' });
    assert.equal((await b.next('message')).body, 'hello ben');
    a.close();
    b.close();
    assert.deepEqual(await probe(cal, two.url, dm), await probe(cal, two.url, 999_999));
  });

  test('nobody manages its members, the one who opened it has no moderation power, and a DM to oneself or nobody is refused', async () => {
    assert.equal((await ann.submit('/rooms', `/rooms/${dm}/members`, { username: 'cal', action: 'add' })).status, 403);
    assert.equal((await admin.submit('/rooms', `/rooms/${dm}/members`, { username: 'cal', action: 'add' })).status, 400);
    for (const web of [ann, ben]) assert.equal((await web.get(`/rooms/${dm}/moderation`)).status, 403);
    assert.equal((await ann.submit(`/rooms/${dm}`, `/rooms/${dm}/moderation`, { action: 'kick', username: 'ben' })).status, 403);
    assert.equal((await openDm(ann, { username: 'ann' })).status, 400);
    assert.equal((await openDm(ann, { username: 'nobody-at-all' })).status, 404);
    assert.equal((await openDm(ann, {})).status, 400);
    assert.equal((await openDm(ann, { username: 'ben', userId: '2' })).status, 400);
  });

  test('it is not left: the page offers no Leave, the form is refused and a socket\'s `leave` keeps the membership', async () => {
    const { one } = ctx;
    const annId = (await one.app.deps.users.findByUsername('ann'))!.id;
    const page = await (await ann.get(`/rooms/${dm}`)).text();
    assert.doesNotMatch(page, new RegExp(`action="/rooms/${dm}/leave"`));
    const res = await ann.submit(`/rooms/${dm}`, `/rooms/${dm}/leave`, {});
    assert.equal(res.status, 400);
    assert.match(await res.text(), /A direct message cannot be left/);
    assert.equal(await one.app.deps.live.membership.isMember(dm, annId), true);
    // Over the socket, `leave` only stops this socket receiving the room (docs/protocol.md).
    const a = await WsClient.connect(one.url, { cookie: ann.cookieHeader, origin: one.url });
    await a.join(dm);
    a.send({ type: 'leave', room: dm });
    await a.next('left');
    a.close();
    assert.equal(await one.app.deps.live.membership.isMember(dm, annId), true);
  });

  test('an admin reads it and moderates it', async () => {
    assert.equal((await admin.get(`/rooms/${dm}`)).status, 200);
    assert.equal((await admin.get(`/rooms/${dm}/messages`, { accept: 'application/json' })).status, 200);
    assert.equal((await admin.get(`/rooms/${dm}/moderation`)).status, 200);
    assert.equal((await admin.submit(`/rooms/${dm}`, `/rooms/${dm}/moderation`, { action: 'mute', username: 'ann', minutes: '5' })).status, 303);
    const page = await (await ann.get(`/rooms/${dm}`)).text();
    assert.match(page, /You are muted until/);
  });
});
