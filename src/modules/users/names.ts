import { z } from 'zod';

// Control characters, bidi overrides/isolates and zero-width characters never belong in a name.
const FORBIDDEN = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

/** Counts user-visible code points, not UTF-16 units, so 聊天室 is 3 and 😀 is 1. */
export const codePoints = (s: string) => [...s].length;

/** A trimmed, NFKC-normalised display string of min..max code points with no invisible tricks. */
export function nameSchema(min: number, max: number) {
  return z
    .string()
    .transform((s) => s.normalize('NFKC').trim())
    .refine((s) => codePoints(s) >= min && codePoints(s) <= max, `must be ${min}–${max} characters`)
    .refine((s) => !FORBIDDEN.test(s), 'must not contain control or invisible characters');
}

/** Alphabets whose letters pass for each other (а/a, ο/o, р/p): one name may use only one of them. */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u, /\p{Script=Cherokee}/u];

/** True when a name mixes lookalike alphabets, the usual way to impersonate ("pаypal" with a Cyrillic а). */
export const mixesLookalikeScripts = (s: string) => LOOKALIKE_SCRIPTS.filter((re) => re.test(s)).length > 1;

export const usernameSchema = nameSchema(2, 32)
  .refine((s) => /^[\p{L}\p{N}._-]+$/u.test(s), 'may contain only letters, digits, dot, dash and underscore')
  .refine((s) => !mixesLookalikeScripts(s), 'must not mix Latin, Cyrillic or Greek letters (they look alike)');

/** What uniqueness is decided on: case-insensitive after NFKC. */
export const nameKey = (s: string) => s.normalize('NFKC').trim().toLowerCase();
