import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { axeViolations } from '../support/a11y.js';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, saveScreenshot, signIn } from '../support/browser.js';

/** A private room's invite link as people use it, in headless Chromium. */
describe(`room invite links in the browser (${backend})`, () => {
  const suite = browserSuite(async (hihi) => {
    await hihi.createUser('rita', 'rita-password-1', ['create_room']);
    await hihi.createUser('sam', 'sam-password-1');
  });

  test('the owner creates a link on the panel; a second user signs in from it, joins and reads the room; with registration open a newcomer signs up into it', async () => {
    const { hihi, browser } = suite;
    const ctxR = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const ctxS = await browser.newContext();
    const rita = await signIn(ctxR, hihi.url, 'rita', 'rita-password-1');

    await rita.check('input[name=visibility][value=private]');
    await createRoomFromList(rita, 'Attic', 'by invitation');
    const room = Number(new URL(rita.url()).pathname.split('/').pop());
    await rita.goto(`${hihi.url}/rooms/${room}/moderation`);
    await rita.fill('#create-room-invite-uses', '2');
    await rita.fill('#create-room-invite-expiresHours', '48');
    await Promise.all([rita.waitForLoadState(), rita.click('#create-room-invite button[type=submit]')]);
    const link = await rita.locator('#room-invite-link').inputValue();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.match((await rita.locator('#room-invites table').textContent()) ?? '', /0 of 2 used/);
    // The page comes back at the new link (focused, in view, far down on a phone), and Copy puts it on the clipboard.
    assert.equal(await rita.evaluate(() => document.activeElement?.id), 'room-invite-link');
    assert.ok(await rita.evaluate(() => { const r = document.getElementById('room-invite-link')!.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'the link is in view');
    await rita.click('button[data-copy="room-invite-link"]');
    await rita.locator('.copy-status', { hasText: 'Copied' }).waitFor();
    assert.equal(await rita.evaluate(() => navigator.clipboard.readText()), link);
    await saveScreenshot(rita, 'room-invite-created.png');

    // Sam, signed out, opens the link: the room and who invited, and a sign-in that comes back.
    const sam = await ctxS.newPage();
    await sam.goto(link);
    assert.match((await sam.locator('main').textContent()) ?? '', /Attic[\s\S]*rita/);
    await Promise.all([sam.waitForURL(/\/login\?next=/), sam.click('a[href^="/login?next="]')]);
    await sam.fill('input[name=username]', 'sam');
    await sam.fill('input[name=password]', 'sam-password-1');
    await Promise.all([sam.waitForURL(/\/invite\//), sam.click('button[type=submit].primary')]);
    await saveScreenshot(sam, 'room-invite-join.png');
    await Promise.all([sam.waitForURL(new RegExp(`/rooms/${room}$`)), sam.click('form[action$="/join"] button[type=submit]')]);
    await sam.waitForSelector('#conn[data-state="online"]');
    assert.equal(await sam.locator('#room-title').textContent(), 'Attic');
    await sam.locator('#members li:has-text("sam")').waitFor();

    await rita.goto(`${hihi.url}/rooms/${room}/moderation`);
    assert.match((await rita.locator('#room-invites table').textContent()) ?? '', /1 of 2 used/);
    assert.deepEqual(rita.errors, []);

    // Registration open: the link also offers an account, which lands in the room.
    const { deps } = hihi.app;
    await deps.settings.setRegistration((await deps.users.findByUsername(ADMIN.username))!, 'open', { ip: null });
    const ctxN = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const newcomer = await ctxN.newPage();
    await newcomer.goto(link);
    assert.deepEqual(await axeViolations(newcomer), []);
    assert.equal(await newcomer.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scroll on a phone');
    await newcomer.screenshot({ path: 'test-output/room-invite-open.png', fullPage: true });
    await newcomer.fill('#register-username', 'tess');
    await newcomer.fill('#register-password', 'tess-password-1');
    await newcomer.fill('#register-password2', 'tess-password-1');
    await Promise.all([newcomer.waitForURL(new RegExp(`/rooms/${room}$`)), newcomer.click('#register button[type=submit]')]);
    await newcomer.waitForSelector('#conn[data-state="online"]');
    assert.equal(await newcomer.locator('#room-title').textContent(), 'Attic');
    await ctxN.close();
    await ctxR.close();
    await ctxS.close();
  });
});
