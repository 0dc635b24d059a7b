import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activityTime, untilMidnight } from '../../public/js/shared/activity-time.js';

const NOW = Date.UTC(2026, 11, 3, 13, 30); // Thursday 3 December 2026, 13:30 UTC
const H = 3_600_000;
const D = 24 * H;

test('today the time of day, the last six days the weekday, then day and month, then with the year (en, zh-CN)', () => {
  const cases: Array<[number, string, string]> = [
    [NOW - H, '12:30 PM', '12:30'],
    [Date.UTC(2026, 11, 3, 0, 5), '12:05 AM', '00:05'],
    [Date.UTC(2026, 11, 2, 23, 55), 'Wed', '周三'],
    [NOW - 6 * D, 'Fri', '周五'],
    [NOW - 7 * D, 'Nov 26', '11月26日'],
    [Date.UTC(2026, 0, 1, 9), 'Jan 1', '1月1日'],
    [Date.UTC(2025, 11, 31, 9), 'Dec 31, 2025', '2025年12月31日'],
  ];
  for (const [ms, en, zh] of cases) {
    assert.equal(activityTime(ms, NOW, 'en', 'UTC').text, en, new Date(ms).toISOString());
    assert.equal(activityTime(ms, NOW, 'zh-CN', 'UTC').text, zh, new Date(ms).toISOString());
  }
  // A clock a little ahead of the server's: still today.
  assert.equal(activityTime(NOW + 60_000, NOW, 'en', 'UTC').text, '1:31 PM');
});

test('the full date and time, with its zone, for the title', () => {
  assert.equal(activityTime(NOW - 6 * D, NOW, 'en', 'UTC').full, 'Friday, November 27, 2026 at 1:30 PM UTC');
  assert.equal(activityTime(NOW - 6 * D, NOW, 'zh-CN', 'UTC').full, '2026年11月27日星期五 UTC 13:30');
});

test("'today' is the reader's day: the same moments in other zones", () => {
  const lateYesterdayUtc = Date.UTC(2026, 11, 2, 23, 30);
  assert.equal(activityTime(lateYesterdayUtc, NOW, 'en', 'UTC').text, 'Wed');
  assert.equal(activityTime(lateYesterdayUtc, NOW, 'en', 'Asia/Shanghai').text, '7:30 AM', 'already the 3rd in Shanghai');
  // 13:30 UTC on the 3rd is 03:30 on the 3rd in Honolulu; 20:00 UTC on the 2nd was 10:00 on the 2nd there.
  assert.equal(activityTime(Date.UTC(2026, 11, 2, 20), NOW, 'en', 'Pacific/Honolulu').text, 'Wed');
  assert.equal(activityTime(Date.UTC(2026, 11, 3, 11), NOW, 'en', 'Pacific/Honolulu').text, '1:00 AM');
});

test('the next midnight is within a day', () => {
  const ms = untilMidnight(Date.now());
  assert.ok(ms > 0 && ms <= 25 * H, String(ms));
});
