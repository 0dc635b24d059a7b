/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, joinFromPage, saveScreenshot, signIn, type WatchedPage } from '../support/browser.js';

describe(`editing, deleting and replying in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('fay', 'fay-password-1');
  });

  const msg = (page: WatchedPage, text: string) => page.locator('#messages li.msg[data-id]', { has: page.locator(`.body > p:text-is("${text}")`) });
  async function say(page: WatchedPage, text: string) {
    await page.fill('#body', text);
    await page.press('#body', 'Enter');
    await msg(page, text).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#messages li.msg.pending').length === 0);
  }
  async function act(page: WatchedPage, text: string, action: 'reply' | 'edit' | 'delete') {
    const li = msg(page, text);
    await li.hover();
    await li.locator(`.msg-actions .act-${action}`).click();
  }

  test('two people: edit and delete one’s own messages, reply with a quote; all of it survives a reload', async () => {
    const ctxA = await ctx.browser.newContext({ locale: 'en-US' });
    const ctxB = await ctx.browser.newContext({ locale: 'en-US' });
    const alice = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const fay = await signIn(ctxB, ctx.hihi.url, 'fay', 'fay-password-1');
    await createRoomFromList(alice, 'Edits room');
    const roomUrl = alice.url();
    await fay.goto(roomUrl);
    await joinFromPage(fay);
    for (const p of [alice, fay]) await p.waitForSelector('#conn[data-state="online"]');

    await say(alice, 'Meeting at 10, in the smal room');
    await say(fay, 'Sounds good');
    await say(alice, 'Ignore this one');
    await msg(fay, 'Ignore this one').waitFor();

    // Only one's own messages offer Edit and Delete; everyone's offer Reply.
    assert.equal(await msg(fay, 'Meeting at 10, in the smal room').locator('.act-edit, .act-delete').count(), 0);
    assert.equal(await msg(fay, 'Sounds good').locator('.act-edit').count(), 1);

    // Fay answers both of alice's messages; the replies quote them, live, on both pages.
    await act(fay, 'Meeting at 10, in the smal room', 'reply');
    assert.match((await fay.locator('.reply-bar').textContent()) ?? '', /Replying to admin: Meeting at 10/);
    await say(fay, 'Which room exactly?');
    await act(fay, 'Ignore this one', 'reply');
    await say(fay, 'Ignored!');
    for (const p of [alice, fay]) {
      await p.locator('li.msg:has(.body > p:text-is("Which room exactly?")) .quote:has-text("Meeting at 10, in the smal room")').waitFor();
      await p.locator('li.msg:has(.body > p:text-is("Ignored!")) .quote:has-text("Ignore this one")').waitFor();
    }

    // Alice fixes her typo from the message's Edit button: Enter saves.
    await act(alice, 'Meeting at 10, in the smal room', 'edit');
    await alice.locator('.edit-area').fill('Meeting at 10, in the small room');
    await alice.press('.edit-area', 'Enter');
    for (const p of [alice, fay]) {
      const li = msg(p, 'Meeting at 10, in the small room');
      await li.waitFor();
      await li.locator('.edited:visible').waitFor();
      // The reply's quote follows the edit.
      await p.locator('li.msg:has(.body > p:text-is("Which room exactly?")) .quote:has-text("in the small room")').waitFor();
    }

    // Up in the empty composer edits her newest message; Escape leaves it as it was.
    await alice.focus('#body');
    await alice.keyboard.press('ArrowUp');
    await alice.locator('li.msg.editing:has(.body > p:text-is("Ignore this one")) .edit-area').waitFor();
    await alice.keyboard.press('Escape');
    await alice.waitForSelector('li.msg.editing', { state: 'detached' });
    assert.equal(await alice.evaluate(() => document.activeElement?.id), 'body');

    // She deletes it, after confirming; it goes from both pages, and fay's reply says so.
    alice.once('dialog', (d) => void d.accept());
    await act(alice, 'Ignore this one', 'delete');
    for (const p of [alice, fay]) {
      await msg(p, 'Ignore this one').waitFor({ state: 'detached' });
      await p.locator('li.msg:has(.body > p:text-is("Ignored!")) .quote.gone:has-text("Original message deleted")').waitFor();
    }

    // A reload shows the same, from the server.
    for (const p of [alice, fay]) {
      await p.reload();
      await p.waitForSelector('#conn[data-state="online"]');
      const bodies = await p.locator('#messages li.msg .body').allTextContents();
      assert.deepEqual(bodies, ['Meeting at 10, in the small room', 'Sounds good', 'Which room exactly?', 'Ignored!']);
      const edited = msg(p, 'Meeting at 10, in the small room').locator('.edited');
      assert.equal(await edited.locator('.clock').textContent(), '(edited)');
      assert.match((await edited.locator('.full').textContent()) ?? '', /^edited \S/);
      assert.equal(await p.locator('li.msg:has(.body > p:text-is("Which room exactly?")) .quote .q-text').textContent(), 'Meeting at 10, in the small room');
      assert.equal(await p.locator('li.msg:has(.body > p:text-is("Ignored!")) .quote.gone').textContent(), 'Original message deleted');
    }
    // The quote links to the original.
    await fay.locator('li.msg:has(.body > p:text-is("Which room exactly?")) .quote').click();
    assert.match(fay.url(), /#m\d+$/);

    for (const [w, h] of [
      [360, 740],
      [1280, 800],
    ] as const) {
      await fay.setViewportSize({ width: w, height: h });
      await fay.mouse.move(0, 0);
      // The people sheet slides between its narrow and wide places.
      await fay.waitForFunction(() => document.getAnimations().length === 0);
      const sizes = await fay.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth, ...[...document.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth).map((e) => `${e.tagName}.${e.className}:${e.getBoundingClientRect().right}`).slice(0, 5)]);
      assert.ok(sizes[0]! <= sizes[1]!, `no horizontal scroll at ${w}px: ${sizes.join(' ')}`);
      await saveScreenshot(fay, `edits-${w}x${h}-${backend}.png`);
    }
    for (const p of [alice, fay]) assert.deepEqual(p.errors, []);
    await ctxA.close();
    await ctxB.close();
  });
});
