import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

/**
 * Moderation, enforced on the server on every path. The clock is injected so that expiry can
 * be tested without waiting; retention is 0.001 days (86.4 s) for the same reason.
 */
describe(`moderation (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  const web: Record<string, WebClient> = {};
  const ids: Record<string, number> = {};
  const sockets: WsClient[] = [];
  let seq = 0;

  before(async () => {
    storage = await createStorage();
    // Idle timeout of 30 days: the clock jumps days ahead below.
    hihi = await startApp(storage, { RETENTION_DAYS: '0.001', PRUNE_BATCH: '10', SEND_RATE_PER_10S: '1000', SESSION_IDLE_MINUTES: '43200' }, { now: () => clock.t });
    const people: Array<[string, Array<'create_room' | 'moderate' | 'admin'>]> = [
      ['owner', ['create_room']],
      ['other', ['create_room']],
      ['mod', ['moderate']],
      ['mod2', ['moderate']],
      ['alice', []],
      ['bob', []],
    ];
    for (const [name, perms] of people) ids[name] = (await hihi.createUser(name, `${name}-password-1`, perms)).id;
    ids.admin = 1;
    for (const name of Object.keys(ids)) {
      web[name] = new WebClient(hihi.url);
      const res = await web[name]!.login(name, name === 'admin' ? ADMIN.password : `${name}-password-1`);
      assert.equal(res.status, 303, name);
    }
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  /** A room owned by `owner` that alice and bob have joined. */
  async function newRoom(owner = 'owner'): Promise<number> {
    const room = await web[owner]!.createRoom(`mod room ${++seq}`);
    for (const u of ['alice', 'bob']) assert.equal((await web[u]!.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    return room;
  }
  function act(who: string, room: number, fields: Record<string, string>) {
    return web[who]!.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, fields);
  }
  async function socket(who: string, room?: number): Promise<WsClient> {
    const c = await WsClient.connect(hihi.url, { cookie: web[who]!.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    if (room !== undefined) {
      await c.join(room);
    }
    return c;
  }
  async function post(who: string, room: number, body: string) {
    const page = await (await web[who]!.get(`/rooms/${room}`)).text();
    const csrf = page.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    return web[who]!.request('POST', `/rooms/${room}/messages`, { _csrf: csrf, clientId: `form-${++seq}`, body });
  }

  test('an owner kicked or banned from their own room has no power over it meanwhile', async () => {
    const room = await newRoom();
    assert.equal((await act('mod', room, { action: 'ban', username: 'owner', minutes: '', reason: '' })).status, 303);
    const csrf = extractCsrf(await (await web.owner!.get('/rooms')).text());
    const asOwner = (path: string, fields: Record<string, string>) => web.owner!.request('POST', path, { _csrf: csrf, ...fields });
    assert.equal((await web.owner!.get(`/rooms/${room}/moderation`)).status, 403, 'the audit log');
    assert.equal((await asOwner(`/rooms/${room}/moderation`, { action: 'ban', username: 'alice', minutes: '', reason: '' })).status, 403);
    assert.equal((await asOwner(`/rooms/${room}/moderation`, { action: 'unban', username: 'owner', minutes: '', reason: '' })).status, 403);
    assert.equal((await asOwner(`/rooms/${room}/settings`, { description: 'mine again' })).status, 403);
    assert.equal((await asOwner(`/rooms/${room}/archive`, { archived: '1' })).status, 403);
    assert.equal((await asOwner(`/rooms/${room}/delete`, { confirm: 'yes' })).status, 403);
    assert.ok(await hihi.app.deps.rooms.get(room), 'the room is still there');
    assert.equal(Object.keys(await hihi.app.deps.live.moderation.active(room, ids.alice!, clock.t)).length, 0, 'alice is not banned');
    // Lifted, the owner is the owner again.
    assert.equal((await act('mod', room, { action: 'unban', username: 'owner', minutes: '', reason: '' })).status, 303);
    assert.equal((await web.owner!.get(`/rooms/${room}/moderation`)).status, 200);
  });

  test('who may moderate whom: owner in their room, moderators anywhere, never oneself or an equal or higher rank', async () => {
    const room = await newRoom();
    const otherRoom = await newRoom('other');
    // Targets must be in the room (else 404, as for a name nobody has: moderation-oracle.test.ts).
    for (const u of ['mod', 'mod2', 'admin']) await hihi.app.deps.live.membership.join(room, ids[u]!);
    const cases: Array<[string, number, string, number]> = [
      ['alice', room, 'bob', 403], // a member
      ['owner', otherRoom, 'alice', 403], // owner of another room
      ['owner', room, 'owner', 403], // oneself
      ['owner', room, 'mod', 403], // a higher rank
      ['mod', room, 'mod2', 403], // an equal rank
      ['mod', room, 'admin', 403],
      ['mod', room, 'mod', 403],
      ['owner', room, 'alice', 303],
      ['mod', otherRoom, 'alice', 303],
      ['mod', room, 'owner', 303],
      ['admin', room, 'mod', 303],
    ];
    for (const [actor, r, target, status] of cases) {
      const res = await act(actor, r, { action: 'mute', username: target, minutes: '5' });
      assert.equal(res.status, status, `${actor} mutes ${target} in ${r === room ? 'room' : 'otherRoom'}`);
    }
    const panel = await web.alice!.get(`/rooms/${room}/moderation`);
    assert.equal(panel.status, 403, 'members do not see the panel');
  });

  test('tampered forms are refused: unknown fields, bad values, other rooms’ messages, unknown users', async () => {
    const room = await newRoom();
    const otherRoom = await newRoom('other');
    const { id: foreignMessage } = await hihi.app.deps.messages.post(await hihi.app.deps.rooms.get(otherRoom), (await hihi.app.deps.users.findById(ids.other!))!, 'x1', 'in the other room');
    const cases: Array<[Record<string, string>, number]> = [
      [{ action: 'mute', username: 'alice', is_admin: '1' }, 400],
      [{ action: 'promote', username: 'alice' }, 400],
      [{ action: 'mute', username: 'alice', minutes: '-5' }, 400],
      [{ action: 'mute', username: 'alice', minutes: '1e9' }, 400],
      [{ action: 'mute' }, 400],
      [{ action: 'mute', username: 'nobody' }, 404],
      [{ action: 'mute', userId: '999999' }, 404],
      [{ action: 'delete', messageId: String(foreignMessage + 1000) }, 404],
      [{ action: 'unmute', username: 'alice' }, 409],
    ];
    for (const [fields, status] of cases) assert.equal((await act('owner', room, fields)).status, status, JSON.stringify(fields));
    // The other room's message id, named in this room, deletes nothing there.
    assert.equal((await act('owner', room, { action: 'delete', messageId: String(foreignMessage) })).status, 404);
    const { body } = await web.other!.json<{ messages: Array<{ id: number }> }>(`/rooms/${otherRoom}/messages`);
    assert.deepEqual(body.messages.map((m) => m.id), [foreignMessage]);
    // Owner of the other room cannot delete in this one, whatever ids they send.
    assert.equal((await act('other', room, { action: 'delete', messageId: '1' })).status, 403);
  });

  test('a mute stops sends on every path, at once, and everyone sees why; unmute restores them', async () => {
    const room = await newRoom();
    const aliceWs = await socket('alice', room);
    const bobWs = await socket('bob', room);
    assert.equal((await act('owner', room, { action: 'mute', username: 'alice', minutes: '10', reason: 'calm down' })).status, 303);
    const seen = await bobWs.next('moderation');
    assert.deepEqual(
      { action: seen.action, target: seen.target?.name, by: seen.by?.name, reason: seen.reason },
      { action: 'mute', target: 'alice', by: 'owner', reason: 'calm down' },
    );
    assert.equal(seen.until, clock.t + 10 * 60_000);
    aliceWs.send({ type: 'send', room, clientId: 'muted-1', body: 'can I talk?' });
    const err = await aliceWs.next('error');
    assert.deepEqual([err.code, err.clientId, err.until], ['muted', 'muted-1', clock.t + 10 * 60_000]);
    assert.equal((await post('alice', room, 'via the form')).status, 403);
    // Muted users still read.
    assert.equal((await web.alice!.json(`/rooms/${room}/messages`)).status, 200);
    const page = await (await web.alice!.get(`/rooms/${room}`)).text();
    // The composer is closed and says until when (the page script keeps it live).
    assert.match(page, /<p id="composer-note" class="composer-note" role="status">You are muted until [^<]+<\/p>/);
    assert.match(page, /<textarea [^>]* disabled aria-describedby="composer-note">/);

    assert.equal((await act('owner', room, { action: 'unmute', username: 'alice' })).status, 303);
    aliceWs.send({ type: 'send', room, clientId: 'free-1', body: 'thanks' });
    assert.equal((await aliceWs.next('ack')).clientId, 'free-1');
  });

  test('a kick removes the user now and bars them until it ends; a ban has no end; unban lets them back', async () => {
    const room = await newRoom();
    const aliceWs = await socket('alice', room);
    const aliceTab2 = await socket('alice', room);
    const bobWs = await socket('bob', room);
    assert.equal((await act('mod', room, { action: 'kick', username: 'alice' })).status, 303);
    const until = clock.t + 5 * 60_000;
    for (const c of [aliceWs, aliceTab2]) {
      const e = await c.next('error', (f) => f.code === 'kicked');
      assert.deepEqual([e.room, e.until], [room, until]);
    }
    assert.deepEqual((await bobWs.next('member', (m) => m.action === 'leave')).user.name, 'alice');
    const kickLine = await bobWs.next('moderation');
    assert.deepEqual([kickLine.action, kickLine.until], ['kick', until]);
    // Her sockets no longer receive the room.
    bobWs.send({ type: 'send', room, clientId: 'after-kick', body: 'she is gone' });
    await bobWs.next('ack');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(aliceWs.frames.some((f) => f.type === 'message'), false);
    // Every way back in is closed.
    aliceWs.send({ type: 'join', room });
    const rejoin = await aliceWs.next('error');
    assert.deepEqual([rejoin.code, rejoin.until], ['kicked', until]);
    aliceWs.send({ type: 'send', room, clientId: 'sneak', body: 'hi' });
    assert.equal((await aliceWs.next('error')).code, 'not_member');
    const pageRes = await web.alice!.get(`/rooms/${room}`);
    assert.equal(pageRes.status, 403);
    // A page that says so, with the end and the way back: not an error page.
    const removedPage = await pageRes.text();
    assert.match(removedPage, /<section id="removed" class="removed-notice" role="alert"[^>]*>/);
    assert.match(removedPage, /removed from this room until <time datetime="[^"]+" data-local="until">/);
    assert.match(removedPage, /<a class="btn primary" href="\/rooms">Back to the room list<\/a>/);
    assert.doesNotMatch(removedPage, /Something went wrong|Not allowed|Error 403/);
    const hist = await web.alice!.json<{ error: { code: string; until: number } }>(`/rooms/${room}/messages`);
    assert.deepEqual([hist.status, hist.body.error.code, hist.body.error.until], [403, 'kicked', until]);
    assert.equal((await post('alice', room, 'form')).status, 403);

    assert.equal((await act('mod', room, { action: 'ban', username: 'alice' })).status, 303);
    aliceWs.send({ type: 'join', room });
    const banned = await aliceWs.next('error');
    assert.deepEqual([banned.code, banned.until], ['banned', undefined]);
    // Days later (well past any kick, within the session lifetime) the ban still holds.
    clock.t += 6 * 86_400_000;
    assert.equal((await web.alice!.get(`/rooms/${room}`)).status, 403, 'a ban has no end');
    clock.t -= 6 * 86_400_000;

    assert.equal((await act('mod', room, { action: 'unban', username: 'alice' })).status, 303);
    await aliceWs.join(room);
    assert.equal((await web.alice!.get(`/rooms/${room}`)).status, 200);
  });

  test('deleting a message removes it from every open page and from history, for good', async () => {
    const room = await newRoom();
    const bobWs = await socket('bob', room);
    const aliceWs = await socket('alice', room);
    aliceWs.send({ type: 'send', room, clientId: 'rude', body: 'something rude' });
    const { id } = await aliceWs.next('ack');
    assert.equal((await act('bob', room, { action: 'delete', messageId: String(id) })).status, 403, 'members cannot delete');
    assert.equal((await act('owner', room, { action: 'delete', messageId: String(id), reason: 'rude' })).status, 303);
    assert.equal((await bobWs.next('deleted')).id, id);
    const { body } = await web.bob!.json<{ messages: unknown[] }>(`/rooms/${room}/messages`);
    assert.equal(body.messages.length, 0);
    assert.doesNotMatch(await (await web.bob!.get(`/rooms/${room}`)).text(), /something rude/);
    // A late resend of the same message is acked with its old id and stays deleted.
    aliceWs.send({ type: 'send', room, clientId: 'rude', body: 'something rude' });
    assert.equal((await aliceWs.next('ack')).id, id);
    assert.equal((await web.bob!.json<{ messages: unknown[] }>(`/rooms/${room}/messages`)).body.messages.length, 0);
    // The owner cannot delete a moderator's message; an admin can.
    const modWs = await socket('mod', room);
    modWs.send({ type: 'send', room, clientId: 'mod-msg', body: 'from the moderator' });
    const modMsg = await modWs.next('ack');
    assert.equal((await act('owner', room, { action: 'delete', messageId: String(modMsg.id) })).status, 403);
    assert.equal((await act('admin', room, { action: 'delete', messageId: String(modMsg.id) })).status, 303);
  });

  test('every action is in the audit log, shown on the panel with filters', async () => {
    const room = await newRoom();
    await act('owner', room, { action: 'mute', username: 'alice', minutes: '3', reason: 'spam <b>links</b>' });
    await act('owner', room, { action: 'kick', username: 'bob', reason: 'flood' });
    await act('owner', room, { action: 'unmute', username: 'alice' });
    const { entries } = await hihi.app.deps.audit.list(room, { limit: 10 });
    assert.deepEqual(
      entries.map((e) => [e.action, e.actorId, e.targetId, e.reason]),
      [
        ['unmute', ids.owner, ids.alice, ''],
        ['kick', ids.owner, ids.bob, 'flood'],
        ['mute', ids.owner, ids.alice, 'spam <b>links</b>'],
      ],
    );
    assert.equal(entries[2]!.until, clock.t + 3 * 60_000);
    const panel = await (await web.owner!.get(`/rooms/${room}/moderation`)).text();
    assert.match(panel, /spam &lt;b&gt;links&lt;\/b&gt;/);
    assert.match(panel, /<bdi>bob<\/bdi><\/td>\s*<td>kicked<\/td>/, 'bob is listed as kicked');
    const onlyMutes = await (await web.owner!.get(`/rooms/${room}/moderation?action=mute`)).text();
    assert.doesNotMatch(onlyMutes, /flood/);
    assert.match(onlyMutes, /spam/);
    const aboutBob = await (await web.owner!.get(`/rooms/${room}/moderation?user=bob`)).text();
    assert.match(aboutBob, /flood/);
    assert.doesNotMatch(aboutBob, /spam/);
    assert.equal((await web.owner!.get(`/rooms/${room}/moderation?action=hack`)).status, 400);
  });

  test('a 1-minute mute lifts by itself: the scheduled job tells the room and sends work again', async () => {
    const room = await newRoom();
    const aliceWs = await socket('alice', room);
    const bobWs = await socket('bob', room);
    await act('owner', room, { action: 'mute', username: 'alice', minutes: '1' });
    await bobWs.next('moderation', (m) => m.action === 'mute');
    clock.t += 61_000;
    // Enforcement follows the clock at once; the job announces it (run directly instead of waiting).
    assert.equal(await hihi.app.deps.jobs.liftExpired(), 1);
    const lifted = await bobWs.next('moderation', (m) => m.action === 'unmute');
    assert.deepEqual([lifted.target?.name, lifted.by], ['alice', null]);
    assert.equal(await hihi.app.deps.jobs.liftExpired(), 0, 'announced once');
    aliceWs.send({ type: 'send', room, clientId: 'after-mute', body: 'back' });
    assert.equal((await aliceWs.next('ack')).clientId, 'after-mute');
    const { entries } = await hihi.app.deps.audit.list(room, { limit: 1 });
    assert.deepEqual([entries[0]!.action, entries[0]!.actorId, entries[0]!.reason], ['unmute', null, 'expired']);
  });

  test('pruning removes messages older than the retention, and nothing newer', async () => {
    const room = await newRoom();
    const aliceWs = await socket('alice', room);
    for (let i = 0; i < 25; i++) {
      aliceWs.send({ type: 'send', room, clientId: `old-${i}`, body: `old ${i}` });
      await aliceWs.next('ack');
    }
    clock.t += 90_000; // retention is 86.4 s
    aliceWs.send({ type: 'send', room, clientId: 'fresh', body: 'fresh' });
    await aliceWs.next('ack');
    // The chat page is kept per instance; pruning tells every instance to drop it.
    const page = async () => (await (await web.alice!.get(`/rooms/${room}`)).text()).includes('>old 0<');
    assert.equal(await page(), true);
    const result = await hihi.app.deps.jobs.prune();
    assert.ok(result && result.deleted >= 25);
    const { body } = await web.alice!.json<{ messages: Array<{ body: string }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(body.messages.map((m) => m.body), ['fresh']);
    await eventually(async () => !(await page()), 2000, 'the pruned messages off the chat page');
  });

  test('restrictions lost from the live state come back from the audit log', async () => {
    const room = await newRoom();
    await act('owner', room, { action: 'mute', username: 'alice' });
    await act('owner', room, { action: 'ban', username: 'bob' });
    // Simulate Redis losing its data.
    await hihi.app.deps.live.moderation.clear(room, ids.alice!, 'mute');
    await hihi.app.deps.live.moderation.clear(room, ids.bob!, 'bar');
    assert.equal((await web.bob!.get(`/rooms/${room}`)).status, 200, 'the loss is real');
    const r = await hihi.app.deps.jobs.reconcile();
    assert.ok(r && r.restored >= 2);
    assert.equal((await post('alice', room, 'muted again?')).status, 403);
    assert.equal((await web.bob!.get(`/rooms/${room}`)).status, 403);
  });

  test('owners and admins edit, archive and delete rooms; others cannot', async () => {
    const room = await newRoom();
    const bobWs = await socket('bob', room);
    const settings = (who: string, path: string, fields: Record<string, string>) => web[who]!.submit(`/rooms/${room}/moderation`, `/rooms/${room}/${path}`, fields);
    assert.equal((await web.mod!.submit(`/rooms/${room}`, `/rooms/${room}/settings`, { description: 'mine now' })).status, 403, 'moderators do not own rooms');
    assert.equal((await settings('owner', 'settings', { description: 'New description' })).status, 303);
    assert.match(await (await web.bob!.get('/rooms')).text(), /New description/);
    assert.equal((await settings('owner', 'archive', { archived: '1' })).status, 303);
    bobWs.send({ type: 'send', room, clientId: 'archived-1', body: 'hello?' });
    const err = await bobWs.next('error');
    assert.deepEqual([err.code, err.clientId], ['forbidden', 'archived-1']);
    assert.match(await (await web.bob!.get(`/rooms/${room}`)).text(), /This room is archived/);
    assert.equal((await web.alice!.submit(`/rooms/${room}`, `/rooms/${room}/delete`, { confirm: 'yes' })).status, 403);
    assert.equal((await settings('owner', 'delete', {})).status, 400, 'needs the confirmation');
    assert.equal((await settings('admin', 'delete', { confirm: 'yes' })).status, 303);
    assert.equal((await bobWs.next('left')).room, room);
    assert.equal((await web.bob!.get(`/rooms/${room}`)).status, 404);
  });
});
