import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SmallMap } from '../../src/util/small-map.js';

test('SmallMap behaves as a Map for the operations a socket uses', () => {
  const m = new SmallMap<number, string>();
  assert.equal(m.has(1), false);
  m.set(1, 'a').set(2, 'b').set(3, 'c');
  m.set(2, 'B');
  assert.deepEqual([m.size, m.get(1), m.get(2), m.get(3), m.get(4)], [3, 'a', 'B', 'c', undefined]);
  assert.equal(m.delete(2), true);
  assert.equal(m.delete(2), false);
  assert.deepEqual(m.keys(), [1, 3]);
  assert.deepEqual([m.get(3), m.has(2), m.size], ['c', false, 2]);
});
