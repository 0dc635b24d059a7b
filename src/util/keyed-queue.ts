/**
 * Runs tasks one at a time per key, in the order they were queued (a promise chain per key,
 * dropped when it empties). For when a library's own queue does not promise FIFO order:
 * kysely's SQLite connection mutex lets a late caller take the lock ahead of earlier waiters.
 */
export function createKeyedQueue<K>() {
  const tails = new Map<K, Promise<unknown>>();
  return function run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const result = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
