/**
 * On the embedded default, SQLite's checkpoints (copying the write-ahead log back into the
 * database file) run on a worker thread, never on the app's connection, where one stalled the
 * event loop for 10-25 ms (docs/performance.md, Pruning).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connectDatabase } from '../../src/db/connect.js';
import { startCheckpointer } from '../../src/db/sqlite-checkpointer.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = { warn: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

test("the app's connection never checkpoints, and the worker keeps the log from growing", async () => {
  const file = path.join(dir, 'app.sqlite');
  const db = connectDatabase({ kind: 'sqlite', file }, quiet);
  try {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    assert.deepEqual(rows, [{ wal_autocheckpoint: 0 }]);
    await sql`create table t (x blob)`.execute(db);
    // 48 MiB in 48 commits. Nothing checkpointing: a log of 48 MiB; the worker: reused from its start.
    for (let i = 0; i < 48; i++) {
      await sql`insert into t values (randomblob(${MiB}))`.execute(db);
      await sleep(30);
    }
    const wal = fs.statSync(`${file}-wal`).size;
    assert.ok(wal < 24 * MiB, `the log grew to ${(wal / MiB).toFixed(1)} MiB`);
  } finally {
    await db.destroy();
  }
});

/** A WAL database with a checkpointer, as connectDatabase sets one up, without Kysely. */
function withCheckpointer(name: string) {
  const file = path.join(dir, name);
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const checkpointer = startCheckpointer(db, file, quiet);
  const autoCheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true });
  assert.equal(autoCheckpoint(), 0);
  return { db, checkpointer, autoCheckpoint };
}

test("stop() returns once the worker's connection is closed, and the app's connection checkpoints again", async () => {
  const { db, checkpointer, autoCheckpoint } = withCheckpointer('stop.sqlite');
  try {
    const exited = once(checkpointer.worker, 'exit');
    checkpointer.stop();
    assert.equal(autoCheckpoint(), 1000);
    await exited;
  } finally {
    db.close();
  }
});

test('a checkpointer that dies hands checkpoints back to the app connection', async () => {
  const { db, checkpointer, autoCheckpoint } = withCheckpointer('dies.sqlite');
  try {
    const exited = once(checkpointer.worker, 'exit'); // after the checkpointer's own listener
    await checkpointer.worker.terminate();
    await exited;
    assert.equal(autoCheckpoint(), 1000);
  } finally {
    checkpointer.stop();
    db.close();
  }
});
