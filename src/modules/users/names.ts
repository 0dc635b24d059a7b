import { z } from 'zod';
import { hasInvisible } from '../../util/text.js';

/** Counts user-visible code points, not UTF-16 units, so 聊天室 is 3 and 😀 is 1. */
export const codePoints = (s: string) => [...s].length;

/**
 * UAX #31's Recommended scripts (Table 5), plus Common and Inherited (digits, punctuation, emoji,
 * combining marks). Limited-use scripts such as Cherokee, whose letters pass for Latin ones
 * (ᎪᎠᎷ), are refused in names; every script in everyday use stays open (张三, 田中, 김민준, Иван).
 */
const RECOMMENDED_SCRIPTS = [
  'Common', 'Inherited', 'Arabic', 'Armenian', 'Bengali', 'Bopomofo', 'Cyrillic', 'Devanagari', 'Ethiopic',
  'Georgian', 'Greek', 'Gujarati', 'Gurmukhi', 'Han', 'Hangul', 'Hebrew', 'Hiragana', 'Kannada', 'Katakana',
  'Khmer', 'Lao', 'Latin', 'Malayalam', 'Myanmar', 'Oriya', 'Sinhala', 'Tamil', 'Telugu', 'Thaana', 'Thai', 'Tibetan',
];
const OTHER_SCRIPT = new RegExp(`[^${RECOMMENDED_SCRIPTS.map((s) => `\\p{Script=${s}}`).join('')}]`, 'u');

/** Alphabets whose letters pass for each other (а/a, ο/o, ս/u): one word may use only one of them. */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u];

/** True when a word mixes lookalike alphabets, the usual way to impersonate ("pаypal" with a Cyrillic а). */
const mixesLookalikeScripts = (s: string) =>
  s.split(/[\s\p{P}\p{S}]+/u).some((word) => LOOKALIKE_SCRIPTS.filter((re) => re.test(word)).length > 1);

/**
 * A trimmed display string of min..max code points, kept as typed (NFC only: the same text in
 * one canonical encoding), with nothing invisible and no mixed-alphabet word.
 */
export function nameSchema(min: number, max: number) {
  return z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .refine((s) => min === 0 || s !== '', { params: { key: 'input.required' }, message: 'is required', abort: true })
    .refine((s) => codePoints(s) >= min && codePoints(s) <= max, { params: { key: 'input.length', min, max }, message: `must be ${min}–${max} characters` })
    // Compatibility forms can expand (U+FDFA is 18 letters in NFKC): the stored lookup key holds
    // at most four characters per allowed one.
    .refine((s) => codePoints(nameKey(s)) <= 4 * max, { params: { key: 'name.expands' }, message: 'is too long once normalised' })
    .refine((s) => !hasInvisible(s), { params: { key: 'name.invisible' }, message: 'must not contain control or invisible characters' })
    .refine((s) => !OTHER_SCRIPT.test(s), { params: { key: 'name.script' }, message: 'uses a script that is not accepted in names' })
    .refine((s) => !mixesLookalikeScripts(s), {
      params: { key: 'name.mixed' },
      message: 'must not mix Latin, Cyrillic, Greek or Armenian letters in one word (they look alike)',
    });
}

export const usernameSchema = nameSchema(2, 32).refine((s) => /^[\p{L}\p{M}\p{N}._-]+$/u.test(s), {
  params: { key: 'name.chars' },
  message: 'may contain only letters, digits, dot, dash and underscore',
});

/** The lookup key for a username (sign-in, moderation forms): case-insensitive after NFKC. */
export const nameKey = (s: string) => s.normalize('NFKC').trim().toLowerCase();
