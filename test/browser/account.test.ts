/// <reference lib="dom" />
/** The account page in real Chromium: a chosen theme and language apply at once and after a reload. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { backend } from '../support/backends.js';
import { axeViolations } from '../support/a11y.js';
import { browserSuite, signIn } from '../support/browser.js';

describe(`account settings in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('lia', 'lia-password-1');
  });

  /** What the page shows: its language, its theme attribute, and the colour scheme in effect. */
  const shown = (page: Page) =>
    page.evaluate(() => ({
      lang: document.documentElement.lang,
      theme: document.documentElement.dataset.theme,
      scheme: getComputedStyle(document.documentElement).colorScheme,
      ink: getComputedStyle(document.body).color,
    }));

  test('theme and language chosen on the account page apply, after a reload and on other pages', async () => {
    // An English browser on a light system.
    const bctx = await ctx.browser.newContext({ locale: 'en-US', colorScheme: 'light' });
    const page = await signIn(bctx, ctx.hihi.url, 'lia', 'lia-password-1');
    const before = await shown(page);
    assert.deepEqual({ lang: before.lang, theme: before.theme }, { lang: 'en', theme: 'system' });

    await page.goto(`${ctx.hihi.url}/account`);
    await page.selectOption('select[name=locale]', 'zh-CN');
    await page.check('input[name=theme][value=dark]');
    await Promise.all([page.waitForURL(/\/account\?saved=1$/), page.click('form[action="/account"] button[type=submit]')]);
    const saved = await shown(page);
    assert.equal(saved.lang, 'zh-CN');
    assert.equal(saved.theme, 'dark');
    assert.equal(saved.scheme, 'dark', 'the dark colours are in effect on a light system');
    assert.notEqual(saved.ink, before.ink, "the text colour changed");
    assert.match(await page.locator('.notice').innerText(), /设置已保存/);

    await page.reload();
    assert.deepEqual(await shown(page), saved);
    await page.goto(`${ctx.hihi.url}/rooms`);
    assert.deepEqual({ ...(await shown(page)) }, saved);

    // The footer switch back to English, then the system theme: both stick after a reload.
    await Promise.all([page.waitForURL(/\/rooms$/), page.click('footer button[value=en]')]);
    await page.goto(`${ctx.hihi.url}/account`);
    assert.equal(await page.locator('select[name=locale]').inputValue(), 'en');
    await page.check('input[name=theme][value=system]');
    await Promise.all([page.waitForURL(/\/account\?saved=1$/), page.click('form[action="/account"] button[type=submit]')]);
    await page.reload();
    const back = await shown(page);
    assert.deepEqual(back, before, 'English, and the light system theme again');
    assert.deepEqual(page.errors, []);
    await bctx.close();
  });

  test('a refused display name: the message beside the field, announced with it, zero axe violations (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const bctx = await ctx.browser.newContext({ locale: 'en-US', colorScheme });
      const page = await signIn(bctx, ctx.hihi.url, 'lia', 'lia-password-1');
      await page.goto(`${ctx.hihi.url}/account`);
      await page.fill('input[name=display_name]', 'Admin');
      await Promise.all([page.waitForLoadState(), page.click('form[action="/account"] button[type=submit]')]);
      const input = page.locator('input[name=display_name]');
      assert.equal(await input.inputValue(), 'Admin', 'the input is kept');
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      const described = (await input.getAttribute('aria-describedby'))!.split(' ');
      assert.match(await page.locator(`#${described[1]}`).innerText(), /reserved name/);
      assert.deepEqual(await axeViolations(page), [], colorScheme);
      await bctx.close();
    }
  });
});
