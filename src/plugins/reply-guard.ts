import http from 'node:http';
import fp from 'fastify-plugin';

/** A header that Node would refuse to write: the reply becomes a logged 500 page instead. */
class InvalidHeaderError extends Error {
  readonly statusCode = 500;
  constructor(readonly header: string) {
    super(`invalid value in response header "${header}"`);
    this.name = 'InvalidHeaderError';
  }
}

function validHeader(name: string, value: unknown): boolean {
  try {
    http.validateHeaderName(name);
    for (const v of Array.isArray(value) ? value : [value]) http.validateHeaderValue(name, v);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks every header before the reply goes out. Node throws ERR_INVALID_CHAR from writeHead,
 * and where that happens after an asynchronous onSend hook (a session save) the throw left
 * fastify's error handling: an unhandled rejection that shut the process down. Here the bad
 * header is dropped and the request ends with the error handler's 500 page, logged. Registered
 * on the root, so it runs before the session's save (headers set by routes are all in by then).
 */
export default fp(
  async (app) => {
    app.addHook('onSend', (_req, reply, _payload, done) => {
      const headers = reply.getHeaders();
      for (const name in headers) {
        if (validHeader(name, headers[name])) continue;
        reply.removeHeader(name);
        return done(new InvalidHeaderError(name));
      }
      done();
    });
  },
  { name: 'reply-guard' },
);
