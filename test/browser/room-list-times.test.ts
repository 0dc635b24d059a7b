/// <reference lib="dom" />
/**
 * The room list's last-activity times: the server writes them (in UTC) and the room list's
 * script writes them again in the reader's zone, both with public/js/shared/activity-time.js.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activityTime } from '../../public/js/shared/activity-time.js';
import { ADMIN } from '../support/app.js';
import { backend } from '../support/backends.js';
import { browserSuite, saveScreenshot, signIn } from '../support/browser.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

const NOW = Date.UTC(2026, 11, 3, 13, 30);
const D = 86_400_000;
/** Moments from today back past a year. */
const MOMENTS = [NOW - 60_000, Date.UTC(2026, 11, 2, 23, 30), NOW - 3 * D, NOW - 40 * D, NOW - 400 * D];
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York'];

describe(`room list activity times in headless Chromium (${backend})`, () => {
  const suite = browserSuite(async () => {});
  let room = 0;
  let sentAt = 0;

  test('the page (any zone, both languages) computes what the server computes', async () => {
    const { hihi, browser } = suite;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${hihi.url}/login`);
    const inPage = await page.evaluate(
      async ({ moments, zones, now }) => {
        const mod = (await import('/static/js/shared/activity-time.js' as string)) as { activityTime: typeof activityTime };
        return zones.flatMap((z) => ['en', 'zh-CN'].flatMap((l) => moments.map((ms) => mod.activityTime(ms, now, l, z))));
      },
      { moments: MOMENTS, zones: ZONES, now: NOW },
    );
    const inNode = ZONES.flatMap((z) => ['en', 'zh-CN'].flatMap((l) => MOMENTS.map((ms) => activityTime(ms, NOW, l, z))));
    assert.deepEqual(inPage, inNode);
    await ctx.close();
  });

  test("today's activity shows the time of day, in the reader's zone, the full date in its title", async () => {
    const { hihi, browser } = suite;
    const web = new WebClient(hihi.url);
    await web.login(ADMIN.username, ADMIN.password);
    room = await web.createRoom('Clock tower');
    const ws = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    await ws.join(room);
    ws.send({ type: 'send', room, clientId: 'c1', body: 'tick' });
    sentAt = (await ws.next('ack', (a) => a.clientId === 'c1')).ts;
    ws.close();
    const served = await (await web.get('/rooms')).text();
    const server = activityTime(sentAt, Date.now(), 'en', 'UTC');
    assert.ok(served.includes(`title="${server.full}">${server.text}</time>`), 'the server wrote the UTC clock and full date');

    for (const [timezoneId, locale, lang] of [['UTC', 'en-US', 'en'], ['Asia/Shanghai', 'zh-CN', 'zh-CN'], ['America/New_York', 'en-US', 'en']] as const) {
      for (const [width, height, colorScheme, size] of [[1280, 800, 'light', 'desktop'], [360, 740, 'dark', 'mobile']] as const) {
        const ctx = await browser.newContext({ timezoneId, locale, viewport: { width, height }, colorScheme });
        const page = await signIn(ctx, hihi.url, ADMIN.username, ADMIN.password);
        const time = page.locator(`#my-rooms li[data-room="${room}"] time[data-activity]`);
        const expected = activityTime(sentAt, Date.now(), lang, timezoneId);
        await page.waitForFunction((t) => document.querySelector('time[data-activity]')?.getAttribute('title') === t, expected.full);
        assert.equal(await time.textContent(), expected.text, timezoneId);
        assert.doesNotMatch(expected.text, /2026|Dec|12月/, 'today: no date');
        assert.match(expected.full, lang === 'en' ? /2026/ : /2026年/);
        if (timezoneId === 'UTC') assert.equal(await time.textContent(), server.text, 'the same text as served');
        if (timezoneId !== 'America/New_York') await saveScreenshot(page, `rooms-activity-${lang}-${colorScheme}-${size}.png`);
        assert.deepEqual(page.errors, []);
        await ctx.close();
      }
    }
  });
});
