/// <reference lib="dom" />
/** Headless Debian Chromium driven by playwright-core; never a downloaded browser. */
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from './app.js';
import { WebClient } from './http.js';
import { WsClient } from './ws.js';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // This machine has no network beyond loopback: keep Chromium from calling home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export type WatchedPage = Page & { errors: string[] };

/** Opens the login page of `base`, signs in, and waits for the room list. Collects page errors. */
export async function signIn(ctx: BrowserContext, base: string, username: string, password: string): Promise<WatchedPage> {
  const page = (await ctx.newPage()) as WatchedPage;
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit].primary');
  await page.waitForURL(/\/rooms$/);
  return page;
}

/** Saves a screenshot into test-output/ (ignored by git), for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(ROOT, 'test-output');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
}

/**
 * Registers before/after hooks for a browser suite: fresh storage, a running hihi, the users
 * `setup` creates, and Chromium. Read the fields inside tests, once the hooks have run.
 */
export function browserSuite(setup: (hihi: RunningApp) => Promise<void>) {
  const ctx = {} as { storage: Storage; hihi: RunningApp; browser: Browser };
  before(async () => {
    ctx.storage = await createStorage();
    // Every browser here signs in from 127.0.0.1: the per-address sign-in limit is auth.test.ts's to test.
    ctx.hihi = await startApp(ctx.storage, { LOGIN_RATE_PER_MINUTE: '1000' });
    await setup(ctx.hihi);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.hihi?.close();
    await ctx.storage?.cleanup();
  });
  return ctx;
}

/** Creates a room with the room list's form and waits for its chat page. */
export async function createRoomFromList(page: Page, name: string, description?: string): Promise<void> {
  await page.fill('input[name=name]', name);
  if (description !== undefined) await page.fill('input[name=description]', description);
  await page.click('form[action="/rooms"] button[type=submit]');
  await page.waitForURL(/\/rooms\/\d+$/);
}

/** On a room's page as a non-member: presses Join (a plain form post) and waits for the composer. */
export async function joinFromPage(page: Page): Promise<void> {
  await page.click('#join button[type=submit]');
  await page.waitForSelector('#composer');
}

let said = 0;
/** The admin, signed in and talking over a socket of their own: messages for a browser to receive. */
export async function adminSocket(hihi: RunningApp) {
  const web = new WebClient(hihi.url);
  await web.login(ADMIN.username, ADMIN.password);
  const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
  return {
    web,
    ws,
    /** Sends `body` to the room and resolves with its id once acknowledged. */
    async say(room: number, body: string): Promise<number> {
      const clientId = `admin-${++said}`;
      ws.send({ type: 'send', room, clientId, body });
      return (await ws.next('ack', (a) => a.clientId === clientId)).id;
    },
  };
}
export type AdminSocket = Awaited<ReturnType<typeof adminSocket>>;
