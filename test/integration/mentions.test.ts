import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatMessage, MessageFrame } from '../../src/shared/protocol.js';
import type { User } from '../../src/modules/users/repository.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`mentions (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let erin: WebClient;
  let erinUser: User;
  let frankUser: User;
  let adminId: number;
  let room: number;
  const sockets: WsClient[] = [];
  const told: Array<{ room: number; id: number; ids: number[] }> = [];

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { SEND_RATE_PER_10S: '1000' }, { onMentions: (r, id, ids) => told.push({ room: r, id, ids: [...ids].sort() }) });
    erinUser = await hihi.createUser('erin', 'erin-password-1');
    frankUser = await hihi.createUser('frank', 'frank-password-1');
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    adminId = (await hihi.app.deps.users.findByUsername(ADMIN.username))!.id;
    erin = new WebClient(hihi.url);
    await erin.login('erin', 'erin-password-1');
    room = await admin.createRoom('mention room');
    assert.equal((await erin.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function joined(web: WebClient) {
    const c = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    c.send({ type: 'join', room });
    await c.next('joined');
    return c;
  }

  let seq = 0;
  async function send(c: WsClient, body: string): Promise<MessageFrame> {
    const clientId = `m-${++seq}`;
    c.send({ type: 'send', room, clientId, body });
    return c.next('message', (m) => m.clientId === clientId);
  }

  test('a member is mentioned by username and stored as a reference; a non-member and code stay text', async () => {
    const c = await joined(erin);
    const m = await send(c, 'hi @ADMIN and @frank, `@admin` <@' + frankUser.id + '> @nobody');
    assert.equal(m.body, `hi <@${adminId}> and @frank, \`@admin\` <@${frankUser.id}> @nobody`);
    assert.deepEqual(m.mentions, [{ id: adminId, name: 'admin' }]);
    assert.equal(m.here, undefined);
  });

  test('@here counts for the room owner, and is plain text from a plain member', async () => {
    const plain = await send(await joined(erin), '@here look');
    assert.equal(plain.here, undefined);
    assert.equal(plain.mentions, undefined);
    const owner = await send(await joined(admin), '@here look, @erin.');
    assert.equal(owner.here, true);
    assert.equal(owner.body, `@here look, <@${erinUser.id}>.`);
    assert.deepEqual(owner.mentions, [{ id: erinUser.id, name: 'erin' }]);
  });

  test('the service tells who was mentioned: named users, and everyone online for @here, never the sender', async () => {
    // Told before the sender's ack (the message frame itself may come first).
    const erinSocket = await joined(erin);
    const named = await send(erinSocket, 'ping @admin and @erin');
    await erinSocket.next('ack', (a) => a.id === named.id);
    assert.deepEqual(told.find((t) => t.id === named.id), { room, id: named.id, ids: [adminId] });
    const adminSocket = await joined(admin);
    const here = await send(adminSocket, '@here standup');
    await adminSocket.next('ack', (a) => a.id === here.id);
    assert.deepEqual(told.find((t) => t.id === here.id), { room, id: here.id, ids: [erinUser.id] });
    const none = await send(erinSocket, 'no one');
    await erinSocket.next('ack', (a) => a.id === none.id);
    assert.equal(told.find((t) => t.id === none.id), undefined);
  });

  test('a typed token of a member is a mention too', async () => {
    const m = await send(await joined(erin), `cc <@${adminId}>`);
    assert.deepEqual(m.mentions, [{ id: adminId, name: 'admin' }]);
  });

  test('a rename keeps the reference: history JSON and the chat page show the current name', async () => {
    const m = await send(await joined(admin), 'thanks @erin');
    await hihi.app.deps.accountSettings.save(erinUser, { displayName: 'Erin Renamed', locale: 'en', theme: 'system' });
    const { body } = await admin.json<{ messages: ChatMessage[] }>(`/rooms/${room}/messages?limit=50`);
    const stored = body.messages.find((x) => x.id === m.id)!;
    assert.equal(stored.body, `thanks <@${erinUser.id}>`);
    assert.deepEqual(stored.mentions, [{ id: erinUser.id, name: 'Erin Renamed' }]);
    // Every message with a mention of erin shows the new name.
    for (const x of body.messages) for (const r of x.mentions ?? []) if (r.id === erinUser.id) assert.equal(r.name, 'Erin Renamed');
    const page = await (await admin.get(`/rooms/${room}`)).text();
    assert.match(page, new RegExp(`thanks <span class="mention" data-user="${erinUser.id}">@Erin Renamed</span>`));
    assert.doesNotMatch(page, new RegExp(`&lt;@${erinUser.id}&gt;`));
  });
});
