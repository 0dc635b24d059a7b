/** Every migration, in order. Listed statically so they work from source and from dist/ alike. */
import type { Migration } from 'kysely';
import * as initial from './2026-11-22T00-00_initial.js';

export const migrations: Record<string, Migration> = {
  '2026-11-22T00-00_initial': initial,
};
