import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, type Storage } from '../support/app.js';
import { needsShared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { replicaEnv, startServerProcess, type ServerProcess } from '../support/process.js';
import { createUser } from '../support/users.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

// Two app processes on one MariaDB + Redis serve one room together. The embedded default is a
// single process by design, so this runs on the MySQL + Redis runs only (one Redis, and a cluster).
describe('two instances on one MySQL + Redis', { skip: needsShared }, () => {
  let storage: Storage;
  let one: ServerProcess;
  let two: ServerProcess;
  before(async () => {
    storage = await createStorage();
    // Both instances run the expiry job every second; the lock must make one of them do it.
    const env = replicaEnv(storage, { MODERATION_CRON: '* * * * * *' });
    // Started together: migrations and the first admin must cope with the race.
    [one, two] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await storage?.cleanup();
  });

  test('a message sent through one instance reaches a client of the other, both ways', async () => {
    const web1 = new WebClient(one.url);
    assert.equal((await web1.login(ADMIN.username, ADMIN.password)).status, 303);
    const room = await web1.createRoom('Across instances');

    // The same session works on the other instance: sessions live in Redis.
    const web2 = new WebClient(two.url);
    for (const [k, v] of web1.cookies) web2.cookies.set(k, v);
    assert.equal((await web2.get('/rooms')).status, 200);

    const a = await WsClient.connect(one.url, { cookie: web1.cookieHeader, origin: one.url });
    const b = await WsClient.connect(two.url, { cookie: web2.cookieHeader, origin: two.url });
    a.send({ type: 'join', room });
    b.send({ type: 'join', room });
    await a.next('joined');
    await b.next('joined');

    a.send({ type: 'send', room, clientId: 'from-one', body: 'hello from instance one' });
    assert.equal((await b.next('message')).body, 'hello from instance one');
    b.send({ type: 'send', room, clientId: 'from-two', body: '来自二号实例' });
    const m = await a.next('message', (f) => f.clientId === 'from-two');
    assert.equal(m.body, '来自二号实例');
    assert.equal(m.id, 2);

    // Signing out on one instance closes the sockets on both.
    await web1.submit('/rooms', '/logout', {});
    assert.equal((await a.waitClosed()).code, 4001);
    assert.equal((await b.waitClosed()).code, 4001);
  });

  test('a moderator on one instance mutes and kicks a user on the other: the effect is immediate there', async () => {
    const mod = new WebClient(one.url);
    await mod.login(ADMIN.username, ADMIN.password);
    const room = await mod.createRoom('Moderated across instances');
    // A regular user, created through the first instance's database, signed in on the second.
    const user = new WebClient(two.url);
    await createUser(storage, 'zoe', 'zoe-password-1');
    assert.equal((await user.login('zoe', 'zoe-password-1')).status, 303);
    const zoe = await WsClient.connect(two.url, { cookie: user.cookieHeader, origin: two.url });
    await zoe.join(room);

    await mod.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'mute', username: 'zoe', minutes: '1' });
    assert.equal((await zoe.next('moderation')).action, 'mute');
    zoe.send({ type: 'send', room, clientId: 'z1', body: 'am I muted?' });
    assert.equal((await zoe.next('error')).code, 'muted');

    // The mute ends by itself after a minute: announced once, though both instances run the job.
    const lifted = await zoe.next('moderation', (m) => m.action === 'unmute', 75_000);
    assert.equal(lifted.by, null);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(zoe.frames.filter((f) => f.type === 'moderation' && f.action === 'unmute').length, 0, 'announced exactly once');
    zoe.send({ type: 'send', room, clientId: 'z2', body: 'free again' });
    assert.equal((await zoe.next('ack')).clientId, 'z2');

    await mod.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'kick', username: 'zoe', minutes: '3' });
    assert.equal((await zoe.next('error', (e) => e.code === 'kicked')).room, room);
    zoe.send({ type: 'join', room });
    assert.equal((await zoe.next('error')).code, 'kicked');
    assert.equal((await user.get(`/rooms/${room}`)).status, 403);
    zoe.close();
  });

  test('page views on one instance follow account and room changes made on the other at once', async () => {
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    await createUser(storage, 'kim', 'kim-password-1');
    const kim = new WebClient(two.url);
    assert.equal((await kim.login('kim', 'kim-password-1')).status, 303);
    // Instance two now keeps kim (and below, the room) for page views, for up to 30 s unless told.
    const mayCreate = async () => (await (await kim.get('/rooms')).text()).includes('action="/rooms"');
    assert.equal(await mayCreate(), false);
    const grant = (grant: '0' | '1') => admin.submit('/admin/permissions', '/admin/permissions', { username: 'kim', permission: 'create_room', grant });
    assert.equal((await grant('1')).status, 200);
    await eventually(mayCreate, 2000, 'the grant on instance two');
    assert.equal((await grant('0')).status, 200);
    await eventually(async () => !(await mayCreate()), 2000, 'the revocation on instance two');
    // Actions never use what a page view kept: the revocation holds at once for them.
    assert.equal((await kim.submit('/rooms', '/rooms', { name: 'not allowed' })).status, 403);

    const room = await admin.createRoom('Archived across instances');
    const archived = async () => (await (await kim.get(`/rooms/${room}`)).text()).includes('This room is archived');
    assert.equal(await archived(), false);
    assert.equal((await admin.submit(`/rooms/${room}/moderation`, `/rooms/${room}/archive`, { archived: '1' })).status, 303);
    await eventually(archived, 2000, 'the archiving on instance two');

    // The room list is kept as well: a room created or deleted on one instance shows on the other at once.
    const listed = async () => (await (await kim.get('/rooms')).text()).includes('Created across instances');
    assert.equal(await listed(), false);
    const created = await admin.createRoom('Created across instances');
    await eventually(listed, 2000, 'the new room in the list on instance two');
    assert.equal((await admin.submit(`/rooms/${created}/moderation`, `/rooms/${created}/delete`, { confirm: 'yes' })).status, 303);
    await eventually(async () => !(await listed()), 2000, 'the deletion in the list on instance two');
  });

  test("a chat page kept on one instance follows the room's messages, deletions, members and presence on the other", async () => {
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const room = await admin.createRoom('Viewed across instances');
    await createUser(storage, 'lee', 'lee-password-1');
    const lee = new WebClient(two.url);
    assert.equal((await lee.login('lee', 'lee-password-1')).status, 303);
    // Instance two keeps the room's view from here (10 s unless an event drops it).
    const page = async () => (await (await lee.get(`/rooms/${room}`)).text()).replace(/\s+/g, ' ');
    const listed = (html: string, list: 'online' | 'members', id: number) => (html.match(new RegExp(`id="${list}"[^>]*>(.*?)</ul>`))?.[1] ?? '').includes(`data-user="${id}"`);
    assert.equal(listed(await page(), 'online', 1), false);

    const ws = await WsClient.connect(one.url, { cookie: admin.cookieHeader, origin: one.url });
    await ws.join(room);
    await eventually(async () => listed(await page(), 'online', 1), 2000, 'the admin online on instance two');
    ws.send({ type: 'send', room, clientId: 'seen-1', body: 'seen across instances' });
    const { id } = await ws.next('ack');
    await eventually(async () => (await page()).includes('seen across instances'), 2000, 'the message on instance two');
    await admin.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'delete', messageId: String(id) });
    await eventually(async () => !(await page()).includes('seen across instances'), 2000, 'the deletion on instance two');

    await createUser(storage, 'max', 'max-password-1');
    const max = new WebClient(one.url);
    await max.login('max', 'max-password-1');
    // Joining on instance one (the page's Join form) makes max a member.
    assert.equal((await max.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    const maxId = (await ws.next('member')).user.id;
    await eventually(async () => listed(await page(), 'members', maxId), 2000, 'the new member on instance two');
    ws.close();
    await eventually(async () => !listed(await page(), 'online', 1), 2000, 'the admin offline on instance two');
  });

  test('SIGTERM closes sockets with 1001 and the process exits cleanly', async () => {
    const web = new WebClient(two.url);
    await web.login(ADMIN.username, ADMIN.password);
    const c = await WsClient.connect(two.url, { cookie: web.cookieHeader, origin: two.url });
    const code = await two.stop('SIGTERM');
    assert.equal((await c.waitClosed()).code, 1001);
    assert.equal(code, 0, two.output());
  });
});
