/**
 * The live-state contract: every implementation must pass the same suite, so they cannot drift.
 * The embedded run checks embedded/SQLite; the mysql-redis run checks embedded/MySQL and Redis;
 * the cluster run checks Redis Cluster (sharded pub/sub) and, once more, the global pub/sub.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createEmbeddedLiveState } from '../../src/live/embedded/index.js';
import type { LiveState } from '../../src/live/ports.js';
import { createRedisLiveState } from '../../src/live/redis/index.js';
import { pruneMessages } from '../../src/jobs/prune.js';
import { backend, createMysqlDatabase, deleteRedisKeys, mysqlUrl, onCluster, redisPrefix, redisUrl } from '../support/backends.js';
import { eventually } from '../support/wait.js';

interface Subject {
  live: LiveState;
  clock: { t: number };
  /** A second instance on the same store, where the implementation supports several. */
  twin?: LiveState;
  cleanup: () => Promise<void>;
}

/** The embedded implementation on a migrated database; `drop` removes the database afterwards. */
async function embeddedSubject(db: Db, drop: () => Promise<void>): Promise<Subject> {
  await migrateToLatest(db);
  const clock = { t: 1_000_000 };
  return {
    live: createEmbeddedLiveState({ db, now: () => clock.t }),
    clock,
    cleanup: async () => {
      await db.destroy();
      await drop();
    },
  };
}

/** Two Redis live states (instances a and b) on the Redis under test, under a fresh prefix. */
function redisSubject(cluster: { pubsub: 'sharded' | 'global' } | undefined) {
  return async (): Promise<Subject> => {
    if (!redisUrl) throw new Error('no Redis to test');
    const prefix = redisPrefix();
    const clock = { t: 1_000_000 };
    const nodes = redisUrl.split(',');
    const make = (instanceId: string) =>
      createRedisLiveState({ nodes, cluster, prefix, instanceId, presenceTtlMs: 30_000, now: () => clock.t });
    const live = make('a');
    const twin = make('b');
    return {
      live,
      twin,
      clock,
      cleanup: async () => {
        await live.close();
        await twin.close();
        await deleteRedisKeys(prefix);
      },
    };
  };
}

const factories: Record<string, (() => Promise<Subject>) | false | undefined> = {
  'embedded (SQLite)':
    backend === 'embedded' &&
    (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-live-'));
      const db = connectDatabase({ kind: 'sqlite', file: path.join(dir, 'x.sqlite') });
      return embeddedSubject(db, async () => fs.rmSync(dir, { recursive: true, force: true }));
    }),
  'embedded (MySQL)':
    backend === 'mysql-redis' &&
    !!mysqlUrl &&
    (async () => {
      const mdb = await createMysqlDatabase();
      return embeddedSubject(connectDatabase({ kind: 'mysql', url: mdb.url, poolSize: 5 }), mdb.drop);
    }),
  redis: backend === 'mysql-redis' && redisSubject(undefined),
  'Redis Cluster (sharded pub/sub)': onCluster && redisSubject({ pubsub: 'sharded' }),
  'Redis Cluster (global pub/sub)': onCluster && redisSubject({ pubsub: 'global' }),
};

const msg = (room: number, clientId: string, body = `hello ${clientId}`, userId = 1) => ({
  room,
  user: { id: userId, name: `user${userId}` },
  body,
  clientId,
  ts: 1_700_000_000_000,
});

