/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, joinFromPage, saveScreenshot, signIn } from '../support/browser.js';

describe(`browser: moderating from the chat page (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('gus', 'gus-password-1');
  });

  test('a muted member: the composer is closed with the end time, live and after a reload, and opens when lifted; kicked: a notice, live and after a reload', async () => {
    const mod = await signIn(await ctx.browser.newContext(), ctx.hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(await ctx.browser.newContext(), ctx.hihi.url, 'gus', 'gus-password-1');
    await createRoomFromList(mod, 'Moderated');
    await gus.goto(mod.url());
    await joinFromPage(gus);
    await gus.waitForSelector('#conn[data-state="online"]');
    // The member appears live in the moderator's member list, with a moderation menu.
    const gusItem = mod.locator('#members li:has-text("gus")');
    await gusItem.waitFor();
    await gusItem.locator('summary').click();
    await gusItem.locator('button[data-action="mute"]').first().click(); // "Mute 10 min"

    // Muted: the composer is closed and says why and until when, live and after a reload.
    await gus.waitForSelector('#composer-note:not([hidden])');
    assert.match((await gus.locator('#composer-note').textContent())!, /^You are muted until \d/);
    assert.equal(await gus.locator('#body').isDisabled(), true);
    assert.equal(await gus.locator('#composer button[type=submit]').isDisabled(), true);
    await mod.waitForSelector('#messages li.system:has-text("gus was muted by admin")');
    await gus.reload();
    await gus.waitForSelector('#conn[data-state="online"]');
    assert.match((await gus.locator('#composer-note').textContent())!, /^You are muted until \d/);
    assert.equal(await gus.locator('#body').isDisabled(), true);
    // Lifted: open again at once, and a message goes through.
    await gusItem.locator('summary').click();
    await gusItem.locator('button[data-action="unmute"]').click();
    await gus.waitForSelector('#composer-note', { state: 'hidden' });
    assert.equal(await gus.locator('#body').isDisabled(), false);
    await gus.fill('#body', 'thank you');
    await gus.press('#body', 'Enter');
    await mod.waitForSelector('#messages li.msg:has-text("thank you")');

    await gusItem.locator('summary').click();
    await gusItem.locator('button[data-action="kick"]').click();
    // Kicked: a notice with the end time and the way back takes the composer's place.
    await gus.waitForSelector('#removed:not([hidden])');
    assert.match((await gus.locator('#removed').textContent())!, /You were removed from this room until \d/);
    assert.equal(await gus.locator('#removed a[href="/rooms"]').isVisible(), true);
    assert.equal(await gus.locator('#composer').isHidden(), true);
    await mod.waitForSelector('#messages li.system:has-text("gus was removed by admin")');
    await mod.waitForFunction(() => !document.querySelector('#members li[data-user] bdi')?.textContent?.includes('gus') || document.querySelectorAll('#members li').length === 1);

    await saveScreenshot(gus, `kicked-${backend}.png`);
    await saveScreenshot(mod, `moderator-${backend}.png`);
    // Reloading does not get them back in: the same notice, as a page of its own, not an error.
    const res = await gus.reload();
    assert.equal(res?.status(), 403);
    assert.match((await gus.locator('#removed').textContent())!, /You were removed from this room until \d/);
    assert.doesNotMatch((await gus.locator('main').textContent())!, /Something went wrong|Not allowed|403/);
    await Promise.all([gus.waitForURL(/\/rooms$/), gus.locator('#removed a[href="/rooms"]').click()]);
    // The reload's own 403 is the only thing logged.
    assert.deepEqual([...mod.errors, ...gus.errors].filter((e) => !e.includes('status of 403')), []);
  });

  test('a moderator deletes messages: rendered with the page, arrived live, and without JavaScript', async () => {
    const mod = await signIn(await ctx.browser.newContext(), ctx.hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(await ctx.browser.newContext(), ctx.hihi.url, 'gus', 'gus-password-1');
    await createRoomFromList(mod, 'Cleanup');
    const roomUrl = mod.url();
    await gus.goto(roomUrl);
    await joinFromPage(gus);
    await gus.waitForSelector('#conn[data-state="online"]');
    const say = async (text: string) => {
      await gus.fill('#body', text);
      await gus.press('#body', 'Enter');
      await gus.waitForSelector(`#messages li.msg[data-id]:has-text("${text}")`);
    };
    await say('first rude thing');
    await say('second rude thing');
    await say('third rude thing');

    // Rendered by the server: the button submits the page's one delete form with its id.
    await mod.reload();
    await mod.waitForSelector('#conn[data-state="online"]');
    const first = mod.locator('#messages li.msg:has-text("first rude thing")');
    await first.hover();
    await first.locator('button.msg-delete').click();
    await gus.waitForSelector('#messages li.msg:has-text("first rude thing")', { state: 'detached' });
    await first.waitFor({ state: 'detached' });

    // Arrived live: the button is cloned from the page's template with this message's id.
    await say('fourth rude thing');
    const fourth = mod.locator('#messages li.msg:has-text("fourth rude thing")');
    await fourth.hover();
    await fourth.locator('button.msg-delete').click();
    await gus.waitForSelector('#messages li.msg:has-text("fourth rude thing")', { state: 'detached' });

    // Without JavaScript the same button posts the form and the page comes back without it.
    const plain = await signIn(await ctx.browser.newContext({ javaScriptEnabled: false }), ctx.hihi.url, ADMIN.username, ADMIN.password);
    await plain.goto(roomUrl);
    const second = plain.locator('#messages li.msg:has-text("second rude thing")');
    await second.hover();
    await Promise.all([plain.waitForURL(roomUrl), second.locator('button.msg-delete').click()]);
    await second.waitFor({ state: 'detached' });
    assert.equal(await plain.locator('#messages li.msg:has-text("third rude thing")').count(), 1);
    await gus.waitForSelector('#messages li.msg:has-text("second rude thing")', { state: 'detached' });
    assert.deepEqual([...mod.errors, ...gus.errors, ...plain.errors], []);
  });
});
