import { extractCsrf, WebClient } from '../../test/support/http.js';
import { startHihi, type Scenario } from './common.js';
import { cannon } from './http.js';

/**
 * Sign-in floods against a real account with wrong passwords, while a signed-in user loads the
 * room list (its p99 compared with the same page without a flood):
 *  - from one address: the per-account+address throttle answers 429 after a few failures, so
 *    the flood costs almost nothing;
 *  - from a new address per attempt (X-Forwarded-For, hihi trusting the proxy), which no
 *    per-address throttle stops: every attempt runs argon2id (on libuv's thread pool, at most
 *    a few at a time), so this is argon2's throughput.
 */
export const login: Scenario = async (opts) => {
  const seconds = opts.seconds ?? (opts.quick ? 1 : 5);
  const hihi = await startHihi(1, opts, 'redis', { TRUST_PROXY: 'true' });
  try {
    const base = hihi.urls[0]!;
    const roomList = () => cannon({ url: `${base}/rooms`, seconds, connections: 2, headers: { cookie: hihi.web.cookieHeader } });
    const calm = await roomList();
    const rows = [];
    let n = 0;
    for (const spread of [false, true]) {
      // An anonymous session with its CSRF token, reused by every attempt (a failed attempt keeps it).
      const attacker = new WebClient(base);
      const token = extractCsrf(await (await attacker.get('/login')).text());
      const form = new URLSearchParams({ username: 'bench', password: 'wrong-password-1', _csrf: token }).toString();
      const [flood, during] = await Promise.all([
        cannon({
          url: `${base}/login`,
          seconds,
          connections: 16,
          method: 'POST',
          body: form,
          headers: { cookie: attacker.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
          ...(spread ? { perRequest: () => ({ 'x-forwarded-for': `10.${(++n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` }) } : {}),
        }),
        roomList(),
      ]);
      rows.push({
        flood: spread ? 'new address per attempt' : 'one address',
        'attempts/s': flood.requestsPerSec,
        'attempt p99 ms': flood.p99ms,
        'room list p99 ms, calm': calm.p99ms,
        'room list p99 ms, during': during.p99ms,
        'p99 during / calm': +(during.p99ms / calm.p99ms).toFixed(2),
        'room list req/s during / calm': +(during.requestsPerSec / calm.requestsPerSec).toFixed(2),
        'room list errors': during.errors + during.non2xx,
      });
    }
    return { json: rows, table: rows, broken: rows.filter((r) => r['room list errors'] > 0).map((r) => `room list failed during the flood (${r.flood})`) };
  } finally {
    await hihi.stop();
  }
};
