/**
 * A map for a handful of entries (a socket's rooms) in one exactly-sized array of keys and
 * values: a Map's hash table costs about 180 bytes even for one entry, and an instance holds
 * its sockets by the ten thousand. Lookups are linear, as fast as hashing for a few entries;
 * adding and removing copy the array, which only joining and leaving do.
 */
export class SmallMap<K, V> {
  #items: ReadonlyArray<K | V> = [];

  get size(): number {
    return this.#items.length / 2;
  }

  get(key: K): V | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : (this.#items[i + 1] as V);
  }

  has(key: K): boolean {
    return this.#find(key) >= 0;
  }

  set(key: K, value: V): this {
    const i = this.#find(key);
    this.#items = i < 0 ? this.#items.concat([key, value]) : this.#items.map((x, j) => (j === i + 1 ? value : x));
    return this;
  }

  delete(key: K): boolean {
    const i = this.#find(key);
    if (i < 0) return false;
    this.#items = this.#items.filter((_, j) => j !== i && j !== i + 1);
    return true;
  }

  keys(): K[] {
    return this.#items.filter((_, j) => j % 2 === 0) as K[];
  }

  #find(key: K): number {
    for (let i = 0; i < this.#items.length; i += 2) if (this.#items[i] === key) return i;
    return -1;
  }
}
