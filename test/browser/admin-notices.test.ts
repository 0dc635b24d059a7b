/// <reference lib="dom" />
/**
 * Pages in states the showcase does not reach, in every language, theme and size with axe and
 * the overflow check, screenshots to test-output/notices/: the room list asking the generated
 * first admin for a new password, a private room's members card with its remove buttons and the
 * invite card refusing a link over the hourly limit, the audit page naming people one way, and
 * a wrong code at the second sign-in step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { axeViolations } from '../support/a11y.js';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { launchBrowser } from '../support/browser.js';
import { LANGS, THEMES, totpNow, VIEWPORTS } from '../support/showcase.js';

const TOVE = { username: 'tove', password: 'tove-password-1' };

describe(`admin notices in every language, theme and size (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let browser: Browser;
  let den = 0;
  let toveId = 0;
  let toveSecret = '';
  const dir = path.join(ROOT, 'test-output', 'notices');

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '1000', ROOM_INVITE_PER_HOUR: '1' });
    const { deps } = hihi.app;
    const admin = (await deps.users.findByUsername(ADMIN.username))!;
    // As the first start leaves a generated admin (this one's password came from ADMIN_PASSWORD).
    await deps.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', admin.id).execute();
    deps.users.forgetAll();
    const mei = await hihi.createUser('mei', 'mei-password-1');
    await deps.users.updateSettings(mei, { displayName: 'Mei Lin', locale: null, theme: 'system' });
    await hihi.createUser('a-user-with-a-rather-long-name', 'long-password-1');
    den = (await deps.rooms.create(admin, { name: 'Launch plans', description: '', visibility: 'private' })).id;
    for (const name of ['mei', 'a-user-with-a-rather-long-name']) await deps.rooms.setMember(den, admin, name, 'add');
    // The admin's one link an hour is used: the panel's next one is refused.
    await deps.roomInviteLimit.take(admin.id);
    const tove = await hihi.createUser(TOVE.username, TOVE.password);
    toveId = tove.id;
    const { secret } = await deps.twoFactor.beginEnrolment(tove);
    await deps.twoFactor.confirmEnrolment(tove.id, totpNow(secret), { ip: null });
    toveSecret = secret;
    browser = await launchBrowser();
    fs.mkdirSync(dir, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hihi?.close();
    await storage?.cleanup();
  });

  async function checked(page: Page, name: string, width: number, problems: string[]) {
    for (const v of await axeViolations(page)) problems.push(`${name}: ${v}`);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    if (scrollWidth > innerWidth || innerWidth > width) problems.push(`${name}: scrollWidth ${scrollWidth}, innerWidth ${innerWidth} > ${width}`);
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }

  async function signIn(page: Page, username: string, password: string) {
    await page.goto(`${hihi.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit].primary');
  }

  test('zero axe violations and no horizontal overflow; the notices in the reader’s language', async () => {
    const problems: string[] = [];
    for (const lang of LANGS) {
      for (const theme of THEMES) {
        for (const [viewport, size] of Object.entries(VIEWPORTS)) {
          const mobile = viewport === 'mobile';
          const open = () => browser.newContext({ locale: lang, colorScheme: theme, viewport: size, hasTouch: mobile, isMobile: mobile });
          const tag = `${lang}-${theme}-${viewport}`;
          const ctx = await open();
          const page = await ctx.newPage();
          await signIn(page, ADMIN.username, ADMIN.password);
          await page.waitForURL(/\/rooms$/);
          assert.equal(await page.locator('#change-password').isVisible(), true, tag);
          await checked(page, `rooms-change-password-${tag}`, size.width, problems);

          await page.goto(`${hihi.url}/rooms/${den}/moderation`);
          assert.equal(await page.locator('.member-list li').count(), 3, tag);
          const form = page.locator('form#create-room-invite');
          const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), form.locator('button[type=submit]').click()]);
          assert.equal(res.status(), 429, tag);
          await page.waitForLoadState();
          assert.equal(await page.locator('#room-invites p.alert').isVisible(), true, tag);
          await checked(page, `moderation-members-limited-${tag}`, size.width, problems);
          // The two cards alone, readable at full size.
          await page.locator('section[aria-labelledby="members-title"]').screenshot({ path: path.join(dir, `members-card-${tag}.png`) });
          await page.locator('#room-invites').screenshot({ path: path.join(dir, `invites-card-limited-${tag}.png`) });

          await page.goto(`${hihi.url}/admin/audit`);
          await checked(page, `admin-audit-${tag}`, size.width, problems);
          await ctx.close();

          // A wrong code at the second step (its failures forgotten first: five pause the account).
          await hihi.app.deps.secondFactor.succeeded(toveId);
          const out = await open();
          const step = await out.newPage();
          await signIn(step, TOVE.username, TOVE.password);
          await step.waitForURL(/\/login\/2fa$/);
          await step.fill('input[name=code]', totpNow(toveSecret) === '000000' ? '111111' : '000000');
          await Promise.all([step.waitForResponse((r) => r.request().method() === 'POST'), step.click('#twofa button[type=submit]')]);
          await step.waitForLoadState();
          assert.match(await step.locator('.field-error').innerText(), lang === 'en' ? /recovery codes/ : /恢复码/, tag);
          await checked(step, `twofa-wrong-${tag}`, size.width, problems);
          await out.close();
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
