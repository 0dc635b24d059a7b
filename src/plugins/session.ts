import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session from '@fastify/session';
import type { FastifyInstance, Session } from 'fastify';
import fp from 'fastify-plugin';
import type { SessionStore } from '../live/ports.js';
import { sessionEndsAt, type SessionLimits } from '../modules/auth/session-lifetime.js';
import earlyReads from './early-reads.js';
import { createSessionSigner } from './session-signer.js';

declare module 'fastify' {
  interface Session {
    userId?: number;
    /** Sign-in time and last use (ms), for the absolute and idle timeouts. */
    createdAt?: number;
    seenAt?: number;
  }
}

/** Behind https the cookie is `__Host-` prefixed: Secure, path /, no Domain, so no subdomain can set it. */
export const sessionCookieName = (https: boolean) => (https ? '__Host-hihi.sid' : 'hihi.sid');

/**
 * What is stored of a session: its data without its cookie. @fastify/session rebuilds the cookie
 * from the configured options on every request either way (its expiry from `maxAge`), but a
 * stored one costs the restore two date parses and object copies: 2.5 × the CPU of restoring
 * the data alone (docs/performance.md). Its expiry is the store's (the record's `expiresAt`).
 */
function storedData(s: Session): string {
  const { cookie: _cookie, ...data } = s;
  return JSON.stringify(data);
}

/** Adapts the live-state session store to @fastify/session's callback interface. */
function sessionStoreAdapter(store: SessionStore, limits: SessionLimits, now: () => number) {
  return {
    set(id: string, s: Session, cb: (err?: unknown) => void) {
      // A signed-in session ends at its absolute lifetime, however often it is saved; the
      // cookie's expiry is counted from each save, so it cannot be the store's.
      const expires = sessionEndsAt(s, limits) ?? now() + limits.ttlMs;
      store.set(id, { userId: s.userId ?? null, data: storedData(s), expiresAt: expires }).then(() => cb(), cb);
    },
    get(id: string, cb: (err: unknown, s?: Session | null) => void) {
      store.get(id).then((r) => cb(null, r ? (JSON.parse(r.data) as Session) : null), (err) => cb(err));
    },
    destroy(id: string, cb: (err?: unknown) => void) {
      store.destroy(id).then(() => cb(), cb);
    },
  };
}

/**
 * Server-side sessions in the live-state store (SQL or Redis, never memory); CSRF secrets live
 * in the session and every unsafe request must carry a `_csrf` token.
 */
async function sessionPlugin(app: FastifyInstance) {
  const { config, live, now, sessionSecret } = app.deps;
  const https = config.publicUrl?.protocol === 'https:';
  const cookieName = sessionCookieName(https);
  await app.register(cookie);
  // Between the two: its hook needs the parsed cookie and must run before the session's read.
  await app.register(earlyReads, { cookieName });
  await app.register(session, {
    secret: createSessionSigner(sessionSecret),
    cookieName,
    store: sessionStoreAdapter(live.sessions, config.session, now),
    saveUninitialized: false,
    // Saved only when changed (sign-in, CSRF secret, the once-a-minute idle stamp), not on every
    // response: the timeouts are enforced from the stamps (current-user.ts), not by the cookie.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: https ? true : 'auto', path: '/', maxAge: config.session.ttlMs },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
    app.csrfProtection(req, reply, done);
  });
}

export default fp(sessionPlugin, { name: 'session' });
