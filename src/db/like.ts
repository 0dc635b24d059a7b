/**
 * A LIKE pattern matching values that contain `s`. Wildcards in `s` are dropped rather than
 * escaped: SQLite has no default escape character.
 */
export const containsPattern = (s: string) => `%${s.replace(/[%_\\]/g, '')}%`;
