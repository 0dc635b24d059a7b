import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN, pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { probe } from '../support/probe.js';
import { WsClient } from '../support/ws.js';

/**
 * Private rooms on two instances: for anyone who is not a member (nor its owner, nor an admin)
 * a private room answers on every path exactly as an unknown room does.
 */
describe(`private rooms (${backend})`, () => {
  const ctx = pairSuite();
  let owner: WebClient; // dave, create_room, on instance one
  let carol: WebClient; // plain user, on instance two
  let mod: WebClient; // global moderator, not a member
  let admin: WebClient;
  let room: number;
  let publicRoom: number;
  const UNKNOWN = 999_999;

  const login = async (url: string, username: string, password: string) => {
    const web = new WebClient(url);
    assert.equal((await web.login(username, password)).status, 303);
    return web;
  };
  const members = (web: WebClient, id: number, fields: Record<string, string>) => web.submit('/rooms', `/rooms/${id}/members`, fields);
  const socket = (web: WebClient, url: string) => WsClient.connect(url, { cookie: web.cookieHeader, origin: url });

  before(async () => {
    const { one, two } = ctx;
    await one.createUser('dave', 'dave-password-1', ['create_room']);
    await one.createUser('carol', 'carol-password-1');
    await one.createUser('erin', 'erin-password-1');
    await one.createUser('mona', 'mona-password-1', ['moderate']);
    owner = await login(one.url, 'dave', 'dave-password-1');
    carol = await login(two.url, 'carol', 'carol-password-1');
    mod = await login(two.url, 'mona', 'mona-password-1');
    admin = await login(one.url, ADMIN.username, ADMIN.password);
    const res = await owner.submit('/rooms', '/rooms', { name: 'Secret garden', description: 'hush', visibility: 'private' });
    assert.equal(res.status, 303);
    room = Number(res.headers.get('location')!.split('/').pop());
    publicRoom = await owner.createRoom('Open field');
  });

  const listed = async (web: WebClient, search = '') => (await (await web.get(`/rooms${search ? `?q=${encodeURIComponent(search)}` : ''}`)).text()).includes('Secret garden');

  test('a non-member, and a moderator who is not one, meet the private room exactly as an unknown room on every path', async () => {
    const { two } = ctx;
    for (const web of [carol, mod]) {
      const unknown = await probe(web, two.url, UNKNOWN);
      assert.equal(unknown.page, 404);
      assert.equal(unknown.wsJoin, 'invalid');
      assert.deepEqual(await probe(web, two.url, room), unknown);
      assert.equal(await listed(web), false, 'not on the room list');
      assert.equal(await listed(web, 'Secret'), false, 'not found by search');
    }
    assert.equal(await ctx.one.app.deps.live.membership.isMember(room, (await ctx.one.app.deps.users.findByUsername('carol'))!.id), false);
  });

  test('the owner adds a member (on the other instance she reads, joins and lists it), a plain member cannot manage members', async () => {
    const { two } = ctx;
    // In no room yet: the list says how to get into one (and that the list below is of public rooms).
    const none = await (await carol.get('/rooms')).text();
    assert.match(none, /You&#39;re not in any room yet: open a room below, or an invite link you were sent\./);
    const added = await members(owner, room, { username: 'carol', action: 'add' });
    assert.equal(added.status, 200, 'the panel again, the result in the members card');
    const addedPage = await added.text();
    assert.match(addedPage, /<input id="room-members-username" name="username" type="text" required maxlength="64" autocomplete="off" autofocus>/, 'the field takes the focus, which shows the card');
    assert.match(addedPage, /<h2 id="members-title">[^<]*<\/h2>\s*<p class="muted">[^<]*<\/p>\s*<p class="notice" role="status">carol was added to this room\.<\/p>/);
    assert.equal((await carol.get(`/rooms/${room}`)).status, 200);
    assert.equal((await carol.get(`/rooms/${room}/messages`, { accept: 'application/json' })).status, 200);
    const list = await (await carol.get('/rooms')).text();
    const yours = /<ul id="my-rooms"[\s\S]*?<\/ul>/.exec(list)?.[0] ?? assert.fail('no "Your rooms"');
    assert.match(yours, /Secret garden/);
    assert.doesNotMatch(list, /not in any room yet/);
    const ws = await socket(carol, two.url);
    assert.equal((await ws.join(room)).room, room);
    ws.close();
    // A member is not a manager; names and actions are checked.
    assert.equal((await members(carol, room, { username: 'erin', action: 'add' })).status, 403);
    // An unknown name: the panel again, the message beside the field that keeps the name.
    const unknown = await members(owner, room, { username: 'nobody-here', action: 'add' });
    assert.equal(unknown.status, 404);
    const unknownPage = await unknown.text();
    assert.match(unknownPage, /<input id="room-members-username" name="username" type="text" value="nobody-here"[^>]* aria-invalid="true" aria-describedby="room-members-username-error" autofocus>/);
    assert.match(unknownPage, /<p class="field-error" id="room-members-username-error">No user has that username\.<\/p>/);
    assert.equal((await members(owner, room, { username: 'erin', action: 'invite' })).status, 400);
    assert.equal((await members(owner, room, { username: 'dave', action: 'remove' })).status, 403, 'the owner stays');
    assert.equal((await members(owner, publicRoom, { username: 'erin', action: 'add' })).status, 400, 'public rooms have no member list to manage');
  });

  test('a removed member is detached on every instance and the room is unknown to her again', async () => {
    const { one, two } = ctx;
    const here = await socket(carol, two.url);
    const there = await socket(carol, one.url);
    await here.join(room);
    await there.join(room);
    const removed = await members(owner, room, { username: 'carol', action: 'remove' });
    assert.equal(removed.status, 200);
    assert.match(await removed.text(), /carol was removed from this room\./);
    assert.equal((await here.next('left')).room, room);
    assert.equal((await there.next('left')).room, room);
    here.send({ type: 'send', room, clientId: 'c1', body: 'still here?' });
    assert.equal((await here.next('error')).code, 'not_member');
    here.close();
    there.close();
    assert.deepEqual(await probe(carol, two.url, room), await probe(carol, two.url, UNKNOWN));
    assert.equal(await listed(carol), false);
  });

  test('a banned member loses the room; the ban holds if she is added again', async () => {
    const { two } = ctx;
    const erin = await login(two.url, 'erin', 'erin-password-1');
    assert.equal((await members(owner, room, { username: 'erin', action: 'add' })).status, 200);
    assert.equal((await erin.get(`/rooms/${room}`)).status, 200);
    assert.equal((await owner.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'ban', username: 'erin' })).status, 303);
    assert.deepEqual(await probe(erin, two.url, room), await probe(erin, two.url, UNKNOWN));
    assert.equal((await members(owner, room, { username: 'erin', action: 'add' })).status, 200);
    assert.equal((await erin.get(`/rooms/${room}`)).status, 403, 'a member again, but banned');
  });

  test('a user manager cannot learn of a private room through the invite form: it is an unknown room there too', async () => {
    await ctx.one.createUser('uma', 'uma-password-1', ['manage_users']);
    const uma = await login(ctx.one.url, 'uma', 'uma-password-1');
    const form = await (await uma.get('/admin/invites')).text();
    assert.doesNotMatch(form, /Secret garden/, 'not offered');
    const invite = async (id: number) => {
      const res = await uma.submit('/admin/invites', '/admin/invites', { uses: '1', expiresHours: '24', room: String(id) });
      return { status: res.status, noRoom: (await res.text()).includes('One of the rooms does not exist.') };
    };
    const unknown = await invite(UNKNOWN);
    assert.equal(unknown.noRoom, true);
    assert.deepEqual(await invite(room), unknown);
  });

  test('an admin sees every private room, lists it, moderates it and manages its members', async () => {
    assert.equal(await listed(admin), true);
    assert.equal(await listed(admin, 'Secret'), true);
    assert.equal((await admin.get(`/rooms/${room}`)).status, 200);
    const panel = await admin.get(`/rooms/${room}/moderation`);
    assert.equal(panel.status, 200);
    assert.match(await panel.text(), /action="\/rooms\/\d+\/members"/);
    assert.equal((await admin.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'unban', username: 'erin' })).status, 303);
    assert.equal((await members(admin, room, { username: 'mona', action: 'add' })).status, 200);
    assert.equal((await mod.get(`/rooms/${room}/moderation`)).status, 200, 'a moderator who is a member moderates it');
    // Others' kept room lists never held it.
    assert.equal(await listed(carol), false);
  });

  test('the members card lists the members, a remove button where the viewer may remove; adding and removing are in both audit logs', async () => {
    const { one } = ctx;
    await one.createUser('finn', 'finn-password-1');
    const finn = (await one.app.deps.users.findByUsername('finn'))!;
    const dave = (await one.app.deps.users.findByUsername('dave'))!;
    assert.equal((await members(owner, room, { username: 'finn', action: 'add' })).status, 200);
    // Adding a member again changes nothing and logs nothing.
    assert.equal((await members(owner, room, { username: 'finn', action: 'add' })).status, 200);
    const card = async (web: WebClient) => /<section class="card" aria-labelledby="members-title">[\s\S]*?<\/section>/.exec(await (await web.get(`/rooms/${room}/moderation`)).text())?.[0] ?? assert.fail('no members card');
    const ownerCard = await card(owner);
    const row = (username: string) => new RegExp(`<li>\\s*<span class="member-name"><bdi>[^<]*</bdi> <span class="muted">@${username}</span></span>([\\s\\S]*?)</li>`).exec(ownerCard)?.[1];
    assert.match(row('finn') ?? assert.fail('finn not listed'), /<input type="hidden" name="username" value="finn">\s*<button type="submit" name="action" value="remove"/);
    assert.equal(row('dave')?.includes('<form'), false, 'the owner is listed, and stays');
    const removed = await members(owner, room, { username: 'finn', action: 'remove' });
    assert.equal(removed.status, 200);
    assert.doesNotMatch(await card(owner), /@finn</, 'gone from the list');

    const site = (await one.app.deps.siteAudit.list({ targetId: finn.id, limit: 10 })).entries.map((e) => [e.action, e.actorId, e.details]);
    assert.deepEqual(site, [
      ['member_remove', dave.id, { room, name: 'Secret garden' }],
      ['member_add', dave.id, { room, name: 'Secret garden' }],
    ]);
    const roomLog = (await one.app.deps.audit.list(room, { targetId: finn.id, limit: 10 })).entries.map((e) => [e.action, e.actorId]);
    assert.deepEqual(roomLog, [['member_remove', dave.id], ['member_add', dave.id]]);
    const panel = await (await owner.get(`/rooms/${room}/moderation?action=member_add`)).text();
    assert.match(panel, /<td>Member added<\/td>\s*<td><bdi>finn<\/bdi><\/td>/);
    const audit = await (await admin.get('/admin/audit?action=member_add')).text();
    assert.match(audit, /Added to a private room/);
    assert.match(audit, /Room “Secret garden”\./);
  });
});
