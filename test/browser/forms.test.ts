/// <reference lib="dom" />
/**
 * A form the server refuses comes back with the message beside the field: the field is invalid,
 * described by the message and focused, so a screen reader announces label, state and message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { axeViolations } from '../support/a11y.js';
import { backend } from '../support/backends.js';
import { ALL_PAGES, FORM_PAGES, openPage, showcaseSuite, showContext } from '../support/showcase.js';

describe(`refused forms in headless Chromium (${backend})`, () => {
  const suite = showcaseSuite();

  test('a bad room name: the name field is focused, invalid and described by its translated message; a duplicate gets the notice', async () => {
    const { s, browser } = suite;
    for (const lang of ['en', 'zh-CN'] as const) {
      const ctx = await showContext(browser, s, { lang, theme: 'light', viewport: 'mobile', as: ADMIN.username });
      const { page } = await openPage(ctx, s, { name: 'rooms', path: () => '/rooms', submit: { form: 'create-room', fields: { name: 'pаypal', description: 'kept' } } });
      // `autofocus` is applied at a rendering update after load, not at load: wait for it to land somewhere.
      await page.waitForFunction(() => document.activeElement !== null && document.activeElement !== document.body);
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement;
        const described = document.getElementById(el.getAttribute('aria-describedby') ?? '');
        return { id: el.id, value: el.value, invalid: el.getAttribute('aria-invalid'), description: described?.textContent, visible: !!described?.offsetParent };
      });
      const message = lang === 'en' ? 'Must not mix Latin, Cyrillic, Greek or Armenian letters in one word (they look alike).' : '同一个词中不能混用拉丁、西里尔、希腊或亚美尼亚字母（它们看起来相似）。';
      assert.deepEqual(focused, { id: 'create-room-name', value: 'pаypal', invalid: 'true', description: message, visible: true }, lang);
      assert.equal(await page.inputValue('#create-room-description'), 'kept');
      assert.deepEqual(await axeViolations(page), [], lang);
      // Corrected but taken: the notice at the top of the form, announced as an alert.
      await page.fill('#create-room-name', 'design review');
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 409), page.click('#create-room button[type=submit]')]);
      await page.waitForLoadState();
      const alert = page.locator('#create-room').locator('xpath=preceding-sibling::p[@role="alert"]');
      assert.equal(await alert.textContent(), lang === 'en' ? 'A room with that name exists, or one that looks like it.' : '已有同名或名称相似的聊天室。');
      assert.ok(await alert.isVisible());
      await ctx.close();
    }
  });

  test('the permissions page and the refused forms pass axe and fit a phone', async () => {
    const { s, browser } = suite;
    const contexts = new Map<string | null, Awaited<ReturnType<typeof showContext>>>();
    // The permissions page first: its matrix's hidden labels once widened the page to 671 px.
    for (const p of [ALL_PAGES.find((x) => x.name === 'admin-permissions')!, ...FORM_PAGES]) {
      // Signed in as the page says (the sign-up form: signed out).
      const as = p.as === undefined ? ADMIN.username : p.as;
      if (!contexts.has(as)) contexts.set(as, await showContext(browser, s, { lang: 'en', theme: 'dark', viewport: 'mobile', as }));
      const { page, status } = await openPage(contexts.get(as)!, s, p);
      assert.equal(status, p.status ?? 200, p.name);
      assert.deepEqual(await axeViolations(page), [], p.name);
      // Against the phone's width, not innerWidth: a mobile layout viewport grows to fit what overflows.
      assert.deepEqual(await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]), [360, 360], `${p.name} overflows`);
      if (p.submit) assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid') ?? document.activeElement?.tagName), p.name === 'rooms-invalid' ? 'BODY' : 'true', p.name);
      await page.close();
    }
    for (const c of contexts.values()) await c.close();
  });
});
