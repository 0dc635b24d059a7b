/// <reference lib="dom" />
/**
 * Look and feel in real Chromium: the mobile menus, error pages that keep the navigation, and
 * live messages built with the very markup the server renders. The accessibility and overflow
 * matrix is test/browser/a11y-*.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { ALL_PAGES, openPage, showcaseSuite, showContext } from '../support/showcase.js';

describe(`look and feel in headless Chromium (${backend})`, () => {
  const suite = showcaseSuite();

  test('on a phone: the top bar menu and the people drawer open, and every action in them is on screen and reachable', async () => {
    const { s, browser } = suite;
    const ctx = await showContext(browser, s, { lang: 'en', theme: 'light', viewport: 'mobile', as: ADMIN.username });
    const { page } = await openPage(ctx, s, ALL_PAGES.find((p) => p.name === 'chat')!);
    const inView = async (selector: string) => {
      const box = await page.locator(selector).boundingBox();
      return !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= 360 && box.y + box.height <= 740 && box.height >= 44;
    };
    // The menu is closed: Sign out hidden; opened by keyboard, it is there.
    assert.equal(await page.locator('.topnav button[type=submit]').isVisible(), false);
    await page.focus('.nav-menu > summary');
    await page.keyboard.press('Enter');
    assert.ok(await inView('.topnav button[type=submit]'), 'Sign out on screen');
    await page.keyboard.press('Enter'); // closes again (focus is still on the summary)
    // The people drawer: hidden, then opened by its button, with Leave room and the panel link.
    assert.equal(await page.locator('#sidebar').isVisible(), false);
    await page.click('.people-btn');
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= window.innerWidth);
    await page.locator('#sidebar').evaluate((el) => new Promise((r) => (el.getAnimations().length ? Promise.all(el.getAnimations().map((a) => a.finished)).then(r) : r(null))));
    assert.ok(await inView('#sidebar form[action$="/leave"] button'), 'Leave room on screen');
    assert.ok(await inView('#sidebar .panel-link'), 'moderation panel on screen');
    assert.ok(await page.locator('#members li:has-text("mei") details.mod-menu > summary').isVisible(), 'member menu');
    await page.click('#sidebar .sheet-head a');
    await page.waitForFunction(() => getComputedStyle(document.getElementById('sidebar')!).visibility === 'hidden');
    // A moderator's delete control is visible without hover and is a 44 px target on touch.
    const del = page.locator('#messages li.msg .msg-delete').first();
    assert.ok(await del.isVisible());
    assert.ok((await del.boundingBox())!.height >= 44);
    await ctx.close();
  });

  test('a live message is built with the markup the server renders for it', async () => {
    const { s, browser } = suite;
    const ctxA = await showContext(browser, s, { lang: 'en', theme: 'light', viewport: 'desktop', as: ADMIN.username });
    const ctxM = await showContext(browser, s, { lang: 'en', theme: 'light', viewport: 'desktop', as: 'mei' });
    const chat = ALL_PAGES.find((p) => p.name === 'chat')!;
    const { page: admin } = await openPage(ctxA, s, chat);
    const { page: mei } = await openPage(ctxM, s, chat);
    // Two from mei in a row (grouped), one from the admin (own), as a watcher sees them arrive.
    for (const [page, text] of [[mei, 'live one'], [mei, 'live two'], [admin, 'live three']] as const) {
      await page.fill('#body', text);
      await page.press('#body', 'Enter');
      await admin.waitForSelector(`#messages li.msg[data-id]:not(.pending):has-text("${text}")`);
    }
    // Attributes sorted (their order shows nowhere), less the tab's own bookkeeping (data-client-id).
    const html = (page: Page) =>
      page.$$eval('#messages li.msg', (lis) =>
        lis.slice(-3).map((li) => {
          const copy = li.cloneNode(true) as HTMLElement;
          for (const el of [copy, ...copy.querySelectorAll('*')]) {
            const attrs = [...el.attributes].filter((a) => a.name !== 'data-client-id').sort((a, b) => a.name.localeCompare(b.name));
            for (const a of [...el.attributes]) el.removeAttribute(a.name);
            for (const a of attrs) el.setAttribute(a.name, a.value);
          }
          return copy.outerHTML;
        }),
      );
    const live = await html(admin);
    await admin.reload();
    await admin.waitForSelector('#conn[data-state="online"]');
    const rendered = await html(admin);
    assert.deepEqual(live, rendered);
    assert.match(rendered[1]!, /class="msg cont"/, 'the second of mei’s is grouped under the first');
    assert.match(rendered[2]!, /class="msg own"/, 'the reader’s own message is marked');
    assert.match(rendered[0]!, /<time datetime="[^"]+Z" title="[^"]+">/);
    assert.doesNotMatch(rendered[0]!, /UTC/, 'times are the reader’s, not the server’s fallback');
    await ctxA.close();
    await ctxM.close();
  });

  test('data-theme on <html> overrides the system colour scheme either way', async () => {
    const { s, browser } = suite;
    const bodyColours = async (scheme: 'light' | 'dark', theme?: 'light' | 'dark') => {
      const ctx = await showContext(browser, s, { lang: 'en', theme: scheme, viewport: 'desktop', as: null });
      const { page } = await openPage(ctx, s, ALL_PAGES.find((p) => p.name === 'login')!);
      const colours = await page.evaluate((t) => {
        if (t) document.documentElement.dataset.theme = t;
        const style = getComputedStyle(document.body);
        return `${style.backgroundColor} / ${style.color}`;
      }, theme);
      await ctx.close();
      return colours;
    };
    const [light, dark] = [await bodyColours('light'), await bodyColours('dark')];
    assert.notEqual(light, dark);
    assert.equal(await bodyColours('light', 'dark'), dark);
    assert.equal(await bodyColours('dark', 'light'), light);
  });

  test('error pages keep the signed-in navigation and name the status in human words', async () => {
    const { s, browser } = suite;
    const ctx = await showContext(browser, s, { lang: 'zh-CN', theme: 'light', viewport: 'desktop', as: 'mei' });
    for (const p of ALL_PAGES.filter((x) => x.name.startsWith('error-'))) {
      const { page } = await openPage(ctx, s, p);
      assert.equal(await page.locator('form[action="/logout"]').count(), 1, p.name);
      assert.equal(await page.locator('.footer form[action="/language"]').count(), 1, p.name);
      const h1 = await page.locator('h1').textContent();
      assert.equal(h1, p.status === 404 ? '页面不存在' : '无权访问');
      await page.close();
    }
    await ctx.close();
  });
});
