/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, joinFromPage, signIn } from '../support/browser.js';

describe(`chat page details in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('gus', 'gus-password-1');
    await h.createUser('hal', 'hal-password-1');
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

  test('member rows added live have the markup the server renders', async () => {
    const ctxA = await ctx.browser.newContext();
    const ctxG = await ctx.browser.newContext();
    const admin = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(ctxG, ctx.hihi.url, 'gus', 'gus-password-1');
    await createRoomFromList(admin, 'Rows room');
    await admin.waitForSelector('#conn[data-state="online"]');
    await gus.goto(admin.url());
    await joinFromPage(gus);
    await admin.waitForSelector('#members li:nth-child(2)');
    await admin.waitForSelector('#online li:nth-child(2)');
    /** Rows by list, live (built by the script) and as the server renders them on a fresh load. */
    const rows = () =>
      admin.evaluate(async () => {
        const html = await (await fetch(location.href)).text();
        const docs = [document, new DOMParser().parseFromString(html, 'text/html')];
        const me = String(JSON.parse(document.getElementById('chat')!.dataset.client ?? '{}').me.id);
        const [live, server] = docs.map((doc) => ['members', 'online'].map((id) => [...doc.querySelectorAll(`#${id} > li`)].map((li) => {
          // The menu is the member-menu template's (its CSRF token is per page, and the script adapts it).
          const row = li.cloneNode(true) as Element;
          const menu = row.querySelector('.mod-menu');
          menu?.replaceWith(menu ? 'MENU' : '');
          // So is the Message (direct message) form; the reader's own row has none once the script runs.
          const dm = row.querySelector('.dm-form');
          if (dm && li.getAttribute('data-user') === me) dm.remove();
          else dm?.replaceWith('DM');
          return row.outerHTML;
        }).sort()));
        return { live: live!, server: server! };
      });
    const { live, server } = await rows();
    assert.equal(live[0]!.length, 2);
    assert.ok(live[0]!.some((r) => r.includes('MENU')), 'a moderator sees the member menu');
    assert.deepEqual(live, server);
    assert.deepEqual(admin.errors, []);
    await ctxA.close();
    await ctxG.close();
  });

  test('a message’s full date shows on keyboard focus (Up/Down, no tab stop per message) and on a tap', async () => {
    const bctx = await ctx.browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, locale: 'en-GB', timezoneId: 'Asia/Shanghai' });
    const page = await signIn(bctx, ctx.hihi.url, ADMIN.username, ADMIN.password);
    await createRoomFromList(page, 'Dates room');
    await page.waitForSelector('#conn[data-state="online"]');
    for (const text of ['first', 'second']) {
      await page.fill('#body', text);
      await page.press('#body', 'Enter');
    }
    await page.waitForFunction(() => document.querySelectorAll('#messages li.msg[data-id]:not(.pending)').length === 2);
    await page.reload();
    await page.waitForSelector('#conn[data-state="online"]');
    const msgs = page.locator('#messages li.msg');
    const fullShown = (i: number) => msgs.nth(i).locator('time .full').evaluate((el) => el.getBoundingClientRect().width > 1);
    // Screen readers have the full date in the text (in the reader's zone and language); it is not shown yet.
    const full = await msgs.nth(1).locator('time .full').textContent();
    assert.match(full ?? '', /\d{4}/);
    assert.doesNotMatch(full ?? '', /UTC/);
    assert.equal(await fullShown(1), false);
    assert.equal(await msgs.nth(1).getAttribute('tabindex'), null, 'no tab stop per message');

    await page.focus('#scroller');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.querySelector('.body')?.textContent), 'second');
    assert.equal(await fullShown(1), true);
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.querySelector('.body')?.textContent), 'first');
    assert.equal(await fullShown(0), true);
    assert.equal(await fullShown(1), false);
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'scroller');

    // A tap shows it; a tap on another message moves it there.
    await msgs.nth(1).locator('.body').tap();
    assert.equal(await fullShown(1), true);
    await msgs.nth(0).locator('.body').tap();
    assert.equal(await fullShown(0), true);
    assert.equal(await fullShown(1), false);
    assert.deepEqual(page.errors, []);
    await bctx.close();
  });

  test('others see who is typing (translated, polite live region), gone when the message arrives', async () => {
    const ctxA = await ctx.browser.newContext({ locale: 'en-US' });
    const ctxG = await ctx.browser.newContext({ locale: 'zh-CN' });
    const ctxH = await ctx.browser.newContext({ locale: 'en-US' });
    const admin = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(ctxG, ctx.hihi.url, 'gus', 'gus-password-1');
    const hal = await signIn(ctxH, ctx.hihi.url, 'hal', 'hal-password-1');
    await createRoomFromList(admin, 'Typing room');
    for (const p of [gus, hal]) {
      await p.goto(admin.url());
      await joinFromPage(p);
    }
    for (const p of [admin, gus, hal]) await p.waitForSelector('#conn[data-state="online"]');
    assert.equal(await gus.locator('#typing').getAttribute('aria-live'), 'polite');

    await admin.locator('#body').pressSequentially('Hel');
    await gus.waitForSelector('#typing:has-text("admin 正在输入…")');
    await hal.waitForSelector('#typing:has-text("admin is typing…")');
    assert.equal(await admin.locator('#typing').textContent(), '', 'not shown to the typist');

    await hal.locator('#body').pressSequentially('Hi');
    await gus.waitForSelector('#typing:has-text("admin 和 hal 正在输入…")');

    // Admin's message arrives: only hal is left typing.
    await admin.locator('#body').pressSequentially('lo');
    await admin.press('#body', 'Enter');
    await gus.waitForSelector('#messages li.msg:has-text("Hello")');
    // (hal's notice may have run out by now on a slow machine: only admin's absence is certain.)
    assert.doesNotMatch((await gus.locator('#typing').textContent()) ?? '', /admin/);
    for (const p of [admin, gus, hal]) assert.deepEqual(p.errors, []);
    await ctxA.close();
    await ctxG.close();
    await ctxH.close();
  });
});
