/**
 * An outside review of edits, deletions, mentions and unread counts (wave 1): each test shows
 * one defect found by reading the code, on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../src/modules/users/repository.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';
import { createReadMarkers } from '../../src/modules/unread/markers.js';
import { createUnreadWatch } from '../../src/realtime/unread-watch.js';
import type { Connection } from '../../src/realtime/connection.js';

describe(`review wave 1: edits, deletions, mentions (${backend})`, () => {
  const clock = { t: Date.now() };
  let storage: Storage;
  let hihi: RunningApp;
  let bob: User;
  const web: Record<string, WebClient> = {};
  const sockets: WsClient[] = [];
  let seq = 0;

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SEND_RATE_PER_10S: '1000', JOIN_PER_MINUTE: '1000', EDIT_WINDOW_MINUTES: '15', SESSION_IDLE_MINUTES: '43200' }, { now: () => clock.t });
    await hihi.createUser('alice', 'alice-password-1');
    bob = await hihi.createUser('bob', 'bob-password-1');
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
    const room = await web.admin!.createRoom(`review room ${++seq}`);
    for (const u of ['alice', 'bob']) assert.equal((await web[u]!.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    return room;
  }
  async function socket(who: string, room?: number, since?: number) {
    const c = await WsClient.connect(hihi.url, { cookie: web[who]!.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    if (room === undefined) return { c, joined: undefined };
    c.send({ type: 'join', room, ...(since === undefined ? {} : { since }) });
    return { c, joined: await c.next('joined') };
  }
  async function say(c: WsClient, room: number, body: string) {
    const clientId = `m${++seq}`;
    c.send({ type: 'send', room, clientId, body });
    const ack = await c.next('ack', (a) => a.clientId === clientId);
    await c.next('message', (m) => m.id === ack.id);
    return ack.id;
  }

  test("a resuming socket's joined carries each changed message once (its latest change), not every edit ever made", async () => {
    // Every edit was carried: a member editing one message N times (within the edit window,
    // each body up to 4,000 characters) made every later `join` with a small `since` send all N
    // bodies in one frame, as often as anyone asked: an amplification with no bound.
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const first = await say(a, room, 'first');
    const id = await say(a, room, 'edit me');
    const gone = await say(a, room, 'delete me');
    for (let i = 0; i < 30; i++) {
      clock.t += 1000;
      a.send({ type: 'edit', room, id, body: `edit ${i} ${'x'.repeat(100)}` });
      await a.next('edited', (e) => e.id === id && e.body.startsWith(`edit ${i} `));
    }
    a.send({ type: 'edit', room, id: gone, body: 'about to go' });
    await a.next('edited', (e) => e.id === gone);
    a.send({ type: 'delete', room, id: gone });
    await a.next('deleted', (e) => e.id === gone);
    const { joined } = await socket('bob', room, first);
    const changes = joined!.changes ?? [];
    assert.deepEqual(
      changes.map((c) => [c.type, c.id, c.type === 'edited' ? c.body.slice(0, 8) : '']),
      [
        ['edited', id, 'edit 29 '],
        ['deleted', gone, ''],
      ],
    );
    assert.ok(changes[0]!.seq! < changes[1]!.seq!, 'in seq order');
  });

  test("a read is clamped to the room's newest message even after a join claimed a huge since", async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const newest = await say(a, room, 'the only message');
    const { c: b } = await socket('bob', room, 1_000_000);
    b.send({ type: 'read', room, id: 999_999 });
    // Frames are handled in order: a later join's answer means the read was handled.
    b.send({ type: 'join', room });
    await b.next('joined', (f) => f.room === room && f.missed.length === 0 && f !== undefined);
    assert.equal(await hihi.app.deps.unread.lastRead(bob.id, room), newest, 'not beyond the newest message');
    await say(a, room, 'a new one');
    assert.equal(await hihi.app.deps.live.unread.countAfter(room, await hihi.app.deps.unread.lastRead(bob.id, room)), 1, 'the next message counts as unread');
  });

  test('a deleted message that mentioned her no longer counts as an unread mention', async () => {
    const room = await newRoom();
    const { c: a } = await socket('alice', room);
    const id = await say(a, room, 'hey @bob look');
    const { live } = hihi.app.deps;
    assert.equal(await live.mentions.count(room, bob.id, 0), 1, 'the mention is counted');
    a.send({ type: 'delete', room, id });
    await a.next('deleted', (e) => e.id === id);
    assert.equal(await live.mentions.count(room, bob.id, 0), 0, "the deleted message's mention is gone");
    // And from a moderator's deletion too.
    const id2 = await say(a, room, 'again @bob');
    assert.equal(await live.mentions.count(room, bob.id, 0), 1);
    const adminUser = (await hihi.app.deps.users.findByUsername('admin'))!;
    await hihi.app.deps.moderation.act(adminUser, room, { action: 'delete', messageId: id2, reason: 'spam' } as never);
    await a.next('deleted', (e) => e.id === id2);
    assert.equal(await live.mentions.count(room, bob.id, 0), 0, "a moderator's deletion forgets it too");
  });

  test('@-completion works in a room with more members than one SQL statement can name', async () => {
    // The members' ids went into one `IN (…)`: past SQLite's 32,766 (MariaDB's 65,535)
    // placeholders every completion request of a big room failed with a 500.
    const room = await newRoom();
    const { live } = hihi.app.deps;
    const ids = Array.from({ length: 70_000 }, (_, i) => 10_000_000 + i);
    if (backend === 'embedded') {
      // Membership is a SQL table here: many rows per statement (one by one takes minutes).
      for (let i = 0; i < ids.length; i += 500) {
        await hihi.app.deps.db.insertInto('live_members').values(ids.slice(i, i + 500).map((user_id) => ({ room_id: room, user_id, joined_at: clock.t }))).execute();
      }
    } else for (let i = 0; i < ids.length; i += 2000) await Promise.all(ids.slice(i, i + 2000).map((id) => live.membership.join(room, id)));
    assert.equal((await live.membership.members(room)).length, ids.length + 3, "the admin, alice, bob and the rest");
    const web2 = new WebClient(hihi.url);
    await web2.login('alice', 'alice-password-1');
    const res = await web2.json<{ people: Array<{ username: string }> }>(`/rooms/${room}/mentionable?q=bo`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.people.map((p) => p.username), ['bob']);
  });

  test('editing a message that mentions someone whose display name is not their username keeps the mention', async () => {
    // The editor is filled with mentionSource(body, mentions): `@` and the mentioned user's
    // display name. The server resolved `@name` in an edit by username only, so saving turned
    // the mention into plain text "@Carolyn" (the message still listed her as mentioned).
    const carol = await hihi.createUser('carol', 'carol-password-1');
    await hihi.app.deps.users.updateSettings(carol, { displayName: 'Carolyn', locale: carol.locale, theme: carol.theme });
    const room = await newRoom();
    await hihi.app.deps.live.membership.join(room, carol.id);
    const { c: a } = await socket('alice', room);
    const id = await say(a, room, 'hi @carol');
    const { body } = await web.alice!.json<{ messages: Array<{ id: number; body: string; mentions?: Array<{ id: number; name: string }> }> }>(`/rooms/${room}/messages?after=${id - 1}&limit=1`);
    const m = body.messages[0]!;
    const { mentionSource } = await import('../../public/js/shared/markdown.js');
    const source = mentionSource(m.body, m.mentions);
    assert.equal(source, 'hi @Carolyn', 'what the editor shows');
    clock.t += 1000;
    a.send({ type: 'edit', room, id, body: `${source}, edited` });
    const e = await a.next('edited', (f) => f.id === id);
    assert.equal(e.body, `hi <@${carol.id}>, edited`);
  });

  test("a socket that closes while its user's counts load leaves no room subscription behind", async () => {
    // load() listened to each of the user's rooms, then found the user gone (unwatch ran
    // meanwhile) and returned: the room subscriptions stayed for good, one per room the user is in.
    const { live, db } = hihi.app.deps;
    const room = await newRoom();
    let active = 0;
    const bus = {
      ...live.bus,
      subscribe: (channel: string, fn: (b: Buffer) => void) =>
        live.bus.subscribe(channel, fn).then((stop) => {
          active++;
          return async () => {
            active--;
            await stop();
          };
        }),
    };
    const markers = createReadMarkers({ db, now: () => clock.t, log: { warn() {} } });
    const watch = createUnreadWatch({ live: { ...live, bus } as typeof live, markers, log: hihi.app.log });
    const conn = { user: bob, rooms: new Map(), write() {} } as unknown as Connection;
    const watching = watch.watch(conn);
    watch.unwatch(conn);
    await watching;
    assert.ok(await live.membership.isMember(room, bob.id));
    for (let i = 0; i < 20 && active > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(active, 0, 'no subscription left');
    await watch.stop();
  });
});
