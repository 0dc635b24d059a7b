/**
 * Forms that fail validation re-render their own page with the input kept (never a password),
 * a translated message beside each bad field and a notice for what is no field's; other routes
 * answer a translated 400/404. No validator wording or internal keys reach the reader.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { fieldError, fieldValue, formNotice, RAW_TEXT, visibleText } from '../support/forms.js';
import { WebClient } from '../support/http.js';

describe(`field-level form errors (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let en: WebClient;
  let zh: WebClient;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000' });
    en = new WebClient(hihi.url, { 'accept-language': 'en' });
    await en.login(ADMIN.username, ADMIN.password);
    zh = new WebClient(hihi.url, { 'accept-language': 'zh-CN' });
    await zh.login(ADMIN.username, ADMIN.password);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  test('a bad room name re-renders /rooms (400) with the message beside the field and the input kept', async () => {
    const res = await en.submit('/rooms', '/rooms', { name: 'x'.repeat(65), description: 'keep <me>' });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /<h2>Create a room<\/h2>/, 'the room list page, not an error page');
    assert.equal(fieldError(html, 'create-room', 'name'), 'Must be 1 to 64 characters.');
    assert.match(html, /<input id="create-room-name"[^>]* aria-invalid="true" aria-describedby="create-room-name-error" autofocus>/);
    assert.equal(fieldValue(html, 'create-room', 'name'), 'x'.repeat(65));
    assert.equal(fieldValue(html, 'create-room', 'description'), 'keep &lt;me&gt;');
    assert.equal(fieldError(html, 'create-room', 'description'), undefined);
    const empty = await (await en.submit('/rooms', '/rooms', { name: '   ' })).text();
    assert.equal(fieldError(empty, 'create-room', 'name'), 'Please fill in this field.');
    const zhHtml = await (await zh.submit('/rooms', '/rooms', { name: 'bad\u202Ename' })).text();
    assert.equal(fieldError(zhHtml, 'create-room', 'name'), '不能包含控制字符或不可见字符。');
  });

  test('a duplicate room name shows the translated notice at the top of the form', async () => {
    await en.createRoom('Lobby');
    const dup = await en.submit('/rooms', '/rooms', { name: 'LOBBY' });
    assert.equal(dup.status, 409);
    const html = await dup.text();
    assert.equal(formNotice(html), 'A room with that name exists, or one that looks like it.');
    assert.equal(fieldValue(html, 'create-room', 'name'), 'LOBBY');
    const zhDup = await zh.submit('/rooms', '/rooms', { name: 'lobby' });
    assert.equal(formNotice(await zhDup.text()), '已有同名或名称相似的聊天室。');
  });

  test('creating a user: messages by field, the username kept, the password never written back', async () => {
    const res = await en.submit('/admin/users', '/admin/users', { username: 'newbie', display_name: 'New', password: 'short' });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.equal(fieldError(html, 'create-user', 'password'), 'Must be at least 8 characters.');
    assert.equal(fieldValue(html, 'create-user', 'username'), 'newbie');
    assert.equal(fieldValue(html, 'create-user', 'display_name'), 'New');
    assert.doesNotMatch(html, /value="short"/, 'the password is not written back');
    const both = await (await en.submit('/admin/users', '/admin/users', { username: 'a', password: 'password123' })).text();
    assert.equal(fieldError(both, 'create-user', 'username'), 'Must be 2 to 32 characters.');
    assert.equal(fieldError(both, 'create-user', 'password'), 'This password is too common: choose another.');
    assert.match(both, /id="create-user-username"[^>]* autofocus>/, 'the first bad field takes the focus');
    assert.doesNotMatch(both, /id="create-user-password"[^>]* autofocus/);
    await hihi.createUser('taken', 'taken-password-1');
    const taken = await zh.submit('/admin/users', '/admin/users', { username: 'TAKEN', password: 'another-pass-1' });
    assert.equal(taken.status, 409);
    assert.equal(fieldError(await taken.text(), 'create-user', 'username'), '该用户名已被使用。');
    const created = await zh.submit('/admin/users', '/admin/users', { username: 'welcome', password: 'welcome-pass-1' });
    assert.match(await created.text(), /<p class="notice" role="status">已创建 welcome。<\/p>/);
  });

  test('the permissions form: labels instead of keys, an unknown user beside the username, the outcome translated', async () => {
    const page = await (await en.get('/admin/permissions')).text();
    assert.match(page, /<th scope="col">Create rooms<\/th>/);
    assert.match(page, /<option value="create_room">Create rooms — may create new rooms<\/option>/);
    assert.doesNotMatch(visibleText(page), RAW_TEXT);
    const missing = await en.submit('/admin/permissions', '/admin/permissions', { username: 'nobody', permission: 'moderate', grant: '1' });
    assert.equal(missing.status, 404);
    const html = await missing.text();
    assert.equal(fieldError(html, 'set-permission', 'username'), 'There is no user with that name.');
    assert.equal(fieldValue(html, 'set-permission', 'username'), 'nobody');
    assert.match(html, /<option value="moderate" selected>/, 'the chosen permission is kept');
    const bad = await en.submit('/admin/permissions', '/admin/permissions', { username: 'taken', permission: 'superuser', grant: '1' });
    assert.equal(bad.status, 400);
    assert.equal(fieldError(await bad.text(), 'set-permission', 'permission'), 'Choose one of the options offered.');
    const granted = await zh.submit('/admin/permissions', '/admin/permissions', { username: 'taken', permission: 'create_room', grant: '1' });
    assert.match(await granted.text(), /已授予 taken“创建聊天室”权限。/);
    const users = await (await zh.get('/admin/users?q=taken')).text();
    assert.match(users, /<td>创建聊天室<\/td>/, 'the users list names permissions by label');
  });

  test('sign-in: a malformed post gets field messages; wrong credentials one generic message', async () => {
    const anon = new WebClient(hihi.url, { 'accept-language': 'en' });
    const res = await anon.submit('/login', '/login', { username: 'u'.repeat(201), password: 'secret-typed' });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.equal(fieldError(html, 'login', 'username'), 'Must be at most 200 characters.');
    assert.doesNotMatch(html, /secret-typed/);
    const wrong = await anon.submit('/login', '/login', { username: 'taken', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    const wrongHtml = await wrong.text();
    assert.equal(formNotice(wrongHtml), 'Wrong username or password.');
    assert.equal(fieldError(wrongHtml, 'login', 'username'), undefined, 'no hint which of the two was wrong');
    assert.equal(fieldValue(wrongHtml, 'login', 'username'), 'taken');
  });

  test('no validator wording or keys reach the reader, in English or Chinese, on forms, pages and JSON', async () => {
    const room = await en.createRoom('Plain');
    const posts: Array<[string, string, Record<string, string>]> = [
      ['/rooms', '/rooms', { name: '' }],
      ['/rooms', '/rooms', { name: 'ok', description: 'd'.repeat(501) }],
      ['/rooms', '/rooms', { name: 'ok', is_admin: '1' }],
      ['/rooms', '/rooms', { name: 'pаypal' }],
      ['/admin/users', '/admin/users', { username: 'has space', password: 'long-enough-1' }],
      ['/admin/users', '/admin/users', { username: 'okname', password: 'okname12' }],
      ['/admin/users', '/admin/users', { password: 'long-enough-1' }],
      ['/admin/users', '/admin/users/abc', { action: 'disable' }],
      ['/admin/users', '/admin/users/99999', { action: 'disable' }],
      ['/admin/users', '/admin/users/1', { action: 'promote' }],
      ['/admin/users', '/admin/users/1', { action: 'reset_password', password: 'x' }],
      ['/admin/users', '/admin/users/1', { action: 'disable' }],
      ['/admin/permissions', '/admin/permissions', { username: 'admin', permission: 'admin', grant: '2' }],
      ['/admin/permissions', '/admin/permissions', { username: 'admin', permission: 'admin', grant: '0' }],
    ];
    for (const web of [en, zh]) {
      const anon = new WebClient(hihi.url, web.headers);
      for (const [client, page, action, fields] of [...posts.map((p) => [web, ...p] as const), [anon, '/login', '/login', { password: 'x' }] as const]) {
        const res = await client.submit(page, action, fields);
        assert.ok(res.status >= 400 && res.status < 500, `${action} ${JSON.stringify(fields)}: ${res.status}`);
        const text = visibleText(await res.text());
        assert.doesNotMatch(text, RAW_TEXT, `${action} ${JSON.stringify(fields)}`);
      }
      for (const path of ['/rooms/abc', `/rooms/${room}?before=x`, '/admin/users?page=0', '/login?next=' + 'n'.repeat(2001)]) {
        const res = await web.get(path);
        assert.equal(res.status, 400, path);
        assert.doesNotMatch(visibleText(await res.text()), RAW_TEXT, path);
      }
      for (const q of ['before=abc', 'limit=0', 'evil=1']) {
        const res = await web.json<{ error: { message: string } }>(`/rooms/${room}/messages?${q}`);
        assert.equal(res.status, 400, q);
        assert.doesNotMatch(res.body.error.message, RAW_TEXT, q);
      }
    }
    const json = await zh.json<{ error: { message: string } }>(`/rooms/${room}/messages?before=abc`);
    assert.equal(json.body.error.message, '之前：必须是整数。');
    const page = await (await en.get('/rooms/abc')).text();
    assert.match(page, /<p class="muted">Id: Must be a whole number\.<\/p>/);
  });
});
