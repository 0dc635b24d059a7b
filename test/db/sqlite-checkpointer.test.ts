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

test("stop() returns once the worker's connection is closed, and the app's connection checkpoints again", async () => {
  const file = path.join(dir, 'stop.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const checkpointer = startCheckpointer(db, file, quiet);
  try {
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    const exited = once(checkpointer.worker, 'exit');
    checkpointer.stop();
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await exited;
  } finally {
    db.close();
  }
});

test('a checkpointer that dies hands checkpoints back to the app connection', async () => {
  const file = path.join(dir, 'dies.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const checkpointer = startCheckpointer(db, file, quiet);
  try {
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    await checkpointer.worker.terminate();
    await sleep(10); // the exit event reaches the app's thread after terminate() settles
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  } finally {
    checkpointer.stop();
    db.close();
  }
});
