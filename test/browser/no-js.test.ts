/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, signIn } from '../support/browser.js';

/** Every journey as plain HTML forms: Chromium with JavaScript switched off (issue #20, item 22). */
describe(`no-JavaScript journeys in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('gus', 'gus-password-1');
  });

  test('sign in, post a message, moderate from the panel, switch language, sign out', async () => {
    const context = await ctx.browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
    const page = await signIn(context, ctx.hihi.url, ADMIN.username, ADMIN.password);

    await createRoomFromList(page, 'No script here');
    const roomUrl = page.url();

    // The composer is a plain form: the post redirects back to the room, which shows the message.
    await page.fill('#body', 'sent by a form, not a socket');
    await page.click('#composer button[type=submit]');
    await page.waitForURL(roomUrl);
    assert.deepEqual(await page.locator('#messages li.msg .body').allTextContents(), ['sent by a form, not a socket']);

    // The moderation panel's form lands on the panel again with a "done" notice.
    await page.goto(`${roomUrl}/moderation`);
    await page.selectOption('select[name=action]', 'mute');
    await page.fill('input[name=username]', 'gus');
    await page.fill('input[name=minutes]', '10');
    await page.click('form.grid-form button[type=submit]');
    await page.waitForURL(`${roomUrl}/moderation?done=1`);
    assert.equal((await page.locator('p.notice[role=status]').textContent())?.trim(), 'Done.');
    assert.match((await page.locator('main').textContent()) ?? '', /gus/);

    // The room settings form too.
    await page.fill('form[action$="/settings"] [name=description]', 'quiet room');
    await page.click('form[action$="/settings"] button[type=submit]');
    await page.waitForURL(`${roomUrl}/moderation?done=1`);
    assert.equal((await page.locator('p.notice[role=status]').textContent())?.trim(), 'Done.');

    // The language switch (in the footer; the chat page has none, its screen is the chat)
    // returns to the same page, now in Chinese.
    await page.goto(new URL('/rooms', roomUrl).href);
    await page.click('footer form[action="/language"] button[value=zh-CN]');
    await page.waitForURL(/\/rooms$/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');

    // Signing out: back at the sign-in page, and the room is out of reach.
    await page.click('form[action="/logout"] button[type=submit]');
    await page.waitForURL(/\/login$/);
    await page.goto(roomUrl);
    await page.waitForURL(/\/login\?next=/);
    assert.deepEqual(page.errors, []);
    await context.close();
  });
});
