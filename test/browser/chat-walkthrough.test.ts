/// <reference lib="dom" />
/**
 * What a newcomer's walkthrough of the chat page found, checked in Chromium on a phone (touch,
 * 360×740) and a desktop (1280×800): message actions beside the text, never over it, and
 * reachable by touch; the editor in view; a private room's and a direct message's mark; one
 * "(edited)" form; no Leave in a direct message; whole names in the narrow people column.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN } from '../support/app.js';
import { axeViolations } from '../support/a11y.js';
import { backend } from '../support/backends.js';
import { browserSuite, saveScreenshot, signIn } from '../support/browser.js';

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true } as const;
const DESKTOP = { viewport: { width: 1280, height: 800 } } as const;
const LONG = 'A long message that runs over several lines on a phone and across the whole width of a desktop window, so that anything placed over its first line at the end would hide some of its words from the reader.';
const LONG_NAME = 'maximiliana_wolkenstein';

type Rect = { left: number; right: number; top: number; bottom: number };
const overlaps = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const rect = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
/** The boxes of a message's text (its words, not the empty rest of its lines), its head's parts, and its actions. */
async function boxes(page: Page, li: string) {
  // No named functions in here: the page gets the function's source as it is.
  return page.locator(li).evaluate((el) => {
    // Each text node's line boxes (a range over elements would add their whole block boxes).
    const walker = document.createTreeWalker(el.querySelector(':scope > .body')!, NodeFilter.SHOW_TEXT);
    const lines: DOMRect[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      lines.push(...range.getClientRects());
    }
    const [text, head, bar, del] = [lines, [...el.querySelectorAll(':scope > .msg-head > *')].filter((e) => e.getClientRects().length).map((e) => e.getBoundingClientRect()), [el.querySelector(':scope > .msg-actions')!.getBoundingClientRect()], [el.querySelector(':scope > .msg-delete')?.getBoundingClientRect()]].map((list) =>
      list.map((b) => (b ? { left: b.left, right: b.right, top: b.top, bottom: b.bottom } : null)),
    );
    return { text: text as Rect[], head: head as Rect[], bar: bar![0]!, del: del![0] ?? null, opacity: getComputedStyle(el.querySelector(':scope > .msg-actions')!).opacity };
  });
}
const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe(`the chat page after the newcomer walkthrough, in headless Chromium (${backend})`, () => {
  const ids = { room: 0, privateRoom: 0, dm: 0 };
  const ctx = browserSuite(async (h) => {
    const { deps } = h.app;
    const admin = (await deps.users.findByUsername(ADMIN.username))!;
    const ivy = await h.createUser('ivy', 'ivy-password-1');
    const longName = await h.createUser(LONG_NAME, 'long-password-1');
    const room = await deps.rooms.create(admin, { name: 'Walkthrough', description: 'Everyone' });
    for (const u of [ivy, longName]) await deps.rooms.join(room.id, u);
    // Enough history that the list scrolls: the reader's own long message last but one.
    for (let i = 1; i <= 24; i++) await deps.messages.post(room, i % 2 ? ivy : admin, `w-${i}`, `Line ${i} of the history`);
    await deps.messages.post(room, admin, 'w-long', LONG);
    await deps.messages.post(room, ivy, 'w-last', 'Short answer');
    const privateRoom = await deps.rooms.create(admin, { name: 'Back office', description: 'Members only', visibility: 'private' });
    await deps.rooms.setMember(privateRoom.id, admin, ivy.username, 'add');
    const dm = await deps.rooms.openDm(admin, ivy);
    await deps.messages.post(dm, ivy, 'dm-1', 'Hello in private');
    Object.assign(ids, { room: room.id, privateRoom: privateRoom.id, dm: dm.id });
  });

  async function open(browser: Browser, options: object, path: string, locale = 'en-US') {
    const bctx = await browser.newContext({ locale, ...options });
    const page = await signIn(bctx, ctx.hihi.url, ADMIN.username, ADMIN.password);
    await page.goto(`${ctx.hihi.url}${path}`);
    await page.waitForSelector('#conn[data-state="online"]');
    return { page, close: () => bctx.close() };
  }
  const longMsg = 'li.msg[data-id]:has(.body > p:text-is("' + LONG + '"))';

  test('on a phone the actions are a row under the message: there without hover, a tap works, over no text', async () => {
    const { page, close } = await open(ctx.browser, PHONE, `/rooms/${ids.room}`);
    await page.locator(longMsg).scrollIntoViewIfNeeded();
    const b = await boxes(page, longMsg);
    assert.equal(b.opacity, '1', 'shown without hover');
    assert.ok(b.bar.bottom - b.bar.top >= 44, 'a full touch target');
    for (const t of [...b.text, ...b.head]) assert.ok(!overlaps(b.bar, t), `the actions cover no text: ${JSON.stringify([b.bar, t])}`);
    if (b.del) assert.ok(!overlaps(b.bar, b.del), 'nor the moderator’s delete button');
    await page.locator(`${longMsg} .act-reply`).tap();
    await page.locator('.reply-bar:not([hidden])').waitFor();
    assert.ok(await noHorizontalScroll(page));
    await saveScreenshot(page, `walkthrough-actions-phone-${backend}.png`);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
    await close();
  });

  test('on a desktop the actions show on hover at the end of the message’s first row, over none of its text', async () => {
    const { page, close } = await open(ctx.browser, DESKTOP, `/rooms/${ids.room}`);
    // A follow-on (its first line keeps the room), one's own first of a group (its head) and someone else's.
    assert.ok(await page.locator(longMsg).evaluate((el) => el.classList.contains('cont')));
    for (const li of [longMsg, 'li.msg[data-id]:has(.body > p:text-is("Line 24 of the history"))', 'li.msg[data-id]:has(.body > p:text-is("Short answer"))']) {
      await page.locator(li).scrollIntoViewIfNeeded();
      await page.locator(li).hover();
      const b = await boxes(page, li);
      assert.equal(b.opacity, '1', `shown on hover: ${li}`);
      for (const t of [...b.text, ...b.head]) assert.ok(!overlaps(b.bar, t), `${li}: the actions cover no text: ${JSON.stringify([b.bar, t])}`);
    }
    // Not hovered: out of sight, and still no layout shift when they show.
    await page.mouse.move(5, 5);
    const before = await rect(page, longMsg);
    await page.locator(longMsg).hover();
    assert.deepEqual(await rect(page, longMsg), before);
    await saveScreenshot(page, `walkthrough-actions-desktop-${backend}.png`);
    assert.deepEqual(page.errors, []);
    await close();
  });

  for (const [name, options, small] of [
    ['phone', PHONE, { width: 360, height: 420 }],
    ['desktop', DESKTOP, { width: 1280, height: 420 }],
  ] as const) {
    test(`editing (${name}) brings the whole editor into view, and keeps it there when the viewport shrinks`, async () => {
      const { page, close } = await open(ctx.browser, options, `/rooms/${ids.room}`);
      // In view: the whole editor, or if it is taller than the list, its end (the caret, the buttons) with the list full of it.
      const editorInView = () =>
        page.waitForFunction(
          () => {
            const f = document.querySelector('.edit-form')!.getBoundingClientRect();
            const s = document.getElementById('scroller')!.getBoundingClientRect();
            return f.bottom <= s.bottom + 1 && (f.top >= s.top - 1 || f.height > s.height);
          },
          undefined,
          { timeout: 3000 },
        );
      // Up in the empty composer edits the long message, scrolled out of sight above.
      await page.locator('#scroller').evaluate((el) => el.scrollTo(0, 0));
      await page.focus('#body');
      await page.keyboard.press('ArrowUp');
      await page.locator('.edit-form .edit-save').waitFor();
      await page.waitForFunction(() => document.activeElement?.classList.contains('edit-area'));
      await editorInView();
      // Its own Edit button on a message at the list's bottom edge: the editor grows below it.
      await page.keyboard.press('Escape');
      await page.locator(longMsg).evaluate((li) => {
        const scroller = document.getElementById('scroller')!;
        scroller.scrollTop += li.getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom + 4;
      });
      await page.locator(longMsg).hover();
      await page.locator(`${longMsg} .act-edit`).click();
      await page.locator('.edit-form .edit-save').waitFor();
      await editorInView();
      // A keyboard opening: the viewport shrinks, the editor stays in view.
      await page.setViewportSize(small);
      await editorInView();
      assert.ok(await noHorizontalScroll(page));
      await saveScreenshot(page, `walkthrough-editing-${name}-${backend}.png`);
      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(page.errors, []);
      await close();
    });
  }

  test('a private room and a direct message say who can read them in the header, translated; a public room says nothing', async () => {
    for (const [locale, marks] of [
      ['en-US', ['Private room', 'Direct message']],
      ['zh-CN', ['私密聊天室', '私信']],
    ] as const) {
      for (const options of [PHONE, DESKTOP]) {
        for (const [path, mark] of [
          [`/rooms/${ids.privateRoom}`, marks[0]],
          [`/rooms/${ids.dm}`, marks[1]],
        ] as const) {
          const { page, close } = await open(ctx.browser, options, path, locale);
          const el = page.locator('.room-head .room-mark');
          assert.ok(await el.isVisible(), `a visible mark on ${path}`);
          assert.ok(await el.locator('svg').isVisible());
          assert.match((await el.textContent()) ?? '', new RegExp(`^${mark}: `), 'its words, for screen readers too');
          assert.ok(await noHorizontalScroll(page));
          assert.deepEqual(await axeViolations(page), []);
          await saveScreenshot(page, `walkthrough-mark-${path.split('/').pop()}-${locale}-${options.viewport.width}-${backend}.png`);
          await close();
        }
      }
    }
    const { page, close } = await open(ctx.browser, DESKTOP, `/rooms/${ids.room}`);
    assert.equal(await page.locator('.room-mark').count(), 0);
    await close();
  });

  test('"(edited)" shows once, the edit’s full time read and shown on focus, the same live and after a reload', async () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const { page, close } = await open(ctx.browser, DESKTOP, `/rooms/${ids.room}`, locale);
      const li = page.locator('li.msg[data-id]', { has: page.locator('.body > p', { hasText: /^Line 24 of the history/ }) });
      await li.scrollIntoViewIfNeeded();
      // The second round edits a message the first edited: the mark to read is this edit's.
      const before = await li.evaluate((el) => el.querySelector('.edited time')?.getAttribute('datetime') ?? null);
      await li.hover();
      await li.locator('.act-edit').click();
      await page.locator('.edit-area').fill(`Line 24 of the history, edited in ${locale}`);
      await page.press('.edit-area', 'Enter');
      const mark = li.locator('.edited');
      await li.locator('.body > p', { hasText: `edited in ${locale}` }).waitFor();
      await page.waitForFunction(
        ([el, was]) => { const d = el?.querySelector('.edited time')?.getAttribute('datetime'); return !!d && d !== was; },
        [await li.elementHandle(), before] as const,
      );
      const read = () =>
        li.locator('.edited').evaluate((el) => ({
          html: el.outerHTML,
          // The word; the full form is there for screen readers, clipped out of sight.
          shown: el.querySelector('.clock')?.checkVisibility() ? el.querySelector('.clock')!.textContent : null,
          fullHidden: el.querySelector('.full')!.getBoundingClientRect().width <= 1,
          title: el.querySelector('time')!.title,
          spoken: el.querySelector('.full')!.textContent,
        }));
      const live = await read();
      const [word, prefix] = locale === 'en-US' ? ['(edited)', 'edited '] : ['（已编辑）', '编辑于 '];
      assert.equal(live.shown, word);
      assert.ok(live.fullHidden, 'the word alone, no clock beside the message’s own');
      assert.ok(live.title.startsWith(prefix) && live.title.length > prefix.length + 8, live.title);
      assert.equal(live.spoken, live.title, 'one form: what screen readers read is the tooltip');
      // Focus on the message shows the full form in place of the word.
      await page.locator('#scroller').focus();
      await li.evaluate((el) => {
        (el as HTMLElement).tabIndex = -1;
        (el as HTMLElement).focus();
      });
      assert.deepEqual(await mark.evaluate((el) => [el.querySelector('.clock')!.checkVisibility(), el.querySelector('.full')!.getBoundingClientRect().width > 1]), [false, true]);
      await page.reload();
      await page.waitForSelector('#conn[data-state="online"]');
      assert.equal((await read()).html, live.html, 'the server’s mark, in the reader’s zone, is the live one');
      await close();
    }
  });

  test('a direct message offers no Leave (the server refuses it); a room does', async () => {
    const dm = await open(ctx.browser, DESKTOP, `/rooms/${ids.dm}`);
    assert.equal(await dm.page.locator(`form[action="/rooms/${ids.dm}/leave"]`).count(), 0);
    await dm.close();
    const room = await open(ctx.browser, DESKTOP, `/rooms/${ids.privateRoom}`);
    assert.equal(await room.page.locator(`form[action="/rooms/${ids.privateRoom}/leave"] button`).count(), 1);
    await room.close();
  });

  test('the people column shows whole names (narrowest between 48rem and 64rem), with no horizontal scroll', async () => {
    for (const width of [800, 900, 1000, 1280]) {
      const { page, close } = await open(ctx.browser, { viewport: { width, height: 700 } }, `/rooms/${ids.room}`);
      const names = await page.locator('#members li > bdi').evaluateAll((els) => els.map((el) => ({ name: el.textContent, title: el.getAttribute('title'), cut: el.scrollWidth > el.clientWidth + 1 })));
      assert.ok(names.some((n) => n.name === LONG_NAME));
      assert.deepEqual(names.filter((n) => n.cut).map((n) => n.name), [], `names whole at ${width}px`);
      for (const n of names) assert.equal(n.title, n.name, 'the full name as its title');
      assert.ok(await noHorizontalScroll(page));
      assert.equal(await page.locator('#sidebar').evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'the column does not scroll sideways');
      await saveScreenshot(page, `walkthrough-people-${width}-${backend}.png`);
      if (width === 900) assert.deepEqual(await axeViolations(page), []);
      await close();
    }
  });

  test('the people drawer on a phone shows whole names too (a tap shows no title)', async () => {
    for (const lang of ['en-US', 'zh-CN']) {
      const { page, close } = await open(ctx.browser, PHONE, `/rooms/${ids.room}`, lang);
      await page.locator('.people-btn').tap();
      await page.locator('#members li > bdi').first().waitFor();
      // The drawer slides in: looked at once it is still.
      await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
      const cut = await page.locator('#members li > bdi').evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
      assert.deepEqual(cut, [], `names whole in the drawer (${lang})`);
      assert.ok(await noHorizontalScroll(page));
      await saveScreenshot(page, `walkthrough-people-drawer-${lang}-${backend}.png`);
      assert.deepEqual(await axeViolations(page), []);
      await close();
    }
  });
});
