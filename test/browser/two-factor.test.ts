/** Two-factor sign-in in real Chromium: enrol from the account page reading the key from it, sign out, sign in with a computed code. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { base32Decode, hotp, timeStep } from '../../src/modules/auth/two-factor/totp.js';
import { axeViolations } from '../support/a11y.js';
import { backend } from '../support/backends.js';
import { browserSuite, saveScreenshot, signIn } from '../support/browser.js';
import { LANGS, THEMES, VIEWPORTS } from '../support/showcase.js';

/** A code the server accepts as new: the next step's (one step of drift is allowed), never the one just used. */
const nextCode = (secret: string) => hotp(base32Decode(secret), timeStep(Date.now()) + 1);

describe(`two-factor sign-in in headless Chromium (${backend})`, () => {
  const ctx = browserSuite(async (h) => {
    await h.createUser('ines', 'ines-password-1');
    await h.createUser('jon', 'jon-password-1');
  });
  let secret = '';

  test('enrol from the account page, sign out, sign in with a code from the key on the page', async () => {
    const bctx = await ctx.browser.newContext({ locale: 'en-US' });
    const page = await signIn(bctx, ctx.hihi.url, 'ines', 'ines-password-1');
    await page.goto(`${ctx.hihi.url}/account`);
    await Promise.all([page.waitForURL(/\/account\/2fa$/), page.click('a[href="/account/2fa"]')]);
    assert.equal(await page.locator('img.twofa-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), true, 'the QR code is drawn');
    secret = (await page.locator('#twofa-secret').textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.fill('input[name=code]', hotp(base32Decode(secret), timeStep(Date.now())));
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#twofa-setup button[type=submit]')]);
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await page.click('a.btn.primary');
    await page.waitForURL(/\/account$/);
    assert.match(await page.locator('body').innerText(), /Recovery codes left: 10/);

    const logout = page.locator('form[action="/logout"] button');
    if (!(await logout.isVisible())) await page.click('details.nav-menu > summary');
    await Promise.all([page.waitForURL(/\/login$/), logout.click()]);
    await page.fill('input[name=username]', 'ines');
    await page.fill('input[name=password]', 'ines-password-1');
    await Promise.all([page.waitForURL(/\/login\/2fa$/), page.click('button[type=submit].primary')]);
    // Nothing else is open yet.
    await page.goto(`${ctx.hihi.url}/rooms`);
    await page.waitForURL(/\/login\/2fa$/);
    await page.fill('input[name=code]', '000000' === nextCode(secret) ? '111111' : '000000');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#twofa button[type=submit]')]);
    assert.match(await page.locator('.field-error').innerText(), /does not match/);
    assert.equal(await page.locator('input[name=code]').getAttribute('aria-invalid'), 'true');
    await page.fill('input[name=code]', nextCode(secret));
    await Promise.all([page.waitForURL(/\/rooms$/), page.click('#twofa button[type=submit]')]);
    // The refused code's page answers 400, which Chromium reports on the console: nothing else.
    assert.deepEqual(page.errors.filter((e) => !/status of 400/.test(e)), []);
    await bctx.close();
  });

  test('screenshots of enrolment and the second step (360x740 and 1280x800, light and dark, en and zh-CN), zero axe violations', async () => {
    assert.ok(secret, 'the first test enrolled ines');
    const browser: Browser = ctx.browser;
    for (const lang of LANGS) {
      for (const theme of THEMES) {
        for (const viewport of ['mobile', 'desktop'] as const) {
          const mobile = viewport === 'mobile';
          const bctx = await browser.newContext({ locale: lang, colorScheme: theme, viewport: VIEWPORTS[viewport], isMobile: mobile, hasTouch: mobile });
          const tag = `${lang}-${theme}-${viewport}`;
          // Enrolment (jon never confirms, so his page stays the enrolment one).
          const setup = await signIn(bctx, ctx.hihi.url, 'jon', 'jon-password-1');
          await setup.goto(`${ctx.hihi.url}/account/2fa`);
          assert.deepEqual(await axeViolations(setup), [], `enrolment ${tag}`);
          assert.equal(await setup.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, `no horizontal scroll ${tag}`);
          await saveScreenshot(setup, `twofa-setup-${tag}.png`);
          await setup.close();
          await bctx.clearCookies();
          // The second step.
          const step = await bctx.newPage();
          await step.goto(`${ctx.hihi.url}/login`);
          await step.fill('input[name=username]', 'ines');
          await step.fill('input[name=password]', 'ines-password-1');
          await Promise.all([step.waitForURL(/\/login\/2fa$/), step.click('button[type=submit].primary')]);
          assert.deepEqual(await axeViolations(step), [], `second step ${tag}`);
          assert.equal(await step.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, `no horizontal scroll ${tag}`);
          await saveScreenshot(step, `twofa-step-${tag}.png`);
          await bctx.close();
        }
      }
    }
  });
});
