/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import type { Locator } from 'playwright-core';
import { browserSuite, createRoomFromList, joinFromPage, saveScreenshot, signIn } from '../support/browser.js';

/**
 * Acts on a member from their ⋯ menu as a moderator would: open the menu, open the action,
 * pick a duration (a preset's value, or a number for "Custom"), give a reason, confirm kick/ban.
 */
async function act(item: Locator, action: 'mute' | 'unmute' | 'kick' | 'ban', o: { minutes?: string | number; reason?: string } = {}) {
  await item.locator('details.mod-menu > summary').click();
  if (action === 'unmute') return item.locator('button[data-action="unmute"]').click();
  await item.locator(`details.mod-act:has(button[data-action="${action}"]) > summary`).click();
  const form = item.locator(`form:has(button[data-action="${action}"])`);
  if (typeof o.minutes === 'number') {
    await form.locator('select.duration').selectOption('custom');
    await form.locator('input[type=number]').fill(String(o.minutes));
  } else if (o.minutes !== undefined) await form.locator('select.duration').selectOption(o.minutes);
  if (o.reason) await form.locator('input[name=reason]').fill(o.reason);
  if (action !== 'mute') await form.locator('input[type=checkbox]').check();
  await form.locator(`button[data-action="${action}"]`).click();
}

