import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { pairSuite, type RunningApp } from '../support/app.js';
import { backend } from '../support/backends.js';
import { extractCsrf, WebClient } from '../support/http.js';

// A stolen session must not be a way to guess the account's password: the current-password
// check on POST /account/password is throttled per account, on every instance together.
describe(`the current-password check is throttled (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  const pair = pairSuite({ LOGIN_RATE_PER_MINUTE: '1000' });

  before(async () => {
    ({ one, two } = pair);
    await one.createUser('wren', 'wren-password-1');
  });

  test('five wrong guesses, then 429 with Retry-After (the right password too), on both instances', async () => {
    const web = new WebClient(one.url);
    assert.equal((await web.login('wren', 'wren-password-1')).status, 303);
    // The same stolen session used on the other instance too.
    const other = new WebClient(two.url);
    for (const [k, v] of web.cookies) other.cookies.set(k, v);
    const csrf = extractCsrf(await (await web.get('/account')).text());
    const guess = (client: WebClient, current: string) =>
      client.request('POST', '/account/password', { _csrf: csrf, current, password: 'a-brand-new-pass-1' });
    // Sent at once: a check that reads the count before counting would let them all through.
    const wrong = await Promise.all(Array.from({ length: 8 }, (_, i) => guess(i % 2 ? other : web, `guess-${i}`)));
    const statuses = wrong.map((r) => r.status).sort();
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429, 429], `statuses ${statuses}`);
    const refused = wrong.find((r) => r.status === 429)!;
    assert.ok(Number(refused.headers.get('retry-after')) > 60);
    assert.match(await refused.text(), /Too many wrong current passwords/);
    const right = await guess(other, 'wren-password-1');
    assert.equal(right.status, 429, 'no more checks until the pause ends, even of the right password');
    // The password did not change, and signing in still works (no lock-out of the owner at sign-in).
    assert.equal((await new WebClient(one.url).login('wren', 'wren-password-1')).status, 303);
  });

  test('sign-in: wrong guesses sent at once for one account from one address are held to five too', async () => {
    await one.createUser('yara', 'yara-password-1');
    const clients = Array.from({ length: 8 }, (_, i) => new WebClient(i % 2 ? two.url : one.url));
    const pages = await Promise.all(clients.map((c) => c.get('/login')));
    const csrfs = await Promise.all(pages.map(async (p) => extractCsrf(await p.text())));
    const tries = await Promise.all(clients.map((c, i) => c.request('POST', '/login', { _csrf: csrfs[i]!, username: 'yara', password: `guess-${i}` })));
    const statuses = tries.map((r) => r.status).sort();
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429], `statuses ${statuses}`);
  });
});
