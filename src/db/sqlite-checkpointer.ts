import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the worker copies the log back (a checkpoint with nothing to copy costs next to nothing). */
const EVERY_MS = 100;
/** SQLite's own default: a checkpoint at the commit that takes the log past 1,000 pages. */
const AUTO_PAGES = 1000;

// CommonJS, evaluated in the worker: a connection of its own to the same file, and a PASSIVE
// checkpoint on a timer (it never blocks the app's connection, which goes on reading and writing).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
  parentPort.close();
});
`;

export interface Checkpointer {
  /**
   * Stops the worker and returns once its connection is closed (synchronous, so that closing
   * the app's connection can do it first); the app's connection checkpoints for itself again.
   */
  stop(): void;
  /** The worker thread (tests end it to check the fallback). */
  worker: Worker;
}

/**
 * In WAL mode SQLite copies the log back into the database file (a checkpoint) at the commit
 * that takes the log past 1,000 pages, on the committing connection: in hihi, on the event
 * loop, where one took 10-25 ms on a slow disk (docs/performance.md, Pruning). Here a worker
 * thread checkpoints instead, on its own connection, and the app's connection never does. If
 * the worker fails, the app's connection checkpoints for itself again, as SQLite does by default.
 */
export function startCheckpointer(db: SQLite.Database, file: string, log: { warn(obj: object, msg: string): void }): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const closed = new Int32Array(new SharedArrayBuffer(4));
  // No execArgv: the worker needs none of the app's loaders (tsx in development).
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { driver, file, everyMs: EVERY_MS, closed } });
  let stopped = false;
  let exited = false;
  const fallBack = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  };
  worker.on('error', (err) => log.warn({ err }, 'the SQLite checkpointer failed; checkpoints run on the app connection again'));
  worker.once('exit', () => {
    exited = true;
    if (!stopped) fallBack();
  });
  db.pragma('wal_autocheckpoint = 0');
  return {
    worker,
    stop() {
      if (stopped) return;
      stopped = true;
      fallBack();
      if (exited) return;
      worker.postMessage('stop');
      Atomics.wait(closed, 0, 0, 2000);
    },
  };
}
