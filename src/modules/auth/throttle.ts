import type { Counters } from '../../live/ports.js';
import { nameKey } from '../users/names.js';

/** Failures of one account from one address before that address is paused for that account. */
export const ACCOUNT_FAILURES = 5;
export const ACCOUNT_WINDOW_MS = 15 * 60_000;

/**
 * Sign-in throttling, shared by every instance. Two limits:
 *  - per address: all attempts, LOGIN_RATE_PER_MINUTE a minute;
 *  - per (account, address): 5 failures in 15 minutes pause that address for that account.
 * No limit is per account alone, so a stranger hammering someone's name cannot lock the owner
 * out: the owner signs in from their own address as usual.
 */
export function createLoginThrottle(deps: { counters: Counters; perIpPerMinute: number }) {
  const { counters } = deps;
  const ipKey = (ip: string) => `login-ip:${ip}`;
  const accountKey = (ip: string, username: string) => `login-acct:${nameKey(username)}:${ip}`;

  return {
    /** Counts the attempt; returns ms to wait when it may not proceed, else 0. */
    async admit(ip: string, username: string): Promise<number> {
      const perIp = await counters.hit(ipKey(ip), 60_000);
      if (perIp.count > deps.perIpPerMinute) return Math.max(1000, perIp.resetMs);
      const perAccount = await counters.peek(accountKey(ip, username));
      if (perAccount.count >= ACCOUNT_FAILURES) return Math.max(1000, perAccount.resetMs);
      return 0;
    },
    async failed(ip: string, username: string): Promise<void> {
      await counters.hit(accountKey(ip, username), ACCOUNT_WINDOW_MS);
    },
    async succeeded(ip: string, username: string): Promise<void> {
      await counters.reset(accountKey(ip, username));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
