import crypto from 'node:crypto';
import { Signer } from '@fastify/cookie';
import { setBounded } from '../util/bounded-map.js';

/** Session ids whose signature is remembered, at most (~250 bytes each). */
export const REMEMBERED_IDS = 10_000;

/**
 * The session cookie's signer, remembering signatures it has made or checked. @fastify/session
 * checks the cookie's HMAC on every request and then signs the same id again for the restored
 * session: two HMACs per request, ~7 % of a signed-in page's CPU (docs/performance.md). The HMAC
 * of an id under the signing secret never changes, so both are looked up instead once known.
 *
 * A cookie is still accepted only if its signature is the one the secret gives, compared in
 * constant time; anything else (a forgery, an id signed by an older secret) goes to the HMAC.
 * Oldest ids are forgotten first; a forgotten one is signed again on its next request.
 */
export function createSessionSigner(secret: string | string[], max = REMEMBERED_IDS) {
  // @fastify/session checks this only for a secret given as a string, not for a signer.
  if ([secret].flat().some((s) => s.length < 32)) throw new Error('the session secret must have 32 characters or more');
  const signer = new Signer(secret, 'sha256');
  /** Session id → the cookie value the signing secret gives it. */
  const signed = new Map<string, string>();

  return {
    sign(id: string): string {
      let value = signed.get(id);
      if (value === undefined) setBounded(signed, id, (value = signer.sign(id)), max);
      return value;
    },
    unsign(cookie: string): ReturnType<Signer['unsign']> {
      const id = cookie.slice(0, cookie.lastIndexOf('.'));
      const known = signed.get(id);
      if (known !== undefined) {
        const a = Buffer.from(cookie);
        const b = Buffer.from(known);
        if (a.length === b.length && crypto.timingSafeEqual(a, b)) return { valid: true, renew: false, value: id };
      }
      const result = signer.unsign(cookie);
      // Only what the signing secret itself signed is remembered (a renewal must keep its flag).
      if (result.valid && !result.renew) setBounded(signed, id, cookie, max);
      return result;
    },
    /** Ids remembered now (for tests and sizing). */
    get size() {
      return signed.size;
    },
  };
}
