import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN, pairSuite } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';

/**
 * Room invite links on two instances: who may create, list and revoke them (checked against the
 * room at each action; a private room stays unprobeable), joining with one (signed in, banned,
 * expired, used up, revoked, the last use at once on both instances), and a signed-out visitor
 * (sign-in that returns, an account only while registration is open).
 */
describe(`room invites (${backend})`, () => {
  const ctx = pairSuite({ TRUST_PROXY: 'true', LOGIN_RATE_PER_MINUTE: '1000' });
  const UNKNOWN = 999_999;
  let address = 0;
  const visitor = (url: string) => new WebClient(url, { 'x-forwarded-for': `198.51.100.${++address}` });
  const login = async (url: string, username: string, password = `${username}-password-1`) => {
    const web = visitor(url);
    assert.equal((await web.login(username, password)).status, 303, `${username} signs in`);
    return web;
  };
  let owner: WebClient; // dave: create_room, the room's owner, on instance one
  let member: WebClient; // carol: a plain member, on instance two
  let mod: WebClient; // mona: a global moderator and a member, on instance two
  let outsiderMod: WebClient; // otto: a global moderator who is no member
  let stranger: WebClient; // erin: signed in, no member
  let admin: WebClient; // not a member
  let room: number;
  let publicRoom: number;

  /** Creates a link on the room's panel; the token (shown once) or the failing response. */
  const create = (web: WebClient, id: number, fields: Record<string, string> = {}) =>
    web.submit('/rooms', `/rooms/${id}/invites`, { uses: '1', expiresHours: '24', ...fields });
  const createLink = async (web: WebClient, id = room, fields: Record<string, string> = {}) => {
    const res = await create(web, id, fields);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const m = html.match(/\/invite\/([A-Za-z0-9_-]{43})"/);
    assert.ok(m, 'the new link is on the page');
    // It takes the focus (so the browser shows it, far down on a phone) and has its Copy button.
    assert.match(html, /<input id="room-invite-link" class="invite-link" readonly value="[^"]+" autofocus>/);
    assert.match(html, /<button type="button" class="btn secondary" data-copy="room-invite-link" hidden>Copy<\/button>/);
    assert.match(html, /<p class="copy-status" aria-live="polite" data-copied="Copied[^"]*"/);
    return m[1]!;
  };
  const inviteOf = (token: string) =>
    ctx.one.app.deps.invites.findByToken(token).then((i) => i ?? assert.fail('no such invite'));
  /** The invite page as `web` sees it: it names the room and who invited. */
  const invitePage = async (web: WebClient, token: string) => {
    const page = await web.get(`/invite/${token}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<bdi>Hidden den<\/bdi>/);
    assert.match(html, /<bdi>dave<\/bdi>/);
    return html;
  };
  const join = (web: WebClient, token: string) => web.submit(`/invite/${token}`, `/invite/${token}/join`, {});
  const isMember = async (username: string) => {
    const user = (await ctx.one.app.deps.users.findByUsername(username)) ?? assert.fail(`no user ${username}`);
    return ctx.one.app.deps.live.membership.isMember(room, user.id);
  };
  const audit = (action: string) =>
    ctx.one.app.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').execute();
  /** A page's text without what differs per request (its CSRF tokens, the path in its language form). */
  const stable = async (res: Response) => (await res.text()).replace(/name="_csrf" value="[^"]*"/g, '').replace(/\/rooms\/\d+\//g, '/rooms/ID/');

  before(async () => {
    const { one, two } = ctx;
    await one.createUser('dave', 'dave-password-1', ['create_room']);
    for (const name of ['carol', 'erin', 'bob', 'frank', 'gina', 'hank']) await one.createUser(name, `${name}-password-1`);
    await one.createUser('mona', 'mona-password-1', ['moderate']);
    await one.createUser('otto', 'otto-password-1', ['moderate']);
    owner = await login(one.url, 'dave');
    member = await login(two.url, 'carol');
    mod = await login(two.url, 'mona');
    outsiderMod = await login(one.url, 'otto');
    stranger = await login(two.url, 'erin');
    admin = await login(one.url, ADMIN.username, ADMIN.password);
    const res = await owner.submit('/rooms', '/rooms', { name: 'Hidden den', description: '', visibility: 'private' });
    assert.equal(res.status, 303);
    room = Number(res.headers.get('location')!.split('/').pop());
    publicRoom = await owner.createRoom('Town square');
    for (const username of ['carol', 'mona', 'bob']) {
      assert.equal((await owner.submit('/rooms', `/rooms/${room}/members`, { username, action: 'add' })).status, 200);
    }
  });

  test('the owner, a moderator who is a member and an admin create links; the panel lists them with uses and expiry; each creation is audited', async () => {
    const before = (await audit('invite_create')).length;
    const byOwner = await createLink(owner, room, { uses: '3', expiresHours: '48' });
    await createLink(mod);
    await createLink(admin);
    const invite = await inviteOf(byOwner);
    assert.equal(invite.roomId, room);
    assert.equal(invite.maxUses, 3);
    assert.equal(invite.permissions.length + invite.rooms.length, 0, 'a room invite grants nothing else');
    // Stored hashed: the table holds no token.
    const rows = await ctx.one.app.deps.db.selectFrom('invites').select('token_hash').execute();
    assert.ok(rows.every((r) => r.token_hash !== byOwner && r.token_hash.length === 64));
    const panel = await (await owner.get(`/rooms/${room}/moderation`)).text();
    assert.match(panel, /id="room-invites"/);
    // The id only for screen readers; on a phone the expiry and the creator are labelled.
    assert.match(panel, new RegExp(`<span class="sr-only">#${invite.id} </span>Usable`));
    assert.match(panel, /<span class="card-label">Expires<\/span> <time/);
    assert.match(panel, /<span class="card-label">Created by<\/span> <bdi>/);
    assert.match(panel, /0 of 3 used/);
    assert.match(panel, /<time datetime="[^"]+" data-local>/);
    const entries = await audit('invite_create');
    assert.equal(entries.length, before + 3);
    assert.deepEqual(JSON.parse(entries[2]!.details), { invite: invite.id, uses: 3, hours: 48, room, name: 'Hidden den' });
    // The site's invite page lists the site's invites only.
    assert.doesNotMatch(await (await admin.get('/admin/invites')).text(), /Hidden den/);
  });

  test('a plain member is refused (403); a non-member, a moderator who is none and anyone on an unknown room get the unknown room 404 on create, list and revoke', async () => {
    const token = await createLink(owner);
    const { id } = await inviteOf(token);
    assert.equal((await create(member, room)).status, 403);
    assert.equal((await member.get(`/rooms/${room}/moderation`)).status, 403);
    assert.equal((await member.submit('/rooms', `/rooms/${room}/invites/${id}/revoke`, {})).status, 403);
    for (const web of [stranger, outsiderMod]) {
      const unknown = [await create(web, UNKNOWN), await web.get(`/rooms/${UNKNOWN}/moderation`), await web.submit('/rooms', `/rooms/${UNKNOWN}/invites/${id}/revoke`, {})];
      const hidden = [await create(web, room), await web.get(`/rooms/${room}/moderation`), await web.submit('/rooms', `/rooms/${room}/invites/${id}/revoke`, {})];
      for (let i = 0; i < unknown.length; i++) {
        assert.equal(unknown[i]!.status, 404);
        assert.equal(hidden[i]!.status, 404);
        assert.equal(await stable(hidden[i]!), await stable(unknown[i]!), 'the same page as an unknown room');
      }
      // Invalid terms change nothing: the room is checked first.
      assert.equal((await create(web, room, { uses: '0' })).status, 404);
    }
    assert.equal((await inviteOf(token)).revokedAt, null, 'nobody outside revoked it');
    // A public room (anyone may join) and invalid terms are told on the form.
    const pub = await create(owner, publicRoom);
    assert.equal(pub.status, 400);
    const bad = await create(owner, room, { uses: '0', expiresHours: '99999' });
    assert.equal(bad.status, 400);
    const html = await bad.text();
    assert.match(html, /id="create-room-invite-uses-error"/);
    assert.match(html, /id="create-room-invite-expiresHours-error"/);
  });

  test('the owner revokes a link (audited once); an invite of another room is not found there; the link then refuses', async () => {
    const token = await createLink(owner, room, { uses: '5' });
    const { id } = await inviteOf(token);
    const other = await owner.submit('/rooms', '/rooms', { name: 'Second den', description: '', visibility: 'private' });
    const otherRoom = Number(other.headers.get('location')!.split('/').pop());
    assert.equal((await owner.submit('/rooms', `/rooms/${otherRoom}/invites/${id}/revoke`, {})).status, 404);
    const before = (await audit('invite_revoke')).length;
    const res = await owner.submit('/rooms', `/rooms/${room}/invites/${id}/revoke`, {});
    assert.equal(res.status, 200);
    assert.match(await res.text(), /The invite was revoked/);
    assert.equal((await owner.submit('/rooms', `/rooms/${room}/invites/${id}/revoke`, {})).status, 200, 'again: nothing more');
    const entries = await audit('invite_revoke');
    assert.equal(entries.length, before + 1);
    assert.deepEqual(JSON.parse(entries[0]!.details), { invite: id, room, name: 'Hidden den' });
    const frank = await login(ctx.two.url, 'frank');
    const page = await frank.get(`/invite/${token}`);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /expired, been used up or been revoked/);
    assert.equal((await frank.submit('/rooms', `/invite/${token}/join`, {})).status, 410);
    assert.equal(await isMember('frank'), false);
  });

  test('a signed-in user sees the room and who invited, joins once (a second join uses nothing) and reads the room; audited once', async () => {
    const token = await createLink(owner, room, { uses: '5' });
    const html = await invitePage(stranger, token);
    assert.match(html, new RegExp(`action="/invite/${token}/join"`));
    const before = (await audit('invite_join')).length;
    const res = await join(stranger, token);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/rooms/${room}`);
    assert.equal(await isMember('erin'), true);
    assert.equal((await stranger.get(`/rooms/${room}`)).status, 200);
    assert.equal((await join(stranger, token)).status, 303, 'idempotent');
    assert.equal((await inviteOf(token)).uses, 1);
    const entries = await audit('invite_join');
    assert.equal(entries.length, before + 1);
    assert.deepEqual(JSON.parse(entries[0]!.details), { invite: (await inviteOf(token)).id, by: (await ctx.one.app.deps.users.findByUsername('dave'))!.id, room });
    // The page now says she is in, with a link instead of the button.
    assert.match(await (await stranger.get(`/invite/${token}`)).text(), /already a member/);
    // Joining needs the form's token.
    assert.equal((await stranger.request('POST', `/invite/${token}/join`, {})).status, 403);
  });

  test('a banned user cannot join through a link (told why, nothing used)', async () => {
    assert.equal((await owner.submit(`/rooms/${room}`, `/rooms/${room}/moderation`, { action: 'ban', username: 'bob' })).status, 303);
    const token = await createLink(owner);
    const bob = await login(ctx.two.url, 'bob');
    const page = await bob.get(`/invite/${token}`);
    assert.equal(page.status, 403);
    assert.match(await page.text(), /removed from this room/);
    const joined = await join(bob, `${token}`).catch(() => undefined);
    assert.equal(joined, undefined, 'the refusal page has no join form');
    // Straight at the action, with a session token from another page.
    const posted = await bob.submit('/rooms', `/invite/${token}/join`, {});
    assert.equal(posted.status, 403);
    assert.match(await posted.text(), /removed from this room/);
    assert.equal(await isMember('bob'), false);
    assert.equal((await inviteOf(token)).uses, 0);
  });

  test('expired, used up, malformed, and a room archived or deleted: a translated 4xx page, never a 500', async () => {
    const gina = await login(ctx.one.url, 'gina');
    const expired = await createLink(owner);
    await ctx.one.app.deps.db.updateTable('invites').set({ expires_at: Date.now() - 1 }).where('id', '=', (await inviteOf(expired)).id).execute();
    const usedUp = await createLink(owner);
    assert.equal((await join(await login(ctx.two.url, 'hank'), usedUp)).status, 303);
    for (const token of [expired, usedUp]) {
      const page = await gina.get(`/invite/${token}`);
      assert.equal(page.status, 410);
      assert.match(await page.text(), /expired, been used up or been revoked/);
      assert.equal((await gina.submit('/rooms', `/invite/${token}/join`, {})).status, 410);
    }
    assert.equal((await gina.submit('/rooms', `/invite/${'x'.repeat(43)}/join`, {})).status, 410, 'shaped like a token, issued never');
    assert.equal((await gina.submit('/rooms', '/invite/short/join', {})).status, 410);
    // zh-CN: the same refusal, translated.
    const zh = await gina.get(`/invite/${expired}`, { 'accept-language': 'zh-CN' });
    assert.match(await zh.text(), /此邀请链接已过期/);

    const res = await owner.submit('/rooms', '/rooms', { name: 'Old den', description: '', visibility: 'private' });
    const oldRoom = Number(res.headers.get('location')!.split('/').pop());
    const archived = await createLink(owner, oldRoom);
    const deleted = await createLink(owner, oldRoom);
    assert.equal((await owner.submit(`/rooms/${oldRoom}/moderation`, `/rooms/${oldRoom}/archive`, { archived: '1' })).status, 303);
    assert.equal((await create(owner, oldRoom)).status, 409, 'no new links for an archived room');
    const page = await gina.get(`/invite/${archived}`);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /archived or deleted/);
    assert.equal((await gina.submit('/rooms', `/invite/${archived}/join`, {})).status, 410);
    assert.equal((await owner.submit(`/rooms/${oldRoom}/moderation`, `/rooms/${oldRoom}/delete`, { confirm: 'yes' })).status, 303);
    assert.equal((await gina.get(`/invite/${deleted}`)).status, 410);
    assert.equal((await gina.submit('/rooms', `/invite/${deleted}/join`, {})).status, 410);
  });

  test('the last use, taken on two instances at once, goes to exactly one', async () => {
    for (let round = 0; round < 3; round++) {
      const token = await createLink(owner, room, { uses: '2' });
      const names = [`first${round}`, `racea${round}`, `raceb${round}`];
      for (const name of names) await ctx.one.createUser(name, `${name}-password-1`);
      assert.equal((await join(await login(ctx.one.url, names[0]!), token)).status, 303);
      const [a, b] = [await login(ctx.one.url, names[1]!), await login(ctx.two.url, names[2]!)];
      // Each holds its form's token; the posts go out together.
      const forms = await Promise.all([a, b].map(async (web) => (await (await web.get(`/invite/${token}`)).text()).match(/name="_csrf" value="([^"]+)"/)![1]!));
      const [ra, rb] = await Promise.all([a.request('POST', `/invite/${token}/join`, { _csrf: forms[0]! }), b.request('POST', `/invite/${token}/join`, { _csrf: forms[1]! })]);
      assert.deepEqual([ra.status, rb.status].sort(), [303, 410], `round ${round}`);
      assert.equal([await isMember(names[1]!), await isMember(names[2]!)].filter(Boolean).length, 1);
      assert.equal((await inviteOf(token)).uses, 2);
    }
  });

  test('signed out: who invited to which room, a sign-in that returns to the link, and an account only while registration is open', async () => {
    const setMode = async (mode: 'closed' | 'invite' | 'open') =>
      assert.equal((await admin.submit('/admin/settings', '/admin/settings', { registration: mode })).status, 200);
    const token = await createLink(owner, room, { uses: '3' });
    const signUp = (web: WebClient, username: string) =>
      web.submit(`/invite/${token}`, '/register', { username, password: 'long-enough-pass-1', password2: 'long-enough-pass-1', invite: token });
    for (const mode of ['closed', 'invite'] as const) {
      await setMode(mode);
      const web = visitor(ctx.two.url);
      const html = await invitePage(web, token);
      assert.match(html, new RegExp(`href="/login\\?next=%2Finvite%2F${token}"`));
      assert.doesNotMatch(html, /action="\/register"/, `${mode}: no account form`);
      // Closed: accounts come from the administrators; invite mode: from a sign-up link of its own.
      if (mode === 'closed') assert.match(html, /made by its administrators/);
      else {
        assert.match(html, /open the sign-up link you were sent, then come back to this link/);
        assert.doesNotMatch(html, /made by its administrators/);
      }
      // Posted anyway: refused, nothing made, nothing used.
      const res = await signUp(web, `nosignup${mode}`);
      assert.equal(res.status, 403);
      assert.equal(await ctx.one.app.deps.users.findByUsername(`nosignup${mode}`), undefined);
    }
    assert.equal((await inviteOf(token)).uses, 0);

    // Sign-in returns to the link (the next path is checked: only this site's paths).
    const web = visitor(ctx.one.url);
    const back = await web.submit(`/login?next=${encodeURIComponent(`/invite/${token}`)}`, '/login', { username: 'gina', password: 'gina-password-1', next: `/invite/${token}` });
    assert.equal(back.headers.get('location'), `/invite/${token}`);
    const away = await visitor(ctx.one.url).submit('/login', '/login', { username: 'gina', password: 'gina-password-1', next: '//evil.example/invite' });
    assert.equal(away.headers.get('location'), '/rooms');

    await setMode('open');
    const newcomer = visitor(ctx.two.url);
    assert.match(await (await newcomer.get(`/invite/${token}`)).text(), /action="\/register"/);
    const before = (await audit('invite_use')).length;
    const res = await signUp(newcomer, 'roomcomer');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/rooms/${room}`);
    assert.equal(await isMember('roomcomer'), true);
    assert.equal((await newcomer.get(`/rooms/${room}`)).status, 200);
    assert.equal((await inviteOf(token)).uses, 1);
    const entries = await audit('invite_use');
    assert.equal(entries.length, before + 1);
    assert.equal(JSON.parse(entries[0]!.details).room, room);
    await setMode('closed');
  });
  test("a link lets nobody in once its creator may no longer make one; one user joining four times at once takes one use", async () => {
    const { one } = ctx;
    // Ivy, a moderator and member, makes a link; then she is demoted.
    await one.createUser('ivy', 'ivy-password-1', ['moderate']);
    await one.createUser('jay', 'jay-password-1');
    await one.createUser('kim', 'kim-password-1');
    const ivy = await login(one.url, 'ivy');
    assert.equal((await owner.submit('/rooms', `/rooms/${room}/members`, { username: 'ivy', action: 'add' })).status, 200);
    const ivysLink = await createLink(ivy, room, { uses: '5' });
    const demoted = await admin.submit('/admin/permissions', '/admin/permissions', { username: 'ivy', permission: 'moderate', grant: '0' });
    assert.equal(demoted.status, 200);
    assert.deepEqual((await one.app.deps.users.findByUsername('ivy'))!.permissions, [], 'demoted');
    const jay = await login(one.url, 'jay');
    const refused = await join(jay, ivysLink);
    assert.equal(refused.status, 410, 'a demoted creator\'s link is unusable');
    assert.equal(await isMember('jay'), false);
    assert.equal((await inviteOf(ivysLink)).uses, 0);

    // The same user at once, four times (the rooms service lets one through at a time).
    const link = await createLink(owner, room, { uses: '5' });
    const kim = (await one.app.deps.users.findByUsername('kim'))!;
    const results = await Promise.all(Array.from({ length: 4 }, () => one.app.deps.invites.joinRoom(kim, link, { ip: null })));
    assert.deepEqual(results.map((r) => r.joined).sort(), [false, false, false, true]);
    assert.equal((await inviteOf(link)).uses, 1, 'one use taken');
  });
});
