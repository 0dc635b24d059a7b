import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session from '@fastify/session';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, Session } from 'fastify';
import fp from 'fastify-plugin';
import { SessionSaveError } from '../errors.js';
import type { SessionStore } from '../live/ports.js';
import { ANONYMOUS_SESSION_MS, sessionEndsAt, type SessionLimits } from '../modules/auth/session-lifetime.js';
import earlyReads from './early-reads.js';
import { createSessionSigner } from './session-signer.js';

declare module 'fastify' {
  interface Session {
    userId?: number;
    /** Sign-in time and last use (ms), for the absolute and idle timeouts. */
    createdAt?: number;
    seenAt?: number;
    /** "Remember me" was ticked: the cookie persists until the session's absolute end. */
    remember?: true;
    /**
     * Password accepted, second factor (or, for an admin the site requires it of, enrolment)
     * still due: grants nothing but /login/2fa… (modules/auth/two-factor/pending.ts). No userId.
     * `stamp`: the user's credentials at the password step (twoFactor.credentialStamp).
     */
    pending2fa?: { userId: number; at: number; next?: string; remember?: true; enrol?: true; stamp?: string };
  }
  interface FastifyReply {
    /** Tells the browser to drop the session cookie (sign-out, an ended session). */
    clearSessionCookie(): FastifyReply;
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

/** The request a session belongs to (@fastify/session keeps it under a private symbol). */
function requestOf(s: Session): FastifyRequest | undefined {
  const key = Object.getOwnPropertySymbols(s).find((k) => k.description === 'request');
  return key ? ((s as unknown as Record<symbol, FastifyRequest>)[key]) : undefined;
}

/**
 * Calls back once the store answered. The callback goes on to finish the reply (headers, body):
 * a throw there would otherwise reject this promise chain unhandled, and an unhandled rejection
 * shuts the process down. It is logged and that one request's connection is ended instead.
 */
function settle(p: Promise<unknown>, cb: (err?: unknown) => void, s: Session | undefined, log: FastifyBaseLogger) {
  p.then(() => cb(), (err) => cb(err)).catch((err: unknown) => {
    const req = s && requestOf(s);
    (req?.log ?? log).error({ err }, 'reply failed after a session store call');
    req?.raw.socket?.destroy();
  });
}

/** Adapts the live-state session store to @fastify/session's callback interface. */
function sessionStoreAdapter(store: SessionStore, limits: SessionLimits, now: () => number, log: FastifyBaseLogger) {
  const { ttlMs } = limits;
  return {
    set(id: string, s: Session, cb: (err?: unknown) => void) {
      // A signed-in session ends at its absolute lifetime, however often it is saved; the
      // cookie's expiry is counted from each save, so it cannot be the store's.
      const expires = sessionEndsAt(s, limits) ?? now() + Math.min(ttlMs, ANONYMOUS_SESSION_MS);
      const saved = store.set(id, { userId: s.userId ?? null, data: storedData(s), expiresAt: expires });
      settle(saved.catch((err: unknown) => Promise.reject(new SessionSaveError(err))), cb, s, log);
    },
    get(id: string, cb: (err: unknown, s?: Session | null) => void) {
      store.get(id).then(
        (r) => {
          if (!r) return cb(null, null);
          const s = JSON.parse(r.data) as Session;
          // A remembered session's cookie keeps its end (the sign-in's plus the TTL) on every
          // save; any other is rebuilt without one, a browser-session cookie.
          if (s.remember && s.createdAt) (s as { cookie?: object }).cookie = { expires: new Date(s.createdAt + ttlMs) };
          cb(null, s);
        },
        (err) => cb(err),
      ).catch((err: unknown) => log.error({ err }, 'reply failed after a session read'));
    },
    destroy(id: string, cb: (err?: unknown) => void) {
      settle(store.destroy(id), cb, undefined, log);
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
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: https ? true : 'auto', path: '/' } as const;
  await app.register(cookie);
  // Between the two: its hook needs the parsed cookie and must run before the session's read.
  await app.register(earlyReads, { cookieName });
  await app.register(session, {
    secret: createSessionSigner(sessionSecret),
    cookieName,
    store: sessionStoreAdapter(live.sessions, config.session, now, app.log),
    saveUninitialized: false,
    // Saved only when changed (sign-in, CSRF secret, the once-a-minute idle stamp), not on every
    // response: the timeouts are enforced from the stamps (current-user.ts), not by the cookie.
    rolling: false,
    // No maxAge: a browser-session cookie, unless "remember me" gave it an end (rememberSession).
    cookie: cookieOptions,
  });
  app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
    return this.clearCookie(cookieName, cookieOptions);
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  // Every response here may carry a CSRF token or a user's data: never kept by a browser's or
  // proxy's cache (back button on a shared computer, a caching proxy). Static files and health
  // checks are outside this context and stay cacheable.
  app.addHook('onRequest', (_req, reply, done) => {
    reply.header('cache-control', 'no-store');
    done();
  });
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
    app.csrfProtection(req, reply, done);
  });
}

export default fp(sessionPlugin, { name: 'session' });

/** At sign-in with "remember me": the cookie persists until the session's absolute end. */
export function rememberSession(req: FastifyRequest, ttlMs: number) {
  req.session.remember = true;
  req.session.cookie.expires = new Date(req.session.createdAt! + ttlMs);
}
