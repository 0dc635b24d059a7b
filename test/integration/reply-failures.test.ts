import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { watchRejections } from '../support/hostile.js';

/**
 * A reply that cannot be written (a bad header, a failed session save, a throw after the save)
 * ends that one request, logged; it never becomes an unhandled rejection that stops the process.
 */
describe(`reply failures (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  const rejections = watchRejections();
  // Routes inside the session context; each changes the session, so its save is pending when the reply goes out.
  const webRoutes = async (web: FastifyInstance) => {
    web.get('/test/bad-header', async (req, reply) => {
      req.session.seenAt = Date.now();
      return reply.header('x-test', '/中').send('never');
    });
    web.get('/test/bad-payload', async (req, reply) => {
      req.session.seenAt = Date.now();
      return reply.type('text/plain').send(Symbol('not a payload') as unknown as string);
    });
    web.get('/test/saves', async (req) => {
      req.session.seenAt = Date.now();
      return 'saved';
    });
  };

  before(async () => {
    rejections.start();
    storage = await createStorage();
    hihi = await startApp(storage, {}, { webRoutes });
  });
  after(async () => {
    rejections.stop();
    await hihi?.close();
    await storage?.cleanup();
  });

  const alive = () => rejections.alive(hihi.url);

  test('an invalid header becomes the 500 page, without the header', async () => {
    const res = await fetch(`${hihi.url}/test/bad-header`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type')!, /text\/html/);
    assert.equal(res.headers.get('x-test'), null);
    assert.match(await res.text(), /<html/);
    await alive();
  });

  test('a failed session save becomes the 500 page', async () => {
    const store = hihi.app.deps.live.sessions;
    const set = store.set;
    store.set = async () => {
      throw new Error('store down');
    };
    try {
      const res = await fetch(`${hihi.url}/test/saves`, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 500);
      assert.match(await res.text(), /<html/);
    } finally {
      store.set = set;
    }
    await alive();
  });

  test('a reply that throws after the session save ends that request only', async () => {
    const outcome = await fetch(`${hihi.url}/test/bad-payload`).then((r) => r.status, () => 'connection ended');
    assert.ok(outcome === 'connection ended' || outcome === 500, String(outcome));
    await alive();
  });
});
