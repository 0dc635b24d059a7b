import type { FastifyRequest, Session } from 'fastify';
import { rememberSession } from '../../../plugins/session.js';

/** How long a "password accepted, second factor due" state lasts before signing in starts over. */
export const PENDING_MS = 5 * 60_000;

/** The session's pending second step, when not expired. */
export function pendingOf(session: Session | undefined, now: number): NonNullable<Session['pending2fa']> | undefined {
  const p = session?.pending2fa;
  return p && now - p.at < PENDING_MS && now >= p.at ? p : undefined;
}

/** Where a pending session is sent: the code, or enrolment when the site requires it first. */
export const pendingPath = (p: NonNullable<Session['pending2fa']>) => (p.enrol ? '/login/2fa/setup' : '/login/2fa');

/**
 * Signs the user in on a new session id (no fixation; the old CSRF secret and any pending state
 * go with the old session).
 */
export async function startSignedInSession(req: FastifyRequest, userId: number, opts: { now: number; remember: boolean; ttlMs: number }) {
  await req.session.regenerate();
  req.session.userId = userId;
  req.session.createdAt = req.session.seenAt = opts.now;
  if (opts.remember) rememberSession(req, opts.ttlMs);
}
