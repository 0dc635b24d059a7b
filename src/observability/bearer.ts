import crypto from 'node:crypto';

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * Checks an Authorization header against `Bearer <token>` in constant time: both sides are
 * hashed first, so neither the comparison nor a length check reveals the token's length.
 */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => false;
  const expected = digest(`Bearer ${token}`);
  return (authorization) => crypto.timingSafeEqual(digest(authorization ?? ''), expected);
}
