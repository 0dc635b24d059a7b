/**
 * On the embedded default SQLite checkpoints (copies its write-ahead log back into the database
 * file) every ~1 MiB of log rather than SQLite's default 4 MiB: each checkpoint runs on the
 * event loop, and a 4 MiB one stalled pruning for over 20 ms on a slow disk
 * (docs/performance.md, Pruning).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { connectDatabase } from '../../src/db/connect.js';

test('the write-ahead log is checkpointed and started over every ~1 MiB', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-wal-'));
  const file = path.join(dir, 'wal.sqlite');
  const db = connectDatabase({ kind: 'sqlite', file });
  try {
    await sql`create table t (x blob)`.execute(db);
    let largest = 0;
    for (let i = 0; i < 16; i++) {
      await sql`insert into t values (randomblob(${256 * 1024}))`.execute(db);
      largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
    }
    // 4 MiB written in 16 commits; with SQLite's default the log reaches ~4 MiB before its first checkpoint.
    assert.ok(largest < 1.5 * 2 ** 20, `the log reached ${(largest / 2 ** 20).toFixed(2)} MiB`);
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
