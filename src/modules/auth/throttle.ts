import type { Counters } from '../../live/ports.js';
import { nameKey } from '../users/names.js';

/** Failed password checks of one key (account+address at sign-in, account on /account) before a pause. */
export const ACCOUNT_FAILURES = 5;
export const ACCOUNT_WINDOW_MS = 15 * 60_000;

/**
 * At most ACCOUNT_FAILURES password checks without a success per key in ACCOUNT_WINDOW_MS. Each
 * attempt is counted before its check, atomically and shared by every instance, so attempts
 * sent at once cannot all pass a count read before any of them failed; a success forgets them.
 * `admit` returns the ms to wait when the attempt may not proceed, else 0.
 */
function failureLimit(counters: Counters) {
  return {
    async admit(key: string): Promise<number> {
      const { count, resetMs } = await counters.hit(key, ACCOUNT_WINDOW_MS);
      return count > ACCOUNT_FAILURES ? Math.max(1000, resetMs) : 0;
    },
    succeeded: (key: string) => counters.reset(key),
  };
}

/**
 * Sign-in throttling, shared by every instance. Two limits:
 *  - per address: all attempts, LOGIN_RATE_PER_MINUTE a minute;
 *  - per (account, address): 5 failures in 15 minutes pause that address for that account.
 * No limit is per account alone, so a stranger hammering someone's name cannot lock the owner
 * out: the owner signs in from their own address as usual.
 */
export function createLoginThrottle(deps: { counters: Counters; perIpPerMinute: number }) {
  const { counters } = deps;
  const failures = failureLimit(counters);
  const ipKey = (ip: string) => `login-ip:${ip}`;
  const accountKey = (ip: string, username: string) => `login-acct:${nameKey(username)}:${ip}`;

  return {
    /** Counts the attempt; returns ms to wait when it may not proceed, else 0. */
    async admit(ip: string, username: string): Promise<number> {
      const perIp = await counters.hit(ipKey(ip), 60_000);
      if (perIp.count > deps.perIpPerMinute) return Math.max(1000, perIp.resetMs);
      return failures.admit(accountKey(ip, username));
    },
    async succeeded(ip: string, username: string): Promise<void> {
      await failures.succeeded(accountKey(ip, username));
    },
  };
}

/**
 * The current-password check of POST /account/password: 5 failures per account in 15 minutes,
 * then 429, so a stolen session is no way to guess the password. Per account alone: only the
 * signed-in user reaches this check, and signing in is not affected.
 */
export function createPasswordCheckThrottle(counters: Counters) {
  const failures = failureLimit(counters);
  const key = (userId: number) => `pw-check:${userId}`;
  return {
    admit: (userId: number) => failures.admit(key(userId)),
    succeeded: (userId: number) => failures.succeeded(key(userId)),
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
export type PasswordCheckThrottle = ReturnType<typeof createPasswordCheckThrottle>;

/**
 * The second sign-in step (a two-factor code), shared by every instance: per address,
 * LOGIN_RATE_PER_MINUTE attempts a minute; per account, 5 wrong codes in 15 minutes, then 429.
 * Per account alone, unlike the password: only someone who knows the password reaches this
 * step, and a per-address limit would let them spread guesses of a 6-digit code over addresses.
 */
export function createSecondFactorThrottle(deps: { counters: Counters; perIpPerMinute: number }) {
  const { counters } = deps;
  const failures = failureLimit(counters);
  const key = (userId: number) => `2fa-user:${userId}`;
  return {
    async admit(ip: string, userId: number): Promise<number> {
      const perIp = await counters.hit(`2fa-ip:${ip}`, 60_000);
      if (perIp.count > deps.perIpPerMinute) return Math.max(1000, perIp.resetMs);
      return failures.admit(key(userId));
    },
    succeeded: (userId: number) => failures.succeeded(key(userId)),
  };
}

export type SecondFactorThrottle = ReturnType<typeof createSecondFactorThrottle>;
