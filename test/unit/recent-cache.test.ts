import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecentCache } from '../../src/util/recent-cache.js';

describe('RecentCache', () => {
  test('keeps a read for its time, then reads again', async () => {
    let now = 0;
    let reads = 0;
    const cache = new RecentCache<number, string>(1000, 10, () => now);
    const read = async () => `v${++reads}`;
    assert.equal(await cache.load(1, read), 'v1');
    now = 999;
    assert.equal(await cache.load(1, read), 'v1');
    now = 1000;
    assert.equal(await cache.load(1, read), 'v2');
  });

  test('a read in flight while an entry is dropped is returned but not kept', async () => {
    const cache = new RecentCache<number, string>(60_000, 10);
    let release!: (v: string) => void;
    const slow = cache.load(1, () => new Promise<string>((r) => (release = r)));
    cache.delete(1); // a write happened after the read began
    release('old');
    assert.equal(await slow, 'old');
    assert.equal(cache.get(1), undefined);
    assert.equal(await cache.load(1, async () => 'new'), 'new');
    assert.equal(cache.get(1), 'new');
  });

  test('nothing missing is kept, and the oldest entry goes first when full', async () => {
    const cache = new RecentCache<number, string>(60_000, 2);
    assert.equal(await cache.load(9, async () => undefined), undefined);
    assert.equal(cache.get(9), undefined);
    for (const k of [1, 2, 3]) await cache.load(k, async () => `v${k}`);
    assert.deepEqual([cache.get(1), cache.get(2), cache.get(3)], [undefined, 'v2', 'v3']);
    await cache.refreshMany(async () => [[4, 'v4']]);
    cache.clear();
    assert.equal(cache.get(4), undefined);
  });
});
