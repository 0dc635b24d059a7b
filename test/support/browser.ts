/// <reference lib="dom" />
/** Headless Debian Chromium driven by playwright-core; never a downloaded browser. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

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
