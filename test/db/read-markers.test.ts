/**
 * Read markers on the database of the run: SQLite embedded, MariaDB on the mysql-redis runs.
 * Forward only, durable across a new store on the same database, written in batches.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createReadMarkers } from '../../src/modules/unread/markers.js';
import { backend, createMysqlDatabase, mysqlUrl } from '../support/backends.js';

const log = { warn: () => {} };

describe(`read markers (${backend === 'embedded' ? 'SQLite' : 'MySQL'})`, () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  before(async () => {
    if (backend === 'embedded' || !mysqlUrl) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-markers-'));
      db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'x.sqlite') });
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    } else {
      const mdb = await createMysqlDatabase();
      db = connectDatabase({ kind: 'mysql', url: mdb.url, poolSize: 5 });
      cleanup = mdb.drop;
    }
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.destroy();
    await cleanup?.();
  });

  test('moves only forward, in memory and in storage; a new store reads what was written', async () => {
    const m = createReadMarkers({ db, now: () => 1, log });
    assert.equal(await m.get(1, 10), 0);
    m.advance(1, 10, 5);
    m.advance(1, 10, 3);
    assert.equal(await m.get(1, 10), 5, 'read before the flush');
    await m.flush();
    m.advance(1, 10, 4);
    await m.flush();
    const again = createReadMarkers({ db, now: () => 2, log });
    assert.equal(await again.get(1, 10), 5, 'a lower write does not lower it');
    again.advance(1, 10, 9);
    again.advance(1, 11, 2);
    await again.stop();
    assert.deepEqual([...(await m.getMany(1, [10, 11, 12]))].sort(), [
      [10, 9],
      [11, 2],
      [12, 0],
    ]);
    assert.equal(await m.get(2, 10), 0, 'per user');
  });

  test('a marker being written while it is read is read, whichever finishes first', async () => {
    const m = createReadMarkers({ db, now: () => 1, log });
    for (let i = 1; i <= 20; i++) {
      m.advance(7, 70 + i, i);
      // The read's SELECT is under way when the flush takes the marker out of memory.
      const [got] = await Promise.all([m.get(7, 70 + i), m.flush()]);
      assert.equal(got, i, `marker ${i}`);
      assert.equal(await m.get(7, 70 + i), i, 'and once written');
    }
  });

  test('many moves of many markers are a few statements', async () => {
    const m = createReadMarkers({ db, now: () => 3, log });
    for (let i = 1; i <= 200; i++) for (let u = 100; u < 110; u++) m.advance(u, 20, i);
    await m.flush();
    await m.flush();
    assert.equal(m.writes, 1);
    const rows = await db.selectFrom('read_markers').select(['user_id', 'last_read']).where('room_id', '=', 20).execute();
    assert.equal(rows.length, 10);
    assert.ok(rows.every((r) => Number(r.last_read) === 200));
  });
});
