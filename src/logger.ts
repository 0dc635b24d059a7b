import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../fastify.config.js';

/** Never logged: cookies, credentials, session secrets, message bodies of forms. */
export const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*._csrf',
  '*.body',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.log.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(config.log.pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

/** Query parameters whose values never reach a log (a form sent with GET puts them in the URL). */
const SENSITIVE_PARAM = /pass|token|secret|invite|code|csrf|session/i;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * The URL as logged: values of sensitive query parameters replaced, also inside a parameter
 * that is itself a URL (`/login?next=%2Fadmin%2Fusers%3Fpassword%3D…`).
 */
export function redactUrl(url: string): string {
  // An invite link carries its token in the path (/invite/TOKEN): the token signs someone up.
  if (url.startsWith('/invite/')) url = url.replace(/^\/invite\/[^?#]*/, '/invite/[redacted]');
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const name = decode(pair.slice(0, eq));
    if (SENSITIVE_PARAM.test(name)) return `${pair.slice(0, eq)}=[redacted]`;
    const value = decode(pair.slice(eq + 1));
    // A path in a parameter (`next=/invite/TOKEN`, `next=/x?password=…`) is redacted as a URL.
    if (!value.includes('?') && !value.startsWith('/')) return pair;
    const redacted = redactUrl(value);
    return redacted === value ? pair : `${pair.slice(0, eq)}=${encodeURIComponent(redacted)}`;
  });
  return `${url.slice(0, q + 1)}${pairs.join('&')}`;
}

/** What the error handler found, told in the request's one line instead of a line of its own. */
const outcomes = new WeakMap<object, object>();
export const noteOutcome = (req: object, outcome: object) => void outcomes.set(req, outcome);

/**
 * One line per request, when it ends (fastify's own two lines, arrival and completion, are off):
 * method, redacted URL, status and time. A probe's or a static file's line is debug level.
 */
export function requestLog(app: FastifyInstance) {
  app.addHook('onResponse', (req, reply, done) => {
    const quiet = req.url.startsWith('/static/') || req.url === '/healthz' || req.url === '/readyz';
    const line = { method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime), ...outcomes.get(req) };
    if (reply.statusCode >= 500) req.log.error(line, 'request failed');
    else if (quiet) req.log.debug(line, 'request');
    else req.log.info(line, 'request');
    done();
  });
}
