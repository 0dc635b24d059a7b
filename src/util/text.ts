/**
 * Unicode rules shared by every text input. Built on Unicode's own properties (as compiled into
 * V8's regular expressions), not on hand-made lists of characters.
 */
import { z } from 'zod';

/** Lone surrogates cannot be stored or sent faithfully (SQLite turns them into U+FFFD). */
export const isWellFormed = (s: string) => s.isWellFormed();
/** What an ill-formed input is told, on forms (plugins/validate.ts) and frames (realtime/frames.ts). */
export const ILL_FORMED = 'must be well-formed Unicode text';

/**
 * The path of the first string anywhere in `value` that is not well-formed Unicode (object keys
 * included), or undefined. Run on every input before its schema, so no schema can forget it.
 */
export function illFormedPath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (!isWellFormed(key)) return [...path, key.toWellFormed()];
    const bad = illFormedPath(v, [...path, key]);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * Emoji sequences keep their joiners and presentation selectors (❤️, 👩‍💻): those two
 * default-ignorable characters are allowed only inside such a sequence.
 */
const EMOJI_SEQUENCE =
  /\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{Emoji_Modifier}?(?:\u200D\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{Emoji_Modifier}?)*|[#*0-9]\uFE0F?\u20E3/gu;

/**
 * Characters that render as nothing or rearrange what is around them: default-ignorable code
 * points (zero-width characters, bidi controls, Hangul fillers, variation selectors, tags),
 * other format and control characters, line/paragraph separators, private-use and unassigned
 * code points, and the blank Braille pattern (drawn empty but not default-ignorable).
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\u2800]/u;

/** True when a name holds a character that renders as nothing or reorders the text. */
export const hasInvisible = (s: string) => INVISIBLE.test(s.replace(EMOJI_SEQUENCE, 'x'));

/** Nothing a reader could see: whitespace, controls and default-ignorable characters only. */
const BLANK = /^[\s\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]*$/u;
export const isBlank = (s: string) => BLANK.test(s);

/** Optional free text (descriptions, reasons): trimmed, at most max code units, no control characters, and if not empty then visible. */
export const freeTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s === '' || !isBlank(s), { params: { key: 'input.blank' }, message: 'must not be made only of invisible characters' })
    .refine((s) => !hasControl(s), { params: { key: 'name.invisible' }, message: 'must not contain control or invisible characters' });

/** Control characters other than tab and line breaks, and bidi overrides/isolates (they reorder the text after them). */
const CONTROL = /[^\P{Cc}\t\n\r]|[\u202A-\u202E\u2066-\u2069]/u;
/** True when free text or a message body holds a control character or a bidi override. */
export const hasControl = (s: string) => CONTROL.test(s);
