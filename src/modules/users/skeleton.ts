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

/**
 * The UTS #39 skeleton (NFD, map each confusable to its prototype, NFD again) of NFKC(s),
 * compared case-insensitively: each character is mapped from its lower-case form, or from its
 * upper-case form when only that one looks like ASCII (Cyrillic м → М → M). Two names with the
 * same key look alike; the key is for comparing, never for showing.
 */
export function confusableKey(s: string): string {
  let out = '';
  for (const c of s.normalize('NFKC').trim().replace(/\s+/gu, ' ').normalize('NFD')) {
    const lower = unhomoglyph(c.toUpperCase().toLowerCase());
    const upper = unhomoglyph(c.toUpperCase());
    out += SUPPLEMENT[c] ?? (!ASCII.test(lower) && ASCII.test(upper) ? upper : lower);
  }
  const key = unhomoglyph(out.toLowerCase().normalize('NFD')).normalize('NFD').replace(LOOKALIKE_ACCENTS, '$1').toLowerCase();
  // Long keys (NFKC and the mapping can multiply a name's length) are hashed to fit the column.
  return key.length > MAX_KEY ? `#sha256:${crypto.createHash('sha256').update(key).digest('hex')}` : key;
}

/** Names nobody may take or imitate: the roles people trust, and how a deleted account shows. */
const PROTECTED_NAMES = ['admin', 'administrator', 'root', 'system', 'moderator', 'hihi', 'deleted user'];
const PROTECTED_KEYS = new Set(PROTECTED_NAMES.map(confusableKey));
export const isProtectedName = (s: string) => PROTECTED_KEYS.has(confusableKey(s));
