/** Above this many entries a SmallMap moves them into a Map. */
const LINEAR_MAX = 8;

/**
 * A map for a handful of entries (a socket's rooms) in one exactly-sized array of keys and
 * values: a Map's hash table costs about 180 bytes even for one entry, and an instance holds
 * its sockets by the ten thousand. Lookups are linear, as fast as hashing for a few entries;
 * adding and removing copy the array, which only joining and leaving do. A socket in more than
 * `LINEAR_MAX` rooms gets a Map instead, so lookups and joins never grow with its room count.
 */
export class SmallMap<K, V> {
  #items: ReadonlyArray<K | V> = [];
  #map: Map<K, V> | undefined;

  get size(): number {
    return this.#map ? this.#map.size : this.#items.length / 2;
  }

  get(key: K): V | undefined {
    if (this.#map) return this.#map.get(key);
    const i = this.#find(key);
    return i < 0 ? undefined : (this.#items[i + 1] as V);
  }

  has(key: K): boolean {
    return this.#map ? this.#map.has(key) : this.#find(key) >= 0;
  }

  set(key: K, value: V): this {
    if (this.#map) {
      this.#map.set(key, value);
      return this;
    }
    const i = this.#find(key);
    if (i >= 0) {
      this.#items = this.#items.map((x, j) => (j === i + 1 ? value : x));
    } else if (this.#items.length / 2 < LINEAR_MAX) {
      this.#items = this.#items.concat([key, value]);
    } else {
      this.#map = new Map(this.#pairs());
      this.#map.set(key, value);
      this.#items = [];
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#map) {
      if (!this.#map.delete(key)) return false;
      // Back to the array once it is small again, with room to spare so it does not flip to and fro.
      if (this.#map.size <= LINEAR_MAX / 2) {
        this.#items = [...this.#map].flat() as Array<K | V>;
        this.#map = undefined;
      }
      return true;
    }
    const i = this.#find(key);
    if (i < 0) return false;
    this.#items = this.#items.filter((_, j) => j !== i && j !== i + 1);
    return true;
  }

  keys(): K[] {
    if (this.#map) return [...this.#map.keys()];
    return this.#items.filter((_, j) => j % 2 === 0) as K[];
  }

  #pairs(): Array<[K, V]> {
    const out: Array<[K, V]> = [];
    for (let i = 0; i < this.#items.length; i += 2) out.push([this.#items[i] as K, this.#items[i + 1] as V]);
    return out;
  }

  #find(key: K): number {
    for (let i = 0; i < this.#items.length; i += 2) if (this.#items[i] === key) return i;
    return -1;
  }
}
