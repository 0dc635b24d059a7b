/**
 * Names that look alike or hide characters, display strings kept as typed, invisible and
 * ill-formed text: over HTTP forms, JSON bodies and websocket frames, on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { fieldError } from '../support/forms.js';
import { extractCsrf, WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

describe(`lookalike, invisible and ill-formed text (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let admin: WebClient;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const createUser = (fields: Record<string, string>) =>
    admin.submit('/admin/users', '/admin/users', { password: 'a-long-password-9', ...fields });

  /** Posts a JSON body (which, unlike a form, can carry a lone surrogate) with the page's CSRF token. */
  async function postJson(page: string, action: string, body: Record<string, unknown>) {
    const csrf = extractCsrf(await (await admin.get(page)).text());
    return fetch(hihi.url + action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: admin.cookieHeader, 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify({ _csrf: csrf, ...body }),
    });
  }

  test('usernames that look like an existing or a reserved one, or hide characters, are refused', async () => {
    await hihi.createUser('alice', 'alice-password-1');
    for (const username of ['ALICE', 'aIice' /* capital I */, 'alıce', 'alíce', 'ａｌｉｃｅ', 'ᴀlice']) {
      const res = await createUser({ username });
      assert.equal(res.status, 409, username);
    }
    // Each of these renders as admin or nearly so; admin is reserved even where no user has that name.
    for (const username of ['ᴀdmin', 'admın', 'admín', 'аԁміп', 'Administrator']) {
      const res = await createUser({ username });
      assert.equal(res.status, 400, username);
      assert.equal(fieldError(await res.text(), 'create-user', 'username'), 'Looks like a reserved name (such as admin).');
    }
    for (const username of ['admin\u3164', 'ᎪᎠᎷᏆᏁ', 'Аdmin', 'аlice']) assert.equal((await createUser({ username })).status, 400, username);
    assert.equal((await createUser({ username: 'iadmin' })).status, 200);
    assert.equal((await createUser({ username: 'İadmin' })).status, 409, 'İ is I with a dot: iadmin again');
    // Real names in everyday scripts still register.
    for (const username of ['张三', 'Иван', '김민준', 'たなか']) assert.equal((await createUser({ username })).status, 200, username);
  });

  test("a display name may not look like another user's name or a reserved one", async () => {
    await hihi.createUser('mallory', 'mallory-password');
    assert.equal((await createUser({ username: 'mallory2', display_name: 'Аdmin' })).status, 400, 'mixed-alphabet word');
    assert.equal((await createUser({ username: 'mallory3', display_name: 'admin' })).status, 400, 'reserved');
    assert.equal((await createUser({ username: 'mallory4', display_name: 'Root' })).status, 400, 'reserved');
    const lookalike = await createUser({ username: 'mallory5', display_name: 'mal1ory' });
    assert.equal(lookalike.status, 409, "another user's username");
    assert.equal(fieldError(await lookalike.text(), 'create-user', 'display_name'), 'Looks too much like another user&#39;s name.');
    assert.equal((await createUser({ username: 'erin', display_name: 'Erin 🌸' })).status, 200);
    assert.equal((await createUser({ username: 'frank', display_name: 'ERIN 🌸' })).status, 409, "another user's display name");
    assert.equal((await createUser({ username: 'erın' })).status, 409, "a username (and so display name) like another's");
    assert.equal((await createUser({ username: 'erin2', display_name: 'Erin 🌼' })).status, 200, 'different enough');
  });

  test('the refusal is translated', async () => {
    const zh = new WebClient(hihi.url, { 'accept-language': 'zh-CN' });
    await zh.login(ADMIN.username, ADMIN.password);
    const res = await zh.submit('/admin/users', '/admin/users', { username: 'ok-name', password: 'a-long-password-9', display_name: 'Root' });
    assert.equal(res.status, 400);
    assert.equal(fieldError(await res.text(), 'create-user', 'display_name'), '与保留名称（如 admin）相似。');
  });

  test('room names: lookalikes of an existing room and invisible characters are refused; names are kept as typed', async () => {
    const general = await admin.createRoom('general');
    assert.ok(general > 0);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'gеneral' })).status, 400, 'Cyrillic е in a Latin word');
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'general\u3164' })).status, 400);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'genera1' })).status, 409);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'ℊeneral' })).status, 409, 'a script g, NFKC-equal');
    const fancy = await admin.createRoom('😀𝕏 room', 'Ｆｕｌｌwidth kept');
    const page = await (await admin.get(`/rooms/${fancy}`)).text();
    assert.match(page, /<h1[^>]*><bdi>😀𝕏 room<\/bdi><\/h1>/);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: '😀X room' })).status, 409);
    const list = await (await admin.get('/rooms')).text();
    assert.match(list, /Ｆｕｌｌwidth kept/);
  });

  test('names whose NFKC form outgrows the stored key are refused, not a database error', async () => {
    // U+FDFA (one Arabic ligature) is 18 letters in NFKC: 20 of them fit a room name, not its key.
    assert.equal((await admin.submit('/rooms', '/rooms', { name: '\uFDFA'.repeat(20) })).status, 400);
    assert.equal((await createUser({ username: '\uFDFA'.repeat(10) })).status, 400);
    assert.equal((await createUser({ username: 'ok-expands', display_name: '\uFDFA'.repeat(20) })).status, 400);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: '\uFDFA' })).status, 303, 'one is fine');
  });

  test('descriptions and reasons made only of invisible characters are refused', async () => {
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'quiet', description: '\u200b\u2060' })).status, 400);
    assert.equal((await admin.submit('/rooms', '/rooms', { name: 'quiet', description: 'see \u202Etxt.exe' })).status, 400, 'bidi override');
    const room = await admin.createRoom('quiet');
    assert.equal((await admin.submit(`/rooms/${room}/moderation`, `/rooms/${room}/settings`, { description: '\u200b\u2060' })).status, 400);
    await hihi.createUser('noisy', 'noisy-password-1');
    const mute = (reason: string) => admin.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'mute', username: 'noisy', reason });
    assert.equal((await mute('\u200b\u200c')).status, 400);
    assert.equal((await mute('spam 😀𝕏')).status, 303);
    const log = await (await admin.get(`/rooms/${room}/moderation`)).text();
    assert.match(log, /spam 😀𝕏/, 'the reason is kept as typed');
  });

  test('message bodies of only zero-width characters are refused, over the form and the socket', async () => {
    const room = await admin.createRoom('bodies');
    const zw = '\u200b\u200c\u200d\u2060\ufeff';
    const form = await admin.submit(`/rooms/${room}`, `/rooms/${room}/messages`, { body: zw, clientId: 'zw-1' });
    assert.equal(form.status, 400);
    const ws = await WsClient.connect(hihi.url, { cookie: admin.cookieHeader, origin: hihi.origin });
    try {
      await ws.join(room);
      ws.send({ type: 'send', room, clientId: 'zw-2', body: zw });
      const err = await ws.next('error', (e) => e.clientId === 'zw-2');
      assert.equal(err.code, 'invalid');
      // A lone surrogate, escaped in the frame's JSON, is refused too; a pair is fine.
      ws.sendRaw('{"type":"send","room":' + room + ',"clientId":"ls-1","body":"\\ud800x"}');
      const bad = await ws.next('error');
      assert.match(bad.message, /well-formed Unicode/);
      ws.send({ type: 'send', room, clientId: 'ok-1', body: 'ok 😀' });
      await ws.next('ack', (a) => a.clientId === 'ok-1');
    } finally {
      ws.socket.close();
    }
    const history = await admin.json<{ messages: Array<{ body: string }> }>(`/rooms/${room}/messages`);
    assert.deepEqual(history.body.messages.map((m) => m.body), ['ok 😀'], 'only the visible message was stored, exactly');
  });

  test('lone surrogates in a JSON body are refused on every route before the schema sees them', async () => {
    const room = await postJson('/rooms', '/rooms', { name: '\ud800x' });
    assert.equal(room.status, 400);
    assert.equal(fieldError(await room.text(), 'create-room', 'name'), 'Must be well-formed Unicode text.');
    const user = await postJson('/admin/users', '/admin/users', { username: 'ok-user', password: 'a-long-password-9', display_name: 'x\udfff' });
    assert.equal(user.status, 400);
    assert.doesNotMatch(await (await admin.get('/admin/users?q=ok-user')).text(), /ok-user<\/td>/);
  });
});
