import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryEventBus } from '../../src/live/embedded/event-bus.js';
import { createRoomViews } from '../../src/modules/rooms/room-views.js';
import { createEventPublisher } from '../../src/realtime/events.js';

// The in-process bus is the embedded default's real one; `read` stands for the storage reads.
function setup(opts: { ttlMs?: number; max?: number } = {}) {
  const bus = createMemoryEventBus();
  const clock = { t: 1_000_000 };
  const reads: number[] = [];
  let gate: Promise<void> | undefined;
  const views = createRoomViews({
    bus,
    read: async (room) => {
      reads.push(room);
      await gate;
      return { page: { messages: [], hasMore: false }, roster: { members: [{ id: 7, name: 'ann' }], online: [] } };
    },
    now: () => clock.t,
    log: { warn: () => {} },
    ...opts,
  });
  return { bus, clock, reads, views, hold: (p: Promise<void> | undefined) => (gate = p) };
}
const delivered = () => new Promise((r) => setImmediate(r));

test('a view is read once and kept until an event on its room drops it', async () => {
  const { bus, reads, views } = setup();
  const first = await views.get(1);
  assert.equal(await views.get(1), first);
  assert.deepEqual([...first.memberIds], [7]);
  await bus.publish('room:2', '{}');
  await delivered();
  await views.get(1);
  assert.deepEqual(reads, [1], 'another room’s event changes nothing');
  await bus.publish('room:1', '{"type":"message"}');
  await delivered();
  assert.notEqual(await views.get(1), first);
  assert.deepEqual(reads, [1, 1]);
});

test("a room event sent from this instance drops the view before it is delivered", async () => {
  const { bus, reads, views } = setup();
  const events = createEventPublisher(bus);
  events.onRoomEvent(views.forget);
  await views.get(1);
  // Not awaited and not delivered yet: a form post's redirect may come first.
  void events.toRoom(1, { type: 'deleted', room: 1, id: 3 });
  await views.get(1);
  assert.deepEqual(reads, [1, 1]);
});

test('a read that an event overtook is returned but not kept; concurrent views share one read', async () => {
  const { bus, reads, views, hold } = setup();
  let release!: () => void;
  hold(new Promise<void>((r) => (release = r)));
  const a = views.get(1);
  const b = views.get(1);
  await delivered();
  await bus.publish('room:1', '{}');
  await delivered();
  release();
  assert.equal(await a, await b);
  assert.deepEqual(reads, [1], 'one read for both');
  hold(undefined);
  await views.get(1);
  assert.deepEqual(reads, [1, 1], 'the overtaken read was not kept');
  await views.get(1);
  assert.deepEqual(reads, [1, 1]);
});

test('views expire after ttlMs, rooms unused that long stop being listened to, at most max rooms', async () => {
  const { clock, reads, views } = setup({ ttlMs: 10_000, max: 2 });
  await views.get(1);
  await views.get(2);
  clock.t += 10_001;
  await views.get(1);
  assert.deepEqual(reads, [1, 2, 1], 'expired');
  assert.equal(views.size, 1, 'room 2 was not viewed for 10 s');
  await views.get(2);
  await views.get(3);
  assert.equal(views.size, 2);
  await views.get(2);
  await views.get(1);
  assert.deepEqual(reads, [1, 2, 1, 2, 3, 1], 'room 1, the oldest, made way for room 3');
});

test('forgetAll drops every view', async () => {
  const { reads, views } = setup();
  await views.get(1);
  await views.get(2);
  views.forgetAll();
  await views.get(1);
  await views.get(2);
  assert.deepEqual(reads, [1, 2, 1, 2]);
});
