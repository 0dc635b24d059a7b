import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';

/**
 * Creating room invite links is limited per user (ROOM_INVITE_PER_HOUR), counted by every
 * instance together (on Redis with two instances): over it, the panel again with a translated
 * notice in the invite card, a 429 and Retry-After, and no link made.
 */
describe(`room invite link creation limit (${backend})`, () => {
  const ctx = pairSuite({ ROOM_INVITE_PER_HOUR: '2' });
  let room: number;
  let other: number;

  const login = async (url: string, username: string, headers: Record<string, string> = {}) => {
    const web = new WebClient(url, headers);
    assert.equal((await web.login(username, `${username}-password-1`)).status, 303);
    return web;
  };
  const create = (web: WebClient, id: number) => web.submit(`/rooms/${id}/moderation`, `/rooms/${id}/invites`, { uses: '3', expiresHours: '24' });
  const privateRoom = async (web: WebClient, name: string) => {
    const res = await web.submit('/rooms', '/rooms', { name, description: '', visibility: 'private' });
    assert.equal(res.status, 303);
    return Number(res.headers.get('location')!.split('/').pop());
  };
  const links = async (id: number) => (await ctx.one.app.deps.db.selectFrom('invites').select('id').where('room_id', '=', id).execute()).length;

  before(async () => {
    await ctx.one.createUser('dave', 'dave-password-1', ['create_room']);
    await ctx.one.createUser('dina', 'dina-password-1', ['create_room']);
  });

  test('the third link within the hour, on either instance, is refused on the panel; others are not affected', async () => {
    const one = await login(ctx.one.url, 'dave');
    const two = await login(ctx.two.url, 'dave', { 'accept-language': 'zh-CN' });
    room = await privateRoom(one, 'Limited den');
    other = await privateRoom(one, 'Other den');
    assert.equal((await create(one, room)).status, 200);
    // The count is the user's, across rooms and instances.
    assert.equal((await create(two, other)).status, 200);

    const refused = await create(one, room);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 60);
    const html = await refused.text();
    const card = /<section class="card" id="room-invites">[\s\S]*?<\/section>/.exec(html)?.[0] ?? assert.fail('no invite card');
    assert.match(card, /<p class="alert" role="alert">You have created many invite links recently\. Please wait about \d+ min before creating another\.<\/p>/);
    assert.match(card, /name="uses" type="number" value="3"/, 'the form keeps what was typed');
    assert.doesNotMatch(card, /\/invite\/[A-Za-z0-9_-]{43}/, 'no link made');

    const zh = await (await create(two, room)).text();
    assert.match(zh, /你最近创建的邀请链接过多。请等待约 \d+ 分钟后再创建。/);
    assert.deepEqual([await links(room), await links(other)], [1, 1]);

    // Another user has their own count.
    const dina = await login(ctx.two.url, 'dina');
    assert.equal((await create(dina, await privateRoom(dina, 'Dina den'))).status, 200);
  });
});
