/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { renderMarkdown } from '../../public/js/shared/markdown.js';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, joinFromPage, saveScreenshot, signIn } from '../support/browser.js';
import { CORPUS, markdownInput } from '../support/markdown-corpus.js';

type Opts = NonNullable<Parameters<typeof renderMarkdown>[1]>;

/** The page's own copy of the renderer (as served to browsers) run on each input. */
function inPage(page: Page, inputs: Array<[string, Opts]>): Promise<string[]> {
  return page.evaluate(async (list) => {
    const mod = (await import('/static/js/shared/markdown.js' as string)) as { renderMarkdown: (s: string, o: object) => string };
    return list.map(([s, o]) => mod.renderMarkdown(s, o));
  }, inputs);
}

const FORMATTED = [
  '**Release** notes, *quickly*: ~~draft~~ `npm run build` at https://example.org/notes and www.example.com',
  '> a quoted line\n- first item\n- second **item**\n1. one\n2. two',
  '```\nconst veryLongLineThatMustScrollInsideItsOwnBox = "' + 'x'.repeat(120) + '";\n<script>alert(1)</script>\n```',
];

describe(`Markdown and mentions in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('fay', 'fay-password-1');
  });

  test('the browser renders exactly what the server renders (corpus and generated inputs)', async () => {
    const c = await ctx.browser.newContext();
    const page = await signIn(c, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const generated = fc.sample(fc.tuple(markdownInput, fc.boolean()), { numRuns: 1500, seed: 42 });
    const inputs: Array<[string, Opts]> = [
      ...CORPUS.map(([s]): [string, Opts] => [s, { mentions: [{ id: 7, name: 'Ann<>' }] }]),
      ...generated.map(([s, here]): [string, Opts] => [s, { mentions: [{ id: 7, name: '<A&"\'>' }], here }]),
      ...FORMATTED.map((s): [string, Opts] => [s, {}]),
    ];
    const browser = await inPage(page, inputs);
    inputs.forEach(([s, o], i) => assert.equal(browser[i], renderMarkdown(s, o), JSON.stringify(s)));
    assert.deepEqual(page.errors, []);
    await c.close();
  });

  test('@-completion by keyboard, the mention highlighted, Markdown the same live and after a reload', async () => {
    const ctxA = await ctx.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const ctxF = await ctx.browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 }, colorScheme: 'dark', hasTouch: true });
    const admin = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const fay = await signIn(ctxF, ctx.hihi.url, 'fay', 'fay-password-1');
    await createRoomFromList(admin, 'Formatting', 'Markdown and mentions');
    const roomUrl = admin.url();
    await admin.waitForSelector('#conn[data-state="online"]');
    await fay.goto(roomUrl);
    await joinFromPage(fay);
    await fay.waitForSelector('#conn[data-state="online"]');

    for (const body of FORMATTED) {
      await admin.fill('#body', body);
      await admin.press('#body', 'Enter');
    }
    await fay.waitForSelector('#messages li.msg pre code');

    // Fay types "@ad": the list opens; Down/Up move, Escape closes, Enter takes the option.
    await fay.click('#body');
    await fay.keyboard.type('thanks @ad');
    const list = fay.locator('#mention-list[role="listbox"]');
    await list.locator('[role="option"]:has-text("@admin")').waitFor();
    assert.equal(await fay.getAttribute('#body', 'aria-activedescendant'), 'mention-opt-0');
    assert.equal(await list.locator('[aria-selected="true"]').count(), 1);
    await saveScreenshot(fay, 'mention-autocomplete-360-dark.png');
    await fay.keyboard.press('Escape');
    assert.equal(await list.isHidden(), true);
    assert.equal(await fay.inputValue('#body'), 'thanks @ad', 'Escape closes the list and sends nothing');
    await fay.keyboard.type('m');
    await list.locator('[role="option"]').first().waitFor();
    await fay.keyboard.press('ArrowDown');
    await fay.keyboard.press('ArrowUp');
    await fay.keyboard.press('Enter');
    assert.equal(await fay.inputValue('#body'), 'thanks @admin ');
    await fay.keyboard.type('for **this**');
    await fay.keyboard.press('Enter');

    // The admin sees the mention of them standing out; fay sees the same message plainly marked.
    const mention = admin.locator('#messages li.msg .mention.me');
    await mention.waitFor();
    assert.equal(await mention.textContent(), '@admin');
    await fay.locator('#messages li.msg .mention:not(.pending)').last().waitFor();
    await fay.waitForFunction(() => document.querySelectorAll('#messages li.msg.pending').length === 0);
    assert.equal(await fay.locator('#messages li.msg .mention.me').count(), 0);

    // Live HTML of every body equals the server's after a reload, on both pages.
    for (const page of [admin, fay]) {
      const live = await page.locator('#messages li.msg .body').evaluateAll((els) => els.map((e) => e.innerHTML));
      await page.reload();
      await page.waitForSelector('#conn[data-state="online"]');
      const served = await page.locator('#messages li.msg .body').evaluateAll((els) => els.map((e) => e.innerHTML));
      assert.deepEqual(served, live);
      assert.equal(await page.locator('#messages script, #messages img').count(), 0);
      // A code block scrolls inside its box; the page itself never scrolls sideways.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
      const pre = page.locator('#messages pre').first();
      assert.ok(await pre.evaluate((el) => el.scrollWidth > el.clientWidth), 'the long code line scrolls inside the block');
    }
    await admin.locator('#messages li.msg .mention.me').waitFor();
    await saveScreenshot(admin, 'markdown-mention-1280-light.png');
    await saveScreenshot(fay, 'markdown-360-dark.png');
    // The other sizes, each page loaded at its size.
    for (const [page, width, height, name] of [
      [admin, 360, 740, 'markdown-mention-360-light.png'],
      [fay, 1280, 800, 'markdown-1280-dark.png'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.reload();
      await page.waitForSelector('#conn[data-state="online"]');
      await saveScreenshot(page, name);
    }
    // A tap takes a suggestion too.
    await fay.click('#body');
    await fay.keyboard.type('@ad');
    await list.locator('[role="option"]').first().waitFor();
    await saveScreenshot(fay, 'mention-autocomplete-1280-dark.png');
    await list.locator('[role="option"]').first().tap();
    assert.equal(await fay.inputValue('#body'), '@admin ');
    await fay.fill('#body', '');

    // The admin (360 px, light) mentions fay: the list, then her page (1280 px, dark) highlights it.
    await admin.click('#body');
    await admin.keyboard.type('nice work @fa');
    await admin.locator('#mention-list [role="option"]:has-text("@fay")').waitFor();
    await saveScreenshot(admin, 'mention-autocomplete-360-light.png');
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Enter');
    await fay.locator('#messages .mention.me:has-text("@fay")').waitFor();
    await saveScreenshot(fay, 'mention-highlight-1280-dark.png');

    // The room's own every-message toggle (kept in this browser).
    await fay.locator('#notify-room-all').check();
    assert.equal(await fay.evaluate((r) => localStorage.getItem(`hihi.notifyAll.${r}`), Number(roomUrl.split('/').pop())), '1');
    for (const page of [admin, fay]) assert.deepEqual(page.errors, []);
    await ctxA.close();
    await ctxF.close();
  });

  test('the notification setting is saved; the permission is asked only from the button', async () => {
    const c = await ctx.browser.newContext({ locale: 'en-US' });
    const page = await signIn(c, ctx.hihi.url, 'fay', 'fay-password-1');
    await page.goto(`${ctx.hihi.url}/account`);
    assert.equal(await page.isChecked('input[name="notify"][value="mentions"]'), true, 'mentions by default');
    assert.equal(await page.evaluate(() => Notification.permission), 'default', 'nothing asked on load');
    await page.locator('#notify-allow').waitFor();
    await page.check('input[name="notify"][value="all"]');
    await page.click('form[action="/account/notifications"] button[type=submit]');
    await page.waitForURL(/\/account\?saved=1/);
    assert.equal(await page.isChecked('input[name="notify"][value="all"]'), true);
    await page.reload();
    assert.equal(await page.isChecked('input[name="notify"][value="all"]'), true);
    assert.deepEqual(page.errors, []);
    await c.close();
  });
});
