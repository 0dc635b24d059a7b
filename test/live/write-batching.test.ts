/**
 * The command connection sends the commands of one event-loop turn in one write per Redis node
 * (src/live/redis/write-batching.ts), with every reply still reaching its own command.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { Cluster, type Redis } from 'ioredis';
import { connectCommands } from '../../src/live/redis/client.js';
import { deleteRedisKeys, needsShared, onCluster, redisPrefix, redisUrl } from '../support/backends.js';

/** Counts the writes that reach each socket's transport (one per `_write`, one per `_writev`). */
function countWrites(sockets: Socket[]): () => number {
  let writes = 0;
  for (const s of sockets) {
    const write = s._write.bind(s);
    const writev = s._writev!.bind(s);
    s._write = (...args) => (writes++, write(...args));
    s._writev = (...args) => (writes++, writev(...args));
  }
  return () => writes;
}

test('the commands of one turn leave in one write per node, each reply to its command', { skip: needsShared }, async () => {
  const prefix = redisPrefix();
  const client = connectCommands({
    nodes: redisUrl!.split(','),
    cluster: onCluster ? { pubsub: 'sharded' } : undefined,
  });
  try {
    // Keys spread over the cluster's slots, hence over its nodes.
    const keys = Array.from({ length: 200 }, (_, i) => `${prefix}batch:${i}`);
    await Promise.all(keys.map((k, i) => client.set(k, `v${i}`)));
    const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
    assert.ok(nodes.every((n) => n.status === 'ready'));
    const writes = countWrites(nodes.map((n) => n.stream as Socket));

    const values = await Promise.all(keys.map((k) => client.get(k)));

    assert.deepEqual(values, keys.map((_, i) => `v${i}`));
    assert.ok(writes() <= nodes.length, `${writes()} writes for ${keys.length} commands on ${nodes.length} node(s)`);
  } finally {
    await client.quit();
    await deleteRedisKeys(prefix);
  }
});
