/// <reference lib="dom" />
/**
 * Unread state in a real browser, two users: the room list's badge rises live and clears once
 * the room was read, the page title counts, the chat page shows the "new messages" divider, and
 * a reader scrolled up is not moved: a "N new messages" button takes them down. Screenshots of
 * both pages in every language, theme and size go to test-output/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { User } from '../../src/modules/users/repository.js';
import { axeViolations } from '../support/a11y.js';
import type { RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { adminSocket, browserSuite, type AdminSocket, saveScreenshot, signIn } from '../support/browser.js';
import { eventually } from '../support/wait.js';

const BOB = { username: 'bob', password: 'bob-password-1' };

describe(`unread badges, divider and jump button in headless Chromium (${backend})`, () => {
  let bob: User;
  const suite = browserSuite(async (hihi) => {
    bob = await hihi.createUser(BOB.username, BOB.password);
  });

  /** A room the admin created and bob is a member of. */
  async function sharedRoom(hihi: RunningApp, admin: AdminSocket, name: string): Promise<number> {
    const room = await admin.web.createRoom(name);
    await hihi.app.deps.rooms.join(room, bob);
    await admin.ws.join(room);
    return room;
  }

  const markerOf = (hihi: RunningApp, room: number) => hihi.app.deps.unread.lastRead(bob.id, room);

  test('the badge rises on the room list, the title counts, and both clear once the room was read', async () => {
    const { hihi, browser } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Standup');
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    const item = page.locator(`#my-rooms li[data-room="${room}"]`);
    await item.waitFor();
    assert.equal(await item.locator('.badge.unread').isHidden(), true);
    // The list's socket is counted in before the messages go out.
    await eventually(() => hihi.app.deps.unreadWatch.counting(bob.id, room), 5000, "bob's room list socket");
    await admin.say(room, 'first');
    await admin.say(room, 'second');
    await page.locator(`#my-rooms li[data-room="${room}"][data-count="2"]`).waitFor();
    assert.equal(await item.locator('.badge.unread [aria-hidden]').textContent(), '2');
    assert.match(await page.title(), /^\(2\) /);
    assert.deepEqual(await axeViolations(page), [], 'the badges pass axe');

    await page.click(`#my-rooms li[data-room="${room}"] a`);
    await page.waitForSelector('#conn[data-state="online"]');
    const last = await admin.say(room, 'third, while she reads');
    await page.locator(`li[data-id="${last}"]`).waitFor();
    await eventually(async () => (await markerOf(hihi, room)) === last, 5000, 'the read marker at the newest message');
    await page.goto(`${hihi.url}/rooms`);
    assert.equal(await page.locator(`#my-rooms li[data-room="${room}"] .badge.unread`).isHidden(), true);
    assert.doesNotMatch(await page.title(), /^\(/);
    assert.deepEqual(page.errors, []);
    admin.ws.close();
    await ctx.close();
  });

  test('a new message moves its room to the top with its preview line and time, as a reload renders it; a blocked author only said to be one', async () => {
    const { hihi, browser } = suite;
    const admin = await adminSocket(hihi);
    const older = await sharedRoom(hihi, admin, 'Older room');
    await admin.say(older, 'an old message');
    const newer = await sharedRoom(hihi, admin, 'Newer room');
    await admin.say(newer, 'a newer message');
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    const order = () => page.locator('#my-rooms li[data-room]').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.room)));
    assert.deepEqual((await order()).slice(0, 2), [newer, older], 'newest activity first');
    await eventually(() => hihi.app.deps.unreadWatch.counting(bob.id, older), 5000, "bob's room list socket");
    await admin.say(older, '**Big** news for @bob: see `this`');
    const preview = page.locator(`#my-rooms li[data-room="${older}"] p.preview`);
    await page.locator(`#my-rooms li[data-room="${older}"] .preview-text`, { hasText: 'Big news' }).waitFor();
    assert.equal(await preview.locator('.preview-text').textContent(), 'admin: Big news for @bob: see this');
    assert.deepEqual((await order()).slice(0, 2), [older, newer], 'moved to the top');
    const live = await preview.evaluate((p) => p.outerHTML);
    await page.reload();
    assert.equal(await preview.evaluate((p) => p.outerHTML), live, 'the live line is the line a reload renders');

    // Bob blocks the admin: their previews say only that, on reload and live.
    const adminId = (await hihi.app.deps.users.findByUsername('admin'))!.id;
    await hihi.app.deps.blocks.block(bob.id, adminId);
    // The reloaded page's own socket, counted in: its first frame is the rooms' counts.
    const socket = page.waitForEvent('websocket');
    await page.reload();
    await (await socket).waitForEvent('framereceived');
    assert.equal(await preview.locator('.preview-text').textContent(), 'From someone you blocked');
    await eventually(() => hihi.app.deps.unreadWatch.counting(bob.id, newer), 5000, "bob's room list socket again");
    // The live line is a clone of the server's <template>, not markup of its own.
    await page.evaluate(() => {
      (document.querySelector('#tpl-preview-blocked') as HTMLTemplateElement).content.querySelector('p')!.dataset.probe = 'cloned';
    });
    const newest = await admin.say(newer, 'you should not read this here');
    const newerText = page.locator(`#my-rooms li[data-room="${newer}"] .preview-text`);
    await eventually(async () => (await order())[0] === newer, 3000, 'the newer room back on top');
    assert.equal(await newerText.textContent(), 'From someone you blocked');
    assert.equal(await page.locator(`#my-rooms li[data-room="${newer}"] p.preview`).getAttribute('data-probe'), 'cloned');
    await saveScreenshot(page, 'room-list-live-preview-en-mobile.png');
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
    await hihi.app.deps.blocks.unblock(bob.id, adminId);
    // Read, so the tests after this one count only their own rooms.
    for (const r of [older, newer]) hihi.app.deps.readMarkers.advance(bob.id, r, newest);
    admin.ws.close();
    await ctx.close();
  });

  test('the divider marks the first unread message; scrolled up, new messages wait behind a button; other rooms count in the title', async () => {
    const { hihi, browser } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Long thread');
    const other = await sharedRoom(hihi, admin, 'Elsewhere');
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push(await admin.say(room, `read already ${i}`));
    hihi.app.deps.readMarkers.advance(bob.id, room, seen.at(-1)!);
    const unreadIds: number[] = [];
    for (let i = 0; i < 30; i++) unreadIds.push(await admin.say(room, `unread line ${i}`));
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    await page.goto(`${hihi.url}/rooms/${room}`);
    await page.waitForSelector('#conn[data-state="online"]');
    const first = page.locator('li.first-unread');
    assert.equal(await first.getAttribute('data-id'), String(unreadIds[0]));
    assert.equal(await first.locator('.new-divider').textContent(), 'New messages');
    assert.equal(await first.isVisible(), true, 'opened at the divider');

    // Scrolled up: new messages do not move the view, the button counts them.
    await page.evaluate(() => {
      document.getElementById('scroller')!.scrollTop = 0;
    });
    const top = await page.evaluate(() => document.getElementById('scroller')!.scrollTop);
    const a = await admin.say(room, 'news one');
    const b = await admin.say(room, 'news two');
    await page.locator(`li[data-id="${b}"]`).waitFor({ state: 'attached' });
    void a;
    const jump = page.locator('#jump-new');
    await jump.waitFor();
    // The 30 unread below the divider and the 2 that came since.
    assert.match((await jump.textContent()) ?? '', /^32 new messages/);
    assert.equal(await page.evaluate(() => document.getElementById('scroller')!.scrollTop), top, 'not yanked');
    await saveScreenshot(page, 'unread-jump-en-desktop.png');
    assert.deepEqual(await axeViolations(page), [], 'the divider and the button pass axe');
    // Keyboard: the button is focusable and Enter takes the reader down.
    await jump.focus();
    await page.keyboard.press('Enter');
    await jump.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => { const s = document.getElementById('scroller')!; return s.scrollHeight - s.scrollTop - s.clientHeight < 80; }), true);
    await eventually(async () => (await markerOf(hihi, room)) === b, 5000, 'read up to the newest');

    // Another room's message: the title counts it.
    await admin.say(other, 'over here');
    await eventually(async () => /^\(1\) /.test(await page.title()), 3000, 'the title count');
    assert.deepEqual(page.errors, []);
    admin.ws.close();
    await ctx.close();
  });

  test('the jump button stays above a tall composer (a six-line draft) on a phone and a desktop', async () => {
    const { hihi, browser } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Tall drafts');
    for (let i = 0; i < 40; i++) await admin.say(room, `backlog line ${i}`);
    for (const lang of ['en', 'zh-CN'] as const) {
      for (const theme of ['light', 'dark'] as const) {
        for (const [size, viewport] of [['mobile', { width: 360, height: 740 }], ['desktop', { width: 1280, height: 800 }]] as const) {
          const ctx = await browser.newContext({ locale: lang, colorScheme: theme, viewport, isMobile: size === 'mobile', hasTouch: size === 'mobile' });
          const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
          await page.goto(`${hihi.url}/rooms/${room}`);
          await page.waitForSelector('#conn[data-state="online"]');
          await page.fill('#body', ['Six lines of draft:', 'two', 'three', 'four', 'five', 'six'].join('\n'));
          await page.evaluate(() => {
            document.getElementById('scroller')!.scrollTop = 0;
          });
          const id = await admin.say(room, `news for ${lang} ${theme} ${size}`);
          await page.locator(`li[data-id="${id}"]`).waitFor({ state: 'attached' });
          const jump = page.locator('#jump-new');
          await jump.waitFor();
          assert.match((await jump.textContent()) ?? '', lang === 'en' ? /^1 new message ↓$/ : /^1 条新消息 ↓$/);
          const [button, composer, body] = await Promise.all([jump.boundingBox(), page.locator('#composer').boundingBox(), page.locator('#body').boundingBox()]);
          assert.ok(body!.height > 100, `the draft is tall (${body!.height}px)`);
          assert.ok(button!.y + button!.height <= composer!.y, `the button (bottom ${button!.y + button!.height}) above the composer (top ${composer!.y}) (${lang} ${theme} ${size})`);
          await saveScreenshot(page, `jump-tall-composer-${lang}-${theme}-${size}.png`);
          assert.deepEqual(page.errors, []);
          await ctx.close();
        }
      }
    }
    admin.ws.close();
  });

  test('screenshots: the room list with badges and previews, the chat page with the divider, every language, theme and size', async () => {
    const { hihi, browser } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Design review');
    const quiet = await sharedRoom(hihi, admin, '产品讨论');
    await admin.say(quiet, '路线图已更新，请大家看一下');
    for (const lang of ['en', 'zh-CN'] as const) {
      for (const theme of ['light', 'dark'] as const) {
        for (const [size, viewport] of [['mobile', { width: 360, height: 740 }], ['desktop', { width: 1280, height: 800 }]] as const) {
          const before = await admin.say(room, `Earlier message for ${lang} ${theme} ${size}`);
          hihi.app.deps.readMarkers.advance(bob.id, room, before);
          for (let i = 0; i < 3; i++) await admin.say(room, `New since you looked: item ${i + 1} of the weekly demo notes`);
          await shoot(browser, hihi, { lang, theme, size, viewport, room });
        }
      }
    }
    admin.ws.close();
  });

  async function shoot(browser: Browser, hihi: RunningApp, o: { lang: string; theme: 'light' | 'dark'; size: string; viewport: { width: number; height: number }; room: number }) {
    const ctx = await browser.newContext({ locale: o.lang, colorScheme: o.theme, viewport: o.viewport, isMobile: o.size === 'mobile', hasTouch: o.size === 'mobile' });
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    await page.locator(`#my-rooms li[data-room="${o.room}"] .badge.unread:not([hidden])`).waitFor();
    await saveScreenshot(page, `unread-rooms-${o.lang}-${o.theme}-${o.size}.png`);
    await page.goto(`${hihi.url}/rooms/${o.room}`);
    await page.waitForSelector('#conn[data-state="online"]');
    await page.locator('li.first-unread').waitFor();
    await saveScreenshot(page, `unread-chat-${o.lang}-${o.theme}-${o.size}.png`);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(scrollWidth <= innerWidth, `no horizontal scroll (${o.lang} ${o.theme} ${o.size})`);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  }
});
