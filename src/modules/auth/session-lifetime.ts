/**
 * The one rule for how long a signed-in session lasts, used by page requests
 * (plugins/current-user.ts), the session store's expiry (plugins/session.ts) and the websocket
 * heartbeat (realtime/hub.ts): an absolute lifetime from sign-in (`SESSION_TTL_HOURS`) and an
 * idle timeout from the last use (`SESSION_IDLE_MINUTES`). An open websocket counts as use
 * (the hub records it), so an open chat tab stays signed in until the absolute lifetime.
 */

/** Sign-in and last-use times (ms), kept in the session's data. */
export interface SessionStamps {
  createdAt?: number;
  seenAt?: number;
}

export interface SessionLimits {
  ttlMs: number;
  idleMs: number;
}

/** Last use is written back at most this often, not on every request. */
const SEEN_WRITE_MS = 60_000;

/** Why the session has ended by time at `now`, or undefined while it is within both limits. */
export function sessionTimeout(s: SessionStamps, limits: SessionLimits, now: number): 'absolute' | 'idle' | undefined {
  if (now - (s.createdAt ?? 0) > limits.ttlMs) return 'absolute';
  if (now - (s.seenAt ?? 0) > limits.idleMs) return 'idle';
  return undefined;
}

/** True when a use at `now` should be written back as the new last-use stamp. */
export const useToRecord = (s: SessionStamps, now: number): boolean => now - (s.seenAt ?? 0) > SEEN_WRITE_MS;

/**
 * How long the store keeps a session nobody signed in to (it holds only a CSRF secret for the
 * sign-in form). Anyone can make one with a plain GET, so it must not live for the whole
 * signed-in lifetime: a flood of them would fill the store for a week.
 */
export const ANONYMOUS_SESSION_MS = 2 * 3600_000;

/** When a signed-in session ends however much it is used: the store keeps it no longer. */
export const sessionEndsAt = (s: SessionStamps, limits: SessionLimits): number | undefined =>
  s.createdAt === undefined ? undefined : Math.floor(s.createdAt + limits.ttlMs);
