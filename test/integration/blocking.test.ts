import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** Blocking on two instances: no direct messages either way, the blocked one's messages collapsed for the blocker. */
describe(`blocking (${backend})`, () => {
  const ctx = pairSuite();
  let amy: WebClient; // the blocker, instance one
  let bob: WebClient; // blocked, instance two
  let cy: WebClient; // a bystander
  let bobId: number;
  let dm: number;
  let lobby: number;

  const login = async (url: string, username: string, password: string) => {
    const web = new WebClient(url);
    assert.equal((await web.login(username, password)).status, 303);
    return web;
  };
  const block = (web: WebClient, fields: Record<string, string>) => web.submit('/blocks', '/blocks', fields);
  const openDm = (web: WebClient, username: string) => web.submit('/rooms', '/dm', { username });
  /** The rendered message list of a room page. */
  const messagesOf = async (web: WebClient, id: number) => /<ol id="messages"[^>]*>([\s\S]*?)<\/ol>/.exec(await (await web.get(`/rooms/${id}`)).text())?.[1] ?? assert.fail('no message list');

  before(async () => {
    const { one, two } = ctx;
    await one.createUser('amy', 'amy-password-1', ['create_room']);
    bobId = (await one.createUser('bob', 'bob-password-1')).id;
    await one.createUser('cy', 'cy-password-1');
    amy = await login(one.url, 'amy', 'amy-password-1');
    bob = await login(two.url, 'bob', 'bob-password-1');
    cy = await login(two.url, 'cy', 'cy-password-1');
    dm = Number((await openDm(amy, 'bob')).headers.get('location')!.split('/').pop());
    lobby = await amy.createRoom('Lobby');
    for (const web of [bob, cy]) assert.equal((await web.submit(`/rooms/${lobby}`, `/rooms/${lobby}/join`, {})).status, 303);
    await bob.submit(`/rooms/${lobby}`, `/rooms/${lobby}/messages`, { body: 'hi from bob', clientId: 'b1' });
  });

  test('blocking is checked and listed; the account page leads to the list', async () => {
    assert.equal((await block(amy, { username: 'amy', action: 'block' })).status, 400);
    assert.equal((await block(amy, { username: 'nobody-at-all', action: 'block' })).status, 404);
    assert.equal((await block(amy, { username: 'bob', action: 'mute' })).status, 400);
    assert.equal((await messagesOf(amy, lobby)).includes('blocked'), false, 'nothing collapsed before the block');
    const res = await block(amy, { username: 'bob', action: 'block' });
    assert.equal(res.status, 303);
    assert.equal((await block(amy, { userId: String(bobId), action: 'block' })).status, 303, 'blocking again changes nothing');
    const list = await (await amy.get('/blocks')).text();
    assert.match(/<ul class="people" id="blocked-people">[\s\S]*?<\/ul>/.exec(list)?.[0] ?? assert.fail('no list'), /<bdi>bob<\/bdi>/);
    assert.match(await (await amy.get('/account')).text(), /href="\/blocks"/);
  });

  test('no direct messages either way: opening and sending are refused with a clear message, on every instance', async () => {
    const refusedOpen = await openDm(bob, 'amy');
    assert.equal(refusedOpen.status, 400);
    assert.match(await refusedOpen.text(), /This person does not accept your messages/);
    assert.match(await (await openDm(amy, 'bob')).text(), /You blocked this person/);
    const form = await bob.submit(`/rooms/${dm}`, `/rooms/${dm}/messages`, { body: 'let me in', clientId: 'b2' });
    assert.equal(form.status, 400);
    const ws = await WsClient.connect(ctx.two.url, { cookie: bob.cookieHeader, origin: ctx.two.url });
    await ws.join(dm);
    ws.send({ type: 'send', room: dm, clientId: 'b3', body: 'still?' });
    const err = await ws.next('error');
    assert.equal(err.code, 'invalid');
    assert.match(err.message, /does not accept your messages/);
    ws.close();
    const page = await (await amy.get(`/rooms/${dm}`)).text();
    assert.match(page, /You blocked this person/);
    assert.match(page, /name="action" value="unblock"/);
  });

  test("the blocked one's messages are collapsed for the blocker only, and live ones too (the page tells the script whom)", async () => {
    const mine = await messagesOf(amy, lobby);
    assert.match(mine, /<li class="msg blocked"[^>]*data-user="\d+"><p class="blocked-note muted">Message from a blocked user <button type="button" class="btn ghost show-blocked">Show<\/button>/);
    assert.match(mine, /hi from bob/, 'still there, to show');
    assert.doesNotMatch(await messagesOf(cy, lobby), /msg blocked/);
    assert.match(await (await amy.get(`/rooms/${lobby}`)).text(), new RegExp(`&quot;blocked&quot;:\\[${bobId}\\]`));
  });

  test('unblocking restores both', async () => {
    assert.equal((await amy.submit(`/rooms/${dm}`, '/blocks', { userId: String(bobId), action: 'unblock', next: `/rooms/${dm}` })).headers.get('location'), `/rooms/${dm}`);
    assert.doesNotMatch(await messagesOf(amy, lobby), /msg blocked/);
    assert.equal((await openDm(bob, 'amy')).status, 303);
    assert.equal((await bob.submit(`/rooms/${dm}`, `/rooms/${dm}/messages`, { body: 'friends again', clientId: 'b4' })).status, 303);
    assert.match(await (await amy.get('/blocks')).text(), /You have not blocked anyone/);
  });
});
