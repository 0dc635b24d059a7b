import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend, shared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** The account page: a user's own display name, language and theme (and the language switch). */
describe(`account settings (${backend})`, () => {
  let storage: Storage;
  let one: RunningApp;
  /** Another instance on the same storage (MySQL + Redis runs); on the embedded default, the same one. */
  let two: RunningApp;
  let admin: WebClient;
  before(async () => {
    storage = await createStorage();
    one = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000' });
    two = shared ? await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000' }) : one;
    admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });
  after(async () => {
    if (two !== one) await two?.close();
    await one?.close();
    await storage?.cleanup();
  });

  const signIn = async (username: string, on = one, headers: Record<string, string> = {}) => {
    await on.createUser(username, `${username}-password-1`, ['create_room']);
    const web = new WebClient(on.url, headers);
    assert.equal((await web.login(username, `${username}-password-1`)).status, 303);
    return web;
  };
  const settings = (web: WebClient, fields: Record<string, string>) =>
    web.submit('/account', '/account', { display_name: 'Someone', locale: 'browser', theme: 'system', ...fields });
  const fieldError = (html: string) =>
    html.match(/<p class="field-error" id="settings-(\w+)-error">([^<]*)<\/p>/)?.slice(1, 3).map((s) => s.replaceAll('&#39;', "'"));

  test('the form shows the stored settings; saving redirects to a page with the notice', async () => {
    const ann = await signIn('ann');
    const page = await (await ann.get('/account')).text();
    assert.match(page, /name="display_name" value="ann"/);
    assert.match(page, /<option value="browser" selected>/);
    assert.match(page, /name="theme" value="system" checked/);
    const res = await settings(ann, { display_name: 'Ann Lee', locale: 'en', theme: 'dark' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account?saved=1');
    const after = await (await ann.get('/account?saved=1')).text();
    assert.match(after, /Your settings were saved/);
    assert.match(after, /name="display_name" value="Ann Lee"/);
    assert.match(after, /<option value="en" lang="en" selected>/);
    assert.match(after, /name="theme" value="dark" checked/);
    assert.equal((await ann.get('/account?saved=yes')).status, 400);
  });

  test('a new display name shows to others: member lists, history and new messages, on every instance', async () => {
    const cleo = await signIn('cleo');
    const room = await cleo.createRoom('Renames');
    const dan = await signIn('dan', two);
    assert.equal((await dan.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    // Cleo's socket on the other instance was opened before the rename.
    const cleoOnTwo = new WebClient(two.url);
    for (const [k, v] of cleo.cookies) cleoOnTwo.cookies.set(k, v);
    const cleoSocket = await WsClient.connect(two.url, { cookie: cleoOnTwo.cookieHeader, origin: two.url });
    await cleoSocket.join(room);
    const danSocket = await WsClient.connect(two.url, { cookie: dan.cookieHeader, origin: two.url });
    await danSocket.join(room);
    cleoSocket.send({ type: 'send', room, clientId: 'before', body: 'before the rename' });
    assert.equal((await danSocket.next('message', (m) => m.body === 'before the rename')).user.name, 'cleo');
    // Dan's page view keeps the old name in its room view until the change is announced.
    assert.match(await (await dan.get(`/rooms/${room}`)).text(), /cleo/);

    assert.equal((await settings(cleo, { display_name: 'Cleo 克莉奥' })).status, 303);

    const page = await (await dan.get(`/rooms/${room}`)).text();
    assert.match(page, /Cleo 克莉奥/, 'the member list and the old message show the new name');
    assert.doesNotMatch(page, />cleo</);
    cleoSocket.send({ type: 'send', room, clientId: 'after', body: 'after the rename' });
    assert.equal((await danSocket.next('message', (m) => m.body === 'after the rename')).user.name, 'Cleo 克莉奥');
    assert.match(await (await cleo.get('/rooms')).text(), /Signed in as Cleo 克莉奥/);
    cleoSocket.close();
    danSocket.close();
  });

  test('a display name like another user’s name, or a reserved one, is refused beside the field', async () => {
    await one.createUser('bobby', 'bobby-password-1');
    const eve = await signIn('eve');
    assert.equal((await settings(eve, { display_name: 'Eve Two' })).status, 303);
    for (const name of ['Bobby', 'ＢＯＢＢＹ', 'b0bby']) {
      const res = await settings(eve, { display_name: name });
      assert.equal(res.status, 409, name);
      const html = await res.text();
      assert.deepEqual(fieldError(html), ['display_name', "Looks too much like another user's name."], name);
      assert.match(html, new RegExp(`name="display_name" value="${name}"`), 'the input is kept');
      assert.match(html, /aria-describedby="settings-display_name-hint settings-display_name-error" aria-invalid="true"/);
    }
    const reserved = await settings(eve, { display_name: 'Admin' });
    assert.equal(reserved.status, 400);
    assert.deepEqual(fieldError(await reserved.text()), ['display_name', 'Looks like a reserved name (such as admin).']);
    // A refused change kept Eve's names: nobody else may take them.
    const taken = await admin.submit('/admin/users', '/admin/users', { username: 'evetwo', password: 'evetwo-password-1', display_name: 'EVE TWO' });
    assert.equal(taken.status, 409);
    const username = await admin.submit('/admin/users', '/admin/users', { username: 'frank', password: 'frank-password-1', display_name: 'eve' });
    assert.equal(username.status, 409);
    // One's own username is no lookalike of oneself; the old display name is free again after a change.
    assert.equal((await settings(eve, { display_name: 'EVE' })).status, 303);
    const free = await admin.submit('/admin/users', '/admin/users', { username: 'evetwo', password: 'evetwo-password-1', display_name: 'Eve Two' });
    assert.equal(free.status, 200);
  });

  test('a stored language wins over Accept-Language; "same as my browser" follows it again', async () => {
    const gao = await signIn('gao', one, { 'accept-language': 'en-US,en;q=0.9' });
    assert.match(await (await gao.get('/rooms')).text(), /<html lang="en"/);
    assert.equal((await settings(gao, { display_name: 'gao', locale: 'zh-CN' })).status, 303);
    const zh = await (await gao.get('/account?saved=1')).text();
    assert.match(zh, /<html lang="zh-CN"/);
    assert.match(zh, /设置已保存/);
    // On another device (a new session, an English browser, no language cookie) too.
    const other = new WebClient(two.url, { 'accept-language': 'en' });
    await other.login('gao', 'gao-password-1');
    assert.match(await (await other.get('/rooms')).text(), /<html lang="zh-CN"/);
    assert.equal((await settings(gao, { display_name: 'gao', locale: 'browser' })).status, 303);
    assert.match(await (await gao.get('/rooms')).text(), /<html lang="en"/);
  });

  test('the language switch stores the choice of a signed-in user', async () => {
    const hana = await signIn('hana', one, { 'accept-language': 'en' });
    assert.equal((await hana.submit('/rooms', '/language', { lang: 'zh-CN', next: '/rooms' })).status, 303);
    assert.equal((await one.app.deps.users.findById((await one.app.deps.users.findByUsername('hana'))!.id))!.locale, 'zh-CN');
    const other = new WebClient(two.url, { 'accept-language': 'en' });
    await other.login('hana', 'hana-password-1');
    assert.match(await (await other.get('/rooms')).text(), /<html lang="zh-CN"/);
    assert.match(await (await other.get('/account')).text(), /<option value="zh-CN" lang="zh-CN" selected>/);
    // Signed out, the switch still works by its cookie alone.
    const anon = new WebClient(one.url);
    assert.equal((await anon.submit('/login', '/language', { lang: 'zh-CN', next: '/login' })).status, 303);
    assert.match(await (await anon.get('/login')).text(), /<html lang="zh-CN"/);
  });

  test('the theme is rendered as data-theme on every page, the chat page included', async () => {
    const ivy = await signIn('ivy');
    const room = await ivy.createRoom('Themes');
    assert.match(await (await ivy.get('/rooms')).text(), /<html lang="en" data-theme="system">/);
    for (const theme of ['dark', 'light']) {
      assert.equal((await settings(ivy, { display_name: 'ivy', theme })).status, 303);
      for (const path of ['/account', '/rooms', `/rooms/${room}`]) {
        assert.match(await (await ivy.get(path)).text(), new RegExp(`<html lang="en" data-theme="${theme}">`), `${theme} ${path}`);
      }
    }
    assert.match(await (await new WebClient(one.url).get('/login')).text(), /<html lang="en">/, 'signed out: the system theme');
  });

  test('bad input: 400 with a translated message beside its field and the input kept; never a 5xx', async () => {
    const jun = await signIn('jun');
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ display_name: '' }, 'display_name', 'Please fill in this field.'],
      [{ display_name: '   ' }, 'display_name', 'Please fill in this field.'],
      [{ display_name: 'x'.repeat(65) }, 'display_name', 'Must be 1 to 64 characters.'],
      [{ display_name: 'in\u200bvisible' }, 'display_name', 'Must not contain control or invisible characters.'],
      [{ display_name: 'pаypal' }, 'display_name', 'Must not mix Latin, Cyrillic, Greek or Armenian letters in one word (they look alike).'],
      [{ locale: 'fr' }, 'locale', 'Choose one of the options offered.'],
      [{ theme: 'neon' }, 'theme', 'Choose one of the options offered.'],
    ];
    for (const [fields, field, message] of cases) {
      const res = await settings(jun, fields);
      assert.equal(res.status, 400, JSON.stringify(fields));
      const html = await res.text();
      assert.deepEqual(fieldError(html), [field, message], JSON.stringify(fields));
      if (fields.display_name) assert.ok(html.includes(`value="${fields.display_name}"`), 'the input is kept');
    }
    const extra = await settings(jun, { is_admin: '1' });
    assert.equal(extra.status, 400);
    assert.match(await extra.text(), /<p class="alert" role="alert">The form sent a field it does not have/);

    // In Chinese, the messages are Chinese.
    assert.equal((await settings(jun, { display_name: 'jun', locale: 'zh-CN' })).status, 303);
    const zh = await settings(jun, { display_name: '', locale: 'zh-CN' });
    assert.equal(zh.status, 400);
    assert.deepEqual(fieldError(await zh.text()), ['display_name', '请填写此项。']);

    // Odd bodies a browser would never send.
    const csrf = (await (await jun.get('/account')).text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const raw = async (body: string) => {
      return fetch(one.url + '/account', {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jun.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: `_csrf=${encodeURIComponent(csrf)}&${body}`,
      });
    };
    for (const body of ['display_name=a&display_name=b&locale=en&theme=dark', 'display_name=jun&locale=en&theme=dark&_csrf=x', 'locale[]=en', 'display_name=' + 'y'.repeat(20000), '']) {
      const res = await raw(body);
      assert.ok(res.status >= 400 && res.status < 500, `${body.slice(0, 40)}: ${res.status}`);
    }
    // Without the CSRF token nothing is saved.
    const forged = await jun.request('POST', '/account', { display_name: 'forged', locale: 'en', theme: 'dark' });
    assert.equal(forged.status, 403);
    assert.equal((await one.app.deps.users.findByUsername('jun'))!.displayName, 'jun');
  });
});
