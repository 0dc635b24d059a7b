import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';

/**
 * The chat page's moderation gate is read together with the session (plugins/early-reads.ts):
 * started for the user the cookie's session named last time, and used only if the session
 * still names that user.
 */
describe(`early reads (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let room: number;
  const web: Record<'alice' | 'bob', WebClient> = {} as never;
  const ids: Record<string, number> = {};

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    const admin = new WebClient(hihi.url);
    await admin.login(ADMIN.username, ADMIN.password);
    room = await admin.createRoom('early');
    for (const name of ['alice', 'bob'] as const) {
      ids[name] = (await hihi.createUser(name, `${name}-password-1`)).id;
      web[name] = new WebClient(hihi.url);
      assert.equal((await web[name].login(name, `${name}-password-1`)).status, 303);
    }
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  /** Runs `fn` with the session and gate reads logged in the order they are made. */
  async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; reads: string[] }> {
    const { sessions, moderation } = hihi.app.deps.live;
    const [get, active] = [sessions.get, moderation.active];
    const reads: string[] = [];
    sessions.get = (id) => (reads.push('session'), get.call(sessions, id));
    moderation.active = (r, userId, now) => (reads.push(`gate ${userId === ids.alice ? 'alice' : userId}`), active.call(moderation, r, userId, now));
    try {
      return { result: await fn(), reads };
    } finally {
      [sessions.get, moderation.active] = [get, active];
    }
  }

  test("once an instance knows the cookie's user, the gate is read before the session, and once", async () => {
    const fresh = new WebClient(hihi.url);
    await fresh.login('alice', 'alice-password-1');
    const first = await logged(async () => (await fresh.get(`/rooms/${room}`)).status);
    assert.deepEqual(first, { result: 200, reads: ['session', 'gate alice'] });
    const second = await logged(async () => (await fresh.get(`/rooms/${room}`)).status);
    assert.deepEqual(second, { result: 200, reads: ['gate alice', 'session'] });
    // Other pages start nothing.
    const list = await logged(async () => (await fresh.get('/rooms')).status);
    assert.deepEqual(list, { result: 200, reads: ['session'] });
  });

  test('a ban made after the last page view applies to the next one', async () => {
    assert.equal((await web.alice.get(`/rooms/${room}`)).status, 200);
    await hihi.app.deps.live.moderation.set({ room, userId: ids.alice!, kind: 'bar', until: null });
    try {
      const res = await web.alice.get(`/rooms/${room}`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /banned from this room/);
    } finally {
      await hihi.app.deps.live.moderation.clear(room, ids.alice!, 'bar');
    }
    assert.equal((await web.alice.get(`/rooms/${room}`)).status, 200);
  });

  test("a read started for another user than the session's is not used", async () => {
    const mallory = new WebClient(hihi.url);
    await mallory.login('alice', 'alice-password-1');
    assert.equal((await mallory.get(`/rooms/${room}`)).status, 200);
    // The cookie's session now names bob, who is not banned; the instance's hint still says alice, who is.
    const { sessions, moderation } = hihi.app.deps.live;
    const sid = mallory.sessionId;
    const record = (await sessions.get(sid))!;
    await sessions.set(sid, { ...record, userId: ids.bob!, data: JSON.stringify({ ...JSON.parse(record.data), userId: ids.bob }) });
    await moderation.set({ room, userId: ids.alice!, kind: 'bar', until: null });
    try {
      const { result, reads } = await logged(async () => {
        const res = await mallory.get(`/rooms/${room}`);
        return { status: res.status, page: await res.text() };
      });
      assert.equal(result.status, 200, 'bob is let in: the early read was for alice');
      assert.match(result.page, /"me":\{"id":\d+,"name":"bob"\}|&quot;me&quot;:\{&quot;id&quot;:\d+,&quot;name&quot;:&quot;bob&quot;\}/);
      assert.deepEqual(reads, ['gate alice', 'session', `gate ${ids.bob}`]);
    } finally {
      await moderation.clear(room, ids.alice!, 'bar');
    }
  });

  test('an early read that fails for a request the route never reaches is not an unhandled rejection', async () => {
    const gone = new WebClient(hihi.url);
    await gone.login('bob', 'bob-password-1');
    assert.equal((await gone.get(`/rooms/${room}`)).status, 200);
    await hihi.app.deps.live.sessions.destroy(gone.sessionId);
    const { moderation } = hihi.app.deps.live;
    const active = moderation.active;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    moderation.active = () => Promise.reject(new Error('the gate read failed'));
    try {
      const res = await gone.get(`/rooms/${room}`);
      assert.equal(res.status, 303, 'signed out: sent to the sign-in page');
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      moderation.active = active;
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });
});
