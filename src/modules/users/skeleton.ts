import crypto from 'node:crypto';
import unhomoglyph from 'unhomoglyph';

/**
 * Lookalikes Unicode's confusables data (13.0, as shipped by unhomoglyph) has no case-insensitive
 * mapping for: Latin small capitals (it maps ᴀ to nothing, A to itself) and Cyrillic п, which
 * passes for n in most fonts.
 */
const SUPPLEMENT: Record<string, string> = {
  ...Object.fromEntries([...'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ'].map((c, i) => [c, 'abcdefghijklmnoprstuvwyz'[i]!])),
  п: 'n',
};
const ASCII = /^[\x20-\x7e]*$/;
/** Accents on the alphabets that pass for each other: José and Jose, admín and admin, are one name. */
const LOOKALIKE_ACCENTS = /(\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic})\p{Mn}+/gu;
const MAX_KEY = 200;

/** NFKC, whitespace runs as one space, then NFD: where both skeletons start. */
const prepared = (s: string) => s.normalize('NFKC').trim().replace(/\s+/gu, ' ').normalize('NFD');

/** The comparable form of a mapped string: NFD, accents on lookalike alphabets dropped, case folded, bounded. */
function finish(mapped: string): string {
  const key = mapped.normalize('NFD').replace(LOOKALIKE_ACCENTS, '$1').toUpperCase().toLowerCase();
  // Long keys (NFKC and the mapping can multiply a name's length) are hashed to fit the column.
  return key.length > MAX_KEY ? `#sha256:${crypto.createHash('sha256').update(key).digest('hex')}` : key;
}

/**
 * The UTS #39 skeletons of a name, compared case-folded: names that share one look alike.
 *  - as typed: NFD, each confusable mapped to its prototype, NFD (so aIice, with a capital I, is alice);
 *  - case-insensitively: each character mapped from its lower-case form, or from its upper-case
 *    form when only that one looks like ASCII (Cyrillic м → М → M), so ADMIN and ᴀdmin are admin.
 * Keys are for comparing, never for showing.
 */
export function nameSkeletons(s: string): string[] {
  const chars = [...prepared(s)];
  const asTyped = unhomoglyph(chars.join(''));
  let folded = '';
  for (const c of chars) {
    const lower = unhomoglyph(c.toUpperCase().toLowerCase());
    const upper = unhomoglyph(c.toUpperCase());
    folded += SUPPLEMENT[c] ?? (!ASCII.test(lower) && ASCII.test(upper) ? upper : lower);
  }
  return [...new Set([finish(asTyped), finish(unhomoglyph(folded.toLowerCase().normalize('NFD')))])];
}

/** Names nobody may take or imitate: the roles people trust, and how a deleted account shows. */
const PROTECTED_NAMES = ['admin', 'administrator', 'root', 'system', 'moderator', 'hihi', 'deleted user'];
const PROTECTED_KEYS = new Set(PROTECTED_NAMES.flatMap(nameSkeletons));
export const isProtectedName = (s: string) => nameSkeletons(s).some((k) => PROTECTED_KEYS.has(k));
