import { CloseCodes } from '../../shared/protocol.js';
import type { Connection } from '../connection.js';
import type { RealtimeContext } from '../context.js';

/**
 * Counts a refusal for rate against the socket; a client that keeps sending after
 * `rate_limited` (over MAX_STRIKES refusals in 10 s) is closed with 1008. True when it was.
 */
export function cutOffIfIgnoring(ctx: RealtimeContext, conn: Connection): boolean {
  if (!conn.strike(ctx.now())) return false;
  ctx.log.warn({ event: 'ws_abuse', userId: conn.user.id }, 'closing a socket that ignores rate limits');
  conn.close(CloseCodes.policyViolation, 'rate limit ignored');
  return true;
}
