/** Pipelined sends (Connection.pipelined): checks overlap, stores start and replies go out in frame order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PIPELINE_DEPTH } from '../../src/realtime/connection.js';
import { connectionPair } from '../support/connection-pair.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

test('checks overlap; stores start in frame order and replies go out in frame order, whatever order they finish in', async () => {
  const { conn, done } = await connectionPair();
  try {
    const log: string[] = [];
    const checks = [deferred(), deferred(), deferred()];
    const stores = [deferred(), deferred(), deferred()];
    for (let i = 0; i < 3; i++) {
      conn.pipelined(async () => {
        log.push(`check ${i}`);
        await checks[i]!.promise;
        return async () => {
          log.push(`store ${i}`);
          await stores[i]!.promise;
          return () => void log.push(`reply ${i}`);
        };
      });
    }
    await tick();
    assert.deepEqual(log, ['check 0', 'check 1', 'check 2'], 'every check started without waiting for the ones before');
    checks[2]!.resolve();
    checks[1]!.resolve();
    await tick();
    assert.deepEqual(log.slice(3), [], 'no store starts before the earlier frame started its own');
    checks[0]!.resolve();
    await tick();
    assert.deepEqual(log.slice(3), ['store 0', 'store 1', 'store 2'], 'stores start in frame order, none waiting for another to finish');
    stores[2]!.resolve();
    stores[1]!.resolve();
    await tick();
    assert.deepEqual(log.slice(6), [], 'replies wait for the earlier reply');
    stores[0]!.resolve();
    await conn.framesDone();
    assert.deepEqual(log.slice(6), ['reply 0', 'reply 1', 'reply 2']);
  } finally {
    done();
  }
});

test('an in-order frame waits for every send before it, and a send waits for the in-order frame before it', async () => {
  const { conn, done } = await connectionPair();
  try {
    const log: string[] = [];
    const store = deferred();
    const join = deferred();
    conn.pipelined(async () => async () => {
      await store.promise;
      return () => void log.push('ack 0');
    });
    conn.inOrder(async () => {
      log.push('leave');
    });
    conn.inOrder(async () => {
      log.push('join');
      await join.promise;
    });
    conn.pipelined(async () => {
      log.push('check 1');
      return async () => () => void log.push('ack 1');
    });
    await tick();
    assert.deepEqual(log, []);
    store.resolve();
    await tick();
    assert.deepEqual(log, ['ack 0', 'leave', 'join']);
    join.resolve();
    await conn.framesDone();
    assert.deepEqual(log, ['ack 0', 'leave', 'join', 'check 1', 'ack 1']);
  } finally {
    done();
  }
});

test('a check that throws (a broken promise) closes that socket only, with no unhandled rejection, and the queue still drains', async () => {
  const { socket, conn, done } = await connectionPair();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    let later = 0;
    conn.pipelined(async () => {
      throw new Error('broken');
    });
    conn.pipelined(async () => async () => () => void later++);
    await conn.framesDone();
    await tick();
    assert.ok(socket.readyState === socket.CLOSING || socket.readyState === socket.CLOSED, 'the socket was cut off');
    assert.equal(later, 0, 'nothing is answered on a socket that was cut off');
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    done();
  }
});

test('at most PIPELINE_DEPTH checks run at once: the next waits until the one that many before it started its store', async () => {
  const { conn, done } = await connectionPair();
  try {
    let running = 0;
    let most = 0;
    const release: Array<() => void> = [];
    for (let i = 0; i < PIPELINE_DEPTH * 3; i++) {
      conn.pipelined(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return async () => undefined;
      });
    }
    await tick();
    assert.equal(release.length, PIPELINE_DEPTH, 'a burst starts only PIPELINE_DEPTH checks');
    while (release.length > 0) {
      release.shift()!();
      await tick();
    }
    await conn.framesDone();
    assert.equal(most, PIPELINE_DEPTH);
  } finally {
    done();
  }
});
