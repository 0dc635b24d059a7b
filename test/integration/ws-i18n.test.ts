import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { en } from '../../src/i18n/en.js';
import { zhCN } from '../../src/i18n/zh-CN.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** Error frames and moderation failures speak the user's language, not English literals. */
describe(`error texts in the user's language (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  let lin: WebClient;
  const sockets: WsClient[] = [];

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('lin', 'lin-password-1');
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    lin = new WebClient(hihi.url);
    await lin.login('lin', 'lin-password-1');
    // Lin reads Chinese (the language switch's cookie; the same applies to the account setting).
    lin.cookies.set('hihi.lang', 'zh-CN');
    admin.cookies.set('hihi.lang', 'zh-CN');
  });
  after(async () => {
    for (const s of sockets) s.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function connect(web: WebClient) {
    const c = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    sockets.push(c);
    return c;
  }

  test('refused frames are explained in Chinese', async () => {
    const room = await admin.createRoom('语言房间');
    const c = await connect(lin);
    c.sendRaw('not json');
    assert.equal((await c.next('error')).message, zhCN['ws.notJson']);
    c.send({ type: 'join', room: 'x' });
    assert.equal((await c.next('error')).message, zhCN['ws.invalidField'].replace('{field}', 'room'));
    c.send({ type: 'send', room, clientId: 'a', body: 'hi' });
    const notJoined = await c.next('error');
    assert.deepEqual([notJoined.code, notJoined.message], ['not_member', zhCN['ws.joinFirst']]);
    c.send({ type: 'join', room: 999_999 });
    assert.equal((await c.next('error')).message, zhCN['ws.noRoom']);
    await c.join(room);
    c.send({ type: 'send', room, clientId: 'b', body: '   ' });
    assert.equal((await c.next('error')).message, zhCN['ws.empty']);
    c.send({ type: 'send', room, clientId: 'c', body: 'x'.repeat(2001) });
    assert.equal((await c.next('error')).message, zhCN['ws.tooLong'].replace('{max}', '2000'));
    for (const m of c.frames.filter((f) => f.type === 'error')) assert.notEqual(m.message, en['ws.empty']);
  });

  test('a mute and a kick are told in Chinese, on the socket and by the moderation form', async () => {
    const room = await admin.createRoom('禁言房间');
    const c = await connect(lin);
    await c.join(room);
    // Unmuting someone who is not muted: the failure is in the moderator's language.
    const res = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'unmute', username: 'lin' }, { accept: 'application/json' });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { message: string } }).error.message, zhCN['mod.err.notMuted'].replace('{name}', 'lin'));

    const mute = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'mute', username: 'lin', reason: '太吵了' }, { accept: 'application/json' });
    assert.equal(mute.status, 200);
    // The closed composer says why, also in the page the server renders (a reload, or no script).
    assert.match(await (await lin.get(`/rooms/${room}`)).text(), /<p id="composer-note"[^>]*>你已被禁言，直到管理员解除。原因：太吵了<\/p>/);
    c.send({ type: 'send', room, clientId: 'm', body: '我可以说话吗' });
    const muted = await c.next('error', (f) => f.code === 'muted');
    assert.equal(muted.message, zhCN['banner.mutedForever']);

    // A form without a target, or a duration out of range: told in the moderator's language too.
    const noTarget = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'mute' }, { accept: 'application/json' });
    assert.equal(((await noTarget.json()) as { error: { message: string } }).error.message, zhCN['mod.err.target']);
    const long = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'mute', username: 'lin', minutes: '0' }, { accept: 'application/json' });
    assert.match(((await long.json()) as { error: { message: string } }).error.message, /必须是 1 到 \d+ 之间的整数。/);

    const self = await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'mute', username: ADMIN.username }, { accept: 'application/json' });
    assert.equal(((await self.json()) as { error: { message: string } }).error.message, zhCN['mod.err.self']);

    await admin.request('POST', `/rooms/${room}/moderation`, { _csrf: await csrf(admin, room), action: 'kick', username: 'lin', minutes: '5' }, { accept: 'application/json' });
    const kicked = await c.next('error', (f) => f.code === 'kicked');
    assert.match(kicked.message, /^你已被移出此聊天室，截止 \d{4}-\d\d-\d\d \d\d:\d\d UTC。$/);
  });

  async function csrf(web: WebClient, room: number) {
    return extractCsrf(await (await web.get(`/rooms/${room}`)).text());
  }
});
