import { startHihi, type Scenario } from './common.js';
import { cannon } from './http.js';

/**
 * A sign-in flood (wrong passwords for a real account, so every attempt runs argon2id, with the
 * sign-in throttle lifted): attempts per second, and the p99 of the room list for a signed-in
 * user meanwhile against the same page without the flood. argon2 runs on libuv's thread pool,
 * so the event loop, and other pages, should hardly notice.
 */
export const login: Scenario = async (opts) => {
  const seconds = opts.seconds ?? (opts.quick ? 1 : 5);
  const hihi = await startHihi(1, opts, 'redis');
  try {
    const base = hihi.urls[0]!;
    const calm = await cannon({ url: `${base}/rooms`, seconds, connections: 2, headers: { cookie: hihi.web.cookie() } });

    // An anonymous session with its CSRF token, reused by every attempt (a failed attempt keeps it).
    const { BenchWebClient } = await import('../lib/targets.js');
    const attacker = new BenchWebClient(base);
    const token = await attacker.csrf('/login');
    const form = new URLSearchParams({ username: 'bench', password: 'wrong-password-1', _csrf: token }).toString();
    const [flood, during] = await Promise.all([
      cannon({
        url: `${base}/login`,
        seconds,
        connections: 16,
        method: 'POST',
        body: form,
        headers: { cookie: attacker.cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      }),
      cannon({ url: `${base}/rooms`, seconds, connections: 2, headers: { cookie: hihi.web.cookie() } }),
    ]);
    const row = {
      'sign-in attempts/s': flood.requestsPerSec,
      'attempt p99 ms': flood.p99ms,
      'room list p99 ms, calm': calm.p99ms,
      'room list p99 ms, during flood': during.p99ms,
      'p99 during / calm': +(during.p99ms / calm.p99ms).toFixed(2),
      'room list req/s during / calm': +(during.requestsPerSec / calm.requestsPerSec).toFixed(2),
      'attempts answered 401': flood.non2xx,
    };
    return { json: [row], table: [row], broken: during.errors || during.non2xx ? ['room list failed during the flood'] : [] };
  } finally {
    await hihi.stop();
  }
};
