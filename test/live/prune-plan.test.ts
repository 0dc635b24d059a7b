/**
 * Pruning on the embedded default must read a room's oldest messages through the (room_id, ts)
 * index: going by id, or through an index on ts alone, it stalled the app for tens of
 * milliseconds per step on a large backlog (docs/performance.md, Pruning).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { oldestBefore } from '../../src/live/embedded/message-log.js';

test('SQLite finds the messages to prune by (room_id, ts), without a sort', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-plan-'));
  const db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'plan.sqlite') });
  try {
    await migrateToLatest(db);
    const q = oldestBefore(db, 1, 1_000, 500).compile();
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    const plan = rows.map((r) => r.detail).join(' | ');
    assert.match(plan, /USING (COVERING )?INDEX live_messages_room_ts_idx \(room_id=\? AND ts<\?\)/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, `no sort step: ${plan}`);
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
