import { setBounded } from './bounded-map.js';

/**
 * Database reads kept for a while on this instance. Whoever writes drops the entry; other
 * instances are told through control events (realtime/hub.ts), and `ttlMs` bounds how stale
 * an entry can get if such an event is missed. A read that was in flight while any entry was
 * dropped is returned but not kept, so a write can never be undone by an older read.
 */
export class RecentCache<K, V> {
  readonly #entries = new Map<K, { value: V; until: number }>();
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** The kept value, or `read()`'s (kept unless something was dropped meanwhile). */
  async load(key: K, read: () => Promise<V | undefined>): Promise<V | undefined> {
    return this.get(key) ?? this.refresh(key, read);
  }

  /** Always reads; keeps the result unless something was dropped meanwhile. */
  async refresh(key: K, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const generation = this.#generation;
    const value = await read();
    if (value !== undefined && generation === this.#generation) this.#keep(key, value);
    return value;
  }

  /** Values read together (one query for many keys), kept on the same rule as `refresh`. */
  async refreshMany(read: () => Promise<Array<[K, V]>>): Promise<Array<[K, V]>> {
    const generation = this.#generation;
    const entries = await read();
    if (generation === this.#generation) for (const [key, value] of entries) this.#keep(key, value);
    return entries;
  }

  delete(key: K): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  #keep(key: K, value: V): void {
    setBounded(this.#entries, key, { value, until: this.now() + this.ttlMs }, this.max);
  }
}
