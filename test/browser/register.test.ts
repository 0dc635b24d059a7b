/// <reference lib="dom" />
/** Registration through an invite link in real Chromium: an admin makes the link, a stranger opens it and lands signed in. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { axeViolations } from '../support/a11y.js';
import { browserSuite, signIn } from '../support/browser.js';

describe(`sign-up through an invite link in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async () => {});

  test('the admin sets invites only, creates a link with a room; the invitee signs up and lands signed in, in the room list', async () => {
    const adminCtx = await ctx.browser.newContext({ locale: 'en-US' });
    const admin = await signIn(adminCtx, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const adminUser = (await ctx.hihi.app.deps.users.findByUsername(ADMIN.username))!;
    const room = await ctx.hihi.app.deps.rooms.create(adminUser, { name: 'Onboarding', description: 'Start here' });

    await admin.goto(`${ctx.hihi.url}/admin/settings`);
    await admin.check('input[name=registration][value=invite]');
    await Promise.all([admin.waitForLoadState(), admin.click('#settings button[type=submit]')]);
    assert.match(await admin.locator('.notice').innerText(), /Settings saved/);

    await admin.goto(`${ctx.hihi.url}/admin/invites`);
    await admin.fill('#create-invite-uses', '2');
    await admin.check(`input[name=room][value="${room.id}"]`);
    await Promise.all([admin.waitForResponse((r) => r.request().method() === 'POST'), admin.click('#create-invite button[type=submit]')]);
    const link = await admin.locator('#invite-link').inputValue();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);

    const guestCtx = await ctx.browser.newContext({ locale: 'en-US' });
    const guest = await guestCtx.newPage();
    const errors: string[] = [];
    guest.on('pageerror', (e) => errors.push(e.message));
    await guest.goto(link);
    assert.match(await guest.locator('h1').innerText(), /Create an account/);
    assert.deepEqual(await axeViolations(guest), []);
    await guest.fill('#register-username', 'newbie');
    await guest.fill('#register-password', 'newbie-password-1');
    await guest.fill('#register-password2', 'newbie-password-1');
    await Promise.all([guest.waitForURL(/\/rooms$/), guest.click('#register button[type=submit]')]);
    assert.match(await guest.locator('.whoami').innerText(), /newbie/);
    assert.match(await guest.locator('main').innerText(), /Onboarding/);
    assert.deepEqual(errors, []);

    // The admin's list shows one of two uses taken.
    await admin.goto(`${ctx.hihi.url}/admin/invites`);
    assert.match(await admin.locator('table').innerText(), /1 of 2/);
    assert.deepEqual(admin.errors, []);
    await guestCtx.close();
    await adminCtx.close();
  });
});
