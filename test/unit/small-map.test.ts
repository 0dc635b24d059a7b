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

test('SmallMap stays a Map in behaviour as it grows past its linear size and shrinks back', () => {
  const m = new SmallMap<number, number[]>();
  const ref = new Map<number, number[]>();
  const sizes = new Set<number>();
  let seed = 7;
  const rand = (n: number) => Math.floor((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 65_536) % n;
  for (let step = 0; step < 5_000; step++) {
    const key = rand(40);
    // Phases of mostly adding and mostly deleting, so it crosses the switch both ways.
    const deleting = Math.floor(step / 250) % 2 === 1 ? rand(4) !== 0 : rand(4) === 0;
    if (deleting) assert.equal(m.delete(key), ref.delete(key), `delete ${key} at ${step}`);
    else {
      m.set(key, [step]);
      ref.set(key, [step]);
    }
    assert.equal(m.size, ref.size, `size at ${step}`);
    assert.deepEqual(m.get(key), ref.get(key), `get ${key} at ${step}`);
    assert.equal(m.has(key), ref.has(key));
    sizes.add(m.size);
  }
  assert.ok(Math.min(...sizes) <= 2 && Math.max(...sizes) >= 20, 'it grew past the switch and shrank back below it');
  assert.deepEqual(m.keys().sort((a, b) => a - b), [...ref.keys()].sort((a, b) => a - b));
  for (const [k, v] of ref) assert.deepEqual(m.get(k), v);
});