describe(`browser: moderating from the chat page (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('gus', 'gus-password-1');
  });

  /** A room the admin created and gus joined, both pages live. */
  async function roomWithGus(name: string) {
    const mod = await signIn(await ctx.browser.newContext(), ctx.hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(await ctx.browser.newContext(), ctx.hihi.url, 'gus', 'gus-password-1');
    await createRoomFromList(mod, name);
    const roomUrl = mod.url();
    await gus.goto(roomUrl);
    await joinFromPage(gus);
    await gus.waitForSelector('#conn[data-state="online"]');
    return { mod, gus, roomUrl };
  }

  test('a muted member: the composer is closed with the end time, live and after a reload, and opens when lifted; kicked: a notice, live and after a reload', async () => {
    const { mod, gus } = await roomWithGus('Moderated');
    // The member appears live in the moderator's member list, with a moderation menu.
    const gusItem = mod.locator('#members li:has-text("gus")');
    await gusItem.waitFor();
    await act(gusItem, 'mute', { minutes: '60', reason: 'calm down' });

    // Muted: the composer is closed and says why and until when, live and after a reload.
    await gus.waitForSelector('#composer-note:not([hidden])');
    assert.match((await gus.locator('#composer-note').textContent())!, /^You are muted until \d.*\. Reason: calm down$/);
    assert.equal(await gus.locator('#body').isDisabled(), true);
    assert.equal(await gus.locator('#composer button[type=submit]').isDisabled(), true);
    await mod.waitForSelector('#messages li.system:has-text("gus was muted by admin")');
    await gus.reload();
    await gus.waitForSelector('#conn[data-state="online"]');
    assert.match((await gus.locator('#composer-note').textContent())!, /^You are muted until \d.*\. Reason: calm down$/);
    assert.equal(await gus.locator('#body').isDisabled(), true);
    // Lifted: open again at once, and a message goes through.
    await act(gusItem, 'unmute');
    await gus.waitForSelector('#composer-note', { state: 'hidden' });
    assert.equal(await gus.locator('#body').isDisabled(), false);
    await gus.fill('#body', 'thank you');
    await gus.press('#body', 'Enter');
    await mod.waitForSelector('#messages li.msg:has-text("thank you")');

    await act(gusItem, 'kick');
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

  test('the member menu is a popover that fits the member: keyboard, Unmute only when muted, custom minutes, confirmations; the Restricted list lifts in one click', async () => {
    const { mod, gus, roomUrl } = await roomWithGus('Menus');
    const gusItem = mod.locator('#members li:has-text("gus")');
    await gusItem.waitFor();
    const summary = gusItem.locator('details.mod-menu > summary');
    const panel = gusItem.locator('.mod-items');
    const unmute = gusItem.locator('button[data-action="unmute"]');
    const muteAct = gusItem.locator('details.mod-act:has(button[data-action="mute"]) > summary');

    // Keyboard: Enter opens it over the page (the sidebar keeps its size), Escape closes it and
    // focus goes back to the button; Space opens it too.
    const before = await mod.locator('#sidebar').evaluate((el) => el.scrollHeight);
    await summary.focus();
    await mod.keyboard.press('Enter');
    await panel.waitFor();
    assert.equal(await panel.evaluate((el) => getComputedStyle(el).position), 'fixed');
    assert.equal(await mod.locator('#sidebar').evaluate((el) => el.scrollHeight), before, 'no layout shift');
    // Free: Mute, Kick and Ban are offered, Unmute is not.
    assert.equal(await muteAct.isVisible(), true);
    assert.equal(await unmute.isVisible(), false);
    await mod.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    assert.equal(await summary.evaluate((el) => el === document.activeElement), true);
    await mod.keyboard.press(' ');
    await panel.waitFor();
    await mod.keyboard.press('Escape');

    // Kick asks for a confirmation: without it nothing is posted.
    await summary.click();
    await gusItem.locator('details.mod-act:has(button[data-action="kick"]) > summary').click();
    await gusItem.locator('button[data-action="kick"]').click();
    assert.equal(await gusItem.locator('form:has(button[data-action="kick"])').evaluate((f) => (f as HTMLFormElement).checkValidity()), false);
    await mod.keyboard.press('Escape');

    // A custom duration: muted for 7 minutes; the menu then offers Unmute and not Mute.
    await act(gusItem, 'mute', { minutes: 7 });
    await gus.waitForSelector('#composer-note:not([hidden])');
    await mod.waitForSelector('#members li[data-state="muted"]:has-text("gus")');
    const muteEnd = await gus.evaluate(() => document.querySelector('#composer-note')!.textContent);
    assert.match(muteEnd!, /^You are muted until \d/);
    await summary.click();
    assert.equal(await unmute.isVisible(), true);
    assert.equal(await muteAct.isVisible(), false);
    await mod.keyboard.press('Escape');
    // The Restricted section lists them with the end, live and after a reload.
    const restrictedGus = mod.locator('#restricted li[data-kind="mute"]:has-text("gus")');
    await restrictedGus.waitFor();
    await mod.reload();
    await mod.waitForSelector('#conn[data-state="online"]');
    await restrictedGus.waitFor();
    assert.match((await restrictedGus.textContent())!, /muted · until \d/);
    await summary.click();
    assert.equal(await unmute.isVisible(), true, 'the state is rendered by the server too');
    await mod.keyboard.press('Escape');

    // Banned, with a reason: the Restricted section shows them as banned; one click lets them back.
    await act(gusItem, 'ban', { reason: 'enough' });
    await gus.waitForSelector('#removed:not([hidden])');
    assert.match((await gus.locator('#removed').textContent())!, /You are banned from this room/);
    const bannedGus = mod.locator('#restricted li[data-kind="ban"]:has-text("gus")');
    await bannedGus.waitFor();
    assert.match((await bannedGus.textContent())!, /banned · until lifted/);
    await bannedGus.locator('button[data-action="unban"]').click();
    await bannedGus.waitFor({ state: 'detached' });
    await mod.waitForSelector('#messages li.system:has-text("gus may return")');
    const res = await gus.goto(roomUrl);
    assert.equal(res?.status(), 200);
    await joinFromPage(gus);
    await gus.waitForSelector('#conn[data-state="online"]');
    // Still muted after the ban was lifted: the mute is its own restriction, lifted in one click too.
    assert.equal(await gus.locator('#body').isDisabled(), true);
    await mod.locator('#restricted li[data-kind="mute"]:has-text("gus") button[data-action="unmute"]').click();
    await gus.waitForSelector('#composer-note', { state: 'hidden' });
    await mod.waitForSelector('#restricted-none:not([hidden])');

    // The panel's audit log: translated action names, kicked and banned apart, times in the reader's zone.
    await mod.goto(`${roomUrl}/moderation`);
    const rows = mod.locator('table.audit tbody tr');
    assert.deepEqual(
      (await rows.locator('td:nth-child(3)').allTextContents()).map((x) => x.trim()),
      ['Unmute', 'Unban', 'Ban', 'Mute'],
    );
    const when = mod.locator('table.audit tbody tr time').first();
    await mod.waitForFunction(() => !document.querySelector('table.audit time')?.textContent?.includes('UTC'));
    assert.ok(await when.getAttribute('title'), 'the full date on hover');
    assert.deepEqual([...mod.errors, ...gus.errors], []);
  });

  test('without JavaScript the member menu opens inline and its forms post', async () => {
    const { gus, roomUrl } = await roomWithGus('Plain');
    const plain = await signIn(await ctx.browser.newContext({ javaScriptEnabled: false }), ctx.hihi.url, ADMIN.username, ADMIN.password);
    await plain.goto(roomUrl);
    const gusItem = plain.locator('#members li:has-text("gus")');
    // No "Custom" without the script: it needs the number field swapped in.
    await gusItem.locator('details.mod-menu > summary').click();
    await gusItem.locator('details.mod-act:has(button[data-action="mute"]) > summary').click();
    assert.equal(await gusItem.locator('option[value="custom"]').first().isDisabled(), true);
    await gusItem.locator('select.duration').first().selectOption('1440');
    await Promise.all([plain.waitForURL(roomUrl), gusItem.locator('button[data-action="mute"]').click()]);
    await gus.waitForSelector('#composer-note:not([hidden])');
    // The page comes back with the state: Unmute offered, and a Restricted row to lift it.
    await plain.locator('#members li[data-state="muted"]:has-text("gus")').waitFor();
    await Promise.all([plain.waitForURL(roomUrl), plain.locator('#restricted li:has-text("gus") button[data-action="unmute"]').click()]);
    await gus.waitForSelector('#composer-note', { state: 'hidden' });
    assert.equal(await plain.locator('#restricted li').count(), 0);
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
