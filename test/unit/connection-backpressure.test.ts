/** A client flooding frames: the socket stops being read, and what is queued at close is dropped (review finding). */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { MAX_PENDING_FRAMES } from '../../src/realtime/connection.js';
import { connectionPair } from '../support/connection-pair.js';

test('frames queued past the limit pause reading until the queue drains', async () => {
  const { server, client, socket, conn } = await connectionPair();
  try {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let ran = 0;
    for (let i = 0; i < MAX_PENDING_FRAMES + 10; i++) conn.inOrder(async () => {
      await gate;
      ran++;
    });
    assert.equal(socket.isPaused, true, 'a socket with a full queue is not read');
    release();
    await conn.framesDone();
    assert.equal(ran, MAX_PENDING_FRAMES + 10);
    assert.equal(socket.isPaused, false, 'reading resumes once the queue drained');
  } finally {
    client.terminate();
    server.close();
  }
});

test('frames still queued when the socket closes are dropped, not handled for nobody', async () => {
  const { server, client, socket, conn } = await connectionPair();
  try {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let ran = 0;
    conn.inOrder(() => gate);
    for (let i = 0; i < 10; i++) conn.inOrder(async () => void ran++);
    socket.terminate();
    await once(socket, 'close');
    release();
    await conn.framesDone();
    assert.equal(ran, 0);
  } finally {
    client.terminate();
    server.close();
  }
});
