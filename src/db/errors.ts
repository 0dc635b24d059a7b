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
