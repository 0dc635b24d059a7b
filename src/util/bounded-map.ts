/**
 * Sets `key` in a Map kept to `max` entries: a new key past that evicts the oldest insertion.
 * For caches whose entries are all equally cheap to rebuild, so first-in-first-out is enough.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) map.delete(map.keys().next().value!);
  map.set(key, value);
}
