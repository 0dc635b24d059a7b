/// <reference lib="dom" />
/**
 * Desktop notifications in real headless Chromium (public/js/chat/notify.js): the context is
 * granted the `notifications` permission and an init script wraps window.Notification in a spy
 * that records each notification's title and body and then constructs the real one. The sender
 * talks over a websocket of their own; the reader's page is left unfocused (Playwright's focus
 * emulation off), as a tab in the background is, except where the focused case is the point.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { User } from '../../src/modules/users/repository.js';
import type { RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { adminSocket, browserSuite, type AdminSocket, signIn, type WatchedPage } from '../support/browser.js';

const BOB = { username: 'bob', password: 'bob-password-1' };

/**
 * Runs in the page before its scripts: a Notification that records, then calls through. A string,
 * not a function: the test's compiler would add helpers the page lacks.
 */
const SPY = `(() => {
  window.__shown = [];
  window.__asked = 0;
  const Real = window.Notification;
  class Spy extends Real {
    constructor(title, options) {
      window.__shown.push({ title, body: options?.body ?? '' });
      super(title, options);
    }
    static requestPermission(cb) {
      window.__asked++;
      return Real.requestPermission(cb);
    }
  }
  window.Notification = Spy;
})();`;

describe(`desktop notifications in headless Chromium (${backend})`, () => {
  let bob: User;
  const suite = browserSuite(async (hihi) => {
    bob = await hihi.createUser(BOB.username, BOB.password);
  });

  async function bobContext(hihi: RunningApp, grant = true): Promise<BrowserContext> {
    const ctx = await suite.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    if (grant) await ctx.grantPermissions(['notifications'], { origin: hihi.origin });
    await ctx.addInitScript({ content: SPY });
    return ctx;
  }

  /** Bob's page on the room, online, and (unless `focused`) not the focused tab. */
  async function openRoom(ctx: BrowserContext, hihi: RunningApp, room: number, focused = false): Promise<WatchedPage> {
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    await page.goto(`${hihi.url}/rooms/${room}`);
    await page.waitForSelector('#conn[data-state="online"]');
    if (!focused) await toBackground(ctx, page);
    assert.equal(await page.evaluate(() => document.hasFocus()), focused);
    return page;
  }

  /**
   * Another tab comes to the front; Playwright's "every page is focused" emulation is turned off
   * for this one, so it reports what a background tab does.
   */
  async function toBackground(ctx: BrowserContext, page: WatchedPage) {
    await (await ctx.newPage()).bringToFront();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    assert.equal(await page.evaluate(() => document.hasFocus()), false);
  }

  /** Sends `body` and waits until bob's page shows it: whatever notification it raises is recorded by then. */
  async function deliver(page: WatchedPage, admin: AdminSocket, room: number, body: string) {
    const id = await admin.say(room, body);
    await page.locator(`#messages li[data-id="${id}"]`).waitFor({ state: 'attached' });
  }

  const shown = (page: WatchedPage) => page.evaluate(() => (window as unknown as { __shown: Array<{ title: string; body: string }> }).__shown);

  async function sharedRoom(hihi: RunningApp, admin: AdminSocket, name: string) {
    const room = await admin.web.createRoom(name);
    await hihi.app.deps.rooms.join(room, bob);
    await admin.ws.join(room);
    return room;
  }

  test('by default a mention notifies once, with who and what; a plain message does not; a focused tab is not disturbed', async () => {
    const { hihi } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Standup');
    const ctx = await bobContext(hihi);
    const page = await openRoom(ctx, hihi, room);
    assert.equal(await page.evaluate(() => Notification.permission), 'granted');

    await deliver(page, admin, room, 'a plain update');
    assert.deepEqual(await shown(page), [], 'a plain message raises nothing with the default setting');
    await deliver(page, admin, room, 'ping @bob, the build is green');
    assert.deepEqual(await shown(page), [{ title: 'admin mentioned you', body: 'ping @bob, the build is green' }]);
    await deliver(page, admin, room, 'one more plain line');
    assert.equal((await shown(page)).length, 1, 'exactly one notification');

    // The same page focused (notify.js: nothing while the reader looks at the room).
    const focusedCtx = await bobContext(hihi);
    const focused = await openRoom(focusedCtx, hihi, room, true);
    await deliver(focused, admin, room, 'again @bob');
    assert.deepEqual(await shown(focused), [], 'the focused room shows it, no notification');
    assert.deepEqual(page.errors, []);
    assert.deepEqual(focused.errors, []);
    admin.ws.close();
    await ctx.close();
    await focusedCtx.close();
  });

  test("a room's every-message toggle, and the account's every-message setting, notify of plain messages; nothing means none", async () => {
    const { hihi } = suite;
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Releases');
    const ctx = await bobContext(hihi);
    const page = await openRoom(ctx, hihi, room, true);
    await page.locator('#notify-room-all').check();
    await toBackground(ctx, page);
    await deliver(page, admin, room, 'v1.2 is out');
    assert.deepEqual(await shown(page), [{ title: 'admin in Releases', body: 'v1.2 is out' }]);
    await page.evaluate((r) => localStorage.removeItem(`hihi.notifyAll.${r}`), room);
    await deliver(page, admin, room, 'v1.2.1 is out');
    assert.equal((await shown(page)).length, 1, 'the toggle cleared: no more');

    await hihi.app.deps.users.setNotify(bob.id, 'all');
    const ctxAll = await bobContext(hihi);
    const all = await openRoom(ctxAll, hihi, room);
    await deliver(all, admin, room, 'v1.3 is out');
    assert.deepEqual(await shown(all), [{ title: 'admin in Releases', body: 'v1.3 is out' }]);

    await hihi.app.deps.users.setNotify(bob.id, 'off');
    const ctxOff = await bobContext(hihi);
    const off = await openRoom(ctxOff, hihi, room);
    assert.equal(await off.locator('#notify-room-all').count(), 0, 'no room toggle when the account says nothing');
    await off.evaluate((r) => localStorage.setItem(`hihi.notifyAll.${r}`, '1'), room);
    await deliver(off, admin, room, 'v1.4 is out');
    await deliver(off, admin, room, 'and @bob, you are on call');
    assert.deepEqual(await shown(off), [], 'nothing, not even a mention or a stale room toggle');
    for (const p of [page, all, off]) assert.deepEqual(p.errors, []);
    await hihi.app.deps.users.setNotify(bob.id, 'mentions');
    admin.ws.close();
    for (const c of [ctx, ctxAll, ctxOff]) await c.close();
  });

  test('no permission prompt on page load: requestPermission waits for the button', async () => {
    const { hihi } = suite;
    const ctx = await bobContext(hihi, false);
    const page = await signIn(ctx, hihi.url, BOB.username, BOB.password);
    const asked = () => page.evaluate(() => (window as unknown as { __asked: number }).__asked);
    assert.equal(await asked(), 0, 'the room list');
    const admin = await adminSocket(hihi);
    const room = await sharedRoom(hihi, admin, 'Quiet');
    await page.goto(`${hihi.url}/rooms/${room}`);
    await page.waitForSelector('#conn[data-state="online"]');
    assert.equal(await asked(), 0, 'a chat page');
    admin.ws.close();
    await page.goto(`${hihi.url}/account`);
    await page.locator('#notify-allow').waitFor();
    assert.equal(await asked(), 0, 'the account page, loaded');
    assert.equal(await page.evaluate(() => Notification.permission), 'default');
    await page.click('#notify-allow');
    assert.equal(await asked(), 1, 'asked once, on the press');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
