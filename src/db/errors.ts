/** Recognises a unique-key violation on SQLite and MySQL alike. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | null;
  if (!e) return false;
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062
  );
}

/** A transaction that lost a race and is safe to run again from the start. */
function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | null;
  return isUniqueViolation(err) || e?.errno === 1213 /* deadlock */ || e?.code === 'SQLITE_BUSY';
}

/** Runs fn again (up to `tries` times) when it lost a race on a unique key or a lock. */
export async function retryOnConflict<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= tries || !isRetryable(err)) throw err;
    }
  }
}

/** Codes of a database (or Redis) that cannot be reached right now: answered 503, never 500. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
]);

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE.has(e.code)) return true;
  // mysql2 on a pooled connection whose server went away.
  return typeof e.message === 'string' && /connection is in closed state|Connection lost|Stream isn't writeable|max retries per request/i.test(e.message);
}
