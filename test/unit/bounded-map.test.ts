import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from '../../src/util/bounded-map.js';

test('setBounded evicts the oldest insertion for a new key only', () => {
  const m = new Map<string, number>();
  for (const [i, k] of ['a', 'b', 'c'].entries()) setBounded(m, k, i, 3);
  setBounded(m, 'b', 10, 3);
  assert.deepEqual([...m], [['a', 0], ['b', 10], ['c', 2]], 'replacing a key evicts nothing');
  setBounded(m, 'd', 3, 3);
  assert.deepEqual([...m.keys()], ['b', 'c', 'd']);
});
