/** Above this many entries a SmallMap moves them into a Map. */
const LINEAR_MAX = 8;

/**
 * A map for a handful of entries (a socket's rooms) in one exactly-sized array of keys and
 * values: a Map's hash table costs about 180 bytes even for one entry, and an instance holds
 * its sockets by the ten thousand. Lookups are linear, as fast as hashing for a few entries;
 * adding and removing copy the array, which only joining and leaving do. A socket in more than
 * `LINEAR_MAX` rooms gets a Map in the same field instead (no extra field on every socket), so
 * lookups and joins never grow with its room count.
 */
export class SmallMap<K, V> {
  #items: ReadonlyArray<K | V> | Map<K, V> = [];

  get size(): number {
    const items = this.#items;
    return items instanceof Map ? items.size : items.length / 2;
  }

  get(key: K): V | undefined {
    const items = this.#items;
    if (items instanceof Map) return items.get(key);
    const i = find(items, key);
    return i < 0 ? undefined : (items[i + 1] as V);
  }

  has(key: K): boolean {
    const items = this.#items;
    return items instanceof Map ? items.has(key) : find(items, key) >= 0;
  }

  set(key: K, value: V): this {
    const items = this.#items;
    if (items instanceof Map) {
      items.set(key, value);
      return this;
    }
    const i = find(items, key);
    if (i >= 0) this.#items = items.map((x, j) => (j === i + 1 ? value : x));
    else if (items.length / 2 < LINEAR_MAX) this.#items = items.concat([key, value]);
    else this.#items = new Map([...pairs<K, V>(items), [key, value]]);
    return this;
  }

  delete(key: K): boolean {
    const items = this.#items;
    if (items instanceof Map) {
      if (!items.delete(key)) return false;
      // Back to the array once it is small again, with room to spare so it does not flip to and fro.
      if (items.size <= LINEAR_MAX / 2) this.#items = [...items].flat() as Array<K | V>;
      return true;
    }
    const i = find(items, key);
    if (i < 0) return false;
    this.#items = items.filter((_, j) => j !== i && j !== i + 1);
    return true;
  }

  keys(): K[] {
    const items = this.#items;
    if (items instanceof Map) return [...items.keys()];
    return items.filter((_, j) => j % 2 === 0) as K[];
  }
}

function find<K, V>(items: ReadonlyArray<K | V>, key: K): number {
  for (let i = 0; i < items.length; i += 2) if (items[i] === key) return i;
  return -1;
}

function pairs<K, V>(items: ReadonlyArray<K | V>): Array<[K, V]> {
  const out: Array<[K, V]> = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i] as K, items[i + 1] as V]);
  return out;
}
