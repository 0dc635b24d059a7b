/// <reference lib="dom" />
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { launchBrowser, signIn } from '../support/browser.js';

const OUT = path.join(ROOT, 'test-output');

describe(`browser: moderating from the chat page (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let browser: Browser;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('gus', 'gus-password-1');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hihi?.close();
    await storage?.cleanup();
  });


  test('a moderator mutes a member (banner, cannot send), then kicks them (removed notice)', async () => {
    const mod = await signIn(await browser.newContext(), hihi.url, ADMIN.username, ADMIN.password);
    const gus = await signIn(await browser.newContext(), hihi.url, 'gus', 'gus-password-1');
    await mod.fill('input[name=name]', 'Moderated');
    await mod.click('form[action="/rooms"] button[type=submit]');
    await mod.waitForURL(/\/rooms\/\d+$/);
    await gus.goto(mod.url());
    await gus.waitForSelector('#conn[data-state="online"]');
    // The member appears live in the moderator's member list, with a moderation menu.
    const gusItem = mod.locator('#members li:has-text("gus")');
    await gusItem.waitFor();
    await gusItem.locator('summary').click();
    await gusItem.locator('button[data-action="mute"]').first().click(); // "Mute 10 min"

    await gus.waitForSelector('#banner:not([hidden])');
    assert.match((await gus.locator('#banner').textContent())!, /You are muted until .+ \(\d+ s\)/);
    await mod.waitForSelector('#messages li.system:has-text("gus was muted by admin")');
    await gus.fill('#body', 'let me speak');
    await gus.press('#body', 'Enter');
    await gus.waitForSelector('#messages li.msg.failed:has-text("let me speak")');
    assert.equal(await mod.locator('#messages li.msg:has-text("let me speak")').count(), 0);

    await gusItem.locator('summary').click();
    await gusItem.locator('button[data-action="kick"]').click();
    await gus.waitForSelector('#banner.removed');
    assert.match((await gus.locator('#banner').textContent())!, /You were removed from this room until/);
    assert.equal(await gus.locator('#composer').isHidden(), true);
    await mod.waitForSelector('#messages li.system:has-text("gus was removed by admin")');
    await mod.waitForFunction(() => !document.querySelector('#members li[data-user] bdi')?.textContent?.includes('gus') || document.querySelectorAll('#members li').length === 1);

    fs.mkdirSync(OUT, { recursive: true });
    await gus.screenshot({ path: path.join(OUT, `kicked-${backend}.png`) });
    await mod.screenshot({ path: path.join(OUT, `moderator-${backend}.png`) });
    // Reloading does not get them back in.
    const res = await gus.reload();
    assert.equal(res?.status(), 403);
  });
});
