/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, joinFromPage, saveScreenshot, signIn } from '../support/browser.js';

describe(`browser journeys in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('fay', 'fay-password-1');
  });

  test('two people in one room see each other’s messages appear live', async () => {
    const ctxA = await ctx.browser.newContext({ locale: 'en-US' });
    const ctxB = await ctx.browser.newContext({ locale: 'zh-CN' });
    const alice = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const fay = await signIn(ctxB, ctx.hihi.url, 'fay', 'fay-password-1');

    // The admin creates a room from the room list.
    await createRoomFromList(alice, '聊天室123', 'Browser journey');
    const roomUrl = alice.url();
    await alice.waitForSelector('#conn[data-state="online"]');

    // Fay has no create permission: no form. She opens the room from the list.
    await fay.reload();
    assert.equal(await fay.locator('form[action="/rooms"]').count(), 0);
    await fay.click('a.room-link:has-text("聊天室123")');
    await fay.waitForURL(roomUrl);
    await joinFromPage(fay);
    await fay.waitForSelector('#conn[data-state="online"]');
    assert.equal(await fay.locator('#conn').textContent(), '已连接');

    // Both see each other online.
    await alice.waitForSelector('#online li:has-text("fay")');
    await fay.waitForSelector('#online li:has-text("admin")');

    // Enter sends; the other side sees it without reloading.
    await alice.fill('#body', 'Hello Fay <b>not bold</b>');
    await alice.press('#body', 'Enter');
    await fay.waitForSelector('#messages li.msg:has-text("Hello Fay <b>not bold</b>")');
    assert.equal(await fay.locator('#messages b').count(), 0, 'markup stays text');

    await fay.fill('#body', '你好，Alice！😀');
    await fay.click('#composer button[type=submit]');
    await alice.waitForSelector('#messages li.msg:has-text("你好，Alice！😀")');

    // Each message is shown exactly once on both pages, confirmed (not pending).
    for (const page of [alice, fay]) {
      await page.waitForFunction(() => document.querySelectorAll('#messages li.msg.pending').length === 0);
      const bodies = await page.locator('#messages li.msg .body').allTextContents();
      assert.deepEqual(bodies.slice(0, 2), ['Hello Fay <b>not bold</b>', '你好，Alice！😀']);
    }

    // Links: http(s) only, opened safely; other schemes stay text. Same after a reload (server-rendered).
    await alice.fill('#body', 'docs at https://example.org/guide, not javascript:alert(1)');
    await alice.press('#body', 'Enter');
    for (const page of [fay, alice]) {
      const link = page.locator('#messages a[href="https://example.org/guide"]');
      await link.waitFor();
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow ugc');
      assert.equal(await page.locator('#messages a[href^="javascript"]').count(), 0);
    }
    await fay.reload();
    await fay.locator('#messages a[href="https://example.org/guide"]').waitFor();

    await alice.setViewportSize({ width: 1100, height: 700 });
    await saveScreenshot(alice, `chat-${backend}.png`);
    for (const page of [alice, fay]) assert.deepEqual(page.errors, []);
    await ctxA.close();
    await ctxB.close();
  });

  /** The admin (alice) creates a room from the list; fay, a plain user, is signed in in another context. */
  async function adminRoomAndFay(name: string) {
    const ctxA = await ctx.browser.newContext();
    const ctxB = await ctx.browser.newContext();
    const alice = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    const fay = await signIn(ctxB, ctx.hihi.url, 'fay', 'fay-password-1');
    await createRoomFromList(alice, name);
    return { ctxA, ctxB, alice, fay, roomUrl: alice.url() };
  }

  test('a non-member opens a room: reads it, sees Join, changes nothing; after joining they can send', async () => {
    const { ctxA, ctxB, alice, fay, roomUrl } = await adminRoomAndFay('Open door');
    await alice.waitForSelector('#conn[data-state="online"]');
    await alice.fill('#body', 'welcome, readers');
    await alice.press('#body', 'Enter');
    await alice.waitForSelector('#messages li.msg:not(.pending):has-text("welcome, readers")');

    await fay.goto(roomUrl);
    await fay.waitForSelector('#messages li.msg:has-text("welcome, readers")');
    assert.equal(await fay.locator('#composer').count(), 0, 'no composer for a reader');
    assert.equal(await fay.locator('#join button[type=submit]').isVisible(), true);
    // Viewing made no member and opened no socket: the owner's lists stay as they were.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await alice.locator('#members li:has-text("fay")').count(), 0);
    assert.equal(await alice.locator('#online li:has-text("fay")').count(), 0);
    assert.equal(await fay.locator('#conn').getAttribute('data-state'), 'offline');

    await joinFromPage(fay);
    await fay.waitForSelector('#conn[data-state="online"]');
    await alice.waitForSelector('#members li:has-text("fay")');
    await fay.fill('#body', 'glad to be in');
    await fay.press('#body', 'Enter');
    await alice.waitForSelector('#messages li.msg:has-text("glad to be in")');
    await fay.waitForSelector('#messages li.msg:not(.pending):has-text("glad to be in")');
    for (const page of [alice, fay]) assert.deepEqual(page.errors, []);
    await ctxA.close();
    await ctxB.close();
  });

  test('a dropped connection reconnects, fills the gap and sends what was typed meanwhile', async () => {
    const { ctxA, ctxB, alice, fay, roomUrl } = await adminRoomAndFay('Flaky network');
    await fay.goto(roomUrl);
    await joinFromPage(fay);
    await Promise.all([alice, fay].map((p) => p.waitForSelector('#conn[data-state="online"]')));

    // Fay's network goes away (the lid closes) and the server loses every socket.
    await ctxB.setOffline(true);
    for (const client of ctx.hihi.app.websocketServer.clients) client.terminate();
    await fay.waitForSelector('#conn[data-state="offline"]');
    await alice.waitForSelector('#conn[data-state="online"]');
    await alice.fill('#body', 'while you were away');
    await alice.press('#body', 'Enter');
    await fay.fill('#body', 'typed offline');
    await fay.press('#body', 'Enter');
    await fay.waitForSelector('#messages li.msg.pending:has-text("typed offline")');

    await ctxB.setOffline(false);
    await fay.evaluate(() => window.dispatchEvent(new Event('online')));
    await fay.waitForSelector('#messages li.msg:not(.pending):has-text("typed offline")', { timeout: 20_000 });
    await fay.waitForSelector('#messages li.msg:has-text("while you were away")');
    await alice.waitForSelector('#messages li.msg:has-text("typed offline")');
    for (const page of [alice, fay]) {
      const bodies = await page.locator('#messages li.msg .body').allTextContents();
      assert.equal(bodies.filter((b) => b === 'typed offline').length, 1);
      assert.equal(bodies.filter((b) => b === 'while you were away').length, 1);
    }
    await ctxA.close();
    await ctxB.close();
  });

  test('messages typed but never acknowledged are not sent by the next person to sign in on the same tab', async () => {
    const { ctxA, roomUrl } = await adminRoomAndFay('Shared computer');
    await ctxA.close();
    const shared = await ctx.browser.newContext();
    // Until `hold` ends, the page's websocket reaches no server: whatever is typed stays unacknowledged.
    let hold = true;
    await shared.routeWebSocket(/\/ws$/, (ws) => {
      if (!hold) ws.connectToServer();
    });
    const fay = await signIn(shared, ctx.hihi.url, 'fay', 'fay-password-1');
    await fay.goto(roomUrl);
    await joinFromPage(fay);
    await fay.fill('#body', 'fay private draft');
    await fay.press('#body', 'Enter');
    await fay.waitForSelector('#messages li.msg.pending:has-text("fay private draft")');
    await fay.click('form[action="/logout"] button[type=submit]');
    await fay.waitForURL(/\/login$/);

    hold = false;
    await fay.fill('input[name=username]', ADMIN.username);
    await fay.fill('input[name=password]', ADMIN.password);
    await fay.click('button[type=submit].primary');
    await fay.waitForURL(/\/rooms$/);
    await fay.goto(roomUrl);
    await fay.waitForSelector('#conn[data-state="online"]');
    await fay.fill('#body', 'admin here');
    await fay.press('#body', 'Enter');
    await fay.waitForSelector('#messages li.msg:not(.pending):has-text("admin here")');
    assert.equal(await fay.locator('#messages li.msg:has-text("fay private draft")').count(), 0, 'not shown to the next person');
    const { messages } = (await (await fetch(`${roomUrl}/messages`, { headers: { accept: 'application/json', cookie: (await shared.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).json()) as { messages: Array<{ body: string }> };
    assert.deepEqual(messages.map((m) => m.body).filter((b) => b.includes('draft')), [], 'never sent');
    await shared.close();
  });

  test('a rejoin with more than a joined frame holds pages the rest in even while live messages arrive', async () => {
    const ctxA = await ctx.browser.newContext();
    const alice = await signIn(ctxA, ctx.hihi.url, ADMIN.username, ADMIN.password);
    await createRoomFromList(alice, 'Long absence');
    const room = Number(alice.url().split('/').pop());
    await alice.waitForSelector('#conn[data-state="online"]');
    const live = ctx.hihi.app.deps.live;
    const post = (n: number) => live.messages.append({ room, user: { id: 1, name: 'admin' }, body: `absent ${n}`, clientId: `absent-${n}`, ts: Date.now() });

    await ctxA.setOffline(true);
    for (const client of ctx.hihi.app.websocketServer.clients) client.terminate();
    await alice.waitForSelector('#conn[data-state="offline"]');
    for (let n = 1; n <= 650; n++) await post(n);
    // The gap-fill's pages are slow to come, so live messages arrive while it runs.
    await alice.route('**/messages?after=*', async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await ctxA.setOffline(false);
    await alice.evaluate(() => window.dispatchEvent(new Event('online')));
    await alice.waitForSelector('#messages li[data-id="500"]', { state: 'attached', timeout: 20_000 });
    for (let n = 651; n <= 655; n++) await post(n);
    await alice.waitForSelector('#messages li[data-id="655"]', { state: 'attached' });
    let ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      ids = await alice.$$eval('#messages li[data-id]', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.id)));
      if (ids.length >= 655) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const shown = new Set(ids);
    const missing = Array.from({ length: 655 }, (_, i) => i + 1).filter((id) => !shown.has(id));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} ids missing`);
    await ctxA.close();
  });
});
