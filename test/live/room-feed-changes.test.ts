import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createEmbeddedLiveState } from '../../src/live/embedded/index.js';
import { RoomFeed } from '../../src/realtime/room-feed.js';

/**
 * A room's feed repairs edits and deletions from storage as it does messages: in one sequence,
 * each once, when their live frames were missed (a bus outage). On the embedded log (SQLite).
 */
test('a repair delivers missed messages, edits and deletions in sequence, each once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-feed-'));
  const db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'x.sqlite') });
  try {
    await migrateToLatest(db);
    const live = createEmbeddedLiveState({ db, now: () => 1_000 });
    const log = live.messages;
    const room = 7;
    const msg = (clientId: string) => ({ room, user: { id: 1, name: 'u' }, body: clientId, clientId, ts: 1_000 });
    const first = (await log.append(msg('a'))).message;
    const out: Array<{ id: number; frame: string }> = [];
    const feed = new RoomFeed({
      emit: (id, payload) => out.push({ id, frame: payload.toString() }),
      read: (after, limit) => log.page(room, { after, limit }),
      readChanges: (after, limit) => log.changes(room, after, limit),
      newest: () => log.newest(room),
      onRepairError: (err) => assert.fail(String(err)),
    });
    feed.start(await log.newest(room));
    // Missed live (nobody was subscribed): a message, an edit of the first, a deletion of it, another message.
    const b = (await log.append(msg('b'))).message;
    await log.edit(room, first, 'a, edited', 2_000);
    const c = (await log.append(msg('c'))).message;
    await log.remove(room, c.id, 3_000);
    const d = (await log.append(msg('d'))).message;
    await feed.repair();
    assert.deepEqual(
      out.map((o) => [o.id, JSON.parse(o.frame).type]),
      [
        [b.id, 'message'],
        [3, 'edited'],
        [5, 'deleted'],
        [d.id, 'message'],
      ],
      'c was deleted before it went out: not sent; its deletion is',
    );
    assert.equal(feed.lastId, d.id);
    // A second repair, and the live frames arriving late, send nothing again.
    await feed.repair();
    feed.message(3, Buffer.from('late'));
    feed.message(d.id, Buffer.from('late'));
    assert.equal(out.length, 4);
    feed.stop();
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
