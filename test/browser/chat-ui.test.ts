/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, signIn } from '../support/browser.js';

describe(`chat page details in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('gus', 'gus-password-1');
  });

  test('on a phone the people drawer is modal: focus inside, Escape and the backdrop close it, focus returns', async () => {
    const bctx = await ctx.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(bctx, ctx.hihi.url, ADMIN.username, ADMIN.password);
    await createRoomFromList(page, 'Drawer room');
    await page.waitForSelector('#conn[data-state="online"]');
    const btn = page.locator('.people-btn');
    assert.equal(await btn.getAttribute('aria-expanded'), 'false');
    const inSidebar = () => page.evaluate(() => !!document.activeElement?.closest('#sidebar'));

    await btn.click();
    await page.locator('#sidebar').waitFor({ state: 'visible' });
    assert.equal(await btn.getAttribute('aria-expanded'), 'true');
    assert.ok(await inSidebar(), 'focus moves into the drawer');
    // Tabbing through (and past) everything in it never reaches the conversation behind.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await inSidebar(), `focus stays in the drawer after ${i + 1} tabs`);
    }
    await page.keyboard.press('Shift+Tab');
    assert.ok(await inSidebar());

    await page.keyboard.press('Escape');
    await page.locator('#sidebar').waitFor({ state: 'hidden' });
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('people-btn')), 'focus back on the People button');
    assert.equal(await btn.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#body').evaluate((el) => el.closest('[inert]') === null), true, 'the composer is usable again');

    // A tap on the backdrop (left of the drawer) closes it too.
    await btn.click();
    await page.locator('#sidebar').waitFor({ state: 'visible' });
    await page.mouse.click(10, 400);
    await page.locator('#sidebar').waitFor({ state: 'hidden' });
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('people-btn')));

    // And its close button.
    await btn.click();
    await page.locator('#sidebar .sheet-head a').click();
    await page.locator('#sidebar').waitFor({ state: 'hidden' });
    assert.deepEqual(page.errors, []);
    await bctx.close();
  });
});
