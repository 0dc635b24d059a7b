import type { FastifyServerOptions } from 'fastify';
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