for (const [name, factory] of Object.entries(factories)) {
  if (!factory) continue;
  describe(`live state contract: ${name}`, () => {
    let s: Subject;
    before(async () => {
      s = await factory();
    });
    after(async () => {
      await s?.cleanup();
    });

    test('append gives each room its own monotonic ids', async () => {
      const a1 = await s.live.messages.append(msg(101, 'a1'));
      const a2 = await s.live.messages.append(msg(101, 'a2'));
      const b1 = await s.live.messages.append(msg(102, 'b1'));
      assert.deepEqual([a1.message.id, a2.message.id, b1.message.id], [1, 2, 1]);
      assert.equal(a1.duplicate, false);
      assert.deepEqual(a2.message, { room: 101, id: 2, ts: 1_700_000_000_000, user: { id: 1, name: 'user1' }, body: 'hello a2', clientId: 'a2' });
    });

    test('the same clientId from the same user is stored once and answered with the first copy', async () => {
      const first = await s.live.messages.append(msg(103, 'same', 'first'));
      const again = await s.live.messages.append(msg(103, 'same', 'second'));
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, first.message.id);
      assert.equal(again.message.body, 'first');
      const other = await s.live.messages.append(msg(103, 'same', 'other user', 2));
      assert.equal(other.duplicate, false, 'clientIds are per user');
      const page = await s.live.messages.page(103, { limit: 10 });
      assert.deepEqual(page.messages.map((m) => m.body), ['first', 'other user']);
    });

    test('concurrent appends get distinct, gap-free ids; concurrent duplicates store one copy', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.live.messages.append(msg(104, `c${i}`))));
      assert.deepEqual(results.map((r) => r.message.id).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
      const dups = await Promise.all(Array.from({ length: 10 }, () => s.live.messages.append(msg(105, 'dup'))));
      assert.equal(new Set(dups.map((d) => d.message.id)).size, 1);
      assert.equal(dups.filter((d) => !d.duplicate).length, 1);
      assert.equal((await s.live.messages.page(105, { limit: 50 })).messages.length, 1);
    });

    test('appends to a room called in turn, without waiting, are stored in that order, reads in between', async () => {
      // A socket's pipelined sends (realtime/connection.ts) start their appends in frame order.
      const appends: Array<Promise<{ message: { id: number } }>> = [];
      const reads: Array<Promise<unknown>> = [];
      for (let i = 0; i < 60; i++) {
        appends.push(s.live.messages.append(msg(160, `o${i}`)));
        reads.push(s.live.messages.page(160, { limit: 5 }), s.live.counters.hit(`order:${i % 3}`, 10_000));
      }
      const ids = (await Promise.all(appends)).map((r) => r.message.id);
      await Promise.all(reads);
      assert.deepEqual(ids, Array.from({ length: 60 }, (_, i) => i + 1));
    });

    test('pages: newest, before, after, and hasMore, always oldest first', async () => {
      for (let i = 1; i <= 7; i++) await s.live.messages.append(msg(106, `p${i}`));
      const ids = (p: { messages: { id: number }[] }) => p.messages.map((m) => m.id);
      const newest = await s.live.messages.page(106, { limit: 3 });
      assert.deepEqual([ids(newest), newest.hasMore], [[5, 6, 7], true]);
      const older = await s.live.messages.page(106, { before: 5, limit: 3 });
      assert.deepEqual([ids(older), older.hasMore], [[2, 3, 4], true]);
      const oldest = await s.live.messages.page(106, { before: 2, limit: 3 });
      assert.deepEqual([ids(oldest), oldest.hasMore], [[1], false]);
      const after = await s.live.messages.page(106, { after: 3, limit: 3 });
      assert.deepEqual([ids(after), after.hasMore], [[4, 5, 6], true]);
      const tail = await s.live.messages.page(106, { after: 6, limit: 3 });
      assert.deepEqual([ids(tail), tail.hasMore], [[7], false]);
      const between = await s.live.messages.page(106, { after: 2, before: 6, limit: 10 });
      assert.deepEqual(ids(between), [3, 4, 5]);
      assert.deepEqual(ids(await s.live.messages.page(999, { limit: 3 })), []);
    });

    test('bodies round-trip exactly, 4-byte UTF-8 and markup included', async () => {
      const body = '𝄞 emoji 😀 聊天 <script>alert(1)</script> "quotes" \\ back';
      const r = await s.live.messages.append(msg(107, 'u', body));
      const page = await s.live.messages.page(107, { limit: 1 });
      assert.equal(page.messages[0]!.body, body);
      assert.equal(r.message.body, body);
    });

    test('mentions and @here round-trip; a message without them has neither field', async () => {
      const mentions = [{ id: 7, name: 'Ann "A" 聊' }, { id: 9, name: 'Bo' }];
      const r = await s.live.messages.append({ ...msg(111, 'm', 'hi <@7> <@9> @here'), mentions, here: true });
      const plain = await s.live.messages.append(msg(111, 'p', 'plain'));
      assert.deepEqual([r.message.mentions, r.message.here], [mentions, true]);
      const page = await s.live.messages.page(111, { limit: 10 });
      assert.deepEqual([page.messages[0]!.mentions, page.messages[0]!.here], [mentions, true]);
      assert.deepEqual(page.messages[1], plain.message);
      assert.ok(!('mentions' in page.messages[1]!) && !('here' in page.messages[1]!));
    });

    test('clear removes a room and restarts its ids', async () => {
      await s.live.messages.append(msg(108, 'x'));
      await s.live.messages.clear(108);
      assert.equal((await s.live.messages.page(108, { limit: 5 })).messages.length, 0);
      assert.equal((await s.live.messages.append(msg(108, 'y'))).message.id, 1);
    });

    test('remove deletes one message for good: a resend of it is acked with the old id and stays deleted', async () => {
      const a = await s.live.messages.append(msg(109, 'keep'));
      const b = await s.live.messages.append(msg(109, 'gone'));
      assert.equal(await s.live.messages.remove(109, b.message.id, s.clock.t), true);
      assert.equal(await s.live.messages.remove(109, b.message.id, s.clock.t), false);
      assert.deepEqual((await s.live.messages.page(109, { limit: 10 })).messages.map((m) => m.id), [a.message.id]);
      const again = await s.live.messages.append(msg(109, 'gone'));
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, b.message.id);
      assert.deepEqual((await s.live.messages.page(109, { limit: 10 })).messages.map((m) => m.id), [a.message.id]);
      // The deletion took id 3 as its seq (one sequence for messages and changes).
      assert.equal((await s.live.messages.append(msg(109, 'next'))).message.id, 4, 'ids are never reused');
    });

    test('prune removes the oldest messages before the cutoff, in batches', async () => {
      for (let i = 1; i <= 7; i++) await s.live.messages.append({ ...msg(110, `old${i}`), ts: 1000 + i });
      await s.live.messages.append({ ...msg(110, 'new'), ts: 5000 });
      assert.equal(await s.live.messages.prune(110, 4000, 3), 3);
      assert.equal(await s.live.messages.prune(110, 4000, 3), 3);
      assert.equal(await s.live.messages.prune(110, 4000, 3), 1);
      assert.equal(await s.live.messages.prune(110, 4000, 3), 0);
      assert.deepEqual((await s.live.messages.page(110, { limit: 10 })).messages.map((m) => m.clientId), ['new']);
      assert.equal(await s.live.messages.prune(999, 4000, 3), 0);
    });

    test('edit replaces the body in place, numbered in the message sequence, and is kept as a change', async () => {
      const a = (await s.live.messages.append(msg(120, 'e1', 'first'))).message;
      const b = (await s.live.messages.append({ ...msg(120, 'e2', 'answer'), replyTo: a.id })).message;
      assert.equal(b.replyTo, a.id);
      assert.deepEqual(await s.live.messages.get(120, b.id), b, 'get returns the stored message, replyTo included');
      const edited = await s.live.messages.edit(120, a, 'first, fixed "quoted" 😀', 1_700_000_000_500);
      assert.deepEqual(edited, { type: 'edited', room: 120, seq: 3, id: a.id, body: 'first, fixed "quoted" 😀', editedAt: 1_700_000_000_500 });
      const now = await s.live.messages.get(120, a.id);
      assert.deepEqual(now, { ...a, body: 'first, fixed "quoted" 😀', editedAt: 1_700_000_000_500 });
      assert.equal(await s.live.messages.edit(120, a, 'stale', 1_700_000_000_600), 'conflict', 'an edit of a version no longer stored is refused');
      const page = await s.live.messages.page(120, { limit: 10 });
      assert.deepEqual(page.messages.map((m) => [m.id, m.body, m.editedAt, m.replyTo]), [
        [1, 'first, fixed "quoted" 😀', 1_700_000_000_500, undefined],
        [2, 'answer', undefined, 1],
      ]);
      if (s.live.messages.pageJson) {
        const json = await s.live.messages.pageJson(120, { limit: 10 });
        assert.deepEqual(
          json.items.map((b) => JSON.parse(b.toString())),
          page.messages.map(({ room: _r, ...m }) => m),
          'the stored JSON is the message as read',
        );
      }
      assert.equal((await s.live.messages.append(msg(120, 'e3'))).message.id, 4, 'the next message comes after the edit');
      assert.equal(await s.live.messages.newest(120), 4);
      assert.equal(await s.live.messages.newest(998), 0);
      assert.equal(await s.live.messages.remove(120, b.id, 1_700_000_000_700), true);
      assert.equal(await s.live.messages.get(120, b.id), undefined);
      assert.equal(await s.live.messages.edit(120, b, 'gone', 1_700_000_000_800), undefined, 'a deleted message cannot be edited');
      const { changes, hasMore } = await s.live.messages.changes(120, 0, 10);
      assert.equal(hasMore, false);
      assert.deepEqual(changes, [
        { type: 'edited', room: 120, seq: 3, id: 1, body: 'first, fixed "quoted" 😀', editedAt: 1_700_000_000_500 },
        { type: 'deleted', room: 120, seq: 5, id: 2, deletedAt: 1_700_000_000_700 },
      ]);
      assert.deepEqual((await s.live.messages.changes(120, 3, 10)).changes.map((c) => c.seq), [5], 'after a seq');
      assert.deepEqual(await s.live.messages.changes(120, 3, 0).then((r) => r.hasMore), true);
    });

    test('edits and deletions publish their frames on the room channel, in sequence with messages', async () => {
      const got: string[] = [];
      const unsub = await (s.twin?.bus ?? s.live.bus).subscribe('room:121', (b) => got.push(b.toString()));
      const a = (await s.live.messages.append(msg(121, 'x1', 'one'))).message;
      await s.live.messages.edit(121, a, 'one!', 1_700_000_000_100);
      await s.live.messages.remove(121, a.id, 1_700_000_000_200);
      await eventually(() => got.length === 3);
      assert.deepEqual(got.slice(1), [
        '{"type":"edited","room":121,"seq":2,"id":1,"body":"one!","editedAt":1700000000100}',
        '{"type":"deleted","room":121,"seq":3,"id":1,"deletedAt":1700000000200}',
      ]);
      await unsub();
    });

    test('concurrent edits of one version: exactly one wins', async () => {
      const a = (await s.live.messages.append(msg(122, 'r1', 'v0'))).message;
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.live.messages.edit(122, a, `v${i + 1}`, 1_700_000_000_000 + i)));
      assert.equal(results.filter((r) => typeof r === 'object').length, 1);
      assert.equal(results.filter((r) => r === 'conflict').length, 7);
      assert.equal((await s.live.messages.changes(122, 0, 10)).changes.length, 1);
    });

    test('prune also drops changes made before the cutoff, and clear drops them all', async () => {
      for (let i = 1; i <= 3; i++) await s.live.messages.append({ ...msg(123, `o${i}`), ts: 1000 + i });
      const keep = (await s.live.messages.append({ ...msg(123, 'n'), ts: 5000 })).message;
      await s.live.messages.remove(123, 1, 1500);
      const old = (await s.live.messages.get(123, 2))!;
      await s.live.messages.edit(123, old, 'edited early', 1600);
      await s.live.messages.edit(123, keep, 'edited late', 6000);
      assert.equal((await s.live.messages.changes(123, 0, 10)).changes.length, 3);
      // (How many a deleted message counts for differs: SQL keeps its row, without a body.)
      assert.ok((await s.live.messages.prune(123, 4000, 10)) >= 2);
      assert.deepEqual((await s.live.messages.page(123, { limit: 10 })).messages.map((m) => m.id), [keep.id]);
      assert.deepEqual((await s.live.messages.changes(123, 0, 10)).changes.map((c) => c.type === 'edited' && c.body), ['edited late']);
      await s.live.messages.clear(123);
      assert.deepEqual((await s.live.messages.changes(123, 0, 10)).changes, []);
    });

    test("a deleted message's clientId answers a resend with its id until the deletion is pruned, then a resend is new", async () => {
      const gone = (await s.live.messages.append({ ...msg(124, 'late'), ts: 1000 })).message;
      await s.live.messages.append({ ...msg(124, 'kept'), ts: 9000 });
      await s.live.messages.remove(124, gone.id, 1100);
      const again = await s.live.messages.append({ ...msg(124, 'late'), ts: 1200 });
      assert.deepEqual([again.duplicate, again.message.id], [true, gone.id], 'within retention: the first id, still deleted');
      await s.live.messages.prune(124, 4000, 10);
      const later = await s.live.messages.append({ ...msg(124, 'late'), ts: 9500 });
      assert.equal(later.duplicate, false, 'nothing is kept of it once pruned: no idempotency entry left behind');
      assert.ok(later.message.id > gone.id);
    });

    test('restrictions: set, replace, active until they end, lift', async () => {
      const now = s.clock.t;
      await s.live.moderation.set({ room: 401, userId: 5, kind: 'mute', until: now + 60_000 });
      await s.live.moderation.set({ room: 401, userId: 5, kind: 'bar', until: null });
      await s.live.moderation.set({ room: 401, userId: 6, kind: 'mute', until: null });
      assert.deepEqual(await s.live.moderation.active(401, 5, now), { mute: now + 60_000, bar: null });
      assert.deepEqual(await s.live.moderation.active(401, 5, now + 60_000), { bar: null }, 'an ended mute no longer counts');
      assert.deepEqual(await s.live.moderation.active(402, 5, now), {});
      const listed = (await s.live.moderation.inRoom(401, now)).sort((a, b) => a.userId - b.userId || a.kind.localeCompare(b.kind));
      assert.deepEqual(listed, [
        { room: 401, userId: 5, kind: 'bar', until: null },
        { room: 401, userId: 5, kind: 'mute', until: now + 60_000 },
        { room: 401, userId: 6, kind: 'mute', until: null },
      ]);
      await s.live.moderation.set({ room: 401, userId: 5, kind: 'mute', until: now + 120_000 });
      assert.deepEqual(await s.live.moderation.active(401, 5, now + 90_000), { mute: now + 120_000, bar: null });
      assert.equal(await s.live.moderation.clear(401, 5, 'bar'), true);
      assert.equal(await s.live.moderation.clear(401, 5, 'bar'), false);
      assert.deepEqual(await s.live.moderation.active(401, 5, now), { mute: now + 120_000 });
    });

    test('ended restrictions are taken once, by one caller', async () => {
      const now = s.clock.t;
      await s.live.moderation.set({ room: 403, userId: 1, kind: 'mute', until: now + 1000 });
      await s.live.moderation.set({ room: 403, userId: 2, kind: 'bar', until: now + 2000 });
      await s.live.moderation.set({ room: 403, userId: 3, kind: 'mute', until: null });
      await s.live.moderation.set({ room: 403, userId: 4, kind: 'mute', until: now + 9000 });
      assert.deepEqual(await s.live.moderation.takeExpired(now, 10), []);
      const other = s.twin?.moderation ?? s.live.moderation;
      const [a, b] = await Promise.all([s.live.moderation.takeExpired(now + 5000, 10), other.takeExpired(now + 5000, 10)]);
      const taken = [...a, ...b].sort((x, y) => x.userId - y.userId);
      assert.deepEqual(taken, [
        { room: 403, userId: 1, kind: 'mute', until: now + 1000 },
        { room: 403, userId: 2, kind: 'bar', until: now + 2000 },
      ]);
      assert.deepEqual(await s.live.moderation.takeExpired(now + 5000, 10), []);
      assert.deepEqual((await s.live.moderation.inRoom(403, now + 5000)).map((r) => r.userId).sort(), [3, 4]);
    });

    test('locks: one holder at a time, released or expired', async () => {
      const other = s.twin?.locks ?? s.live.locks;
      const release = await s.live.locks.acquire('job', 10_000);
      assert.ok(release);
      assert.equal(await other.acquire('job', 10_000), null);
      await release();
      const again = await other.acquire('job', 10_000);
      assert.ok(again);
      await again();
    });

    test('counters: count per window, shared by instances, reset', async () => {
      const other = s.twin?.counters ?? s.live.counters;
      assert.equal((await s.live.counters.hit('login:x', 60_000)).count, 1);
      const second = await other.hit('login:x', 60_000);
      assert.equal(second.count, 2);
      assert.ok(second.resetMs > 0 && second.resetMs <= 60_000);
      assert.equal((await s.live.counters.peek('login:x')).count, 2);
      await s.live.counters.reset('login:x');
      assert.equal((await s.live.counters.peek('login:x')).count, 0);
      assert.equal((await s.live.counters.hit('login:x', 60_000)).count, 1);
    });

    test('membership: join, leave, members in joining order', async () => {
      assert.equal(await s.live.membership.join(201, 7), true);
      s.clock.t += 1;
      assert.equal(await s.live.membership.join(201, 3), true);
      assert.equal(await s.live.membership.join(201, 7), false);
      assert.deepEqual(await s.live.membership.members(201), [7, 3]);
      assert.equal(await s.live.membership.isMember(201, 3), true);
      assert.equal(await s.live.membership.leave(201, 3), true);
      assert.equal(await s.live.membership.leave(201, 3), false);
      assert.equal(await s.live.membership.isMember(201, 3), false);
      assert.deepEqual(await s.live.membership.members(201), [7]);
    });

    test('presence: online while connected, reported once per change', async () => {
      assert.equal(await s.live.presence.connect(301, 5), true);
      assert.equal(await s.live.presence.connect(301, 6), true);
      assert.deepEqual((await s.live.presence.online(301)).sort(), [5, 6]);
      assert.equal(await s.live.presence.disconnect(301, 5), true);
      assert.equal(await s.live.presence.disconnect(301, 5), false);
      assert.deepEqual(await s.live.presence.online(301), [6]);
      assert.deepEqual(await s.live.presence.online(302), []);
    });

    test('presence across instances: online until the last instance lets go, and expires if one dies', async (t) => {
      if (!s.twin) return t.skip('single-instance implementation');
      assert.equal(await s.live.presence.connect(303, 9), true);
      assert.equal(await s.twin.presence.connect(303, 9), false, 'already online through the other instance');
      assert.equal(await s.live.presence.disconnect(303, 9), false, 'still online through the twin');
      assert.deepEqual(await s.live.presence.online(303), [9]);
      // The twin stops refreshing (it died): its entry expires after the TTL.
      s.clock.t += 31_000;
      assert.deepEqual(await s.live.presence.online(303), []);
      await s.live.presence.connect(303, 10);
      s.clock.t += 20_000;
      await s.live.presence.refresh([{ room: 303, userId: 10 }]);
      s.clock.t += 20_000;
      assert.deepEqual(await s.live.presence.online(303), [10], 'refresh keeps an entry alive');
    });

    test('append publishes each new message frame on the room channel, on every instance, in id order; a duplicate is not published again', async () => {
      const here: string[] = [];
      const there: string[] = [];
      const unsub = await s.live.bus.subscribe('room:150', (b) => here.push(b.toString()));
      const unsub2 = await (s.twin?.bus ?? s.live.bus).subscribe('room:150', (b) => there.push(b.toString()));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => s.live.messages.append(msg(150, `pub${i}`))));
      await s.live.messages.append(msg(150, 'pub0'));
      await eventually(() => here.length === 30 && there.length === 30);
      const frame = results.find((r) => r.message.id === 7)!.message;
      for (const got of [here, there]) {
        const ids = got.map((f) => (JSON.parse(f) as { id: number }).id);
        if (s.live.kind === 'redis') assert.deepEqual(ids, Array.from({ length: 30 }, (_, i) => i + 1), 'published in id order');
        else assert.deepEqual([...ids].sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i + 1));
        assert.equal(got.find((f) => f.includes('"id":7,')), JSON.stringify({ type: 'message', ...frame }), 'the frame as the protocol sends it');
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(here.length, 30, 'the duplicate was not published');
      await unsub();
      await unsub2();
    });

    test('event bus: every subscriber gets the bytes, unsubscribe stops delivery', async () => {
      const got: string[] = [];
      const others: string[] = [];
      const unsub = await s.live.bus.subscribe('room:1', (b) => got.push(b.toString()));
      const bus2 = s.twin?.bus ?? s.live.bus;
      const unsub2 = await bus2.subscribe('room:1', (b) => others.push(b.toString()));
      await s.live.bus.publish('room:1', '{"n":1}');
      await s.live.bus.publish('room:2', '{"n":"other room"}');
      await eventually(() => got.length === 1 && others.length === 1);
      await unsub();
      await s.live.bus.publish('room:1', '{"n":2}');
      await eventually(() => others.length === 2);
      assert.deepEqual(got, ['{"n":1}']);
      assert.deepEqual(others, ['{"n":1}', '{"n":2}']);
      await unsub2();
    });

    test('event bus: a subscriber that joins while the last one leaves still gets the bytes', async () => {
      const got: string[] = [];
      const leaving = await s.live.bus.subscribe('room:7', () => {});
      // Called together: the join is under way when the leave unsubscribes the channel.
      const joining = s.live.bus.subscribe('room:7', (b) => got.push(b.toString()));
      await leaving();
      const unsub = await joining;
      await s.live.bus.publish('room:7', '{"n":1}');
      await eventually(() => got.length === 1);
      assert.deepEqual(got, ['{"n":1}']);
      await unsub();
    });

    test('sessions: touch sets only a later seenAt, in place, and never brings a session back', async () => {
      const exp = s.clock.t + 60_000;
      const data = JSON.stringify({ userId: 7, createdAt: 1_764_000_000_000, seenAt: 1_764_000_000_000, _csrf: 'sécret/ü' });
      await s.live.sessions.set('t1', { userId: 7, data, expiresAt: exp });
      await s.live.sessions.touch('t1', 1_764_000_060_000);
      const touched = await s.live.sessions.get('t1');
      assert.equal(touched?.userId, 7);
      assert.equal(touched?.expiresAt, exp);
      assert.deepEqual(JSON.parse(touched!.data), { userId: 7, createdAt: 1_764_000_000_000, seenAt: 1_764_000_060_000, _csrf: 'sécret/ü' });
      await s.live.sessions.touch('t1', 1_764_000_030_000);
      assert.equal(JSON.parse((await s.live.sessions.get('t1'))!.data).seenAt, 1_764_000_060_000, 'never earlier');
      await s.live.sessions.destroy('t1');
      await s.live.sessions.touch('t1', 1_764_000_090_000);
      assert.equal(await s.live.sessions.get('t1'), undefined, 'a destroyed session stays gone');
    });

    test('sessions: set, get, expire, destroy, and end all of a user', async () => {
      const exp = s.clock.t + 60_000;
      await s.live.sessions.set('s1', { userId: 42, data: '{"a":1}', expiresAt: exp });
      await s.live.sessions.set('s2', { userId: 42, data: '{}', expiresAt: exp });
      await s.live.sessions.set('s3', { userId: 43, data: '{}', expiresAt: exp });
      await s.live.sessions.set('anon', { userId: null, data: '{}', expiresAt: exp });
      assert.deepEqual(await s.live.sessions.get('s1'), { userId: 42, data: '{"a":1}', expiresAt: exp });
      await s.live.sessions.set('s1', { userId: 42, data: '{"a":2}', expiresAt: exp });
      assert.equal((await s.live.sessions.get('s1'))?.data, '{"a":2}');
      assert.deepEqual((await s.live.sessions.destroyAllForUser(42)).sort(), ['s1', 's2']);
      assert.equal(await s.live.sessions.get('s1'), undefined);
      assert.equal(await s.live.sessions.get('s2'), undefined);
      assert.ok(await s.live.sessions.get('s3'));
      await s.live.sessions.destroy('s3');
      assert.equal(await s.live.sessions.get('s3'), undefined);
      assert.ok(await s.live.sessions.get('anon'));
    });

    test('membership: roomsOf is the reverse of members, through joins and leaves', async () => {
      await s.live.membership.join(211, 41);
      await s.live.membership.join(212, 41);
      await s.live.membership.join(212, 42);
      assert.deepEqual((await s.live.membership.roomsOf(41)).sort(), [211, 212]);
      assert.deepEqual(await s.live.membership.roomsOf(42), [212]);
      await s.live.membership.leave(211, 41);
      assert.deepEqual(await s.live.membership.roomsOf(41), [212]);
      assert.deepEqual(await s.live.membership.roomsOf(43), []);
      if (s.twin) assert.deepEqual(await s.twin.membership.roomsOf(42), [212], 'shared by instances');
    });

    test('unread: countAfter counts messages above a marker; deleted and pruned ones are not counted', async () => {
      for (let i = 1; i <= 5; i++) await s.live.messages.append({ ...msg(221, `u${i}`), ts: 1000 + i });
      assert.equal(await s.live.unread.countAfter(221, 0), 5);
      assert.equal(await s.live.unread.countAfter(221, 3), 2);
      assert.equal(await s.live.unread.countAfter(221, 5), 0);
      assert.equal(await s.live.unread.countAfter(221, 99), 0);
      assert.equal(await s.live.unread.countAfter(222, 0), 0, 'an empty room');
      assert.equal(await s.live.unread.countAfter(221, 1, 3), 2, 'bounded above: ids 2 and 3');
      assert.equal(await s.live.unread.countAfter(221, 0, 5), 5);
      assert.equal(await s.live.messages.remove(221, 4, 2000), true);
      assert.equal(await s.live.unread.countAfter(221, 3), 1);
      await s.live.messages.prune(221, 1003, 10);
      assert.equal(await s.live.unread.countAfter(221, 0), 2);
    });

    test('mentions: recorded once per message and user, counted above a marker, per user and room', async () => {
      await s.live.mentions.record(231, 2, [51, 52]);
      await s.live.mentions.record(231, 5, [51]);
      await s.live.mentions.record(231, 5, [51, 51]);
      await s.live.mentions.record(231, 6, []);
      await s.live.mentions.record(232, 1, [51]);
      assert.equal(await s.live.mentions.count(231, 51, 0), 2);
      assert.equal(await s.live.mentions.count(231, 51, 2), 1);
      assert.equal(await s.live.mentions.count(231, 51, 5), 0);
      assert.equal(await s.live.mentions.count(231, 52, 0), 1);
      assert.equal(await s.live.mentions.count(231, 53, 0), 0);
      assert.equal(await s.live.mentions.count(232, 51, 0), 1, 'rooms are apart');
      assert.equal(await s.live.mentions.count(231, 51, 0, 4), 1, 'bounded above: only message 2');
      assert.equal(await s.live.mentions.count(231, 51, 0, 5), 2);
      if (s.twin) assert.equal(await s.twin.mentions.count(231, 51, 0), 2, 'shared by instances');
    });

    test('mentions: pruned below an id with their messages, cleared with the room', async () => {
      await s.live.mentions.record(241, 1, [61, 62]);
      await s.live.mentions.record(241, 3, [61]);
      await s.live.mentions.record(241, 4, [62]);
      await s.live.mentions.prune(241, 4);
      assert.equal(await s.live.mentions.count(241, 61, 0), 0);
      assert.equal(await s.live.mentions.count(241, 62, 0), 1);
      await s.live.mentions.record(242, 1, [61]);
      await s.live.mentions.clear(241);
      assert.equal(await s.live.mentions.count(241, 62, 0), 0);
      assert.equal(await s.live.mentions.count(242, 61, 0), 1, 'other rooms keep theirs');
      await s.live.mentions.prune(243, 10);
      await s.live.mentions.clear(243);
    });

    test('mentions: forget drops one message for every user it mentioned, and nothing else', async () => {
      await s.live.mentions.record(244, 1, [71, 72]);
      await s.live.mentions.record(244, 2, [71]);
      await s.live.mentions.forget(244, 1);
      assert.equal(await s.live.mentions.count(244, 71, 0), 1);
      assert.equal(await s.live.mentions.count(244, 72, 0), 0);
      await s.live.mentions.forget(244, 99);
      await s.live.mentions.forget(245, 1);
      assert.equal(await s.live.mentions.count(244, 71, 0), 1);
    });

    test('the prune job forgets mentions in the messages it pruned', async () => {
      const ids: number[] = [];
      for (let i = 1; i <= 4; i++) ids.push((await s.live.messages.append({ ...msg(251, `pm${i}`), ts: i <= 2 ? 1000 + i : 9000 + i })).message.id);
      for (const id of ids) await s.live.mentions.record(251, id, [71]);
      await pruneMessages({ messages: s.live.messages, mentions: s.live.mentions, roomIds: [251], cutoffTs: 5000, batch: 10 });
      assert.equal(await s.live.mentions.count(251, 71, 0), 2);
      await pruneMessages({ messages: s.live.messages, mentions: s.live.mentions, roomIds: [251], cutoffTs: 99_999, batch: 10 });
      assert.equal(await s.live.mentions.count(251, 71, 0), 0, 'an emptied room keeps none');
    });

    test('ping answers while the store is up', async () => {
      await s.live.ping();
    });
  });
}
